/**
 * The TR-157 deployment-unit lifecycle (profile reference §8.2): Install, Update and
 * Uninstall over one CPE's {@link ParameterTree}. It knows no protocol: CWMP's
 * ChangeDUState (cpe/) and USP's InstallDU()/Update()/Uninstall() (usp/) both call it,
 * and read each operation's result with both protocols' fault codes (ref §8.3 table).
 *
 * State lives in the tree (DU/EU rows, the app's grafted data model) plus a small
 * per-tree record of what each installed app came from, keyed by the tree and dropped
 * when the tree forgets the graft (a factory reset).
 * @module
 */
import { CPE_FAULT_STRINGS, CwmpFault, isCpeSimError } from '../errors/index.js';
import { Template, type ParameterTree } from '../datamodel/index.js';
import { parseManifest, type AppInfo, type SoftwareModuleFaultReason, type SoftwareModulesConfig } from '../profile/index.js';
import { compareVersions } from '../transfer/index.js';
import type { ManifestFetcher } from './fetch.js';
import { deploymentUnitUuid, UUID_SHAPE } from './uuid.js';

/** What the lifecycle needs from its device. */
export interface SwmodContext {
  /** The device's tree: DU/EU rows and the apps' data models go here. */
  tree: ParameterTree;
  /** The profile's `softwareModules` block. */
  config: SoftwareModulesConfig;
  /** Fetches manifests; {@link httpManifestFetcher} for real HTTP(S). */
  fetch: ManifestFetcher;
  /** Wall-clock ms for StartTime/CompleteTime/Installed/LastUpdate; default `Date.now`. */
  now?: () => number;
  /** Waits `installDelay`/`uninstallDelay`; default a real timer. Compressed clocks pass theirs. */
  sleep?: (ms: number) => Promise<void>;
  /** Aborts operations in flight (the device is closing): they end with fault 9002. */
  signal?: AbortSignal;
}

/** One operation (TR-069 A.4.1.14 Install/Update/UninstallOpStruct; USP InstallDU()/Update()/Uninstall()). */
export type DuRequest =
  | { op: 'install'; url: string; uuid?: string; executionEnvRef?: string; username?: string; password?: string }
  | { op: 'update'; uuid?: string; version?: string; url?: string; username?: string; password?: string }
  | { op: 'uninstall'; uuid: string; version?: string; executionEnvRef?: string };

/** A failed operation's fault in both protocols (ref §8.3). */
export interface DuFault {
  /** TR-069 code for DUStateChangeComplete (9001, 9003, 9012–9018, 9022–9032). */
  cwmpCode: number;
  /** TR-369 error code for the USP command's output. */
  uspCode: number;
  message: string;
}

/** The outcome of one operation (TR-069 A.4.1.15 OpResultStruct). */
export interface DuResult {
  op: DuRequest['op'];
  uuid: string;
  /** DeploymentUnit row, no trailing dot (`Device.SoftwareModules.DeploymentUnit.1`); '' when none was kept. */
  deploymentUnitRef: string;
  version: string;
  currentState: 'Installed' | 'Uninstalled' | 'Failed';
  resolved: boolean;
  /** ExecutionUnit rows, no trailing dot. */
  executionUnitRefs: string[];
  /** RFC 3339 UTC, whole seconds. */
  startTime: string;
  completeTime: string;
  /** Absent on success. */
  fault?: DuFault;
}

/** An installed deployment unit as {@link installedModules} lists it. */
export interface InstalledModule {
  /** The app's name (DUID). */
  name: string;
  version: string;
  vendor: string;
  uuid: string;
  /** No trailing dot. */
  deploymentUnitRef: string;
  /** No trailing dot. */
  executionUnitRef: string;
  /** The grafted roots (objects end with '.'), sorted: the EU's References. */
  references: string[];
}

/** ref §8.3: TR-069 code → TR-369 code of the same condition. */
const USP_CODES: Readonly<Record<number, number>> = {
  9001: 7002,
  9002: 7003,
  9003: 7004,
  9012: 7033,
  9013: 7033,
  9015: 7033,
  9016: 7033,
  9017: 7033,
  9018: 7035,
  9022: 7004,
  9023: 7223,
  9024: 7002,
  9025: 7225,
  9026: 7226,
  9027: 7227,
  9028: 7002,
  9029: 7229,
  9030: 7230,
  9031: 7231,
  9032: 7226,
};

/** The TR-369 error code of a TR-069 DU fault code (ref §8.3); 7003 for an unmapped code. */
export function uspErrorCode(cwmpCode: number): number {
  return USP_CODES[cwmpCode] ?? 7003;
}

/** ref §8.3: the fault an injected reason stands for. */
const REASON_CODES: Readonly<Record<SoftwareModuleFaultReason, number>> = {
  'server-unreachable': 9015,
  corrupt: 9018,
  'ee-mismatch': 9025,
  'resources-exceeded': 9027,
};

/** Standard texts for DUStateChangeComplete (TR-069 Amendment 6 words 9018 for DUs). */
function standardText(code: number): string {
  if (code === 9018) return 'File transfer failure: file corrupted or otherwise unusable';
  return CPE_FAULT_STRINGS[code] ?? 'Fault';
}

/** A lifecycle failure on its way to a result. */
class DuError extends Error {
  override name = 'DuError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function duError(code: number, detail?: string): DuError {
  return new DuError(code, detail === undefined ? standardText(code) : `${standardText(code)}: ${detail}`);
}

/** What the lifecycle remembers of one installed app (the tree holds the rest). */
interface AppRecord {
  /** DU row path, with trailing dot; also the graft id. */
  du: string;
  eu: string;
  uuid: string;
  app: AppInfo;
  url: string;
  /** ExecEnv row, no trailing dot. */
  ee: string;
  template: Template;
  references: string[];
  /** The EU was stopped by RequestedState Idle: its data model is out of the tree, the DU stays. */
  idle?: boolean;
}

/** Installed apps per tree, by DU row path. */
const records = new WeakMap<ParameterTree, Map<string, AppRecord>>();
/** The tail of each tree's operation chain: one operation at a time per CPE (ref §8.2). */
const chains = new WeakMap<ParameterTree, Promise<unknown>>();

/** The tree's records, without those whose graft the tree forgot (factory reset, ref §11). */
function appsOf(tree: ParameterTree): Map<string, AppRecord> {
  let m = records.get(tree);
  if (!m) records.set(tree, (m = new Map()));
  const live = new Set(tree.grafts().map((g) => g.id));
  // An idle app has no graft; its DU row (still carrying its UUID) is what a reset would forget.
  for (const [k, a] of [...m]) if (a.idle === true ? tree.getValue(`${a.du}UUID`) !== a.uuid : !live.has(k)) m.delete(k);
  return m;
}

/**
 * Compiled manifests by source text, shared by every CPE of the process (a fleet
 * installing one app compiles it once). Small and bounded: oldest entry out first.
 */
const compiled = new Map<string, { app: AppInfo; template: Template }>();
const MAX_COMPILED = 32;

function compileManifest(text: string, url: string): { app: AppInfo; template: Template } {
  const hit = compiled.get(text);
  if (hit) return hit;
  let out: { app: AppInfo; template: Template };
  try {
    const m = parseManifest(text, url);
    out = { app: m.app, template: Template.fragment(m, url) };
  } catch (err) {
    // ref §8.3: not a valid manifest → 9018 (the ProfileError says where and why).
    if (isCpeSimError(err)) throw duError(9018, `the manifest at ${url} is not a valid app manifest: ${err.message}`);
    throw err;
  }
  if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
  compiled.set(text, out);
  return out;
}

const noDot = (p: string): string => (p.endsWith('.') ? p.slice(0, -1) : p);

/** Why the ExecEnv row is not usable (Enable not true, Status not Up, when it has those leaves), or undefined. */
function disabledEnvironment(tree: ParameterTree, row: string): string | undefined {
  const at = row.endsWith('.') ? row : `${row}.`;
  const enable = tree.getValue(`${at}Enable`);
  const status = tree.getValue(`${at}Status`);
  if (enable !== undefined && enable !== 'true' && enable !== '1') return `${noDot(at)}.Enable is ${enable}`;
  if (status !== undefined && status !== 'Up') return `${noDot(at)}.Status is ${status}`;
  return undefined;
}

/** RFC 3339 UTC, whole seconds (ref §8.1). */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function realSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(duError(9002, 'the device is closing'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(duError(9002, 'the device is closing'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One operation's run: the context with defaults and the helpers every step uses. */
class Run {
  readonly tree: ParameterTree;
  readonly base: string;
  readonly now: () => number;
  readonly start: string;

  constructor(readonly ctx: SwmodContext) {
    this.tree = ctx.tree;
    this.base = ctx.config.path;
    this.now = ctx.now ?? Date.now;
    this.start = rfc3339(this.now());
  }

  async sleep(ms: number): Promise<void> {
    const { signal } = this.ctx;
    if (this.ctx.sleep) {
      if (signal?.aborted) throw duError(9002, 'the device is closing');
      await this.ctx.sleep(ms);
      if (signal?.aborted) throw duError(9002, 'the device is closing');
    } else await realSleep(ms, signal);
  }

  /** Writes a leaf the profile declares (the lifecycle writes only those, ref §8.1). */
  write(path: string, value: string): void {
    if (this.tree.has(path)) this.tree.setInternal(path, value);
  }

  /** Rows of a table below the softwareModules path, tree order, with trailing dot. */
  rows(table: 'ExecEnv' | 'DeploymentUnit' | 'ExecutionUnit'): string[] {
    const at = `${this.base}${table}.`;
    return this.tree.has(at) ? this.tree.getNames(at, true).map((n) => n.name) : [];
  }

  /**
   * ref §8.2: the ExecEnv row `ref` names (trailing dot optional), or the first row;
   * 9023 when no row matches, 9024 when it is not enabled or not Up.
   */
  environment(ref: string | undefined): string {
    const rows = this.rows('ExecEnv');
    const row = ref === undefined || ref === '' ? rows[0] : rows.find((r) => r === (ref.endsWith('.') ? ref : `${ref}.`));
    if (row === undefined) throw duError(9023, ref ? `no execution environment ${ref} (expected one of ${rows.map(noDot).join(', ') || 'none'})` : 'this CPE has no execution environment');
    this.usable(row);
    return noDot(row);
  }

  /** 9024 unless the ExecEnv row is enabled and Up (when it has those leaves). */
  usable(row: string): void {
    const why = disabledEnvironment(this.tree, row);
    if (why !== undefined) throw duError(9024, why);
  }

  /** AddObject on one of the module tables; 9001 when the row lacks a leaf the lifecycle needs. */
  addRow(table: 'DeploymentUnit' | 'ExecutionUnit', needs: readonly string[]): string {
    const at = `${this.base}${table}.`;
    let row: string;
    try {
      row = `${at}${this.tree.addObject(at)}.`;
    } catch (err) {
      throw duError(9001, `AddObject ${at} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const missing = needs.filter((n) => !this.tree.has(`${row}${n}`));
    if (missing.length > 0) {
      this.tree.deleteObject(row);
      throw duError(9001, `the profile's ${at} rows lack ${missing.join(', ')} (ref §8.1)`);
    }
    return row;
  }

  deleteRow(row: string | undefined): void {
    if (row !== undefined && this.tree.has(row)) this.tree.deleteObject(row);
  }

  async fetchApp(url: string, req: { username?: string | undefined; password?: string | undefined }): Promise<{ app: AppInfo; template: Template }> {
    let text: string;
    try {
      text = await this.ctx.fetch(url, { username: req.username ?? '', password: req.password ?? '' }, this.ctx.signal);
    } catch (err) {
      if (this.ctx.signal?.aborted) throw duError(9002, 'the device is closing');
      if (err instanceof CwmpFault) throw new DuError(err.faultCode, err.faultString);
      // A fetcher that fails otherwise could not read the manifest (ref §8.3: read error).
      throw duError(9015, `${url}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return compileManifest(text, url);
  }

  /** ref §8.2: an injected fault of the profile for this app (after the fetch: the app must exist). */
  injected(app: AppInfo): void {
    const faults = this.ctx.config.faults;
    const f = Object.hasOwn(faults, app.name) ? faults[app.name] : undefined;
    if (f === undefined) return;
    const code = REASON_CODES[f.reason];
    throw new DuError(code, f.message ?? standardText(code));
  }

  /**
   * Grafts the app and starts it in a new EU row (ref §8.2 install steps after the delay).
   * `start: false` creates the EU row `Idle` with nothing grafted: another version of the
   * same unit runs and owns the data model (`softwareModules.multipleVersions`).
   */
  startApp(du: string, ee: string, app: AppInfo, template: Template, start = true): { eu: string; references: string[] } {
    let references: string[] = [];
    if (start) {
      try {
        references = this.tree.graft(template, du);
      } catch (err) {
        if (err instanceof CwmpFault) throw new DuError(9025, `${standardText(9025)}: ${err.faultString}`);
        throw err;
      }
    }
    let eu: string;
    try {
      eu = this.addRow('ExecutionUnit', ['Name', 'Status', 'References']);
    } catch (err) {
      if (start) this.tree.ungraft(du);
      throw err;
    }
    const now = rfc3339(this.now());
    for (const [k, v] of [
      ['EUID', app.executionUnit],
      ['Name', app.executionUnit],
      ['ExecEnvLabel', app.executionUnit],
      ['Status', 'Starting'],
      ['ExecutionFaultCode', 'NoFault'],
      ['ExecutionFaultMessage', ''],
      ['AutoStart', 'true'],
      ['Vendor', app.vendor],
      ['Version', app.version],
      ['Description', app.description],
      ['References', references.join(',')],
      ['ExecutionEnvRef', ee],
      ['CreationTime', now],
    ] as const) {
      this.write(`${eu}${k}`, v);
    }
    this.write(`${eu}Status`, start ? 'Active' : 'Idle');
    return { eu, references };
  }

  /** Stops the app: EU Stopping, data model removed, EU Idle with no References, row deleted. */
  stopApp(rec: AppRecord): void {
    this.write(`${rec.eu}Status`, 'Stopping');
    this.tree.ungraft(rec.du);
    this.write(`${rec.eu}Status`, 'Idle');
    this.write(`${rec.eu}References`, '');
    this.deleteRow(rec.eu);
  }

  /** DU row fields from the app (ref §8.1 list). */
  describe(du: string, app: AppInfo, uuid: string): void {
    for (const [k, v] of [
      ['UUID', uuid],
      ['DUID', app.name],
      ['Name', app.name],
      ['Version', app.version],
      ['Vendor', app.vendor],
      ['Description', app.description],
    ] as const) {
      this.write(`${du}${k}`, v);
    }
  }

  /** ExecEnv.ActiveExecutionUnits: the EUs running in each environment, sorted comma list. */
  refreshActive(): void {
    const apps = [...appsOf(this.tree).values()];
    for (const row of this.rows('ExecEnv')) {
      const list = apps.filter((a) => `${a.ee}.` === row && a.idle !== true).map((a) => noDot(a.eu)).sort();
      this.write(`${row}ActiveExecutionUnits`, list.join(','));
    }
  }

  /**
   * The installed app `uuid` (case-insensitive; `version`, when given, must match); 9028
   * otherwise. 9031 when no version is given and the UUID names several installed versions
   * (`softwareModules.multipleVersions`; TR-369 Appendix I: "the version of the DU not being
   * specified in the request when there are multiple versions installed").
   */
  find(uuid: string, version: string | undefined): AppRecord {
    const hits = versionsOf(this.tree, uuid);
    if (!version && hits.length > 1) throw duError(9031, `${uuid} is installed in versions ${hits.map((a) => a.app.version).join(', ')}; name one in Version`);
    const hit = version ? hits.find((a) => a.app.version === version) : hits[0];
    if (!hit) throw duError(9028, hits.length > 0 ? `deployment unit ${uuid} is not installed in version ${version}` : `no deployment unit with UUID ${uuid} is installed`);
    return hit;
  }

  /** 9029 unless the DU row is `Installed`. */
  installed(rec: AppRecord): void {
    const status = this.tree.getValue(`${rec.du}Status`);
    if (status !== 'Installed') throw duError(9029, `${noDot(rec.du)} is ${status ?? 'gone'}, not Installed`);
  }

  result(op: DuRequest['op'], fields: Partial<DuResult>): DuResult {
    return {
      op,
      uuid: '',
      deploymentUnitRef: '',
      version: '',
      currentState: 'Failed',
      resolved: false,
      executionUnitRefs: [],
      startTime: this.start,
      completeTime: rfc3339(this.now()),
      ...fields,
    };
  }

  failed(op: DuRequest['op'], err: unknown, fields: Partial<DuResult>): DuResult {
    const e = err instanceof DuError ? err : duError(9002, err instanceof Error ? err.message : String(err));
    return this.result(op, { ...fields, currentState: 'Failed', resolved: false, fault: { cwmpCode: e.code, uspCode: uspErrorCode(e.code), message: e.message } });
  }
}

/** URL checks before anything is created (TR-069 A.4.1.14; ref §8.3 9003 rule). */
function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw duError(9003, `URL ${JSON.stringify(url.slice(0, 200))} is not an absolute URL`);
  }
  if (u.username !== '' || u.password !== '') throw duError(9003, 'the URL must not carry user information; send Username/Password instead');
  // TR-069 §3.4: the transports of file transfers, which A.4.1.14's URL uses too.
  if (u.protocol !== 'http:' && u.protocol !== 'https:' && u.protocol !== 'ftp:') throw duError(9013, `${u.protocol.slice(0, -1)} (expected http, https or ftp)`);
}

/** Every installed version of the unit `uuid` (case-insensitive), in DU row order of installation. */
function versionsOf(tree: ParameterTree, uuid: string): AppRecord[] {
  const want = uuid.toLowerCase();
  return [...appsOf(tree).values()].filter((a) => a.uuid.toLowerCase() === want);
}

/** Runs `work` after every earlier operation on the same tree (ref §8.2: one at a time per CPE). */
function serialized<T>(tree: ParameterTree, work: () => Promise<T>): Promise<T> {
  const prev = chains.get(tree) ?? Promise.resolve();
  const next = prev.then(work, work);
  chains.set(
    tree,
    next.catch(() => undefined),
  );
  return next;
}

async function doInstall(run: Run, req: DuRequest & { op: 'install' }): Promise<DuResult> {
  const { tree } = run;
  let du: string | undefined;
  let uuid = req.uuid ?? '';
  let version = '';
  try {
    checkUrl(req.url);
    if (uuid !== '' && !UUID_SHAPE.test(uuid)) throw duError(9022, `${JSON.stringify(uuid)} is not an RFC 4122 UUID (8-4-4-4-12 hex digits)`);
    const ee = run.environment(req.executionEnvRef);
    du = run.addRow('DeploymentUnit', ['UUID', 'Name', 'Status', 'Version']);
    run.write(`${du}Status`, 'Installing');
    run.write(`${du}Resolved`, 'false');
    run.write(`${du}URL`, req.url);
    run.write(`${du}UUID`, uuid);
    run.write(`${du}ExecutionEnvRef`, ee);
    const { app, template } = await run.fetchApp(req.url, req);
    uuid = uuid || deploymentUnitUuid(app.vendor, app.name);
    version = app.version;
    run.injected(app);
    const siblings = versionsOf(tree, uuid);
    const dup = run.ctx.config.multipleVersions === true ? siblings.find((a) => a.app.version === app.version && a.ee === ee) : siblings[0];
    // TR-369 Appendix I: several versions of one unit may be installed in an EE, one instance of each.
    if (dup) throw duError(9026, `${uuid} is already installed as ${noDot(dup.du)}${run.ctx.config.multipleVersions === true ? ` in version ${app.version}` : ''}`);
    run.describe(du, app, uuid);
    await run.sleep(run.ctx.config.installDelayMs);
    // Versions of one app share their data model: only one runs, another installs Idle.
    const start = !siblings.some((a) => a.idle !== true);
    const { eu, references } = run.startApp(du, ee, app, template, start);
    appsOf(tree).set(du, { du, eu, uuid, app, url: req.url, ee, template, references, idle: !start });
    const now = rfc3339(run.now());
    run.write(`${du}Status`, 'Installed');
    run.write(`${du}Resolved`, 'true');
    run.write(`${du}ExecutionUnitList`, noDot(eu));
    run.write(`${du}Installed`, now);
    run.write(`${du}LastUpdate`, now);
    run.refreshActive();
    return run.result('install', { uuid, deploymentUnitRef: noDot(du), version, currentState: 'Installed', resolved: true, executionUnitRefs: [noDot(eu)] });
  } catch (err) {
    // ref §8.2: any fault deletes the DU row.
    run.deleteRow(du);
    return run.failed('install', err, { uuid, version });
  }
}

async function doUpdate(run: Run, req: DuRequest & { op: 'update' }): Promise<DuResult> {
  const { tree } = run;
  let rec: AppRecord | undefined;
  try {
    if (req.url) checkUrl(req.url);
    if (req.uuid) rec = run.find(req.uuid, req.version);
    else {
      // TR-069 A.4.1.14: without a UUID the URL names the DU (the one installed from it).
      const fromUrl = [...appsOf(tree).values()].filter((a) => a.url === req.url && (!req.version || a.app.version === req.version));
      if (fromUrl.length > 1) throw duError(9031, `versions ${fromUrl.map((a) => a.app.version).join(', ')} were installed from ${req.url}; name one in Version`);
      rec = fromUrl[0];
      if (!rec) throw duError(9028, `no deployment unit was installed from ${req.url ?? '(no URL)'}`);
    }
    run.installed(rec);
    run.usable(rec.ee);
    const url = req.url || rec.url;
    const { app, template } = await run.fetchApp(url, req);
    run.injected(app);
    const derived = deploymentUnitUuid(app.vendor, app.name).toLowerCase();
    const self = rec;
    const siblings = versionsOf(tree, self.uuid).filter((a) => a !== self);
    const dup = [...appsOf(tree).values()].find((a) => a !== self && !siblings.includes(a) && a.uuid.toLowerCase() === derived);
    if (dup) throw duError(9026, `${app.vendor}/${app.name} is already installed as ${noDot(dup.du)}`);
    if (app.version === rec.app.version) throw duError(9032, `${noDot(rec.du)} already runs version ${app.version}`);
    const same = siblings.find((a) => a.app.version === app.version);
    if (same) throw duError(9032, `version ${app.version} of ${self.uuid} is already installed as ${noDot(same.du)}`);
    // TR-069 9030: a device may refuse to go back to an older version (profile softwareModules.rejectDowngrade).
    if (run.ctx.config.rejectDowngrade === true && compareVersions(app.version, rec.app.version) < 0) throw duError(9030, `${noDot(rec.du)} runs ${rec.app.version}; ${app.version} is older (softwareModules.rejectDowngrade)`);
    const old = rec;
    run.write(`${old.du}Status`, 'Updating');
    run.stopApp(old);
    appsOf(tree).delete(old.du);
    await run.sleep(run.ctx.config.installDelayMs).catch((err: unknown) => {
      restart(run, old);
      throw err;
    });
    let started: { eu: string; references: string[] };
    // Another running version of the unit keeps the data model: the new one stays Idle.
    const startNew = !siblings.some((a) => a.idle !== true);
    try {
      started = run.startApp(old.du, old.ee, app, template, startNew);
    } catch (err) {
      // ref §8.2: the new version cannot start: the old one runs again, the result carries the fault.
      restart(run, old);
      return run.failed('update', err, { uuid: old.uuid, deploymentUnitRef: noDot(old.du), version: old.app.version });
    }
    const next: AppRecord = { ...old, eu: started.eu, app, url, template, references: started.references, idle: !startNew };
    appsOf(tree).set(old.du, next);
    run.describe(old.du, app, old.uuid);
    run.write(`${old.du}URL`, url);
    run.write(`${old.du}Status`, 'Installed');
    run.write(`${old.du}ExecutionUnitList`, noDot(started.eu));
    run.write(`${old.du}LastUpdate`, rfc3339(run.now()));
    run.refreshActive();
    return run.result('update', { uuid: old.uuid, deploymentUnitRef: noDot(old.du), version: app.version, currentState: 'Installed', resolved: true, executionUnitRefs: [noDot(started.eu)] });
  } catch (err) {
    return run.failed('update', err, rec ? { uuid: rec.uuid, deploymentUnitRef: noDot(rec.du), version: rec.app.version } : { uuid: req.uuid ?? '' });
  }
}

/** Brings back the version that was there before a failed update (same DU row, new EU row, running or idle as it was). */
function restart(run: Run, old: AppRecord): void {
  const { eu, references } = run.startApp(old.du, old.ee, old.app, old.template, old.idle !== true);
  appsOf(run.tree).set(old.du, { ...old, eu, references, idle: old.idle === true });
  run.write(`${old.du}Status`, 'Installed');
  run.write(`${old.du}ExecutionUnitList`, noDot(eu));
  run.refreshActive();
}

async function doUninstall(run: Run, req: DuRequest & { op: 'uninstall' }): Promise<DuResult> {
  const { tree } = run;
  let rec: AppRecord | undefined;
  try {
    rec = run.find(req.uuid, req.version);
    if (req.executionEnvRef) {
      const ee = run.rows('ExecEnv').find((r) => r === (req.executionEnvRef!.endsWith('.') ? req.executionEnvRef : `${req.executionEnvRef}.`));
      if (ee === undefined) throw duError(9023, `no execution environment ${req.executionEnvRef}`);
      if (noDot(ee) !== rec.ee) throw duError(9028, `${req.uuid} is installed in ${rec.ee}, not in ${noDot(ee)}`);
    }
    run.installed(rec);
    run.write(`${rec.du}Status`, 'Uninstalling');
    run.stopApp(rec);
    appsOf(tree).delete(rec.du);
    run.refreshActive();
    await run.sleep(run.ctx.config.uninstallDelayMs).finally(() => run.deleteRow(rec!.du));
    return run.result('uninstall', { uuid: rec.uuid, deploymentUnitRef: noDot(rec.du), version: rec.app.version, currentState: 'Uninstalled', resolved: false, executionUnitRefs: [] });
  } catch (err) {
    return run.failed('uninstall', err, rec ? { uuid: rec.uuid, deploymentUnitRef: noDot(rec.du), version: rec.app.version } : { uuid: req.uuid });
  }
}

/**
 * Installs a deployment unit (ref §8.2): DU row `Installing`, manifest fetched and
 * checked, `installDelay`, the app's data model grafted into the tree, EU row `Active`,
 * DU `Installed`. Never rejects for a lifecycle failure: the result carries the fault
 * (and the DU row is gone).
 * @example
 * const r = await installDu({ tree, config: profile.softwareModules!, fetch: httpManifestFetcher() }, { op: 'install', url });
 * r.currentState; // 'Installed'
 */
export function installDu(ctx: SwmodContext, req: DuRequest & { op: 'install' }): Promise<DuResult> {
  return serialized(ctx.tree, () => doInstall(new Run(ctx), req));
}

/**
 * Updates an installed deployment unit to the version its (new or stored) URL serves
 * (ref §8.2): the old EU and data model go, the new version starts after
 * `installDelay`; if it cannot start, the old one runs again and the result carries the fault.
 */
export function updateDu(ctx: SwmodContext, req: DuRequest & { op: 'update' }): Promise<DuResult> {
  return serialized(ctx.tree, () => doUpdate(new Run(ctx), req));
}

/** Uninstalls a deployment unit (ref §8.2): EU stopped and deleted, data model removed, DU row deleted after `uninstallDelay`. */
export function uninstallDu(ctx: SwmodContext, req: DuRequest & { op: 'uninstall' }): Promise<DuResult> {
  return serialized(ctx.tree, () => doUninstall(new Run(ctx), req));
}

/**
 * Runs several operations in order, each after the previous one ended (one
 * ChangeDUState, TR-069 A.4.1.14), one result per operation in the same order.
 */
export async function runDuOperations(ctx: SwmodContext, reqs: readonly DuRequest[]): Promise<DuResult[]> {
  const out: DuResult[] = [];
  for (const req of reqs) {
    if (req.op === 'install') out.push(await installDu(ctx, req));
    else if (req.op === 'update') out.push(await updateDu(ctx, req));
    else out.push(await uninstallDu(ctx, req));
  }
  return out;
}

/** The deployment units installed in `tree`, in DU row order. */
export function installedModules(tree: ParameterTree): InstalledModule[] {
  return [...appsOf(tree).values()]
    .map((a) => ({ name: a.app.name, version: a.app.version, vendor: a.app.vendor, uuid: a.uuid, deploymentUnitRef: noDot(a.du), executionUnitRef: noDot(a.eu), references: [...a.references] }))
    .sort((x, y) => rowNumber(x.deploymentUnitRef) - rowNumber(y.deploymentUnitRef));
}

function rowNumber(ref: string): number {
  return Number(ref.slice(ref.lastIndexOf('.') + 1));
}

/** TR-181 `ExecutionUnit.{i}.RequestedState`: the two values a Controller or ACS may write. */
export const REQUESTED_STATES = ['Idle', 'Active'] as const;

/** The `ExecutionUnit.{i}.` row of a RequestedState path under `config.path`, else undefined. */
export function requestedStateRow(config: SoftwareModulesConfig, path: string): string | undefined {
  const prefix = `${config.path}ExecutionUnit.`;
  if (!path.startsWith(prefix) || !path.endsWith('.RequestedState')) return undefined;
  const row = path.slice(0, -'RequestedState'.length);
  return /^[1-9]\d*\.$/.test(row.slice(prefix.length)) ? row : undefined;
}

/**
 * Checks a write of `ExecutionUnit.{i}.RequestedState` before it applies; CWMP's SPV
 * (9007 in a SetParameterValuesFault) and USP's Set (7012 Invalid value, TR-369 Appendix I
 * "EU Faults") both ask it, so the two protocols refuse the same writes. Undefined for a path
 * that is not a RequestedState or a write that is allowed. Refused (TR-181 RequestedState):
 * a value other than `Idle`/`Active`; `Active` while the EU is `Stopping` ("the request is
 * rejected and a fault raised"); any value when the EU's execution environment is disabled.
 */
export function checkRequestedState(tree: ParameterTree, config: SoftwareModulesConfig, path: string, value: string): DuFault | undefined {
  const row = requestedStateRow(config, path);
  if (row === undefined) return undefined;
  const refuse = (message: string): DuFault => ({ cwmpCode: 9007, uspCode: 7012, message: `${CPE_FAULT_STRINGS[9007]}: ${message}` });
  if (!(REQUESTED_STATES as readonly string[]).includes(value)) return refuse(`${JSON.stringify(value.slice(0, 40))} is not a RequestedState of ${noDot(row)} (expected Idle or Active, TR-181)`);
  const rec = [...appsOf(tree).values()].find((a) => a.eu === row);
  const ee = rec?.ee ?? tree.getValue(`${row}ExecutionEnvRef`);
  const disabled = ee ? disabledEnvironment(tree, ee) : undefined;
  if (disabled !== undefined) return refuse(`${noDot(row)} runs in a disabled execution environment (${disabled}); its RequestedState cannot change`);
  const status = tree.getValue(`${row}Status`);
  if (value === 'Active' && status === 'Stopping') return refuse(`${noDot(row)} is Stopping; Active can be requested once it is Idle (TR-181 RequestedState)`);
  return undefined;
}

/** ref §8.1 defaults of the cpe-sim keys `startDelay`/`stopDelay` (TR-157 Starting/Stopping take time). */
export const DEFAULT_EU_START_DELAY_MS = 1000;
export const DEFAULT_EU_STOP_DELAY_MS = 1000;

/**
 * Acts on an ExecutionUnit's RequestedState (TR-157 EU state machine, TR-181
 * `ExecutionUnit.{i}.RequestedState`): `Idle` stops a running EU (Status `Stopping` for
 * `softwareModules.stopDelay`, then its data model leaves the tree, References emptied,
 * out of ActiveExecutionUnits, `Idle`); `Active` starts an idle one (`Starting` for
 * `startDelay`, data model grafted back, `Active`). Runs after any operation in flight on
 * the tree, so an `Idle` asked while the EU is `Starting` stops it once it is `Active`.
 * A request that matches where the EU is (or is going), or an EU no installed app owns,
 * changes nothing. An app whose data model now collides stays `Idle` with
 * ExecutionFaultCode `FailureOnStart`. Resolves with the EU's Status afterwards ('' when
 * there is no such EU). Check the write with {@link checkRequestedState} first.
 */
export function setExecutionUnitState(ctx: SwmodContext, executionUnit: string, requested: 'Idle' | 'Active'): Promise<string> {
  const eu = executionUnit.endsWith('.') ? executionUnit : `${executionUnit}.`;
  return serialized(ctx.tree, async () => {
    const run = new Run(ctx);
    const find = (): AppRecord | undefined => [...appsOf(run.tree).values()].find((a) => a.eu === eu);
    const rec = find();
    if (!rec) return run.tree.getValue(`${eu}Status`) ?? '';
    if (requested === 'Idle' && rec.idle !== true) {
      run.write(`${eu}Status`, 'Stopping');
      await run.sleep(ctx.config.stopDelayMs ?? DEFAULT_EU_STOP_DELAY_MS);
      // A factory reset or an uninstall may have taken the app while it was stopping.
      if (find() !== rec) return run.tree.getValue(`${eu}Status`) ?? '';
      run.tree.ungraft(rec.du);
      rec.idle = true;
      rec.references = [];
      run.write(`${eu}References`, '');
      run.write(`${eu}Status`, 'Idle');
    } else if (requested === 'Active' && rec.idle === true) {
      run.write(`${eu}Status`, 'Starting');
      await run.sleep(ctx.config.startDelayMs ?? DEFAULT_EU_START_DELAY_MS);
      if (find() !== rec) return run.tree.getValue(`${eu}Status`) ?? '';
      try {
        rec.references = run.tree.graft(rec.template, rec.du);
      } catch (err) {
        if (!(err instanceof CwmpFault)) throw err;
        run.write(`${eu}ExecutionFaultCode`, 'FailureOnStart');
        run.write(`${eu}ExecutionFaultMessage`, err.faultString);
        run.write(`${eu}Status`, 'Idle');
        return 'Idle';
      }
      rec.idle = false;
      run.write(`${eu}ExecutionFaultCode`, 'NoFault');
      run.write(`${eu}ExecutionFaultMessage`, '');
      run.write(`${eu}References`, rec.references.join(','));
      run.write(`${eu}Status`, 'Active');
    }
    run.refreshActive();
    return run.tree.getValue(`${eu}Status`) ?? '';
  });
}
