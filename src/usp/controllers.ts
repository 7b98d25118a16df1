/**
 * Reading the agent's Controller table (`Device.LocalAgent.Controller.{i}.`) and the
 * MTP rows the agent's transports are configured by, from the tree at the moment of
 * use: a Controller that changes a row with a USP Set is obeyed at the next send or
 * reconnect, as on a real device.
 * @module
 */
import type { ParameterTree } from '../datamodel/index.js';
import { USP_PATHS } from './mount.js';
import { rowsOf } from './paths.js';

/** One `Controller.{i}.MTP.{j}.` row. */
export interface ControllerMtpRow {
  /** Row path, ending with '.'. */
  path: string;
  protocol: string;
  enabled: boolean;
}

/** One `Controller.{i}.` row. */
export interface ControllerRow {
  /** Row path, ending with '.'. */
  path: string;
  endpointId: string;
  enabled: boolean;
  mtps: ControllerMtpRow[];
}

/** The rows of a table (`…Controller.1.`, …), or none when the profile has no such table. */
export function existingRows(tree: ParameterTree, table: string): string[] {
  return tree.has(table) ? rowsOf(tree, table) : [];
}

/** Every Controller row, enabled or not, with its MTP rows. */
export function controllerRows(tree: ParameterTree): ControllerRow[] {
  return existingRows(tree, USP_PATHS.controller).map((path) => ({
    path,
    endpointId: tree.getValue(`${path}EndpointID`) ?? '',
    enabled: tree.getValue(`${path}Enable`) === 'true',
    mtps: existingRows(tree, `${path}MTP.`).map((m) => ({
      path: m,
      protocol: tree.getValue(`${m}Protocol`) ?? '',
      enabled: tree.getValue(`${m}Enable`) !== 'false',
    })),
  }));
}

/** The enabled row of Controller `endpointId` (the first one if several claim it). */
export function controllerRow(tree: ParameterTree, endpointId: string): ControllerRow | undefined {
  return controllerRows(tree).find((c) => c.enabled && c.endpointId === endpointId);
}

/** The first enabled MTP row of `protocol` of an enabled Controller. */
export function controllerMtp(row: ControllerRow | undefined, protocol: 'MQTT' | 'WebSocket'): ControllerMtpRow | undefined {
  return row?.mtps.find((m) => m.enabled && m.protocol === protocol);
}

/** Writes a leaf the device maintains, when the tree has it (a profile may leave it out). */
export function setIfPresent(tree: ParameterTree, path: string, value: string): void {
  if (tree.has(path) && tree.getValue(path) !== value) tree.setInternal(path, value);
}
