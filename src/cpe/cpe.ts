/**
 * One simulated CPE: its parameter tree, event queue, session mutex, timers (on the
 * fleet's shared Scheduler) and session transcript. Sessions speak real TR-069 to
 * the ACS through {@link runSession}.
 * @module
 */
import { CPE_FAULT_STRINGS, ConfigError, CpeSimError, CwmpFault, isCpeSimError, type SetParameterValuesFaultEntry } from '../errors/index.js';
import type { Scheduler, ScheduledJob, Clock } from '../clock/index.js';
import type { AllQueuedTransferStruct, AutonomousDUStateChangeComplete, AutonomousTransferComplete, ChangeDUState, CpeRequest, DUStateChangeComplete, CwmpMessage, DeviceIdStruct, Download, EventCode, ScheduleDownload, Upload, EventStruct, FaultStruct, Inform, ParameterValueStruct } from '../cwmp/index.js';
import { EVENT, UNKNOWN_TIME, forcedInformParameters, formatDateTime, isValidEventCode } from '../cwmp/index.js';
import type { ParameterChange, ParameterTree, SetValueEntry, Template } from '../datamodel/index.js';
import { createParameterTree, GeneratedWatch, GeneratorClock } from '../datamodel/index.js';
import type { InformParameterKey, Profile } from '../profile/index.js';
import type { Logger } from '../log/index.js';
import { redactUrl, silentLogger } from '../log/index.js';
import { withListener, withoutListener, type ListenerList } from '../listeners/index.js';
import { streamFor, type Rng } from '../random/index.js';
import { retryPolicyFrom, retryWaitMs } from './backoff.js';
import type { RetryPolicy } from './backoff.js';
import { EventQueue } from './events.js';
import { Diagnostics } from './diagnostics.js';
import { checkBehaviour } from './behaviour.js';
import type { Behaviour } from './behaviour.js';
import type { DiagnosticRun } from './diagnostics.js';
import { SessionMutex } from './mutex.js';
import { handleAcsRequest, isAcsRequest } from './rpc.js';
import type { RpcHost } from './rpc.js';
import { runSession } from './session.js';
import type { AcsCredentials } from './auth.js';
import type { AcsTls, TransportKind } from './transport.js';
import { Ring, newSessionRecord } from './transcript.js';
import { TransferQueue, checkTransferUrl } from '../transfer/index.js';
import { TransferHostView, firmwareConfigOf } from './transfers.js';
import type { TransferPort } from './transfers.js';
import type { TransferOutcome, TransferRequest } from '../transfer/index.js';
import type { InformRecord, SessionRecord } from './transcript.js';
import { checkRequestedState, httpManifestFetcher, installedModules, requestedStateRow, runDuOperations, setExecutionUnitState, type DuRequest, type DuResult, type InstalledModule, type SwmodContext } from '../swmod/index.js';
import { autonOpResultOf, checkAutonomousDuRequest, duRequestOf, duStateChangeComplete } from './swmod.js';

/** Where and how the CPE reaches its ACS. */
export interface AcsTarget {
  /** ACS URL (`http://…`), the `ManagementServer.URL` of the device. */
  url: string;
  /** HTTP auth towards the ACS; default: the `<root>.ManagementServer.Username` leaf. */
  username?: string;
  /** Default: the `<root>.ManagementServer.Password` leaf. */
  password?: string;
  /** Per-request limit in real ms (TR-069 §3.2.1.1: 30 s). */
  timeoutMs?: number;
  /** `http` (default: node:http, one keep-alive connection per session), `undici` (the same over an undici Client) or `fetch` (global fetch; msw can intercept). */
  transport?: TransportKind;
  /** TLS towards an `https:` ACS: trusted CA, client certificate (mutual TLS), skip-verify. Not with `fetch`. */
  tls?: AcsTls;
}

/** Options of {@link Cpe}. */
export interface CpeOptions {
  /** `cpe-<index>`. */
  id: string;
  /** 1-based index in the fleet (placeholders, serial pattern). */
  index: number;
  /** The compiled profile; the CPE's tree is created from it. */
  template: Template;
  /**
   * The ACS this CPE informs, or `'none'` for a box without CWMP (a USP-only device,
   * issue 21): it never starts a session, arms no periodic inform, and its power
   * functions still cycle the box (see {@link Cpe.onLifecycle}) but reject with
   * `CPESIM_NO_CWMP` where they would resolve with a CWMP session.
   */
  acs: AcsTarget | 'none';
  /** Shared per fleet: one timer for all CPEs. Its clock may be compressed (`timeScale`). */
  scheduler: Scheduler;
  /** Already a child logger with `cpe_id`. */
  logger?: Logger;
  /**
   * Session ring: default capacity 50, raw XML not kept. `messages: 'acs-requests'`
   * keeps the decoded message only on entries that carry an ACS request (what the
   * `toHaveReceivedRpc` matcher reads); the other entries keep their one-line summary.
   * Default `'all'`.
   */
  transcript?: CpeTranscriptOptions;
  /** Retry backoff; defaults come from the CWMPRetry* leaves, else the spec defaults (5 s, 2000). */
  retry?: { minimumWaitS?: number; intervalMultiplier?: number; random?: () => number };
  /** Send a GetRPCMethods request in every session (after TransferComplete). */
  sendGetRPCMethods?: boolean;
  /**
   * The time base of the profile's generators (profile §6), shared by a fleet and started
   * by it when its bootstrap phase ends. Absent: a CPE whose profile has generators makes
   * its own, started when this CPE's `0 BOOTSTRAP` is delivered.
   */
  generators?: GeneratorClock;
  /**
   * File transfers (Download/Upload): `timeoutMs` is the HTTP client's idle timeout in real
   * ms (default 30 s); `ca` adds trusted CA certificates (PEM) for https file servers.
   */
  transfer?: { timeoutMs?: number; ca?: string | Buffer };
  /**
   * Root seed (signed 64-bit) of every random draw of this CPE: placeholders
   * (`{cpe:alnum:N}`, `{cpe:rpick:…}`), the periodic-inform jitter (stream `cpe-<index>`)
   * and the retry waits (stream `cpe-<index>:retry`), ref. 13.1 and src/random/.
   * Default 0n; a fleet passes the run's seed.
   */
  seed?: bigint;
}

/** What a CPE keeps of its sessions (see {@link CpeOptions.transcript}). */
export interface CpeTranscriptOptions {
  /** Sessions kept (a ring); default 50. */
  capacity?: number;
  /** Keep the raw XML of every message; default false. */
  keepXml?: boolean;
  /** Decoded messages kept on transcript entries; default `'all'`. */
  messages?: 'all' | 'acs-requests';
}

/**
 * The last ACS URL parsed, shared by every CPE given the same string: a fleet's CPEs
 * all inform one ACS, so one `URL` (read-only here) serves them all instead of one
 * `URL` + context per CPE.
 */
let lastAcsUrl: { text: string; url: URL } | undefined;

function parseAcsUrl(text: string): URL {
  if (lastAcsUrl?.text === text) return lastAcsUrl.url;
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    throw new CpeSimError('CPESIM_ACS_URL_INVALID', `ACS URL ${redactUrl(JSON.stringify(text))} is not a valid URL; expected e.g. http://127.0.0.1:7547/acs`, { cause: err });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CpeSimError('CPESIM_ACS_URL_INVALID', `ACS URL ${redactUrl(text)} must use http: or https:, got ${url.protocol}`);
  }
  lastAcsUrl = { text, url };
  return url;
}

/** The event that selects each `informParameters` list (ref. 4.2); events 8, 11 and `M …` select none. */
const INFORM_PARAMETER_KEY_OF: ReadonlyMap<EventCode, InformParameterKey> = new Map<EventCode, InformParameterKey>([
  [EVENT.BOOTSTRAP, 'bootstrap'],
  [EVENT.BOOT, 'boot'],
  [EVENT.PERIODIC, 'periodic'],
  [EVENT.VALUE_CHANGE, 'valueChange'],
  [EVENT.CONNECTION_REQUEST, 'connectionRequest'],
  [EVENT.TRANSFER_COMPLETE, 'transferComplete'],
]);

/**
 * The `informParameters` keys a session's events select, in the order their lists are
 * appended (ref. 4.2: a union in event order). cpe-labs sends a first boot as
 * `[1 BOOT, 0 BOOTSTRAP]`; we keep TR-069's `[0 BOOTSTRAP, 1 BOOT]` on the wire but
 * take `boot` before `bootstrap`, so both report their parameters in the same order.
 */
export function informParameterKeys(events: readonly EventStruct[]): InformParameterKey[] {
  const codes = events.map((e) => e.eventCode);
  const bootstrap = codes.indexOf(EVENT.BOOTSTRAP);
  const boot = codes.indexOf(EVENT.BOOT);
  if (bootstrap >= 0 && boot > bootstrap) {
    codes.splice(boot, 1);
    codes.splice(bootstrap, 0, EVENT.BOOT);
  }
  const keys: InformParameterKey[] = [];
  for (const code of codes) {
    const key = INFORM_PARAMETER_KEY_OF.get(code);
    if (key !== undefined && !keys.includes(key)) keys.push(key);
  }
  return keys;
}

/** TR-181 secrets (`When read, this parameter returns an empty string`): by leaf name, under ManagementServer. */
const SECRET_LEAF = /\.ManagementServer\.(?:ConnectionRequestPassword|Password)$/;

/** Instance numbers folded to `{i}`, so row paths of a table match the profile's hidden leaves. */
const rowless = (path: string): string => path.replace(/\.\d+(?=\.)/g, '.{i}');

/** Per compiled template: the profile's `hidden` leaves, row numbers folded. */
const hiddenOf = new WeakMap<Template, ReadonlySet<string>>();
function hiddenLeaves(template: Template): ReadonlySet<string> {
  let set = hiddenOf.get(template);
  if (set === undefined) {
    const s = new Set<string>();
    for (const l of template.profile.parameters) if (l.hidden === true) s.add(rowless(l.path));
    for (const t of template.profile.objects) for (const l of t.parameters) if (l.hidden === true) s.add(rowless(`${t.path.endsWith('.') ? t.path : `${t.path}.`}{i}.${l.path}`));
    hiddenOf.set(template, (set = s));
  }
  return set;
}

/**
 * True for a leaf whose value reads as "" to the ACS (GetParameterValues, Inform):
 * the TR-181 passwords and any leaf the profile marks `hidden: true`. The tree keeps
 * the real value (the Connection Request listener checks against it).
 */
export function isHiddenLeaf(template: Template, path: string): boolean {
  if (SECRET_LEAF.test(path)) return true;
  const hidden = hiddenLeaves(template);
  return hidden.size > 0 && hidden.has(rowless(path));
}

/** Go's strconv.ParseBool true set: how cpe-labs reads `periodicInformPaths.enable` (ref. 4.3). */
const TRUE_VALUES: ReadonlySet<string> = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
/** `periodicInformPaths` jitter: ±10 % of the interval per arm (ref. 4.3 item 3). */
const PERIODIC_JITTER = 0.1;

const DEFAULT_ACS_TIMEOUT_MS = 30_000;
const DEFAULT_WAIT_TIMEOUT_MS = 30_000;
const DEFAULT_TRANSFER_TIMEOUT_MS = 30_000;

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be listening (fire-and-forget triggers): never an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

interface PendingTransfer {
  /** `M Download` or `M Upload`: the event TransferCompleteResponse delivers with it. */
  event: EventCode;
  commandKey: string;
  fileType: string;
  faultStruct: FaultStruct;
  startTime: string;
  completeTime: string;
}

interface SessionWaiter {
  pred: (s: SessionRecord) => boolean;
  since: number | undefined;
  d: Deferred<SessionRecord>;
  timer: NodeJS.Timeout;
}

/** State of one {@link Cpe.limitActiveNotifications} leaf. */
class NotificationLimit {
  /** When it was last notified: raised, or reported by a starting session (CPE clock). */
  lastAt: number | undefined;
  /** The deferred notification at the window's end, if one is pending. */
  job: ScheduledJob | undefined;
  constructor(private readonly minIntervalMs: () => number) {}

  notifiedAt(t: number): void {
    this.lastAt = this.lastAt === undefined ? t : Math.max(this.lastAt, t);
  }

  /** How long a notification at `now` must still wait (≤ 0: it may go now). */
  waitMs(now: number): number {
    const min = this.minIntervalMs();
    return this.lastAt === undefined || !(min > 0) ? 0 : this.lastAt + min - now;
  }
}

type AfterSession = { kind: 'reboot'; commandKeys: string[]; firmwareVersion?: string } | { kind: 'factoryReset' };

/**
 * A change of {@link Cpe.poweredOn}, for a second protocol stack on the same box (the
 * USP agent) that must drop and restore its own connection.
 */
export interface CpeLifecycleEvent {
  /** `down`: the box just went dark; `up`: it is reachable again. */
  kind: 'down' | 'up';
  /**
   * What caused it. On `up`, the strongest cause since the box went dark (factoryReset >
   * firmware > reboot > power > link): `link` alone means the uplink came back and the
   * box did not reboot.
   */
  reason: 'power' | 'link' | 'reboot' | 'factoryReset' | 'firmware';
}

const LIFECYCLE_RANK: Readonly<Record<CpeLifecycleEvent['reason'], number>> = { link: 0, power: 1, reboot: 2, firmware: 3, factoryReset: 4 };

/**
 * Stand-in for the sets most CPEs never fill (jobs, sleepers, listeners, waiters,
 * changed paths): reads, delete() and clear() work on it, add() goes through
 * {@link grown} first. An empty Set costs ~130 B; five per CPE at 100k CPEs is 65 MiB.
 */
class NoneYet extends Set<never> {
  override add(): this {
    throw new Error('internal: add() on the shared empty set; use grown()');
  }
}
const NONE_YET: ReadonlySet<never> = new NoneYet();
const none = <T>(): Set<T> => NONE_YET as unknown as Set<T>;
const grown = <T>(set: Set<T>): Set<T> => (set === (NONE_YET as unknown as Set<T>) ? new Set<T>() : set);
/** The shared empty start of a list that only ever grows by `concat` (never written in place while empty). */
const NO_ITEMS: readonly never[] = Object.freeze([]);
const noneYet = <T>(): T[] => NO_ITEMS as unknown as T[];

/** `<root>.ManagementServer.ConnectionRequestURL`, built once per compiled template, not once per CPE. */
const crLeafOf = new WeakMap<Template, string>();

/**
 * One simulated CPE.
 * @example
 * const cpe = new Cpe({ id: 'cpe-1', index: 1, template, acs: { url }, scheduler });
 * cpe.start();
 * const boot = await cpe.whenBootstrapped();
 * console.log(boot.toString());
 * await cpe.close();
 */
export class Cpe implements AsyncDisposable {
  readonly id: string;
  readonly index: number;
  readonly params: ParameterTree;
  readonly template: Template;
  /** The shared scheduler's clock (simulated time; `SessionRecord` times use it). */
  readonly clock: Clock;
  /** The Connection Request URL the fleet published for this CPE. */
  crUrl: string | undefined;
  /**
   * Leaf the fleet publishes `crUrl` to; rewritten after a FactoryReset. Default
   * `<root>.ManagementServer.ConnectionRequestURL` when the tree has it.
   */
  crUrlPath: string | undefined;

  private readonly profile: Profile;
  private readonly scheduler: Scheduler;
  private readonly logger: Logger;
  private readonly acsTarget: AcsTarget | undefined;
  private readonly acsUrlParsed: URL | undefined;
  private readonly keepXml: boolean;
  private readonly keepAllMessages: boolean;
  private readonly retryOpts: CpeOptions['retry'];
  private readonly sendGetRPCMethods: boolean;
  /** Root seed of this CPE's streams (ref. 13.1); the diagnostics' result values are drawn from it too. */
  readonly seed: bigint;
  /** Stream `cpe-<index>`: one periodic-inform jitter draw per arm; made on first use. */
  private periodicRng: Rng | undefined;
  /** Stream `cpe-<index>:retry`: one draw per retry wait; made on first use. */
  private retryRng: Rng | undefined;

  // Made at first use: a CPE of a USP-only fleet never queues a CWMP event nor opens a session (issue 21).
  private eventQueue: EventQueue | undefined;
  private sessionMutex: SessionMutex | undefined;
  private readonly ring: Ring<SessionRecord>;
  private readonly informRing: Ring<InformRecord>;
  // Both start as one shared empty array and grow by concat (a new array, sized to fit): most CPEs never have one.
  private pendingTransfers: PendingTransfer[] = noneYet();
  /** AutonomousTransferComplete requests not yet acknowledged (A.3.3.3). */
  private pendingAutonomous: AutonomousTransferComplete[] = noneYet();
  /** DUStateChangeComplete requests not yet acknowledged (TR-069 A.4.2.x; ref §8.3); made on the first. */
  private pendingDu: DUStateChangeComplete[] | undefined;
  /** AutonomousDUStateChangeComplete requests not yet acknowledged (event `12`); made on the first. */
  private pendingAutonomousDu: AutonomousDUStateChangeComplete[] | undefined;
  /** Aborts software-module operations in flight (close, FactoryReset); made on the first ChangeDUState. */
  private duAbort: AbortController | undefined;
  /** The tail of this CPE's ChangeDUState work (close() waits for it). */
  private duWork: Promise<void> | undefined;
  /** Bumped by a FactoryReset: results of operations started before it are dropped. */
  private duEpoch = 0;
  /** Parameters with notification 1/2 that changed since the last delivered Inform. */
  private changed: Set<string> = none();
  private consecutiveFailures = 0;
  private retryJob: ScheduledJob | undefined;
  /** The back-off the retry job waited, for the session it starts (SessionRecord.retryWaitMs). */
  private retryWaited: number | undefined;
  private periodicJob: ScheduledJob | undefined;
  private jobs: Set<ScheduledJob> = none();
  private sleepers: Set<Deferred<void>> = none();
  private pending: Deferred<SessionRecord> | undefined;
  /** The pending request may start a session during a retry back-off (the retry itself, a Connection Request). */
  private pendingBypassesBackoff = false;
  /** Sessions asked for during a back-off: the next session that runs carries their events and settles them. */
  private held: Deferred<SessionRecord>[] | undefined;
  private inFlight: AbortController | undefined;
  /** The chain of session work; undefined until the first (a USP-only CPE never has one). */
  private activity: Promise<void> | undefined;
  private listeners: Set<(s: SessionRecord) => void> = none();
  private waiters: Set<SessionWaiter> = none();
  /** The session that delivered the latest `0 BOOTSTRAP` (reset by a FactoryReset). */
  private bootstrapped: SessionRecord | undefined;
  /** Created by the first whenBootstrapped() before the bootstrap is delivered. */
  private bootstrapWaiter: Deferred<SessionRecord> | undefined;
  /** The record of the session in progress (see {@link currentSession}). */
  private running: SessionRecord | undefined;
  private afterSession: AfterSession | undefined;
  private started = false;
  /** Between a Reboot/FactoryReset session and the boot session: the box is off. */
  private rebooting = false;
  private closed = false;
  private offline = false;
  /** Rebooting into a new firmware image (a subset of `offline`): CRs are not even answered. */
  private dark = false;
  /** Powered off ({@link powerOff}) until {@link powerOn} brings it back. */
  private off = false;
  /** The uplink is cut ({@link linkDown}): what to restore when it comes back. */
  private link: { statusPath: string; status: string; lastChangePath: string | undefined; job: ScheduledJob } | undefined;
  private suppressNotifications = 0;
  /** Leaves whose Active Notifications are spaced (see {@link limitActiveNotifications}); most CPEs have none. */
  private notifyLimits: Map<string, NotificationLimit> | undefined;
  private resetHooks: (() => void)[] | undefined;
  private sessionSeq = 0;
  private idSeq = 0;
  private readonly unsubscribe: () => void;
  private rpcHostObj: RpcHost | undefined;
  /** Downloads/Uploads accepted and not yet reported; made on the first transfer. */
  private transferQueue: TransferQueue | undefined;
  /** Aborts in-flight transfers on close(). */
  private transferAbort: AbortController | undefined;
  private readonly transferTimeoutMs: number;
  private readonly transferCa: string | Buffer | undefined;
  private closePromise: Promise<void> | undefined;
  /** The generators' time base (shared by the fleet, or this CPE's own); undefined without generators. */
  private readonly gens: GeneratorClock | undefined;
  private readonly ownsGens: boolean;
  /** Injected misbehaviour ({@link inject}); undefined: a model citizen. */
  private behaviour: Behaviour | undefined;
  /** The profile's diagnostics; made on the first SetParameterValues of a state leaf. */
  private diag: Diagnostics | undefined;
  /** Generated leaves with Notification 1/2, looked at on their tick times; made on the first. */
  private generatedWatch: GeneratedWatch | undefined;
  /** {@link onLifecycle} listeners; the shared empty set until the first. */
  /** Most CPEs of a USP fleet keep one for life (the agent's): a list, not a Set (issue 21). */
  private lifeListeners: ListenerList<CpeLifecycleEvent> | undefined;
  /** {@link poweredOn} as last reported to the lifecycle listeners. */
  private wasOnline = true;
  /** The strongest lifecycle reason since the box went dark. */
  private darkReason: CpeLifecycleEvent['reason'] | undefined;

  constructor(opts: CpeOptions) {
    this.id = opts.id;
    this.index = opts.index;
    this.template = opts.template;
    this.profile = opts.template.profile;
    this.scheduler = opts.scheduler;
    this.clock = opts.scheduler.clock;
    this.logger = opts.logger ?? silentLogger;
    this.acsTarget = opts.acs === 'none' ? undefined : opts.acs;
    this.acsUrlParsed = opts.acs === 'none' ? undefined : parseAcsUrl(opts.acs.url);
    this.keepXml = opts.transcript?.keepXml ?? false;
    this.keepAllMessages = (opts.transcript?.messages ?? 'all') === 'all';
    const capacity = opts.transcript?.capacity ?? 50;
    this.ring = new Ring(capacity);
    this.informRing = new Ring(capacity);
    this.retryOpts = opts.retry;
    this.sendGetRPCMethods = opts.sendGetRPCMethods ?? false;
    this.transferTimeoutMs = opts.transfer?.timeoutMs ?? DEFAULT_TRANSFER_TIMEOUT_MS;
    this.transferCa = opts.transfer?.ca;
    this.seed = opts.seed ?? 0n;
    // An installed app may bring generators (ref §6.3): a profile with software modules needs the clock too.
    const needsGens = opts.template.generators.size > 0 || opts.template.profile.softwareModules !== undefined;
    this.ownsGens = opts.generators === undefined && needsGens;
    this.gens = needsGens ? (opts.generators ?? new GeneratorClock(() => this.clock.now())) : undefined;
    this.params = createParameterTree(opts.template, { index: opts.index, id: opts.id, seed: this.seed }, this.gens);
    let crLeaf = crLeafOf.get(opts.template);
    if (crLeaf === undefined) crLeafOf.set(opts.template, (crLeaf = `${this.params.root}.ManagementServer.ConnectionRequestURL`));
    this.crUrlPath = this.params.has(crLeaf) ? crLeaf : undefined;
    this.unsubscribe = this.params.onChange((c) => this.onParameterChange(c));
  }

  private get queue(): EventQueue {
    return (this.eventQueue ??= new EventQueue());
  }

  private get mutex(): SessionMutex {
    return (this.sessionMutex ??= new SessionMutex());
  }

  // ---- identity ---------------------------------------------------------------

  /** The serial number leaf (`deviceIdPaths.serialNumber`), read now. */
  get serialNumber(): string {
    return this.params.getValue(this.profile.deviceIdPaths.serialNumber) ?? '';
  }

  /** DeviceId as the next Inform will carry it (read from the tree now). */
  get deviceId(): DeviceIdStruct {
    const p = this.profile.deviceIdPaths;
    const v = (path: string): string => this.params.getValue(path) ?? '';
    return { manufacturer: v(p.manufacturer), oui: v(p.oui), productClass: v(p.productClass), serialNumber: v(p.serialNumber) };
  }

  // ---- observation -------------------------------------------------------------

  /** Recorded sessions, oldest first (bounded ring). */
  get sessions(): readonly SessionRecord[] {
    return this.ring.items;
  }

  /**
   * The session running now (its messages so far), if any: what a CPE waiting on a
   * silent ACS has sent. It joins {@link sessions} when it ends.
   */
  get currentSession(): SessionRecord | undefined {
    return this.running;
  }

  /** Informs sent, oldest first (bounded ring). */
  get informs(): readonly InformRecord[] {
    return this.informRing.items;
  }

  /** Events queued and not yet delivered. */
  get pendingEvents(): readonly EventStruct[] {
    return this.queue.events;
  }

  /** Consecutive failed sessions (the RetryCount of the next Inform). */
  get retryCount(): number {
    return this.consecutiveFailures;
  }

  /** Simulated time at which the scheduled retry fires, if one is armed. */
  get nextRetryAt(): number | undefined {
    return this.retryJob?.due;
  }

  /** Simulated time of the next periodic Inform, if armed. */
  get nextPeriodicAt(): number | undefined {
    return this.periodicJob?.due;
  }

  /**
   * False while the device is powered off, rebooting (a Reboot, a new firmware image),
   * or has lost its uplink: the fleet's
   * Connection Request listener then drops requests unanswered (TR-069 §3.2.2: a CPE
   * that is off cannot answer; an answered CR promises a session).
   */
  get poweredOn(): boolean {
    return !this.dark && !this.off && this.link === undefined && !this.rebooting;
  }

  /** True while the uplink is cut by {@link linkDown}. */
  get linkIsDown(): boolean {
    return this.link !== undefined;
  }

  /**
   * The running firmware version: `transfer.firmware.versionPath`, else
   * `<root>.DeviceInfo.SoftwareVersion`; undefined when the tree has neither.
   */
  get firmwareVersion(): string | undefined {
    return this.params.getValue(this.profile.transfer.firmware?.versionPath ?? `${this.params.root}.DeviceInfo.SoftwareVersion`);
  }

  /**
   * The settings of this CPE's file transfers (CpeOptions `transfer`): the HTTP client's
   * idle timeout in real ms and the extra trusted CA (PEM), if any. A second stack on the
   * same box (the USP agent's firmware and manifest fetches) uses the same ones.
   */
  get transferSettings(): { readonly timeoutMs: number; readonly ca?: string | Buffer } {
    return this.transferCa === undefined ? { timeoutMs: this.transferTimeoutMs } : { timeoutMs: this.transferTimeoutMs, ca: this.transferCa };
  }

  /**
   * Makes the CPE misbehave from its next session on (a delay, a fault, a dropped
   * connection, lost cookies …; see {@link Behaviour}). Merged into what was injected
   * before; `null` clears everything. Each quirk that fires is listed in the session's
   * `quirks` (and in its `toString()`).
   * @throws ConfigError naming a bad option.
   * @example cpe.inject({ fault: { rpc: 'SetParameterValues', code: 9002 }, dropCookies: true })
   */
  inject(b: Behaviour | null): void {
    if (b === null) {
      this.behaviour = undefined;
      return;
    }
    const checked = checkBehaviour(b, `${this.id}.inject`);
    this.behaviour = { ...this.behaviour, ...checked };
  }

  /** What {@link inject} set, if anything. */
  get injected(): Readonly<Behaviour> | undefined {
    return this.behaviour;
  }

  /** Diagnostic runs that ended (profile `diagnostics`), oldest first: name, final state, simulated times. */
  get diagnosticRuns(): readonly DiagnosticRun[] {
    return this.diag?.history ?? [];
  }

  /**
   * The state the next runs of diagnostic `name` (`'IPPing'`, `'DownloadDiagnostics'`, …)
   * end in, e.g. `'Error_CannotResolveHostName'` (no results are written then);
   * `undefined` restores the profile's `complete`.
   * @throws ConfigError when the profile declares no such diagnostic.
   */
  setDiagnosticOutcome(name: string, state: string | undefined): void {
    this.diagnosticsRunner().setOutcome(name, state);
  }

  /**
   * Spaces the Active Notifications that changes of `path` cause at least `minIntervalMs()`
   * apart (read at each change; 0 or less: no limit). TR-069 Annex G / TR-111 Part 2:
   * `UDPConnectionRequestAddressNotificationLimit` is "the minimum time, in seconds,
   * between Active Notifications resulting from changes to UDPConnectionRequestAddress".
   * A change inside the window is kept (the next session reports it with `4 VALUE CHANGE`,
   * whatever starts it); if none has by the window's end, the CPE starts one then.
   */
  /**
   * Runs `fn` after each FactoryReset, once the tree is back to the profile and before
   * the boot session, with notifications off: for leaves the fleet writes at start-up
   * (as `crUrl` is re-published), so the bootstrap Inform carries them again.
   */
  onFactoryReset(fn: () => void): void {
    (this.resetHooks ??= []).push(fn);
  }

  limitActiveNotifications(path: string, minIntervalMs: () => number): void {
    (this.notifyLimits ??= new Map()).set(path, new NotificationLimit(minIntervalMs));
  }

  private diagnosticsRunner(): Diagnostics {
    return (this.diag ??= new Diagnostics(
      {
        id: this.id,
        seed: this.seed,
        params: this.params,
        scheduler: this.scheduler,
        // TR-069 §3.7.1.5 / Table 7: a finished diagnostic gets `8 DIAGNOSTICS COMPLETE` in a session.
        completed: (name, state, byAcs) => {
          this.logger.info('diagnostic done', { diagnostic: name, state, requested_by: byAcs ? 'acs' : 'usp' });
          // TR-069 Table 8: `8 DIAGNOSTICS COMPLETE` is for ACS-requested runs only; a
          // run a USP Controller started is reported over USP (its command's outputs).
          if (!byAcs) return;
          const r = this.running;
          if (r !== undefined && r.events.some((e) => e.eventCode === EVENT.DIAGNOSTICS_COMPLETE)) {
            // The running session's Inform already reported an earlier run; its
            // InformResponse would also clear this one's event. Report it in the next.
            const off = this.onSession((rec) => {
              if (rec !== r) return;
              off();
              this.queue.add(EVENT.DIAGNOSTICS_COMPLETE);
              this.trigger();
            });
            return;
          }
          this.queue.add(EVENT.DIAGNOSTICS_COMPLETE);
          this.trigger();
        },
      },
      this.profile.diagnostics,
    ));
  }

  /** True while a session runs or waits for the mutex. */
  get busy(): boolean {
    return this.mutex.locked || this.pending !== undefined;
  }

  /**
   * Registers a listener called synchronously whenever {@link poweredOn} flips: `down`
   * when the box goes dark (power cut, uplink cut, reboot, factory reset, firmware
   * apply), `up` when it is reachable again (after a factory reset the tree is already
   * back to the profile). A second protocol stack (the USP agent) cuts and restores its
   * own connection on these. Returns an unsubscribe function.
   * @example
   * const off = cpe.onLifecycle((e) => console.log(cpe.id, e.kind, e.reason));
   */
  onLifecycle(listener: (e: CpeLifecycleEvent) => void): () => void {
    this.lifeListeners = withListener(this.lifeListeners, listener);
    return () => {
      this.lifeListeners = withoutListener(this.lifeListeners, listener);
    };
  }

  /** Tells the lifecycle listeners when {@link poweredOn} changed by what `reason` did. */
  private lifecycle(reason: CpeLifecycleEvent['reason']): void {
    const online = this.poweredOn;
    // What happened while dark: a box powered on while its uplink is still cut comes up
    // with the link, but it rebooted meanwhile (the strongest cause is reported).
    if (LIFECYCLE_RANK[reason] > LIFECYCLE_RANK[this.darkReason ?? 'link']) this.darkReason = reason;
    if (online === this.wasOnline || this.closed) return;
    this.wasOnline = online;
    const e: CpeLifecycleEvent = { kind: online ? 'up' : 'down', reason: online ? (this.darkReason ?? reason) : reason };
    this.darkReason = online ? undefined : reason;
    for (const l of this.lifeListeners ?? []) {
      try {
        l(e);
      } catch (err) {
        this.logger.error('onLifecycle listener threw', { error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  /** Registers a listener called after every session (ok or failed). Returns an unsubscribe function. */
  onSession(listener: (s: SessionRecord) => void): () => void {
    (this.listeners = grown(this.listeners)).add(listener);
    return () => {
      this.listeners.delete(listener);
      // Every CPE of a fleet is observed once while it boots: give the set back after.
      if (this.listeners.size === 0) this.listeners = none();
    };
  }

  /**
   * Resolves with the first recorded session matching `pred` (already recorded ones
   * included; with `since`, only sessions started at or after that simulated time).
   * Rejects after `timeoutMs` real ms (default 30 s) or when the CPE is closed.
   */
  waitForSession(pred: (s: SessionRecord) => boolean, opts: { timeoutMs?: number; since?: number } = {}): Promise<SessionRecord> {
    if (this.closed) return Promise.reject(this.closedError());
    const since = opts.since;
    const hit = this.ring.items.find((s) => s.endedAt !== undefined && (since === undefined || s.startedAt >= since) && pred(s));
    if (hit) return Promise.resolve(hit);
    const d = deferred<SessionRecord>();
    const timeoutMs = opts.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
    const waiter: SessionWaiter = {
      pred,
      since,
      d,
      timer: setTimeout(() => {
        this.waiters.delete(waiter);
        d.reject(new CpeSimError('CPESIM_TIMEOUT', `${this.id}: no matching session within ${timeoutMs} ms (${this.ring.items.length} sessions recorded)`));
      }, timeoutMs),
    };
    waiter.timer.unref();
    (this.waiters = grown(this.waiters)).add(waiter);
    return d.promise;
  }

  /** Resolves with the session whose InformResponse delivered `0 BOOTSTRAP` (the latest bootstrap, after a FactoryReset). */
  whenBootstrapped(): Promise<SessionRecord> {
    if (this.closed) return Promise.reject(this.closedError());
    if (!this.acsTarget) return Promise.reject(this.noCwmpError());
    if (this.bootstrapped) return Promise.resolve(this.bootstrapped);
    return (this.bootstrapWaiter ??= deferred()).promise;
  }

  // ---- triggers ------------------------------------------------------------------

  /**
   * Powers the CPE on: queues `0 BOOTSTRAP` + `1 BOOT`, runs the first session after
   * `delayMs` (default `eventSchedule.bootDelay`; a fleet adds its boot ramp) and arms
   * periodic informs. A second call does nothing.
   */
  start(delayMs: number = this.profile.eventSchedule.bootDelayMs): void {
    if (this.started || this.closed) return;
    this.started = true;
    if (!this.acsTarget) return;
    this.queue.add(EVENT.BOOTSTRAP);
    this.queue.add(EVENT.BOOT);
    this.armPeriodic();
    const delay = delayMs;
    if (delay > 0) {
      const job = this.scheduler.after(delay, () => {
        this.jobs.delete(job);
        this.trigger();
      });
      this.track(job);
    } else this.trigger();
  }

  /**
   * A Connection Request was accepted: queue `6 CONNECTION REQUEST` and run a session
   * once the mutex is free. While such a session is pending (not yet started), more
   * requests fold into it. Ignored while the CPE is off (rebooting) or closed.
   */
  connectionRequest(): void {
    if (this.closed || !this.started || this.offline) {
      this.logger.debug('connection request ignored', { reason: this.closed ? 'closed' : this.offline ? 'rebooting' : 'not started' });
      return;
    }
    this.queue.add(EVENT.CONNECTION_REQUEST);
    // TR-069 §3.2.1.1 lets a Connection Request through a pending retry back-off.
    this.trigger(true);
  }

  /**
   * Cuts the power: an in-flight session is torn down (its TCP connection reset, not a
   * failed attempt), timers stop, Connection Requests are dropped unanswered (TR-069
   * §3.2.2) and every trigger is latched until {@link powerOn}. Events not kept over a
   * reboot are lost, as on a real box. Returns false if the CPE was already off.
   */
  powerOff(): boolean {
    if (this.closed || this.off) return false;
    this.off = true;
    this.offline = true;
    this.afterSession = undefined;
    this.cancelTimers();
    this.inFlight?.abort();
    this.logger.info('power off');
    this.lifecycle('power');
    return true;
  }

  /**
   * Restores the power: after `eventSchedule.bootDelay` plus `delayMs` (simulated ms,
   * e.g. a fleet's jitter) the CPE boots with `1 BOOT` (and the `M Reboot` keys of an
   * interrupted Reboot), retrying with the TR-069 back-off until an ACS takes it.
   * Connection Requests stay unanswered until the boot session starts. Resolves with
   * the boot session (its `ok` says whether the first attempt got through).
   * @throws CpeSimError `CPESIM_NOT_OFF` when the CPE is not powered off.
   */
  powerOn(opts: { delayMs?: number } = {}): Promise<SessionRecord> {
    if (this.closed) return Promise.reject(this.closedError());
    if (!this.off) return Promise.reject(new CpeSimError('CPESIM_NOT_OFF', `${this.id} is not powered off (powerOn() follows powerOff())`));
    const delayMs = opts.delayMs ?? 0;
    if (!Number.isFinite(delayMs) || delayMs < 0) return Promise.reject(new ConfigError(`powerOn: delayMs must be a number >= 0, got ${String(opts.delayMs)}`));
    const d = deferred<SessionRecord>();
    const job = this.scheduler.after(this.profile.eventSchedule.bootDelayMs + delayMs, () => {
      this.jobs.delete(job);
      if (this.closed) return;
      this.off = false;
      this.offline = this.link !== undefined;
      // A power cycle is a reboot (notes §2.3): a new 1 BOOT, the old back-off forgotten.
      this.queue.rebooted();
      this.changed.clear();
      this.queue.add(EVENT.BOOT);
      this.consecutiveFailures = 0;
      this.logger.info('power on');
      this.lifecycle('power');
      if (this.started) {
        this.armPeriodic();
        this.requestSession().then(d.resolve, d.reject);
      } else d.reject(new CpeSimError('CPESIM_NOT_STARTED', `${this.id} was powered on before start()`));
    });
    this.track(job);
    return d.promise;
  }

  /**
   * Cuts the uplink for `durationMs` (profile-format §10): `<iface>.Status` ← `Down` and
   * `LastChange` ← 0 (when declared), CWMP offline (an in-flight session is cut, CRs are
   * dropped, triggers latched). When it is back, `Status` gets its old value (`Up` if it
   * was empty) and `LastChange` 0; **no session is started**: what was latched goes with
   * the next trigger of any kind. Returns false if the link is already down (ignored).
   * @throws CpeSimError `CPESIM_CONFIG` when `<iface>.Status` is not in the tree.
   */
  linkDown(iface: string, durationMs: number): boolean {
    const base = iface.endsWith('.') ? iface : `${iface}.`;
    const statusPath = `${base}Status`;
    if (!this.params.has(statusPath)) throw new ConfigError(`linkDown: ${statusPath} is not a parameter of ${this.id} (expected an interface object with a Status leaf)`);
    if (!Number.isFinite(durationMs) || durationMs <= 0) throw new ConfigError(`linkDown: duration must be > 0 ms, got ${String(durationMs)}`);
    if (this.closed || this.link !== undefined) return false;
    const lastChangePath = this.params.has(`${base}LastChange`) ? `${base}LastChange` : undefined;
    const status = this.params.getValue(statusPath) || 'Up';
    this.offline = true;
    this.cancelTimers();
    this.inFlight?.abort();
    // Device writes: a Notification on Status reports the outage with the next session.
    this.params.setInternal(statusPath, 'Down');
    if (lastChangePath !== undefined) this.params.setInternal(lastChangePath, '0');
    const job = this.scheduler.after(durationMs, () => {
      this.jobs.delete(job);
      if (this.closed || this.link === undefined) return;
      this.link = undefined;
      this.offline = this.off;
      this.params.setInternal(statusPath, status);
      if (lastChangePath !== undefined) this.params.setInternal(lastChangePath, '0');
      this.logger.info('link up', { interface: base });
      this.lifecycle('link');
      if (!this.off) this.armPeriodic();
    });
    this.track(job);
    this.link = { statusPath, status, lastChangePath, job };
    this.logger.info('link down', { interface: base, duration_ms: durationMs });
    this.lifecycle('link');
    return true;
  }

  /**
   * Runs a one-shot session carrying `codes` (e.g. `['2 PERIODIC']`). Resolves with
   * the session that carried them (its `ok` says whether it succeeded). While a retry
   * back-off is pending (TR-069 §3.2.1.1) the codes wait for the retry, which carries them.
   * @throws CpeSimError `CPESIM_EVENT_INVALID` for a code that is not a TR-069 EventCode.
   */
  inform(codes: EventCode[]): Promise<SessionRecord> {
    if (this.closed) return Promise.reject(this.closedError());
    for (const c of codes) {
      if (!isValidEventCode(c)) return Promise.reject(new CpeSimError('CPESIM_EVENT_INVALID', `${JSON.stringify(c)} is not a TR-069 EventCode (expected e.g. '2 PERIODIC', 'M Reboot', 'X 00D09E MyEvent')`));
    }
    try {
      for (const c of codes) this.queue.add(c);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.requestSession();
  }

  /**
   * Reports a transfer the device did on its own (e.g. it upgraded itself), TR-069 A.3.3.3:
   * queues `10 AUTONOMOUS TRANSFER COMPLETE` and an AutonomousTransferComplete request,
   * and runs a session. With `version` (a firmware download that succeeded) the new
   * version is written to the firmware version leaf first. Resolves with the session
   * that carried it.
   * @example await cpe.autonomousTransferComplete({ fileType: '1 Firmware Upgrade Image', transferURL: 'http://vendor.example/fw.img', version: '7.3.0' })
   */
  autonomousTransferComplete(t: {
    fileType: string;
    isDownload?: boolean;
    announceURL?: string;
    transferURL?: string;
    fileSize?: number;
    targetFileName?: string;
    faultCode?: number;
    faultString?: string;
    /** Simulated ms; default now. */
    startTime?: number;
    /** Firmware only: the version now running. */
    version?: string;
  }): Promise<SessionRecord> {
    if (this.closed) return Promise.reject(this.closedError());
    if (typeof t.fileType !== 'string' || t.fileType.trim() === '') return Promise.reject(new CpeSimError('CPESIM_TRANSFER_INVALID', 'autonomousTransferComplete: fileType must be a non-empty FileType such as "1 Firmware Upgrade Image"'));
    const now = this.clock.now();
    const faultCode = t.faultCode ?? 0;
    if (t.version !== undefined && faultCode === 0) {
      const path = this.profile.transfer.firmware?.versionPath ?? `${this.params.root}.DeviceInfo.SoftwareVersion`;
      if (this.params.has(path)) this.quietly(() => this.params.setInternal(path, t.version!));
    }
    this.pendingAutonomous = this.pendingAutonomous.concat({
      name: 'AutonomousTransferComplete',
      announceURL: t.announceURL ?? '',
      transferURL: t.transferURL ?? '',
      isDownload: t.isDownload ?? true,
      fileType: t.fileType,
      fileSize: t.fileSize ?? 0,
      targetFileName: t.targetFileName ?? '',
      faultStruct: { faultCode, faultString: t.faultString ?? '' },
      startTime: formatDateTime(t.startTime ?? now),
      completeTime: formatDateTime(now),
    });
    this.queue.add(EVENT.AUTONOMOUS_TRANSFER_COMPLETE);
    return this.requestSession();
  }

  /**
   * A reboot the device starts itself (its user, a watchdog), not asked by the ACS: off
   * for `eventSchedule.rebootDelay`, then a session with `1 BOOT` and no `M Reboot`
   * (TR-069 Table 7: `M Reboot` only answers the Reboot RPC). A running session ends
   * first. Resolves with the boot session.
   *
   * For a reboot another management protocol asked for (a USP `Device.Reboot()`, usp-notes
   * §7.4): `commandKey` adds `M Reboot` with that key to the boot Inform, and
   * `firmwareVersion` is written to the firmware version leaf while the box is dark (a USP
   * `FirmwareImage.{i}.Activate()`, §7.5).
   */
  reboot(opts: { commandKey?: string; firmwareVersion?: string } = {}): Promise<SessionRecord> {
    return this.localPowerCycle({
      kind: 'reboot',
      commandKeys: opts.commandKey === undefined ? [] : [opts.commandKey],
      ...(opts.firmwareVersion === undefined ? {} : { firmwareVersion: opts.firmwareVersion }),
    });
  }

  /**
   * A factory reset done at the device (its reset button): the tree returns to the
   * profile, queued events and jobs are discarded, and after
   * `eventSchedule.factoryResetDelay` it boots with `0 BOOTSTRAP` + `1 BOOT`
   * (TR-069 A.3.2.6 as for the FactoryReset RPC). Resolves with the bootstrap session.
   */
  factoryReset(): Promise<SessionRecord> {
    return this.localPowerCycle({ kind: 'factoryReset' });
  }

  private localPowerCycle(action: AfterSession): Promise<SessionRecord> {
    if (this.closed) return Promise.reject(this.closedError());
    if (!this.started) return Promise.reject(new CpeSimError('CPESIM_NOT_STARTED', `CPE ${this.id} has not been started (powered on) yet`));
    const run = (async (): Promise<SessionRecord> => {
      // Holding the mutex as a Reboot RPC's power cycle does: no session starts while "off".
      const release = await this.mutex.acquire();
      try {
        if (this.closed) throw this.closedError();
        await this.powerCycle(action);
        if (this.closed) throw this.closedError();
        // A box without CWMP has rebooted; there is no session to report it with.
        if (!this.acsTarget) throw this.noCwmpError();
        const rec = await this.runOne();
        this.settleHeld(rec);
        return rec;
      } finally {
        release();
      }
    })();
    this.activity = (this.activity ?? Promise.resolve()).then(() => run).then(() => undefined, () => undefined);
    return run;
  }

  /**
   * Fire-and-forget session trigger (timers, CRs, notifications): outcomes land in the
   * transcript. `bypassBackoff`: only for the retry itself and a Connection Request.
   */
  private trigger(bypassBackoff = false): void {
    this.requestSession(bypassBackoff).catch(() => undefined);
  }

  /** Runs a session for the queued events (folds into a pending, not yet started one). */
  private requestSession(bypassBackoff = false): Promise<SessionRecord> {
    if (this.closed) return Promise.reject(this.closedError());
    if (!this.acsTarget) return Promise.reject(this.noCwmpError());
    if (bypassBackoff) this.pendingBypassesBackoff = true;
    if (this.pending) return this.pending.promise;
    const d = deferred<SessionRecord>();
    this.pending = d;
    const run = this.runNext(d);
    this.activity = (this.activity ?? Promise.resolve()).then(() => run).catch(() => undefined);
    return d.promise;
  }

  private async runNext(d: Deferred<SessionRecord>): Promise<void> {
    const release = await this.mutex.acquire();
    try {
      let bypassBackoff = false;
      if (this.pending === d) {
        this.pending = undefined;
        bypassBackoff = this.pendingBypassesBackoff;
        this.pendingBypassesBackoff = false;
      }
      if (this.closed) {
        d.reject(this.closedError());
        return;
      }
      if (this.off || this.link !== undefined) {
        // Off or without uplink: no session can start. The trigger is latched and
        // settled by the next session (the boot after powerOn, or any trigger after
        // the link is back: profile-format §10 step 3).
        (this.held ??= []).push(d);
        return;
      }
      const last = this.ring.items[this.ring.items.length - 1];
      if (this.nothingToDeliver() && last) {
        // What this trigger wanted delivered went out with an earlier session (e.g. the boot session after a reboot).
        d.resolve(last);
        return;
      }
      if (!bypassBackoff && this.retryJob !== undefined && this.retryJob.due > this.clock.now()) {
        // TR-069 §3.2.1.1: after a failed session the CPE waits out the back-off; a new
        // event (a transfer completing during the reboot, a periodic tick, an API inform)
        // does not cut it short. Its events stay queued and the retry carries them.
        (this.held ??= []).push(d);
        return;
      }
      this.settleHeld(await this.runOne(), d);
      // Reboot / FactoryReset happen after the session ended, holding the mutex so no
      // other session can start while the device is "off".
      while (this.afterSession && !this.closed) {
        const action = this.afterSession;
        this.afterSession = undefined;
        await this.powerCycle(action);
        // Powered off during the reboot: powerOn() boots it.
        if (this.closed || this.off) break;
        this.settleHeld(await this.runOne());
      }
    } catch (err) {
      d.reject(err);
    } finally {
      release();
    }
  }

  /** Settles `d` and every request held by a back-off with the session that ran. */
  private settleHeld(rec: SessionRecord, d?: Deferred<SessionRecord>): void {
    d?.resolve(rec);
    const held = this.held;
    this.held = undefined;
    if (held) for (const h of held) h.resolve(rec);
  }

  // ---- one session ----------------------------------------------------------------

  private async runOne(): Promise<SessionRecord> {
    this.retryJob?.cancel();
    this.retryJob = undefined;
    // Passive/active notification changes are reported with 4 VALUE CHANGE (A.3.3.1).
    if (this.changed.size > 0) this.queue.add(EVENT.VALUE_CHANGE);
    const events = this.queue.events.slice();
    const changedPaths = [...this.changed];
    const retryCount = this.consecutiveFailures;
    const rec = newSessionRecord({ id: ++this.sessionSeq, cpeId: this.id, events, startedAt: this.clock.now(), retryCount });
    if (this.retryWaited !== undefined) {
      rec.retryWaitMs = this.retryWaited;
      this.retryWaited = undefined;
    }
    const informRec: InformRecord = { sessionId: rec.id, time: rec.startedAt, events, ok: false };
    this.informRing.push(informRec);
    // A limited leaf's window runs from the Inform that reports it (see limitActiveNotifications).
    if (this.notifyLimits) for (const p of changedPaths) this.notifyLimits.get(p)?.notifiedAt(rec.startedAt);
    const ac = new AbortController();
    this.inFlight = ac;
    this.running = rec;
    let delivered = false;
    let bootstrapped = false;
    try {
      const wrongCount = this.behaviour?.retryCount;
      if (wrongCount !== undefined && wrongCount !== retryCount) (rec.quirks ??= []).push(`RetryCount ${wrongCount} reported instead of ${retryCount}`);
      const inform = this.buildInform(events, wrongCount ?? retryCount, changedPaths);
      // The values this Inform reports: a leaf that changes again before the InformResponse
      // (an EU going Starting → Active) stays changed and is notified by the next session.
      const reported = new Map(changedPaths.map((p) => [p, this.params.getValue(p)]));
      await runSession({
        url: this.acsUrl,
        transport: this.acs.transport ?? 'http',
        tls: this.acs.tls,
        behaviour: this.behaviour,
        timeoutMs: this.acs.timeoutMs ?? DEFAULT_ACS_TIMEOUT_MS,
        signal: ac.signal,
        now: () => this.clock.now(),
        credentials: () => this.credentials(),
        record: rec,
        keepXml: this.keepXml,
        keepAllMessages: this.keepAllMessages,
        logger: this.logger,
        nextId: () => `${this.id}-${rec.id}-${++this.idSeq}`,
        inform,
        onInformResponse: () => {
          delivered = true;
          informRec.ok = true;
          this.queue.deliveredByInformResponse(events);
          for (const p of changedPaths) if (this.params.getValue(p) === reported.get(p)) this.changed.delete(p);
          bootstrapped = events.some((e) => e.eventCode === EVENT.BOOTSTRAP);
          return this.cpeRequests();
        },
        onCpeRequestAnswered: (req) => this.cpeRequestAnswered(req),
        handleRequest: (msg: CwmpMessage) => {
          if (!isAcsRequest(msg)) throw new CpeSimError('CPESIM_PROTOCOL', `not an ACS request: ${msg.name}`);
          const res = handleAcsRequest((this.rpcHostObj ??= new Cpe.RpcHostView(this)), msg);
          if (msg.name === 'SetParameterAttributes') this.watchGenerated();
          return res;
        },
      });
      rec.ok = true;
      this.consecutiveFailures = 0;
    } catch (err) {
      rec.ok = false;
      rec.error = err instanceof Error ? err.message : String(err);
      // Events the failed session carried stay queued, except those never retried (6 CONNECTION REQUEST).
      if (!delivered) this.queue.sessionFailed(events);
      // A session cut by powerOff()/linkDown() is not a failed attempt: the box is dark
      // and the boot (or the next trigger) carries the events again.
      if (!this.closed && !this.off && this.link === undefined) {
        this.consecutiveFailures++;
        // §3.2.1.1: the wait runs from the end of the failed session, as recorded.
        rec.endedAt = this.clock.now();
        this.scheduleRetry(rec.endedAt);
      }
      this.logger.warn('session failed', { session: rec.id, error: rec.error, retry_count: this.consecutiveFailures });
    } finally {
      if (this.inFlight === ac) this.inFlight = undefined;
      if (this.running === rec) this.running = undefined;
    }
    // Pushes grew the array to 17 slots for a typical 4 entries; the record is kept for
    // the rest of the CPE's life, so keep it at its length.
    rec.entries = rec.entries.slice();
    rec.endedAt ??= this.clock.now();
    this.ring.push(rec);
    if (rec.ok) this.logger.info('session done', { session: rec.id, events: events.map((e) => e.eventCode).join(',') });
    if (bootstrapped) {
      // A CPE outside a fleet: its own bootstrap phase ends here (§6.3).
      if (this.ownsGens) this.gens?.start();
      this.bootstrapped = rec;
      this.bootstrapWaiter?.resolve(rec);
      this.bootstrapWaiter = undefined;
    }
    this.publish(rec);
    return rec;
  }

  private publish(rec: SessionRecord): void {
    for (const l of [...this.listeners]) {
      try {
        l(rec);
      } catch (err) {
        this.logger.error('onSession listener threw', { error: err instanceof Error ? err.message : String(err) });
      }
    }
    for (const w of [...this.waiters]) {
      if (w.since !== undefined && rec.startedAt < w.since) continue;
      let match = false;
      try {
        match = w.pred(rec);
      } catch (err) {
        this.waiters.delete(w);
        clearTimeout(w.timer);
        w.d.reject(err);
        continue;
      }
      if (match) {
        this.waiters.delete(w);
        clearTimeout(w.timer);
        w.d.resolve(rec);
      }
    }
  }

  /** TR-069 §3.2.1.1: retry after a randomised, growing wait while there is something to deliver. */
  private scheduleRetry(from: number = this.clock.now()): void {
    if (this.nothingToDeliver()) return;
    const wait = retryWaitMs(this.consecutiveFailures, this.retryPolicy(), this.retryOpts?.random ?? (() => (this.retryRng ??= streamFor(this.seed, `${this.id}:retry`)).float()));
    this.retryJob?.cancel();
    this.retryJob = this.scheduler.at(from + wait, () => {
      this.retryJob = undefined;
      this.retryWaited = wait;
      this.trigger(true);
    });
  }

  private retryPolicy(): RetryPolicy {
    const ms = `${this.params.root}.ManagementServer.`;
    const fromTree = retryPolicyFrom(this.params.getValue(`${ms}CWMPRetryMinimumWaitInterval`), this.params.getValue(`${ms}CWMPRetryIntervalMultiplier`));
    return {
      minimumWaitS: this.retryOpts?.minimumWaitS ?? fromTree.minimumWaitS,
      intervalMultiplier: this.retryOpts?.intervalMultiplier ?? fromTree.intervalMultiplier,
    };
  }

  /**
   * Read at every ACS auth challenge. With `acsCredentialPaths` (ref. 4.4) the two leaves
   * win when either is non-empty (an ACS rotating them by SPV is answered with the new
   * ones from the next challenge on), else the configured ones; without it the
   * configured ones, else the `ManagementServer.Username`/`Password` leaves.
   */
  private credentials(): AcsCredentials | undefined {
    const acp = this.profile.acsCredentialPaths;
    if (acp) {
      const u = this.params.getValue(acp.username) ?? '';
      const p = this.params.getValue(acp.password) ?? '';
      if (u !== '' || p !== '') return { username: u, password: p };
      const username = this.acs.username ?? '';
      return username === '' ? undefined : { username, password: this.acs.password ?? '' };
    }
    const ms = `${this.params.root}.ManagementServer.`;
    const username = this.acs.username ?? this.params.getValue(`${ms}Username`) ?? '';
    const password = this.acs.password ?? this.params.getValue(`${ms}Password`) ?? '';
    return username === '' ? undefined : { username, password };
  }

  /** Inform (A.3.3.1): DeviceId read now, events, MaxEnvelopes 1, CurrentTime, RetryCount, ParameterList. */
  private buildInform(events: EventStruct[], retryCount: number, changedPaths: readonly string[]): Inform {
    const names: string[] = [];
    const seen = new Set<string>();
    const add = (n: string): void => {
      if (!seen.has(n)) {
        seen.add(n);
        names.push(n);
      }
    };
    // Existence only: the values are read once, below.
    for (const p of forcedInformParameters(this.template.root)) if (this.params.has(p)) add(p);
    const ip = this.profile.informParameters;
    // Ref. 4.2: the lists of every event the session carries, in event order, each path
    // once; the leaf the CR URL is published to joins every declared list (cpe-labs).
    const published = this.crUrl !== undefined ? this.crUrlPath : undefined;
    for (const key of informParameterKeys(events)) {
      const list = ip[key];
      if (list === undefined) continue;
      for (const p of list) add(p);
      if (published !== undefined) add(published);
    }
    // TR-069 §3.2.1: every notified change (passive ones included) with 4 VALUE CHANGE.
    for (const p of changedPaths) add(p);
    const parameterList: ParameterValueStruct[] = [];
    for (const n of names) {
      if (n.endsWith('.')) {
        try {
          for (const v of this.params.getValues([n])) parameterList.push({ name: v.name, value: isHiddenLeaf(this.template, v.name) ? '' : v.value, type: v.type });
        } catch {
          // a partial path whose rows were all deleted: nothing to report
        }
        continue;
      }
      const leaf = this.params.get(n);
      if (leaf) parameterList.push({ name: leaf.name, value: isHiddenLeaf(this.template, leaf.name) ? '' : leaf.value, type: leaf.type });
    }
    return {
      name: 'Inform',
      deviceId: this.deviceId,
      event: events,
      maxEnvelopes: 1,
      currentTime: formatDateTime(this.clock.now()),
      retryCount,
      parameterList,
    };
  }

  /** No event, CPE request or value change is waiting to be delivered. */
  private nothingToDeliver(): boolean {
    return (this.eventQueue?.size ?? 0) === 0 && this.pendingTransfers.length === 0 && this.pendingAutonomous.length === 0 && (this.pendingDu?.length ?? 0) === 0 && (this.pendingAutonomousDu?.length ?? 0) === 0 && this.changed.size === 0;
  }

  private cpeRequests(): CpeRequest[] {
    const reqs: CpeRequest[] = this.pendingTransfers.map((t) => ({
      name: 'TransferComplete',
      commandKey: t.commandKey,
      faultStruct: t.faultStruct,
      startTime: t.startTime,
      completeTime: t.completeTime,
    }));
    reqs.push(...this.pendingAutonomous);
    if (this.pendingDu) reqs.push(...this.pendingDu);
    if (this.pendingAutonomousDu) reqs.push(...this.pendingAutonomousDu);
    if (this.sendGetRPCMethods) reqs.push({ name: 'GetRPCMethods' });
    return reqs;
  }

  private cpeRequestAnswered(req: CpeRequest): void {
    if (req.name === 'DUStateChangeComplete') {
      // DUStateChangeCompleteResponse delivers `M ChangeDUState`(key) and, once none is left, `11` (A.4.2.x, Table 7).
      const left = (this.pendingDu ?? []).filter((d) => d !== req);
      this.pendingDu = left.length > 0 ? left : undefined;
      if (!left.some((d) => d.commandKey === req.commandKey)) this.queue.remove(EVENT.M_CHANGE_DU_STATE, req.commandKey);
      if (left.length === 0) this.queue.remove(EVENT.DU_STATE_CHANGE_COMPLETE);
      return;
    }
    if (req.name === 'AutonomousDUStateChangeComplete') {
      // Its response delivers `12 AUTONOMOUS DU STATE CHANGE COMPLETE` once none is left (§3.7.1.5, Table 7).
      const left = (this.pendingAutonomousDu ?? []).filter((d) => d !== req);
      this.pendingAutonomousDu = left.length > 0 ? left : undefined;
      if (left.length === 0) this.queue.remove(EVENT.AUTONOMOUS_DU_STATE_CHANGE_COMPLETE);
      return;
    }
    if (req.name === 'AutonomousTransferComplete') {
      // AutonomousTransferCompleteResponse delivers `10 AUTONOMOUS TRANSFER COMPLETE` once none is left (§3.7.1.5).
      this.pendingAutonomous = this.pendingAutonomous.filter((a) => a !== req);
      if (this.pendingAutonomous.length === 0) this.queue.remove(EVENT.AUTONOMOUS_TRANSFER_COMPLETE);
      return;
    }
    if (req.name !== 'TransferComplete') return;
    // TransferCompleteResponse delivers `M Download`(key) and, once no transfer is left, `7 TRANSFER COMPLETE`.
    const i = this.pendingTransfers.findIndex((t) => t.commandKey === req.commandKey && t.completeTime === req.completeTime);
    const event = i >= 0 ? this.pendingTransfers[i]!.event : EVENT.M_DOWNLOAD;
    if (i >= 0) this.pendingTransfers.splice(i, 1);
    if (!this.pendingTransfers.some((t) => t.commandKey === req.commandKey && t.event === event)) this.queue.remove(event, req.commandKey);
    if (this.pendingTransfers.length === 0) this.queue.remove(EVENT.TRANSFER_COMPLETE);
  }

  // ---- RPC side effects ------------------------------------------------------------

  /** ParameterKey leaf (SetParameterValues, AddObject, DeleteObject). */
  private setParameterKey(key: string): void {
    const path = `${this.params.root}.ManagementServer.ParameterKey`;
    if (this.params.has(path)) this.quietly(() => this.params.setInternal(path, key));
  }

  /** Reboot after the session (Reboot RPC, Download of a firmware image). */
  private requestReboot(commandKey: string): void {
    const a = this.afterSession;
    if (a?.kind === 'reboot') a.commandKeys.push(commandKey);
    else if (a?.kind !== 'factoryReset') this.afterSession = { kind: 'reboot', commandKeys: [commandKey] };
  }

  /** FactoryReset after the session. */
  private requestFactoryReset(): void {
    this.afterSession = { kind: 'factoryReset' };
  }

  /** ScheduleInform: a one-shot `3 SCHEDULED` + `M ScheduleInform` session. */
  private scheduleInform(delaySeconds: number, commandKey: string): void {
    const job = this.scheduler.after(delaySeconds * 1000, () => {
      this.jobs.delete(job);
      if (this.closed) return;
      this.queue.add(EVENT.SCHEDULED);
      this.queue.add(EVENT.M_SCHEDULE_INFORM, commandKey);
      this.trigger();
    });
    this.track(job);
  }

  /**
   * Download / Upload: checked now (a bad URL faults the RPC), then queued; the
   * transfer queue fetches or uploads for real and reports through {@link transferDone}.
   * @throws CwmpFault 9003 (URL not absolute or with userinfo), 9013 (not http, https or ftp)
   */
  private startTransfer(req: TransferRequest): void {
    checkTransferUrl(req.url);
    this.transfers().add(req);
  }

  private transfers(): TransferQueue {
    if (this.transferQueue === undefined) {
      this.transferAbort = new AbortController();
      this.transferQueue = new TransferQueue(new TransferHostView(this.transferHostPort()));
    }
    return this.transferQueue;
  }

  /**
   * ChangeDUState (checked already): the operations run in order in the background
   * (`swmod/`); when all are done the CPE queues `11 DU STATE CHANGE COMPLETE` +
   * `M ChangeDUState` and one DUStateChangeComplete, kept until the ACS acknowledges it.
   */
  private changeDuState(req: ChangeDUState): void {
    const config = this.profile.softwareModules;
    if (config === undefined || this.closed) return;
    const epoch = this.duEpoch;
    const ctx = this.swmodContext(config);
    const work = runDuOperations(ctx, req.operations.map(duRequestOf)).then((results) => {
      if (this.closed || epoch !== this.duEpoch) return;
      (this.pendingDu ??= []).push(duStateChangeComplete(req, results));
      this.queue.add(EVENT.DU_STATE_CHANGE_COMPLETE);
      this.queue.add(EVENT.M_CHANGE_DU_STATE, req.commandKey);
      this.logger.info('du state change done', { command_key: req.commandKey, faults: results.map((r) => r.fault?.cwmpCode ?? 0).join(',') });
      this.trigger();
    });
    this.duWork = Promise.all([this.duWork, work]).then(
      () => undefined,
      () => undefined,
    );
  }

  /** The lifecycle's view of this CPE: its tree, the transfer client's settings, its clock. */
  private swmodContext(config: NonNullable<Profile['softwareModules']>): SwmodContext {
    return {
      tree: this.params,
      config,
      fetch: httpManifestFetcher({ timeoutMs: this.transferTimeoutMs, ...(this.transferCa !== undefined ? { ca: this.transferCa } : {}) }),
      now: () => this.clock.now(),
      sleep: (ms: number) => this.sleep(ms),
      signal: (this.duAbort ??= new AbortController()).signal,
    };
  }

  /**
   * A deployment-unit change the device makes on its own (its user installed an app, a
   * vendor agent updated one), not asked by a ChangeDUState (TR-069 Annex A.4.2,
   * AutonomousDUStateChangeComplete). The operation runs through the same lifecycle as
   * ChangeDUState (after any operation in flight); then the CPE queues
   * `12 AUTONOMOUS DU STATE CHANGE COMPLETE` and an AutonomousDUStateChangeComplete whose
   * result carries OperationPerformed, kept and retried until the ACS answers it, and runs a
   * session. A failed operation is reported too, with its fault. Resolves with the
   * operation's result and the session that carried the report (or tried to).
   * @throws CpeSimError `CPESIM_SWMOD_INVALID` for a malformed operation,
   * `CPESIM_SWMOD_UNSUPPORTED` when the profile has no `softwareModules` block.
   * @example
   * const { result } = await cpe.autonomousDuStateChange({ op: 'install', url: 'http://127.0.0.1:8080/files/demo-app.yaml' });
   */
  async autonomousDuStateChange(req: DuRequest): Promise<{ result: DuResult; session: SessionRecord }> {
    if (this.closed) throw this.closedError();
    checkAutonomousDuRequest(req);
    const config = this.profile.softwareModules;
    if (config === undefined) throw new CpeSimError('CPESIM_SWMOD_UNSUPPORTED', `autonomousDuStateChange: profile ${this.profile.source} has no softwareModules block (profile reference §8.1)`);
    const epoch = this.duEpoch;
    const work = runDuOperations(this.swmodContext(config), [req]);
    this.duWork = Promise.all([this.duWork, work]).then(
      () => undefined,
      () => undefined,
    );
    const [result] = await work;
    if (this.closed) throw this.closedError();
    if (epoch !== this.duEpoch) throw new CpeSimError('CPESIM_SWMOD_ABORTED', 'autonomousDuStateChange: a factory reset ended the operation before it was reported');
    (this.pendingAutonomousDu ??= []).push({ name: 'AutonomousDUStateChangeComplete', results: [autonOpResultOf(result!)] });
    this.queue.add(EVENT.AUTONOMOUS_DU_STATE_CHANGE_COMPLETE);
    this.logger.info('autonomous du state change done', { op: req.op, fault: result!.fault?.cwmpCode ?? 0 });
    return { result: result!, session: await this.requestSession() };
  }

  /**
   * TR-157: an ACS (SPV) or a USP Controller (Set) wrote an EU's RequestedState, checked
   * already by `checkRequestedState`: the EU is stopped or started after the write.
   */
  private requestedStateChanged(c: ParameterChange): void {
    const config = this.profile.softwareModules;
    const row = config === undefined ? undefined : requestedStateRow(config, c.path);
    if (row === undefined || config === undefined || (c.newValue !== 'Idle' && c.newValue !== 'Active')) return;
    const work = setExecutionUnitState(this.swmodContext(config), row, c.newValue);
    this.duWork = Promise.all([this.duWork, work]).then(
      () => undefined,
      () => undefined,
    );
  }

  /** The deployment units installed on this CPE (TR-157), in DeploymentUnit row order. */
  installedModules(): InstalledModule[] {
    return installedModules(this.params);
  }

  /** A transfer finished: queue `M Download`/`M Upload` + `7 TRANSFER COMPLETE` and start a session. */
  private transferDone(o: TransferOutcome): void {
    if (this.closed) return;
    const event = transferEvent(o.request);
    this.pendingTransfers = this.pendingTransfers.concat({
      event,
      commandKey: o.request.commandKey,
      fileType: o.request.fileType,
      faultStruct: { faultCode: o.faultCode, faultString: o.faultString },
      startTime: formatDateTime(o.startTime),
      completeTime: formatDateTime(o.completeTime),
    });
    this.queue.add(EVENT.TRANSFER_COMPLETE);
    this.queue.add(event, o.request.commandKey);
    // A.3.2.8 TargetFileName names a file on the device's storage, which a simulated CPE lacks: it is logged.
    this.logger.info('transfer done', { command_key: o.request.commandKey, file_type: o.request.fileType, fault: o.faultCode, bytes: o.bytes, ...(o.request.targetFileName !== '' ? { target_file: o.request.targetFileName } : {}) });
  }

  /**
   * A good firmware image (ref §7.2 steps 4–5): the device goes dark for
   * `applyDelay` (no session; CRs unanswered, periodic ticks dropped, other triggers
   * wait for the mutex and run after the boot), writes the new version, and boots with
   * `1 BOOT` + `M Download` + `7 TRANSFER COMPLETE`.
   */
  private async applyFirmware(version: string, o: TransferOutcome): Promise<void> {
    const fw = firmwareConfigOf(this.profile);
    if (fw === undefined || this.closed) return;
    const release = await this.mutex.acquire();
    try {
      if (this.closed) return;
      this.offline = true;
      this.dark = true;
      this.lifecycle('firmware');
      this.periodicJob?.cancel();
      this.periodicJob = undefined;
      this.retryJob?.cancel();
      this.retryJob = undefined;
      this.logger.info('firmware: rebooting into new image', { version, apply_delay_ms: fw.applyDelayMs });
      try {
        await this.sleep(fw.applyDelayMs);
      } finally {
        // Powered off or cut from its uplink meanwhile: it stays dark for those.
        this.offline = this.off || this.link !== undefined;
        this.dark = false;
        this.lifecycle('firmware');
      }
      if (this.closed) return;
      if (this.params.has(fw.versionPath)) this.quietly(() => this.params.setInternal(fw.versionPath, version));
      this.queue.rebooted();
      this.changed.clear();
      this.consecutiveFailures = 0;
      // ref §7.2 step 5: the boot Inform carries [1 BOOT, M Download, 7 TRANSFER COMPLETE].
      this.queue.add(EVENT.BOOT);
      this.queue.add(transferEvent(o.request), o.request.commandKey);
      this.transferDone({ ...o, completeTime: this.clock.now() });
      this.armPeriodic();
    } finally {
      release();
    }
    this.trigger();
  }

  /** The CPE side of the transfer host (the rest is in ./transfers.ts). */
  private transferHostPort(): TransferPort {
    return {
      profile: this.profile,
      params: this.params,
      now: () => this.clock.now(),
      sleep: (ms) => this.sleep(ms),
      timeoutMs: this.transferTimeoutMs,
      signal: this.transferAbort!.signal,
      ca: this.transferCa,
      sessionLog: () => this.ring.items.map((r) => r.toString()).join('\n'),
      complete: (o) => {
        this.transferDone(o);
        this.trigger();
      },
      applyFirmware: (version, o) => this.applyFirmware(version, o),
    };
  }

  /** Reboot or factory reset: the device is off for the configured delay, then boots. */
  private async powerCycle(action: AfterSession): Promise<void> {
    this.offline = true;
    this.rebooting = true;
    this.lifecycle(action.kind);
    this.periodicJob?.cancel();
    this.periodicJob = undefined;
    this.retryJob?.cancel();
    this.retryJob = undefined;
    try {
      if (action.kind === 'factoryReset') {
        // A.3.2.6 / notes §2.3: back to the profile, every queued event and pending job discarded.
        this.diag?.cancel();
        // Ref. 11: the tree exactly as at start-up: placeholders and the serial are
        // stamped from the template again on read, the periodic leaves notify again and
        // the CR URL is re-published (below).
        // (Ref. 3.7's passive periodic leaves are the template's initial attributes: a reset brings them back.)
        this.quietly(() => this.params.reset());
        this.watchGenerated();
        for (const j of this.jobs) j.cancel();
        this.jobs.clear();
        for (const lim of this.notifyLimits?.values() ?? []) {
          lim.lastAt = undefined;
          lim.job = undefined;
        }
        this.queue.clear();
        this.pendingTransfers = noneYet();
        this.pendingAutonomous = noneYet();
        // Installed apps are forgotten with the tree (ref §11); operations in flight end unreported.
        this.pendingDu = undefined;
        this.pendingAutonomousDu = undefined;
        this.duEpoch++;
        this.duAbort?.abort();
        this.duAbort = undefined;
        // Queued transfers vanish and one in flight is aborted; the next Download starts a fresh queue.
        this.transferQueue?.close();
        this.transferAbort?.abort();
        this.transferQueue = undefined;
        this.changed.clear();
        this.consecutiveFailures = 0;
        if (this.crUrl !== undefined && this.crUrlPath !== undefined && this.params.has(this.crUrlPath)) {
          const path = this.crUrlPath;
          const url = this.crUrl;
          this.quietly(() => this.params.setInternal(path, url));
        }
        // What else the fleet stamped at start-up (the UDP CR address, STUN settings).
        for (const fn of this.resetHooks ?? []) {
          try {
            this.quietly(fn);
          } catch (err) {
            this.logger.error('factory reset hook threw', { error: (err as Error).message });
          }
        }
        this.bootstrapped = undefined;
        await this.sleep(this.profile.eventSchedule.factoryResetDelayMs);
        this.queue.add(EVENT.BOOTSTRAP);
        this.queue.add(EVENT.BOOT);
      } else {
        await this.sleep(this.profile.eventSchedule.rebootDelayMs);
        if (action.firmwareVersion !== undefined) {
          const path = this.profile.transfer.firmware?.versionPath ?? `${this.params.root}.DeviceInfo.SoftwareVersion`;
          const version = action.firmwareVersion;
          if (this.params.has(path)) this.quietly(() => this.params.setInternal(path, version));
        }
        // Events not kept over a reboot vanish; a new 1 BOOT is generated (notes §2.3).
        this.queue.rebooted();
        this.changed.clear();
        for (const k of action.commandKeys) this.queue.add(EVENT.M_REBOOT, k);
        this.queue.add(EVENT.BOOT);
      }
    } finally {
      this.offline = this.off || this.link !== undefined;
      this.rebooting = false;
      this.lifecycle(action.kind);
    }
    this.armPeriodic();
  }

  // ---- notifications and periodic informs ----------------------------------------------

  /** Watches the generated leaves with Notification 1/2 (after SetParameterAttributes, a reset). */
  private watchGenerated(): void {
    if (!this.gens || this.closed) return;
    if (!this.generatedWatch && !this.params.notifying().some((n) => this.params.generator(n.name) !== undefined)) return;
    (this.generatedWatch ??= new GeneratedWatch(this.params, this.scheduler, this.gens, (c) => this.onParameterChange(c))).reconcile(this.params.notifying().map((n) => n.name));
  }

  private onParameterChange(c: ParameterChange): void {
    this.generatedWatch?.written(c.path, c.newValue);
    if (c.origin !== 'internal' && this.profile.diagnostics.length > 0 && !this.closed) this.diagnosticsRunner().onChange(c);
    if (c.origin !== 'internal' && this.profile.softwareModules !== undefined && !this.closed) this.requestedStateChanged(c);
    const pip = this.profile.periodicInformPaths;
    if (pip && (c.path === pip.interval || c.path === pip.enable || c.path === this.periodicTimePath())) {
      // notes §2.3 / profile: the periodic timer re-reads its leaves after every change.
      if (!this.offline) this.armPeriodic();
    }
    if (!this.started || this.closed || this.suppressNotifications > 0 || c.origin === 'acs' || c.oldValue === c.newValue) return;
    let notification = 0;
    try {
      notification = this.params.getAttributes([c.path])[0]?.notification ?? 0;
    } catch {
      return;
    }
    if (notification === 0) return;
    (this.changed = grown(this.changed)).add(c.path);
    // Active notification (2) starts a session; passive (1) waits for the next one (A.3.2.4).
    if (notification === 2 && !this.offline && this.activeNotificationDue(c.path)) {
      this.queue.add(EVENT.VALUE_CHANGE);
      this.trigger();
    }
  }

  /**
   * False while `path` is inside its notification limit (see {@link limitActiveNotifications}):
   * the change then waits, and a job at the window's end notifies it unless a session
   * delivered it meanwhile.
   */
  private activeNotificationDue(path: string): boolean {
    const lim = this.notifyLimits?.get(path);
    if (lim === undefined) return true;
    const wait = lim.waitMs(this.clock.now());
    if (wait <= 0) {
      lim.notifiedAt(this.clock.now());
      return true;
    }
    if (lim.job === undefined) this.deferNotification(path, lim, wait);
    return false;
  }

  /** At the window's end: notify `path` unless a session reported it meanwhile (then nothing is left to say). */
  private deferNotification(path: string, lim: NotificationLimit, waitMs: number): void {
    const job = this.scheduler.after(waitMs, () => {
      this.jobs.delete(job);
      lim.job = undefined;
      if (this.closed || this.offline || !this.changed.has(path)) return;
      // A session that reported it started after this job was set: its window runs on.
      const more = lim.waitMs(this.clock.now());
      if (more > 0) return this.deferNotification(path, lim, more);
      lim.notifiedAt(this.clock.now());
      this.queue.add(EVENT.VALUE_CHANGE);
      this.trigger();
    });
    lim.job = job;
    this.track(job);
  }

  /**
   * The phase leaf: `periodicInformPaths.time`, else (TR-181 / TR-098 semantics, a
   * cpe-sim addition) `<root>.ManagementServer.PeriodicInformTime` when the tree has it.
   */
  private periodicTimePath(): string | undefined {
    return this.profile.periodicInformPaths?.time ?? `${this.params.root}.ManagementServer.PeriodicInformTime`;
  }

  /**
   * Arms the next `2 PERIODIC` (ref. 4.3), re-reading the leaves at every arm: enable
   * as Go's ParseBool, interval as whole seconds (at least 1). A phase time whose year
   * is after 1 (the epoch included, the Unknown Time not) anchors the ticks on
   * `time + N·interval` with no jitter; otherwise the delay is `interval ± 10 %`, one
   * draw per arm from the CPE's stream `cpe-<index>`.
   */
  private armPeriodic(): void {
    this.periodicJob?.cancel();
    this.periodicJob = undefined;
    const pip = this.profile.periodicInformPaths;
    if (!pip || !this.started || this.closed || !this.acsTarget) return;
    if (!TRUE_VALUES.has(this.params.getValue(pip.enable) ?? '')) return;
    const raw = this.params.getValue(pip.interval) ?? '';
    if (!/^\d+$/.test(raw)) return;
    const intervalS = Math.max(1, Math.min(Number(raw), 0xffffffff));
    const period = intervalS * 1000;
    const now = this.clock.now();
    let delay: number | undefined;
    const timePath = this.periodicTimePath();
    const phaseRaw = timePath !== undefined ? this.params.getValue(timePath) : undefined;
    if (phaseRaw !== undefined && phaseRaw !== '') {
      const t0 = Date.parse(phaseRaw);
      if (Number.isFinite(t0) && new Date(t0).getUTCFullYear() > 1) {
        const into = (((now - t0) % period) + period) % period;
        delay = into === 0 ? period : period - into;
      }
    }
    if (delay === undefined) {
      // span = trunc(interval_ns × 0.10); d uniform in [-span, +span] ns.
      const span = BigInt(Math.trunc(period * 1e6 * PERIODIC_JITTER));
      const d = (this.periodicRng ??= streamFor(this.seed, this.id)).int63n(2n * span + 1n) - span;
      // The scheduler counts whole milliseconds: round the draw to one.
      delay = period + Math.round(Number(d) / 1e6);
    }
    this.periodicJob = this.scheduler.at(now + delay, () => {
      this.periodicJob = undefined;
      if (this.closed || this.offline) return;
      this.queue.add(EVENT.PERIODIC);
      this.trigger();
      this.armPeriodic();
    });
  }

  // ---- plumbing ------------------------------------------------------------------------

  private quietly<T>(fn: () => T): T {
    this.suppressNotifications++;
    try {
      return fn();
    } finally {
      this.suppressNotifications--;
    }
  }

  /** Periodic and retry timers stop while the box is dark. */
  private cancelTimers(): void {
    this.periodicJob?.cancel();
    this.periodicJob = undefined;
    this.retryJob?.cancel();
    this.retryJob = undefined;
  }

  private track(job: ScheduledJob): void {
    (this.jobs = grown(this.jobs)).add(job);
  }

  /** Simulated-time sleep on the shared scheduler; rejects when the CPE closes. */
  private sleep(ms: number): Promise<void> {
    const d = deferred<void>();
    (this.sleepers = grown(this.sleepers)).add(d);
    const job = this.scheduler.after(ms, () => {
      this.jobs.delete(job);
      this.sleepers.delete(d);
      d.resolve();
    });
    this.track(job);
    return d.promise;
  }

  /** The ACS this CPE talks to; only sessions read it, and a box without CWMP runs none. */
  private get acs(): AcsTarget {
    if (!this.acsTarget) throw this.noCwmpError();
    return this.acsTarget;
  }

  private get acsUrl(): URL {
    if (!this.acsUrlParsed) throw this.noCwmpError();
    return this.acsUrlParsed;
  }

  private noCwmpError(): CpeSimError {
    return new CpeSimError('CPESIM_NO_CWMP', `CPE ${this.id} has no CWMP (acs: 'none'): it runs no sessions`);
  }

  private closedError(): CpeSimError {
    return new CpeSimError('CPESIM_CPE_CLOSED', `CPE ${this.id} was closed`);
  }

  /**
   * Stops the CPE: cancels its scheduled jobs, aborts an in-flight session and rejects
   * every waiter with `CPESIM_CPE_CLOSED`. Idempotent; resolves once the session
   * (if any) has released its connection.
   */
  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    this.closed = true;
    this.retryJob?.cancel();
    this.periodicJob?.cancel();
    for (const j of this.jobs) j.cancel();
    this.jobs.clear();
    this.inFlight?.abort();
    this.transferQueue?.close();
    this.transferAbort?.abort();
    this.duAbort?.abort();
    // Made only when someone is waiting: closing a large fleet of idle CPEs would
    // otherwise build one error and its stack per CPE for nobody.
    let err: CpeSimError | undefined;
    const closedErr = (): CpeSimError => (err ??= this.closedError());
    for (const s of this.sleepers) s.reject(closedErr());
    this.sleepers.clear();
    this.pending?.reject(closedErr());
    this.pending = undefined;
    for (const h of this.held ?? []) h.reject(closedErr());
    this.held = undefined;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.d.reject(closedErr());
    }
    this.waiters.clear();
    this.bootstrapWaiter?.reject(closedErr());
    this.bootstrapWaiter = undefined;
    this.generatedWatch?.close();
    this.diag?.cancel();
    this.unsubscribe();
    // A transfer in flight was aborted above; wait for it to let go of its connection too.
    const transfer = this.transferQueue?.idle ?? Promise.resolve();
    this.closePromise = Promise.all([this.activity, transfer, this.duWork]).then(
      () => undefined,
      () => undefined,
    );
    return this.closePromise;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * The RPC handlers' view of a CPE, made on the first ACS request: one small object
   * with prototype methods instead of five closures built for every CPE. Nested, so it
   * reaches the CPE's private side-effect methods without making them public.
   */
  private static readonly RpcHostView = class implements RpcHost {
    constructor(private readonly cpe: Cpe) {}
    get params(): ParameterTree {
      return this.cpe.params;
    }
    isHidden(path: string): boolean {
      return isHiddenLeaf(this.cpe.template, path);
    }
    setParameterKey(key: string): void {
      this.cpe.setParameterKey(key);
    }
    requestReboot(commandKey: string): void {
      this.cpe.requestReboot(commandKey);
    }
    requestFactoryReset(): void {
      this.cpe.requestFactoryReset();
    }
    startDownload(req: Download): void {
      this.cpe.startTransfer(downloadRequest(req, req.delaySeconds));
    }
    scheduleInform(delaySeconds: number, commandKey: string): void {
      this.cpe.scheduleInform(delaySeconds, commandKey);
    }
    startUpload(req: Upload): void {
      this.cpe.startTransfer({ kind: 'upload', commandKey: req.commandKey, fileType: req.fileType, url: req.url, username: req.username, password: req.password, fileSize: 0, targetFileName: '', delaySeconds: req.delaySeconds });
    }
    scheduleDownload(req: ScheduleDownload): void {
      const now = this.cpe.clock.now();
      // A.4.1.10: WindowStart/WindowEnd are seconds from the RPC's receipt.
      const windows = req.timeWindowList.map((w) => ({ start: now + w.windowStart * 1000, end: now + w.windowEnd * 1000, mode: w.windowMode }));
      this.cpe.startTransfer({ ...downloadRequest(req, 0), windows });
    }
    queuedTransfers(): AllQueuedTransferStruct[] {
      return (this.cpe.transferQueue?.items ?? []).map((q) => ({
        commandKey: q.request.commandKey,
        state: q.state,
        isDownload: q.request.kind === 'download',
        fileType: q.request.fileType,
        fileSize: q.request.fileSize,
        targetFileName: q.request.targetFileName,
      }));
    }
    get changeDuState(): ((req: ChangeDUState) => void) | undefined {
      // ref §8.1: without a softwareModules block ChangeDUState faults 9000 and is not listed.
      return this.cpe.profile.softwareModules === undefined ? undefined : (req) => this.cpe.changeDuState(req);
    }
    checkSetValues(entries: readonly SetValueEntry[]): SetParameterValuesFaultEntry[] {
      // TR-181 ExecutionUnit.{i}.RequestedState: an enumeration the profile cannot declare, and state rules.
      const config = this.cpe.profile.softwareModules;
      if (config === undefined) return [];
      return entries.flatMap((e) => {
        const refused = checkRequestedState(this.cpe.params, config, e.name, e.value);
        return refused === undefined ? [] : [{ parameterName: e.name, faultCode: refused.cwmpCode, faultString: refused.message }];
      });
    }
    cancelTransfer(commandKey: string): void {
      const q = this.cpe.transferQueue;
      if (!q) throw new CwmpFault(9003, `Invalid arguments: no queued transfer has CommandKey ${JSON.stringify(commandKey)}`);
      q.cancel(commandKey);
    }
  };
}

/** The queue's view of a Download or ScheduleDownload RPC. */
function downloadRequest(req: Download | ScheduleDownload, delaySeconds: number): TransferRequest {
  const { commandKey, fileType, url, username, password, fileSize, targetFileName } = req;
  return { kind: 'download', commandKey, fileType, url, username, password, fileSize, targetFileName, delaySeconds };
}

/** The `M …` event a transfer's TransferComplete delivers (TR-069 Table 7). */
function transferEvent(r: TransferRequest): EventCode {
  if (r.kind === 'upload') return EVENT.M_UPLOAD;
  return r.windows !== undefined ? EVENT.M_SCHEDULE_DOWNLOAD : EVENT.M_DOWNLOAD;
}

/** True for the error waiters get when their CPE is closed. */
export function isCpeClosedError(e: unknown): boolean {
  return isCpeSimError(e) && e.code === 'CPESIM_CPE_CLOSED';
}
