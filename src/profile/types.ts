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

/**
 * A top-level object of the data model: any first path segment (`Device`,
 * `InternetGatewayDevice`, `DeviceID`, …). {@link Profile.root} is the one the CPE's
 * management leaves live under: the first segment of `deviceIdPaths.manufacturer`.
 */
export type DataModelRoot = string;

/** One leaf, with its full path (`Device.DeviceInfo.SerialNumber`). */
export interface LeafDef {
  path: string;
  type: XsdType;
  /** Default value; may contain per-CPE placeholders. */
  value: string;
  writable: boolean;
  /**
   * cpe-sim extension `hidden: true`: GetParameterValues answers `""` (as TR-181 asks
   * for secrets); the tree keeps the real value for the device's own use.
   */
  hidden?: boolean;
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

/** `informParameters` keys (one per Inform event code: 0, 1, 2, 4, 6, 7). */
export type InformParameterKey = 'bootstrap' | 'boot' | 'periodic' | 'valueChange' | 'connectionRequest' | 'transferComplete';

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

/**
 * One value generator (ref. section 6): rewrites the leaf at `path` every `intervalMs`.
 * Inline generators on a `{i}` leaf are expanded to one entry per row.
 */
export type GeneratorDef =
  | { type: 'counter'; path: string; intervalMs: number; min: number; max: number; step: number; jitter: number; source?: SourcePosition }
  | { type: 'drift'; path: string; intervalMs: number; min: number; max: number; stepMax: number; source?: SourcePosition }
  | { type: 'enum'; path: string; intervalMs: number; values: readonly string[]; mode: 'cycle' | 'random'; source?: SourcePosition }
  | { type: 'uptime'; path: string; intervalMs: number; source?: SourcePosition }
  | { type: 'wallclock'; path: string; intervalMs: number; source?: SourcePosition };

/** A named address pool of `fleet.pools` (ref. 5.4), used as `{NAME}` in values. */
export type PoolDef =
  | { type: 'ipv4'; cidr: string }
  | { type: 'ipv6'; cidr: string }
  | { type: 'ipv6prefix'; super: string; sublen: number };

/** `transfer.firmware` (ref. 7.2). */
export interface FirmwareConfig {
  /** Existing xsd:string leaf the new version is written to. */
  versionPath: string;
  /** Dark window before the new version boots; default 30 s. */
  applyDelayMs: number;
  /** Fetch the image (true, default) or take the version from the URL's file name. */
  fetch: boolean;
  /** cpe-sim rule: an image older than the running version fails with 9010. */
  rejectDowngrade?: boolean;
  /** cpe-sim rule: the image must carry a matching `cpe-labs-firmware-sha256:` header, else 9019. */
  requireChecksum?: boolean;
  /** cpe-sim rule: these upgrades of the fleet (1 = the first good image applied by any CPE) fail with 9010. */
  failUpgrades?: readonly number[];
}

/** Reasons a software-module install/update can be made to fail (ref. 8.1). */
export type SoftwareModuleFaultReason = 'server-unreachable' | 'corrupt' | 'ee-mismatch' | 'resources-exceeded';

/** `softwareModules` (ref. 8.1). */
export interface SoftwareModulesConfig {
  /** Ends with '.', e.g. `Device.SoftwareModules.`. */
  path: string;
  /** Default 5000. */
  installDelayMs: number;
  /** Default 1000. */
  uninstallDelayMs: number;
  /** How long an EU stays `Starting` when RequestedState `Active` starts it (TR-157; beyond the seed). The validator fills 1000. */
  startDelayMs?: number;
  /** How long an EU stays `Stopping` when RequestedState `Idle` stops it (TR-157; beyond the seed). The validator fills 1000. */
  stopDelayMs?: number;
  /** Refuse an Update to a lower version with 9030 (beyond the seed); default false. */
  rejectDowngrade?: boolean;
  /**
   * Several versions of one unit (same UUID) may be installed, one of each per execution
   * environment (TR-369 Appendix I); only one runs, the others install Idle. An Update or
   * Uninstall without Version is then ambiguous: 9031. Default false: a second install is 9026 (the seed).
   */
  multipleVersions?: boolean;
  /** Keyed by app name. */
  faults: Readonly<Record<string, { reason: SoftwareModuleFaultReason; message?: string }>>;
}

/** One `diagnostics` entry (ref. 9). */
export interface DiagnosticDef {
  statePath: string;
  /** Default `Requested`. */
  trigger: string;
  /** Default `Complete`. */
  complete: string;
  /** Default 5000. */
  durationMs: number;
  countPath?: string;
  resultCount: number;
}

/** `faults.link` (ref. 10). */
/**
 * A CPE's injected behaviour (`cpe.inject(…)`, `fleet.inject({ share, … })`). Message
 * names are what the CPE sends: `Inform`, `TransferComplete`, an RPC response such as
 * `GetParameterValuesResponse`, `Fault`, or `empty` (the empty POST). RPC names are
 * the ACS's requests (`GetParameterValues`); `'*'` means any.
 */
export interface BehaviourQuirks {
  /** Answer the ACS's requests (all, or only `rpc`) after `ms` real milliseconds. */
  delay?: { ms: number; rpc?: string };
  /** Never answer this ACS RPC (`'*'`: any): the ACS times out; the CPE gives up after its own ACS timeout. */
  neverAnswer?: string;
  /** Answer this ACS RPC with a CWMP fault instead of executing it (e.g. `{ rpc: 'SetParameterValues', code: 9002 }`). */
  fault?: { rpc: string; code: number; string?: string };
  /** Close the TCP connection instead of sending this message. */
  closeBefore?: string;
  /** Close the TCP connection right after sending this message, without reading the answer. */
  closeAfter?: string;
  /** Send this message as truncated, malformed XML. */
  malformedXml?: string;
  /** Send this message with a cwmp:ID that is not the one it answers (or a changed one). */
  wrongId?: string;
  /** Never send the cookies the ACS set (TR-069 §3.4.2 says a CPE must). */
  dropCookies?: boolean;
  /** After a 401 challenge, send the authenticated retry on a NEW TCP connection (FritzBox style). */
  reconnectAfter401?: boolean;
  /** Send its own requests (TransferComplete, GetRPCMethods) although the ACS set HoldRequests (§3.7.1.2 forbids it). */
  ignoreHoldRequests?: boolean;
  /** Send the empty POST right after the InformResponse, before its own requests (they wait for a later session). */
  earlyEmptyPost?: boolean;
  /** Report this RetryCount in every Inform instead of the real count. */
  retryCount?: number;
  /** Speak HTTP/1.0 without keep-alive to the ACS, as old boxes do: a new TCP connection per message, closed after the answer. */
  http10?: boolean;
}

/** One entry of the `behaviour` block: quirks for a band and/or a seeded share of the fleet. */
export interface BehaviourRule {
  /** Inclusive band of GLOBAL indices; absent = every CPE. */
  instances?: { from: number; to: number };
  /** Fraction in (0, 1] of the band, drawn from the root seed; absent = all of it. */
  share?: number;
  quirks: BehaviourQuirks;
}

export interface LinkFaultConfig {
  /** Interface object path without the trailing '.'. */
  interface: string;
  /** Default 120000, > 0. */
  durationMs: number;
  /** Inclusive band of GLOBAL indices; absent = every CPE. */
  instances?: { from: number; to: number };
  reboot: boolean;
}

/** A validated profile. */
export interface Profile {
  /** File or directory it was loaded from (`<object>` for in-memory profiles). */
  source: string;
  /** First segment of `deviceIdPaths.manufacturer`: where ManagementServer etc. are looked up. */
  root: DataModelRoot;
  /** Every top-level object of the tree, in byte order. */
  roots: readonly string[];
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
  periodicInformPaths?: { interval: string; enable: string; time?: string };
  /** ACS credentials read from the tree at each challenge (ref. 4.4). */
  acsCredentialPaths?: { username: string; password: string };
  /** Every generator, inline ones expanded per `{i}` row, in registration order (ref. 6.1). */
  generators: readonly GeneratorDef[];
  fleet: {
    /** Number of CPEs, at least 1 (0 and 1 both mean one CPE). */
    count: number;
    /** Global index of local CPE k is `offset + k` (ref. 5.1); default 0. */
    offset: number;
    /** Stamped onto the serialNumber leaf of every CPE: `{base}`, `{i}`, `{i:N}`, any placeholder. */
    serialPattern: string;
    /** Named address pools, `{NAME}` in values. */
    pools: Readonly<Record<string, PoolDef>>;
  };
  connectionRequest: ConnectionRequestConfig;
  transfer: {
    defaultDelayMs: number;
    /** Keyed by FileType, e.g. `1 Firmware Upgrade Image`. */
    faults: Readonly<Record<string, TransferFault>>;
    firmware?: FirmwareConfig;
  };
  softwareModules?: SoftwareModulesConfig;
  eventSchedule: {
    rebootDelayMs: number;
    factoryResetDelayMs: number;
    bootDelayMs: number;
    /** Start-up ramp over the process's CPEs (ref. 11); CLI `--boot-ramp` wins. */
    bootRampMs: number;
  };
  diagnostics: readonly DiagnosticDef[];
  faults: { link?: LinkFaultConfig };
  /** cpe-sim's `behaviour` block (docs/misbehaving-devices.md); absent or empty without one. */
  behaviour?: readonly BehaviourRule[];
}

/** Per-CPE values placeholders are stamped with. */
export interface PlaceholderContext {
  /** GLOBAL index g of the CPE (`fleet.offset` + 1-based local index). */
  index: number;
  /** `cpe-<index>`. */
  id: string;
  /** Root seed (signed 64-bit) for `{cpe:alnum:N}` / `{cpe:rpick:…}`; see `src/random/`. */
  seed: bigint;
}

/** What callers pass where a {@link PlaceholderContext} is needed: `seed` defaults to `0n`. */
export type PlaceholderInput = Omit<PlaceholderContext, 'seed'> & { seed?: bigint };

/** ref §8.4 `app:` block of an app manifest. */
export interface AppInfo {
  /** `^[A-Za-z0-9][A-Za-z0-9._-]*$`: the DU's `DUID` and the `softwareModules.faults` key. */
  name: string;
  /** No space, tab or newline. */
  version: string;
  /** '' when absent (it still enters the UUID, ref §8.5). */
  vendor: string;
  description: string;
  /** Execution-unit name; defaults to `name`. */
  executionUnit: string;
}

/**
 * A validated app manifest (ref §8.4): the app and its own small data model, checked
 * with the profile's rules against the manifest's own tree. Placeholders are not
 * substituted in an app's values.
 */
export interface AppManifest {
  app: AppInfo;
  parameters: Profile['parameters'];
  objects: Profile['objects'];
  generators: Profile['generators'];
  /** First path segments of the manifest's leaves, sorted. */
  roots: Profile['roots'];
}
