/**
 * The validated, immutable result of loading a profile. Produced by `loadProfile`
 * (profile/), consumed by the data model (Template) and the fleet. Durations are
 * already parsed to milliseconds; leaf lists are fully expanded (`{i}` instances,
 * group prefixes, table rows), but per-CPE placeholders (`{cpe}`, `{cpe_id}`, …) are
 * left in values: they are stamped per CPE by `stampPlaceholders`.
 * @module
 */
import type { SourcePosition } from '../errors/index.js';

/** Leaf types a profile may declare (TR-069 A.2.1; long/unsignedLong are cpe-sim extras). */
export type XsdType =
  | 'xsd:string'
  | 'xsd:int'
  | 'xsd:unsignedInt'
  | 'xsd:boolean'
  | 'xsd:dateTime'
  | 'xsd:base64'
  | 'xsd:long'
  | 'xsd:unsignedLong';

/** Root object of the data model, detected from the leaf paths. */
export type DataModelRoot = 'Device' | 'InternetGatewayDevice';

/** One leaf, with its full path (`Device.DeviceInfo.SerialNumber`). */
export interface LeafDef {
  path: string;
  type: XsdType;
  /** Default value; may contain per-CPE placeholders. */
  value: string;
  writable: boolean;
  /** Where it was declared (for duplicate-leaf errors and messages). */
  source?: SourcePosition;
}

/**
 * A multi-instance table (`objects:` block). `path` ends with a dot
 * (`Device.Hosts.Host.`); rows are `path + n + '.'`. `parameters` are relative to a
 * row (`HostName`) and their values may contain `{i}` (the instance number).
 */
export interface TableDef {
  path: string;
  instances: number;
  uniqueKeys: readonly string[];
  parameters: readonly LeafDef[];
  source?: SourcePosition;
}

/** `informParameters` keys, in the order they are matched against a session's events. */
export type InformParameterKey = 'bootstrap' | 'boot' | 'periodic' | 'valueChange' | 'connectionRequest';

/** CR authentication scheme; `''` = no auth. */
export type CrScheme = '' | 'basic' | 'digest';

/** The `connectionRequest` block. */
export interface ConnectionRequestConfig {
  scheme: CrScheme;
  realm: string;
  /** 0 = no throttle. */
  throttleWindowMs: number;
  usernameParameter?: string;
  passwordParameter?: string;
}

/** A fault a Download of some FileType answers with in its TransferComplete. */
export interface TransferFault {
  code: number;
  string: string;
}

/** A validated profile. */
export interface Profile {
  /** File or directory it was loaded from (`<object>` for in-memory profiles). */
  source: string;
  root: DataModelRoot;
  deviceIdPaths: {
    manufacturer: string;
    oui: string;
    productClass: string;
    serialNumber: string;
  };
  /** Every leaf that is not in a multi-instance table (parameters + groups). */
  parameters: readonly LeafDef[];
  /** Multi-instance tables, with their initial row count. */
  objects: readonly TableDef[];
  informParameters: Readonly<Partial<Record<InformParameterKey, readonly string[]>>>;
  periodicInformPaths?: { interval: string; enable: string };
  fleet: {
    /** Number of CPEs, at least 1 (0 and 1 both mean one CPE). */
    count: number;
    /** Stamped onto the serialNumber leaf: `{base}`, `{i}`, `{i:N}`. */
    serialPattern: string;
  };
  connectionRequest: ConnectionRequestConfig;
  transfer: {
    defaultDelayMs: number;
    /** Keyed by FileType, e.g. `1 Firmware Upgrade Image`. */
    faults: Readonly<Record<string, TransferFault>>;
  };
  eventSchedule: {
    rebootDelayMs: number;
    factoryResetDelayMs: number;
    bootDelayMs: number;
  };
}

/** Per-CPE values placeholders are stamped with. */
export interface PlaceholderContext {
  /** 1-based index of the CPE in the (whole, unsharded) fleet. */
  index: number;
  /** `cpe-<index>`. */
  id: string;
}
