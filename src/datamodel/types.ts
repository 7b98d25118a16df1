/**
 * The data model's public contract. `Template` (compiled once per fleet from a
 * Profile, immutable, shared) and `ParameterTree` (one per CPE, stores only what
 * differs from the template: copy on write). Errors are `CwmpFault`s with the
 * TR-069 code the RPC layer sends unchanged (9005, 9006, 9007, 9008, 9003 …).
 * @module
 */
import type { GeneratorDef, XsdType } from '../profile/types.js';
import type { Template } from './template.js';

/** A leaf as a query returns it. */
export interface ParameterValue {
  name: string;
  value: string;
  type: XsdType;
}

/** GetParameterNames result entry. Object paths end with a dot. */
export interface ParameterInfo {
  name: string;
  writable: boolean;
}

/** Notification attribute (TR-069 A.3.2.4): 0 off, 1 passive, 2 active. */
export type NotificationLevel = 0 | 1 | 2;

/** GetParameterAttributes result entry. */
export interface ParameterAttributes {
  name: string;
  notification: NotificationLevel;
  accessList: readonly string[];
}

/** One SetParameterAttributes entry. */
export interface SetAttributesEntry {
  name: string;
  notificationChange: boolean;
  notification: NotificationLevel;
  accessListChange: boolean;
  accessList: readonly string[];
}

/** One SetParameterValues entry; `type` is the xsi:type the ACS sent, if any. */
export interface SetValueEntry {
  name: string;
  value: string;
  type?: string;
}

/**
 * Who made a change: CWMP value-change notifications skip changes the ACS made itself
 * (TR-069 A.3.2.4); a USP Controller's Set (`'usp'`) is not the ACS, so CWMP reports it.
 */
export type ChangeOrigin = 'acs' | 'usp' | 'internal';

/** What the change hook receives. */
export interface ParameterChange {
  path: string;
  oldValue: string;
  newValue: string;
  origin: ChangeOrigin;
}

/** A subtree attached to one tree at run time (see {@link ParameterTree.graft}). */
export interface GraftInfo {
  id: string;
  /** Attached nodes (objects end with '.'), sorted. */
  roots: string[];
}

/**
 * A change of the tree's structure (what `onChange` does not report): a row created or
 * removed, or the whole tree reset to the template. Paths are instance paths ending with
 * a dot (`Device.Hosts.Host.3.`). USP ObjectCreation / ObjectDeletion notifications
 * (TR-369 §4.9 of the notes) are fed from it, so nobody needs to poll row sets.
 */
export type StructureChange =
  | { kind: 'added'; path: string; origin: ChangeOrigin }
  /** One event per removed row: the rows of nested tables inside it first (deepest first), then the row. */
  | { kind: 'deleted'; path: string; origin: ChangeOrigin }
  /** `reset()`: every difference from the template dropped; rows are the template's again. */
  | { kind: 'reset' };

/** One CPE's parameter tree. */
export interface ParameterTree {
  /** The management root (`Device`, `InternetGatewayDevice`, …): first segment of deviceIdPaths.manufacturer. */
  readonly root: string;
  /**
   * A leaf by full path, or undefined. Every read (this, `getValue`, `getValues`) of a
   * leaf a generator drives returns the value the generator has reached by now: values
   * are computed on read, nothing ticks in the background. `hidden` is set for a leaf
   * the profile marks `hidden: true` (GetParameterValues should answer "" for it, TR-181 secrets).
   */
  get(path: string): (ParameterValue & { writable: boolean; hidden?: boolean }) | undefined;
  /** Shortcut for `get(path)?.value`. */
  getValue(path: string): string | undefined;
  /** True when `path` is a leaf or an existing object path (ending with a dot). */
  has(path: string): boolean;
  /**
   * GetParameterValues semantics: each name is a full leaf path or a partial path
   * ending in "." (all leaves below, in tree order); `""` means the whole tree.
   * @throws CwmpFault 9005 for a name that matches nothing.
   */
  getValues(names: readonly string[]): ParameterValue[];
  /**
   * GetParameterNames semantics (TR-069 A.3.2.3): `nextLevel` true lists direct
   * children only (objects with a trailing dot); a full leaf path with nextLevel true is 9003.
   * @throws CwmpFault 9005 / 9003
   */
  getNames(path: string, nextLevel: boolean): ParameterInfo[];
  /**
   * Atomic SetParameterValues: validates every entry (name 9005, writable 9008,
   * type 9006, value 9007) and applies all or none.
   * @throws CwmpFault 9003 carrying one SetParameterValuesFault per failing entry.
   */
  setValues(entries: readonly SetValueEntry[], origin: ChangeOrigin): void;
  /** Writes one leaf, ignoring the writable flag (CR URL publishing, ParameterKey). Type-checked. */
  setInternal(path: string, value: string): void;
  /**
   * AddObject on a table path ending with a dot; returns the new instance number.
   * `origin` (default `'internal'`, a device-made row) goes to the structure listeners.
   * @throws CwmpFault 9005
   */
  addObject(tablePath: string, origin?: ChangeOrigin): number;
  /**
   * DeleteObject on an instance path (`Device.Hosts.Host.2.`); `origin` as for addObject.
   * @throws CwmpFault 9005
   */
  deleteObject(instancePath: string, origin?: ChangeOrigin): void;
  /** GetParameterAttributes (full or partial paths). @throws CwmpFault 9005 */
  getAttributes(names: readonly string[]): ParameterAttributes[];
  /**
   * SetParameterAttributes, all or none (TR-069 A.3.2.4). A partial path (ending '.')
   * or `""` applies to every leaf below it.
   * @throws CwmpFault 9005 for a name that matches nothing; 9003 for a Notification other than 0, 1, 2.
   */
  setAttributes(entries: readonly SetAttributesEntry[]): void;
  /**
   * Leaves whose Notification attribute is passive (1) or active (2), in no particular
   * order. Cheap: reads only the overlay (the default notification is 0).
   */
  notifying(): { name: string; notification: 1 | 2 }[];
  /**
   * Registers a change listener; returns an unsubscribe function. It is called after a
   * successful `setValues` / `setInternal`, once per leaf whose value actually changed
   * (same value written again: no call). AddObject, DeleteObject and `reset()` change
   * the structure, not the value of an existing leaf, and do not call it, except for the
   * `<Table>NumberOfEntries` counter beside the table, which is told its new count. A listener
   * that throws does not undo the change; its error is rethrown asynchronously.
   */
  onChange(listener: (change: ParameterChange) => void): () => void;
  /**
   * Registers a structure listener (rows added / deleted, reset); returns an unsubscribe
   * function. Called after the change is applied (a new row is readable, a deleted one
   * gone), before the `<Table>NumberOfEntries` counter's `onChange`. A listener that
   * throws does not undo the change; its error is rethrown asynchronously.
   */
  onStructure(listener: (change: StructureChange) => void): () => void;
  /**
   * Factory reset: drops every difference from the template (values, rows, instance
   * numbering, attributes, grafts). Change listeners stay registered and are not called;
   * structure listeners get one `{ kind: 'reset' }`.
   */
  reset(): void;
  /**
   * Makes the leaf `path` read as `read()` in this tree until the returned function is
   * called: a value the device computes when asked (`Device.LocalAgent.UpTime`, seconds
   * since the last boot), with no timer and no write per second. Writes to it are kept
   * but shadowed while derived; `reset()` keeps it (the device still computes it).
   * @throws CwmpFault 9005 when `path` is not a leaf of this tree.
   * @example
   * const off = tree.derive('Device.LocalAgent.UpTime', () => String(Math.floor((clock.now() - bootAt) / 1000)));
   */
  derive(path: string, read: () => string): () => void;
  /** The generator that drives this leaf in this tree (none for rows AddObject created, none before a clock is given). */
  generator(path: string): GeneratorDef | undefined;
  /** Simulated ms of the next tick of the generator driving `path`; undefined if none or not started yet. */
  nextGeneratorTick(path: string): number | undefined;
  /**
   * Attaches the nodes of `subtree` (a {@link Template.fragment}: an app's data model,
   * ref §8.4) that this tree lacks, where the two trees diverge; returns those attached
   * roots, sorted (objects end with '.'). GPN/GPV/SPV/attributes/AddObject see them in
   * this tree only; the subtree's generators tick from now. `id` names the graft.
   * @throws CwmpFault 9025 when a path is in both trees and either side is a leaf (or a
   * table, a row, another graft's node): nothing is attached.
   */
  graft(subtree: Template, id: string): string[];
  /** Removes the graft `id` and everything the tree stored for its nodes; false if there is none. */
  ungraft(id: string): boolean;
  /** The grafts, in attach order. */
  grafts(): GraftInfo[];
  /** Number of entries this tree stores beyond the shared template (for memory tests). */
  readonly overlaySize: number;
}
