/**
 * Pieces the message handlers share: the request context, parameter-write
 * validation with TR-369 codes, unique keys, and error conversion.
 * @module
 */
import { checkValue, type ParameterTree, type Template } from '../../datamodel/index.js';
import { isCwmpFault } from '../../errors/index.js';
import type { XsdType } from '../../profile/types.js';
import { USP_ERR, UspError, isUspError } from '../errors.js';
import { parsePath, resolvePaths, supportedModel, type Resolution, type SupportedObject, type UspPath } from '../paths.js';
import type { ParameterError } from '../types.js';

/** One object a USP Add or Set is about to commit (seam 2, usp-contract.md "Changes"). */
export interface UspObjectChange {
  kind: 'add' | 'set';
  /** Instance path, e.g. `Device.LocalAgent.Subscription.3.`. */
  objPath: string;
  /** What this request writes on that object: relative parameter name → value (as sent). */
  params: Readonly<Record<string, string>>;
  /** from_id of the request (the Controller's EndpointID). */
  controllerId: string;
}

/** A command the Agent supports, for GetSupportedDM. */
export interface UspSupportedCommand {
  /** `{i}` notation: `Device.Reboot()`, `Device.DeviceInfo.FirmwareImage.{i}.Download()`. */
  path: string;
  input: readonly string[];
  output: readonly string[];
  type: 'CMD_SYNC' | 'CMD_ASYNC';
}

/** An event the Agent supports, for GetSupportedDM. */
export interface UspSupportedEvent {
  /** `{i}` notation: `Device.Boot!`. */
  path: string;
  args: readonly string[];
}

/** What the handlers read and write. @see UspRequestContext in dispatch.ts */
export interface HandlerContext {
  tree: ParameterTree;
  template: Template;
  controllerId: string;
  beforeCommit?: ((change: UspObjectChange, tree: ParameterTree) => void) | undefined;
  supportedCommands?: readonly UspSupportedCommand[] | undefined;
  supportedEvents?: readonly UspSupportedEvent[] | undefined;
}

/** Converts anything a handler caught into a UspError (CwmpFaults of the tree by notes §4.2). */
export function toUspError(e: unknown, where: string): UspError {
  if (isUspError(e)) return e;
  if (isCwmpFault(e)) {
    const code = { 9005: USP_ERR.UNSUPPORTED_PARAM, 9006: USP_ERR.INVALID_TYPE, 9007: USP_ERR.INVALID_VALUE, 9008: USP_ERR.PARAM_READ_ONLY }[e.faultCode as 9005] ?? USP_ERR.INTERNAL_ERROR;
    return new UspError(code, `${where}: ${e.faultString}`, [], { cause: e });
  }
  return new UspError(USP_ERR.INTERNAL_ERROR, `${where}: internal error: ${e instanceof Error ? e.message : String(e)}`, [], { cause: e });
}

/**
 * Parses and resolves following references: one Resolution per kind of object reached
 * (a path without references gives one). `strict`: a reference leading nowhere is 7016
 * (the writing messages) instead of resolving to nothing (Get).
 */
export function resolveEach(ctx: HandlerContext, text: string, strict: boolean): { path: UspPath; groups: Resolution[] } {
  const path = parsePath(text);
  return { path, groups: resolvePaths(ctx.tree, ctx.template, path, { strict }) };
}

/**
 * Checks one write the way TR-369 codes it: 7010 unknown parameter, 7013 not
 * writable, 7011 value not of the type, 7012 value of the
 * type but not allowed. Returns undefined when the write is acceptable.
 */
export function checkWrite(tree: ParameterTree, objPath: string, param: string, value: string): ParameterError | undefined {
  const leaf = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(param) ? tree.get(objPath + param) : undefined;
  if (!leaf) return { param, err_code: USP_ERR.UNSUPPORTED_PARAM, err_msg: `'${objPath}${param}' is not a parameter of this Agent` };
  if (!leaf.writable) return { param, err_code: USP_ERR.PARAM_READ_ONLY, err_msg: `'${objPath}${param}' is read-only` };
  return valueError(leaf.type, param, value, objPath + param);
}

/** 7011 for a value that is not of the type, 7012 for one of the type that is not allowed; undefined when valid. */
export function valueError(type: XsdType, param: string, value: string, at: string): ParameterError | undefined {
  const why = checkValue(type, value);
  if (why === undefined) return undefined;
  // checkValue says "out of range" for a value of the right lexical type; strings only fail on value.
  const code = why.includes('out of range') || type === 'xsd:string' ? USP_ERR.INVALID_VALUE : USP_ERR.INVALID_TYPE;
  return { param, err_code: code, err_msg: `'${at}': ${why}` };
}

/** The unique keys of a row and their values (TR-369 R-ADD.5, GetInstances). */
export function uniqueKeysOf(tree: ParameterTree, row: string, object: SupportedObject | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of object?.uniqueKeys ?? []) {
    const v = tree.getValue(row + k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** The supported row object of a concrete row path such as `Device.IP.Interface.3.`. */
export function supportedRowOf(template: Template, rowPath: string): SupportedObject | undefined {
  const model = supportedModel(template);
  let sup = '';
  for (const seg of rowPath.slice(0, -1).split('.')) sup += model.tables.has(sup) && /^\d+$/.test(seg) ? '{i}.' : `${seg}.`;
  return model.objects.get(sup);
}

/** Every row at or below `path` (the path itself when it is a row), in tree order. */
export function rowsBelow(tree: ParameterTree, template: Template, path: string): string[] {
  return tree
    .getNames(path, false)
    .map((n) => n.name)
    .filter((n) => /\.\d+\.$/.test(n) && supportedRowOf(template, n)?.multiInstance === true);
}
