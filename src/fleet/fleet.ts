/**
 * `startFleet`: N simulated CPEs sharing one compiled Template, one Scheduler (one
 * timer for the whole fleet), one Connection Request listener and, when no ACS URL
 * is given, one embedded fake ACS. Everything it starts is closed by `close()`.
 * @module
 */
import { createFakeAcs, type FakeAcs, type FakeAcsOptions } from '../acs/index.js';
import { createClock, Scheduler } from '../clock/index.js';
import { Cpe, type Behaviour, type CpeOptions, type CpeTranscriptOptions, type TransportKind } from '../cpe/index.js';
import {
  createCrListener,
  createUdpCrListener,
  CrThrottle,
  type CrEndpoint,
  type CrEndpointConfig,
  type CrListener,
  type CrRequestEvent,
  type UdpCrEndpoint,
  type UdpCrEvent,
  type UdpCrListener,
} from '../cr/index.js';
import { GeneratorClock, Template } from '../datamodel/index.js';
import { ConfigError, CpeSimError } from '../errors/index.js';
import { silentLogger, type LogFields, type Logger } from '../log/index.js';
import { loadProfile, PlaceholderError, profileFromObject, serialPatternIsPerCpe, stampPlaceholders, type CrScheme, type Profile } from '../profile/index.js';
import { awaitBootstrap, DEFAULT_BOOTSTRAP_ATTEMPTS, DEFAULT_BOOTSTRAP_TIMEOUT_MS } from './bootstrap.js';
import { CrLog, type CrOutcome } from './cr-log.js';
import { formatMapping, msLeaf, parseHostPort, stampXmppName, STUN_CONFIG_LEAVES, stunConfigOf, withUdpLeaves, withXmppLeaves } from './nat.js';
import { StunBinder, StunTransactions } from '../stun/index.js';
import { XmppAgent, type XmppCrEvent } from '../xmpp/index.js';
import { FleetChaos } from './chaos.js';
import { acsTlsFactory, fleetTransferSettings } from './tls.js';
import { checkUspOptions, createCpeAgent, uspProfile, uspTlsFactory, type FleetUspOptions } from './usp.js';
import type { UspAgent } from '../usp/index.js';
import type { FleetAcsTls, FleetTransferOptions } from './tls.js';
import type { LinkDownOptions, PowerCycleOptions, ShareOptions } from './chaos.js';
import { rootSeed } from '../random/index.js';

/** Connection Request listener options of a fleet. */
export interface FleetCrOptions {
  /** `host:port`, `[v6]:port` or `:port`; default `127.0.0.1:0` (the OS picks a port). */
  bindAddr?: string;
  /** Default `/cr`. One CPE: `<path>`; a fleet: `<path>/<cpe-id>`. */
  path?: string;
  /**
   * Leaf each CPE's URL is written into before its first Inform. Default (library only):
   * `<root>.ManagementServer.ConnectionRequestURL` when the profile has that leaf.
   */
  publishPath?: string;
  /** Host used in published URLs instead of the bound one (an ACS off this machine). */
  publishHost?: string;
  /** Overrides the profile's `connectionRequest.scheme`. */
  scheme?: CrScheme;
  /** Overrides the profile's `connectionRequest.realm`. */
  realm?: string;
  /** Overrides the profile's `connectionRequest.throttleWindow` (ms, 0 = off). */
  throttleWindowMs?: number;
}

/**
 * UDP Connection Request listener options of a fleet (TR-069 Annex G). One socket
 * serves every CPE; a datagram's `un` (the CR username) says which CPE it wakes.
 */
export interface FleetUdpCrOptions {
  /** `host:port`, `[v6]:port` or `:port`; default `127.0.0.1:0`. */
  bindAddr?: string;
  /** Host published in `UDPConnectionRequestAddress` instead of the bound one. */
  publishHost?: string;
  /** Largest |ts − now| accepted, in seconds (default 300). */
  maxClockSkewS?: number;
  /** Also accept `ts` in milliseconds, as FreeACS and OpenACS send it (default false). */
  acceptMillisecondTs?: boolean;
}

/**
 * STUN (TR-111 Part 2) for the UDP Connection Request: written into every CPE's STUN
 * leaves before boot (`STUNEnable` true). Turns `udpCr` on when it is not set.
 */
export interface FleetStunOptions {
  /** `host:port` of the STUN server. Default: the embedded fake ACS's STUN server, else the ACS host, port 3478. */
  server?: string;
  /** STUNUsername / STUNPassword: Binding Requests then carry USERNAME and MESSAGE-INTEGRITY. */
  username?: string;
  password?: string;
  /** STUNMinimumKeepAlivePeriod in seconds (default: the profile's, else 30). */
  keepAliveS?: number;
}

/**
 * XMPP Connection Requests (TR-069 Annex K): every CPE logs in to `server` as
 * `<username>@<domain>/<resource>` and answers `connectionRequest` IQs.
 */
export interface FleetXmppOptions {
  /** `xmpp://host:port` or `host:port` (port 5222 by default). */
  server: string;
  /** XMPP domain of the CPE accounts, e.g. `localhost`. */
  domain: string;
  /** Account name pattern: `{cpe_id}` and `{i}` are stamped (default `{cpe_id}`). */
  username?: string;
  /** Password of every CPE account. */
  password: string;
  /** Default `cwmp`. */
  resource?: string;
  /** ConnReqAllowedJabberIDs written into every tree (comma-separated; empty = any JID). */
  allowedJabberIds?: string;
  /** With `waitFor: 'bootstrap'`, how long startFleet waits for the sessions to come online (default 15 000 ms). */
  onlineTimeoutMs?: number;
}

/** Options of {@link startFleet}. */
export interface FleetOptions {
  /** Path of a profile file or directory, a loaded Profile, or a plain object in the profile format. */
  profile: string | Profile | Record<string, unknown>;
  /**
   * Overrides `fleet.count` of the profile. For 10,000 CPEs or more in one process, call
   * `disableAllocationSitePretenuring()` first: with V8's default, a 100,000-CPE
   * boot ends at ~0.75 or ~1.3 GiB RSS depending on chance.
   */
  count?: number;
  /** ACS the CPEs inform. Absent: an embedded fake ACS is started on 127.0.0.1 (`fleet.acs`). */
  acsUrl?: string;
  acsUsername?: string;
  acsPassword?: string;
  /** Timeout of each HTTP exchange with the ACS. */
  acsTimeoutMs?: number;
  /** `http` (default): node:http, one connection per session; `undici`: an undici Client per session; `fetch`: the global fetch (msw can intercept it). */
  transport?: TransportKind;
  /**
   * TLS towards an `https:` ACS: a private CA, skip-verify (tests), client certificates
   * for mutual TLS, shared or per CPE from a `{cpe_id}`/`{i}` file pattern.
   * @example { caFile: 'ca.pem', certFile: 'certs/{cpe_id}.pem', keyFile: 'certs/{cpe_id}.key' }
   */
  acsTls?: FleetAcsTls;
  /**
   * Every CPE's file transfers: the CWMP Download/Upload and, on a USP agent, the firmware
   * `Download()` and DU manifest fetches (one HTTP client configuration per box).
   * @example { timeoutMs: 60000, caFile: 'files-ca.pem' }
   */
  transfer?: FleetTransferOptions;
  /** `false`: no Connection Request listener. Default: a listener on 127.0.0.1:0. */
  cr?: false | FleetCrOptions;
  /**
   * UDP Connection Requests (TR-069 Annex G). Off by default; `true` or an object turns
   * them on: the Annex G leaves (`UDPConnectionRequestAddress`, `STUN*`, `NATDetected`)
   * are added to the tree when the profile lacks them, and each CPE publishes the
   * listener's address before its first Inform.
   */
  udpCr?: boolean | FleetUdpCrOptions;
  /** STUN per TR-111 (`true`: the embedded ACS's STUN server, or the ACS host). Implies `udpCr`. */
  stun?: boolean | FleetStunOptions;
  /** XMPP Connection Requests (Annex K) through an XMPP server. */
  xmpp?: FleetXmppOptions;
  /**
   * Every CPE is also a TR-369 (USP) Agent over its own tree (issue 21), on an MQTT
   * broker and/or towards a WebSocket Controller. Its MTP drops silently with the box's
   * power or uplink and comes back with it.
   * @example { broker: '127.0.0.1:1883', controllerId: 'self::ctl' }
   */
  usp?: FleetUspOptions;
  /**
   * `false`: no CWMP at all, a USP-only fleet (needs `usp`): no ACS, embedded or not, no
   * sessions, no Connection Request listener. Default true.
   */
  cwmp?: boolean;
  /** Clock compression for retries, periodic informs, reboot delays (tests). */
  timeScale?: number;
  /** `bootstrap` (default): resolve once every CPE delivered `0 BOOTSTRAP`. `none`: resolve once booting has begun. */
  waitFor?: 'bootstrap' | 'none';
  /**
   * With `waitFor: 'bootstrap'`: real milliseconds without any CPE delivering
   * `0 BOOTSTRAP` after which `startFleet` closes the fleet and rejects with a
   * `BootstrapError` (what each CPE saw, its last session). The wait restarts at
   * every delivered bootstrap, so a large fleet that keeps booting is not cut off.
   * Default 3500: a broken ACS fails a test before Vitest's and Jest's 5 s timeouts.
   */
  bootstrapTimeoutMs?: number;
  /**
   * With `waitFor: 'bootstrap'`: failed bootstrap sessions of one CPE after which
   * `startFleet` closes the fleet and rejects with a `BootstrapError`. Default 3 (as
   * the CLI). Retries follow TR-069 back-off, so with `timeScale` 1 the timeout comes first.
   */
  bootstrapAttempts?: number;
  /**
   * Aborting it while `startFleet` waits for the bootstrap closes the fleet and rejects
   * with a `BootstrapError` (the test fixtures pass their runner's timeout signal).
   */
  signal?: AbortSignal;
  /**
   * Most bootstrap sessions in flight at once. Default 256 towards an external ACS; 16
   * with the embedded one, where both ends of every session share this event loop and
   * more sessions in flight only queue (their garbage then outlives V8's young generation,
   * which costs GC time and leaves old-space slack: docs/performance.md).
   */
  bootConcurrency?: number;
  logger?: Logger;
  /**
   * What each CPE keeps of its sessions. Defaults: 50 sessions with every decoded
   * message; for a fleet of more than {@link LEAN_TRANSCRIPT_ABOVE} CPEs in this process,
   * 10 sessions and decoded messages only on ACS requests (`messages: 'acs-requests'`),
   * which is what the matchers read. Any field given here wins over those defaults.
   */
  transcript?: CpeTranscriptOptions;
  /** Simulate slice `index` (0-based) of `total` contiguous slices; ids keep their global index. */
  shard?: { index: number; total: number };
  /**
   * Root seed, a signed 64-bit integer (a `number` must be a safe integer). Every random
   * draw of a CPE (placeholders, periodic jitter, retry waits) comes from streams derived
   * from it and the CPE's global index, so a seed replays the fleet. `0` or absent: a
   * fresh seed, logged at start-up (`rng initialized`, `root_seed`) and kept in
   * {@link Fleet.seed}.
   */
  seed?: number | bigint;
  /**
   * Shifts every global index: the CPEs are `cpe-<offset+1>` … (ids, serials,
   * placeholders, streams, CR paths). Overrides the profile's `fleet.offset`, even when 0.
   */
  offset?: number;
  /**
   * Spreads the first sessions: the CPE at 0-based position k of the N CPEs of this
   * process starts at `bootDelay + floor(bootRampMs·k/N)`. Overrides the profile's
   * `eventSchedule.bootRamp`, even when 0.
   */
  bootRampMs?: number;
  /**
   * Extra options of the embedded fake ACS (ignored with `acsUrl`), e.g. `onMessage`, `auth`, `keepXml`.
   * Above {@link LEAN_TRANSCRIPT_ABOVE} CPEs its `maxSessions` defaults to {@link LEAN_ACS_RECORDS}.
   */
  embeddedAcs?: FakeAcsOptions;
  /**
   * Observer of every answer of the Connection Request listener (200, 401, 503, 405,
   * 404, …), called once per request after the response was written. Same as
   * subscribing with {@link Fleet.onCrRequest} before the first request can arrive.
   */
  onCrRequest?: (e: CrRequestEvent) => void;
}

/** A running fleet. `await using fleet = await startFleet(...)` closes it at scope end. */
export interface Fleet extends AsyncDisposable {
  /** The CPEs of this process, in index order. */
  readonly cpes: readonly Cpe[];
  /** A CPE by 1-based global index (`3`) or id (`'cpe-3'`). @throws CpeSimError `CPESIM_UNKNOWN_CPE` */
  cpe(ref: number | string): Cpe;
  /** Published Connection Request URLs, in CPE order (empty without a listener). */
  readonly crUrls: readonly string[];
  readonly listener: CrListener | undefined;
  /**
   * The UDP Connection Request listener (`udpCr` option), whose `stats().byReason`
   * counts every datagram by the reason it was accepted or dropped.
   */
  readonly udpListener: UdpCrListener | undefined;
  /** The CPEs' XMPP sessions (`xmpp` option), in CPE order; each counts its answers per reason. */
  readonly xmppAgents: readonly XmppAgent[];
  /**
   * The CPEs' USP Agents (`usp` option), in CPE order (empty without it): `endpointId`,
   * `online`, `controllers()`, `sendNotify(…)`, `stats`.
   */
  readonly uspAgents: readonly UspAgent[];
  /**
   * The USP Agent of a CPE by 1-based global index or id, as {@link cpe} finds the CPE.
   * @throws CpeSimError `CPESIM_UNKNOWN_CPE`; `CPESIM_NO_USP` when the fleet has no `usp` option.
   * @example const eid = fleet.uspAgent('cpe-2').endpointId;
   */
  uspAgent(ref: number | string): UspAgent;
  /** The embedded ACS when no `acsUrl` was given. */
  readonly acs: FakeAcs | undefined;
  readonly acsUrl: string;
  /** The profile as simulated (count, offset and boot-ramp overrides applied). */
  readonly profile: Profile;
  /** The root seed in use (the given one, or the one chosen and logged at start-up). */
  readonly seed: bigint;
  /** Resolves when every CPE delivered `0 BOOTSTRAP`. */
  whenBootstrapped(): Promise<void>;
  /**
   * Observes every answer of the Connection Request listener; returns the
   * unsubscribe function. A throwing observer is logged and does not affect others.
   * @example
   * const off = fleet.onCrRequest((e) => console.log(e.cpeId, e.status, e.reason));
   * // … later
   * off();
   */
  onCrRequest(observer: (e: CrRequestEvent) => void): () => void;
  /**
   * The last ≤50 Connection Request outcomes of `cpeId` (oldest first), or without it
   * every kept outcome of the fleet (including requests aimed at no CPE) in order.
   * @example
   * expect(fleet.crRequests('cpe-2').at(-1)).toMatchObject({ status: 401, reason: 'unauthorized' });
   */
  crRequests(cpeId?: string): readonly CrOutcome[];
  /**
   * A power outage: `share` of the CPEs (seeded draw) go dark now (CRs dropped
   * unanswered, sessions cut) and boot with `1 BOOT` `after` later, each after its
   * jitter, retrying with the TR-069 back-off until the ACS takes them. Returns the
   * CPEs switched off.
   * @example
   * const hit = fleet.powerCycle({ share: 0.5, after: '30s', jitter: '10s' });
   * await Promise.all(hit.map((c) => fleet.acs!.waitForInform({ cpe: c.id, event: '1 BOOT', since })));
   */
  powerCycle(opts?: PowerCycleOptions): Cpe[];
  /**
   * An uplink outage (profile-format §10) for `share` of the CPEs: `Status` Down, CWMP
   * offline for `duration`, no session on return. Interface and duration default to the
   * profile's `faults.link`. Returns the CPEs whose link went down.
   */
  linkDown(opts?: LinkDownOptions): Cpe[];
  /** The profile's `faults.link` over its `instances` band, as SIGUSR1 triggers it in the CLI. */
  linkFault(): Cpe[];
  /**
   * Makes `share` of the CPEs (seeded draw, default all) misbehave (see `Behaviour`);
   * `null` clears every CPE's injection. Returns the CPEs it was injected into.
   * @example fleet.inject({ share: 0.1, reconnectAfter401: true, dropCookies: true })
   */
  inject(opts: (Behaviour & ShareOptions) | null): Cpe[];
  /** Idempotent: closes the listener, the CPEs (aborting in-flight sessions), the scheduler and the embedded ACS. */
  close(): Promise<void>;
}

const DEFAULT_BOOT_CONCURRENCY = 256;
/** XMPP logins in flight at once (see startFleet). */
const XMPP_LOGIN_CONCURRENCY = 16;
/** See {@link FleetOptions.bootConcurrency}: measured on 10k CPEs, 16 boots as fast as 256 at ~40 % less RSS. */
export const EMBEDDED_ACS_BOOT_CONCURRENCY = 16;

/**
 * Above this many CPEs in one process the transcript defaults turn lean (10 sessions,
 * decoded messages only on ACS requests): at 100k CPEs the default 50 full sessions
 * would be gigabytes after a few periodic informs, and the boot transcript alone was
 * ~3 KiB per CPE (docs/performance.md).
 */
export const LEAN_TRANSCRIPT_ABOVE = 1000;

/**
 * Sessions and Informs the embedded ACS of a fleet above {@link LEAN_TRANSCRIPT_ABOVE}
 * CPEs keeps (instead of the fake ACS's 1000). Each record holds a decoded Inform and
 * lives until 1000 later sessions push it out, about a second of a boot storm: long
 * enough to reach V8's old space and die there. At 100k CPEs that garbage, spread
 * between the CPEs' own objects, kept 1.2 GiB of heap pages for 0.33 GiB of live data.
 */
export const LEAN_ACS_RECORDS = 100;

/** @internal The embedded ACS options of a fleet of `cpes` CPEs (exported for tests). */
export function embeddedAcsFor(cpes: number, given: FakeAcsOptions | undefined): FakeAcsOptions {
  if (cpes <= LEAN_TRANSCRIPT_ABOVE) return { ...given };
  return { maxSessions: LEAN_ACS_RECORDS, ...given };
}

/** @internal The transcript options a fleet of `cpes` CPEs gives each CPE (exported for tests). */
export function transcriptFor(cpes: number, given: CpeTranscriptOptions | undefined): CpeTranscriptOptions | undefined {
  if (cpes <= LEAN_TRANSCRIPT_ABOVE) return given;
  return { capacity: 10, messages: 'acs-requests', ...given };
}

/**
 * A per-CPE logger that creates its child (`cpe_id` field, 7 closures) only when a
 * line is actually written: a quiet 100k fleet then holds one small object per CPE.
 */
/** @internal exported for tests. */
export class LazyChildLogger implements Logger {
  private real: Logger | undefined;
  constructor(
    private readonly parent: Logger,
    private readonly fields: LogFields,
  ) {}
  private get log(): Logger {
    return (this.real ??= this.parent.child(this.fields));
  }
  debug(msg: string, fields?: LogFields): void {
    if (this.parent.enabled('debug')) this.log.debug(msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    if (this.parent.enabled('info')) this.log.info(msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    if (this.parent.enabled('warn')) this.log.warn(msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    if (this.parent.enabled('error')) this.log.error(msg, fields);
  }
  child(fields: LogFields): Logger {
    return this.log.child(fields);
  }
  enabled(level: 'debug' | 'info' | 'warn' | 'error'): boolean {
    return this.parent.enabled(level);
  }
}

function isLoadedProfile(p: object): p is Profile {
  // The profile FORMAT has neither `source` nor `root` (unknown keys are rejected there),
  // so their presence tells a loaded Profile from a raw object.
  const o = p as Record<string, unknown>;
  return typeof o.source === 'string' && typeof o.root === 'string' && Array.isArray(o.parameters) && typeof o.connectionRequest === 'object';
}

async function resolveProfile(p: FleetOptions['profile']): Promise<Profile> {
  if (typeof p === 'string') return loadProfile(p);
  if (p === null || typeof p !== 'object') throw new ConfigError(`startFleet: profile must be a path, a Profile or a profile object, got ${p === null ? 'null' : typeof p}`);
  if (isLoadedProfile(p)) return p;
  return profileFromObject(p, '<object>');
}

/** Applies the count override; a fleet whose serial pattern has no per-CPE part would repeat one serial. */
function withCount(profile: Profile, count: number | undefined): Profile {
  if (count === undefined) return profile;
  if (!Number.isSafeInteger(count) || count < 1) throw new ConfigError(`startFleet: count must be a whole number >= 1, got ${String(count)}`);
  let serialPattern = profile.fleet.serialPattern;
  // Any per-CPE token makes serials differ (ref. 5.2): `{i}`, `{cpe:HEX:8}`, `{cpe:ALNUM:10}`, a pool.
  if (count > 1 && !serialPatternIsPerCpe(serialPattern, profile.fleet.pools)) {
    // The loader defaults the pattern to `{base}` for a single CPE; scaled up by an
    // override, that default would give every CPE the same serial, so it becomes the
    // fleet default. A pattern someone wrote by hand is their choice: reject it clearly.
    if (serialPattern === '{base}') serialPattern = '{base}-{i}';
    else throw new ConfigError(`count ${count} > 1 but the profile's fleet.serialPattern ${JSON.stringify(serialPattern)} has no per-CPE part: every CPE would get the same serial number; add {i}, {i:N} or a placeholder such as {cpe:ALNUM:8} to it`);
  }
  return { ...profile, fleet: { ...profile.fleet, count, serialPattern } };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The explicit root seed of `startFleet`, or undefined for "choose one" (absent or 0). */
function explicitSeed(seed: FleetOptions['seed']): bigint | undefined {
  if (seed === undefined) return undefined;
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) throw new ConfigError(`startFleet: seed must be a whole number (a bigint beyond 2^53), got ${String(seed)}`);
  if (typeof seed !== 'number' && typeof seed !== 'bigint') throw new ConfigError(`startFleet: seed must be a number or a bigint, got ${typeof seed}`);
  const b = BigInt(seed);
  if (b < INT64_MIN || b > INT64_MAX) throw new ConfigError(`startFleet: seed ${b} is outside the signed 64-bit range ${INT64_MIN}..${INT64_MAX}`);
  return b === 0n ? undefined : b;
}

/** Applies the `offset` and `bootRampMs` overrides (ref. 5.1, 11: they win even when 0). */
function withOverrides(profile: Profile, opts: FleetOptions): Profile {
  let p = profile;
  if (opts.offset !== undefined) {
    if (!Number.isSafeInteger(opts.offset) || opts.offset < 0) throw new ConfigError(`startFleet: offset must be a whole number >= 0, got ${String(opts.offset)}`);
    p = { ...p, fleet: { ...p.fleet, offset: opts.offset } };
  }
  if (opts.bootRampMs !== undefined) {
    if (!(opts.bootRampMs >= 0) || !Number.isFinite(opts.bootRampMs)) throw new ConfigError(`startFleet: bootRampMs must be a duration in ms >= 0, got ${String(opts.bootRampMs)}`);
    p = { ...p, eventSchedule: { ...p.eventSchedule, bootRampMs: opts.bootRampMs } };
  }
  return p;
}

/**
 * Ref. 5.1/14.1: the loader checked `fleet.pools` against the profile's own offset and
 * count; an `offset`/`count` override can push the last CPE past a pool's capacity.
 * Drawing every pool for the highest global index of this process (pools only grow
 * with the index) finds that before any socket opens, naming the window.
 * @throws ConfigError naming the pool and the effective window.
 */
function checkPoolsAt(profile: Profile, last: number, seed: bigint, offset: number, count: number): void {
  const pools = profile.fleet.pools;
  for (const name of Object.keys(pools)) {
    try {
      stampPlaceholders(`{${name}}`, { index: last, id: `cpe-${last}`, seed }, pools);
    } catch (err) {
      if (!(err instanceof PlaceholderError)) throw err;
      throw new ConfigError(`fleet window cpe-${offset + 1} … cpe-${offset + count} (offset ${offset}, count ${count}): pool ${name} has no address for cpe-${last}: ${err.message}`, { cause: err });
    }
  }
}

/** 1-based inclusive range of local indexes (before the offset) simulated here. */
function shardRange(total: number, shard: FleetOptions['shard']): { first: number; last: number } {
  if (!shard) return { first: 1, last: total };
  const { index, total: n } = shard;
  if (!Number.isSafeInteger(n) || n < 1 || !Number.isSafeInteger(index) || index < 0 || index >= n) {
    throw new ConfigError(`shard must be {index, total} with 0 <= index < total, got ${JSON.stringify(shard)}`);
  }
  // Contiguous slices, sizes differ by at most one: slice i = (floor(i·N/n), floor((i+1)·N/n)].
  const first = Math.floor((index * total) / n) + 1;
  const last = Math.floor(((index + 1) * total) / n);
  if (last < first) throw new ConfigError(`shard ${index}/${n} of a fleet of ${total} CPE${total === 1 ? '' : 's'} is empty: use at most ${total} shards`);
  return { first, last };
}

function crEndpointConfig(profile: Profile, template: Template, cr: FleetCrOptions): { config: CrEndpointConfig; user?: string; pass?: string } {
  const base = profile.connectionRequest;
  const scheme = cr.scheme ?? base.scheme;
  const realm = cr.realm ?? base.realm;
  const throttleWindowMs = cr.throttleWindowMs ?? base.throttleWindowMs;
  const problems: string[] = [];
  if (scheme !== '' && scheme !== 'basic' && scheme !== 'digest') problems.push(`scheme ${JSON.stringify(scheme)} is not "", "basic" or "digest"`);
  if (scheme !== '' && realm === '') problems.push(`scheme "${scheme}" needs a non-empty realm`);
  if (!(throttleWindowMs >= 0) || !Number.isFinite(throttleWindowMs)) problems.push(`throttleWindowMs must be >= 0, got ${String(throttleWindowMs)}`);
  const user = base.usernameParameter;
  const pass = base.passwordParameter;
  if (scheme !== '') {
    // The seed: credentials are tree leaves read per request; without them every request would fail closed.
    if (!user || !template.hasLeaf(user)) problems.push(`scheme "${scheme}" needs connectionRequest.usernameParameter naming a leaf of the profile${user ? ` (${JSON.stringify(user)} is not one)` : ''}`);
    if (!pass || !template.hasLeaf(pass)) problems.push(`scheme "${scheme}" needs connectionRequest.passwordParameter naming a leaf of the profile${pass ? ` (${JSON.stringify(pass)} is not one)` : ''}`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid Connection Request settings for profile ${profile.source}: ${problems.join('; ')}`);
  const out: { config: CrEndpointConfig; user?: string; pass?: string } = { config: { scheme, realm, throttleWindowMs } };
  if (user !== undefined) out.user = user;
  if (pass !== undefined) out.pass = pass;
  return out;
}

function publishPathOf(profile: Profile, template: Template, cr: FleetCrOptions, logger: Logger): string | undefined {
  if (cr.publishPath !== undefined) {
    if (!template.hasLeaf(cr.publishPath)) {
      const example = `${profile.root}.ManagementServer.ConnectionRequestURL`;
      throw new ConfigError(
        `CR publish path ${JSON.stringify(cr.publishPath)} (--cr-publish-path) is not a leaf of profile ${profile.source}; ` +
          `it must name an existing parameter such as ${example}${template.hasLeaf(example) ? ' (which this profile has)' : ' (add it to the profile\'s parameters)'}`,
      );
    }
    return cr.publishPath;
  }
  const dflt = `${profile.root}.ManagementServer.ConnectionRequestURL`;
  if (template.hasLeaf(dflt)) return dflt;
  logger.warn('no ConnectionRequestURL leaf to publish the CR URL into; Informs will not report it', { leaf: dflt });
  return undefined;
}

// Typed callers get these from the compiler; JavaScript callers and option objects
// built at run time get them here, before anything starts.
/** @internal every key of {@link FleetOptions}; the test fixtures extend it with their own. */
export const FLEET_OPTION_KEYS: ReadonlySet<string> = new Set([
  'profile', 'count', 'acsUrl', 'acsUsername', 'acsPassword', 'acsTimeoutMs', 'transport', 'cr', 'timeScale', 'waitFor',
  'bootConcurrency', 'logger', 'transcript', 'shard', 'seed', 'embeddedAcs', 'onCrRequest', 'bootstrapTimeoutMs', 'bootstrapAttempts', 'signal', 'udpCr', 'acsTls', 'offset', 'bootRampMs', 'stun', 'xmpp', 'usp', 'cwmp', 'transfer',
]);
const FLEET_STUN_OPTION_KEYS: ReadonlySet<string> = new Set(['server', 'username', 'password', 'keepAliveS']);
const FLEET_XMPP_OPTION_KEYS: ReadonlySet<string> = new Set(['server', 'domain', 'username', 'password', 'resource', 'allowedJabberIds', 'onlineTimeoutMs']);
const FLEET_UDP_OPTION_KEYS: ReadonlySet<string> = new Set(['bindAddr', 'publishHost', 'maxClockSkewS', 'acceptMillisecondTs']);
const FLEET_CR_OPTION_KEYS: ReadonlySet<string> = new Set(['bindAddr', 'path', 'publishPath', 'publishHost', 'scheme', 'realm', 'throttleWindowMs']);

function checkOptionKeys(obj: object, allowed: ReadonlySet<string>, where: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.has(k)) throw new ConfigError(`${where}: unknown option ${JSON.stringify(k)}; expected one of ${[...allowed].join(', ')}`);
  }
}

/** Rejects unknown keys and out-of-range enum values of {@link FleetOptions}, naming the option. */
function checkStartFleetOptions(opts: FleetOptions): void {
  if (typeof opts !== 'object' || opts === null) throw new ConfigError(`startFleet: expected an options object such as { profile: 'p.yaml' }, got ${String(opts)}`);
  checkOptionKeys(opts, FLEET_OPTION_KEYS, 'startFleet');
  const o = opts as unknown as Record<string, unknown>;
  if (o['waitFor'] !== undefined && o['waitFor'] !== 'bootstrap' && o['waitFor'] !== 'none') {
    throw new ConfigError(`startFleet: waitFor must be 'bootstrap' or 'none', got ${JSON.stringify(o['waitFor'])}`);
  }
  if (o['transport'] !== undefined && o['transport'] !== 'http' && o['transport'] !== 'undici' && o['transport'] !== 'fetch') {
    throw new ConfigError(`startFleet: transport must be 'http', 'undici' or 'fetch', got ${JSON.stringify(o['transport'])}`);
  }
  for (const key of ['bootstrapTimeoutMs', 'bootstrapAttempts'] as const) {
    const v = o[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= 1)) {
      throw new ConfigError(`startFleet: ${key} must be a whole number >= 1${key === 'bootstrapTimeoutMs' ? ' (milliseconds)' : ''}, got ${JSON.stringify(v)}`);
    }
  }
  const cr = o['cr'];
  if (cr !== undefined && cr !== false) {
    if (typeof cr !== 'object' || cr === null) throw new ConfigError(`startFleet: cr must be false or an object such as { bindAddr: '127.0.0.1:0' }, got ${JSON.stringify(cr)}`);
    checkOptionKeys(cr, FLEET_CR_OPTION_KEYS, 'startFleet: cr');
  }
  const udp = o['udpCr'];
  if (udp !== undefined && typeof udp !== 'boolean') {
    if (typeof udp !== 'object' || udp === null) throw new ConfigError(`startFleet: udpCr must be a boolean or an object such as { bindAddr: '127.0.0.1:0' }, got ${JSON.stringify(udp)}`);
    checkOptionKeys(udp, FLEET_UDP_OPTION_KEYS, 'startFleet: udpCr');
  }
  const stun = o['stun'];
  if (stun !== undefined && typeof stun !== 'boolean') {
    if (typeof stun !== 'object' || stun === null) throw new ConfigError(`startFleet: stun must be a boolean or an object such as { server: '127.0.0.1:3478' }, got ${JSON.stringify(stun)}`);
    checkOptionKeys(stun, FLEET_STUN_OPTION_KEYS, 'startFleet: stun');
    const s = stun as FleetStunOptions;
    if (s.server !== undefined) parseHostPort(s.server, 'startFleet: stun.server', 3478);
    if (s.keepAliveS !== undefined && !(Number.isSafeInteger(s.keepAliveS) && s.keepAliveS >= 1)) throw new ConfigError(`startFleet: stun.keepAliveS must be a whole number of seconds >= 1, got ${String(s.keepAliveS)}`);
  }
  if (stun !== undefined && stun !== false && o['udpCr'] === false) throw new ConfigError('startFleet: stun needs the UDP Connection Request listener (its Binding Requests come from that socket); remove udpCr: false');
  const xmpp = o['xmpp'];
  if (xmpp !== undefined) {
    if (typeof xmpp !== 'object' || xmpp === null) throw new ConfigError(`startFleet: xmpp must be an object such as { server: '127.0.0.1:5222', domain: 'localhost', password: 'pw' }, got ${JSON.stringify(xmpp)}`);
    checkOptionKeys(xmpp, FLEET_XMPP_OPTION_KEYS, 'startFleet: xmpp');
    const x = xmpp as Partial<FleetXmppOptions>;
    for (const k of ['server', 'domain', 'password'] as const) {
      if (typeof x[k] !== 'string' || x[k] === '') throw new ConfigError(`startFleet: xmpp.${k} is required (a non-empty string), got ${JSON.stringify(x[k])}`);
    }
    xmppService(x.server!);
  }
  if (o['usp'] !== undefined) checkUspOptions(o['usp'] as FleetUspOptions);
  if (o['cwmp'] !== undefined && typeof o['cwmp'] !== 'boolean') throw new ConfigError(`startFleet: cwmp must be true or false, got ${JSON.stringify(o['cwmp'])}`);
  if (o['cwmp'] === false) {
    if (o['usp'] === undefined) throw new ConfigError('startFleet: cwmp: false leaves the CPEs nothing to speak: give usp too (a USP-only fleet), or drop cwmp: false');
    // Everything CWMP-side would silently do nothing in a USP-only fleet: refuse it by name.
    for (const k of ['acsUrl', 'acsUsername', 'acsPassword', 'acsTls', 'udpCr', 'stun', 'xmpp', 'embeddedAcs', 'onCrRequest']) {
      if (o[k] !== undefined && o[k] !== false) throw new ConfigError(`startFleet: ${k} is CWMP-side and has no effect with cwmp: false (a USP-only fleet); drop it`);
    }
    if (o['cr'] !== undefined && o['cr'] !== false) throw new ConfigError('startFleet: cr (the Connection Request listener) has no effect with cwmp: false (a USP-only fleet); drop it or set cr: false');
  }
}

/** How many of `agents` have an MTP up within `timeoutMs` real ms (resolves early when all are). */
async function waitOnline(agents: readonly UspAgent[], timeoutMs: number): Promise<number> {
  const count = (): number => agents.filter((a) => a.online).length;
  if (count() === agents.length) return count();
  let left = agents.length - count();
  let timer: NodeJS.Timeout | undefined;
  const offs: (() => void)[] = [];
  await new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    for (const a of agents) {
      if (a.online) continue;
      const off = a.onMtpUp(() => {
        off();
        if (--left === 0) resolve();
      });
      offs.push(off);
    }
  });
  clearTimeout(timer);
  for (const off of offs) off();
  return count();
}

/** `xmpp://host:port` from `xmpp://host:port`, `xmpps://…` or `host:port`. */
function xmppService(server: string): string {
  if (/^xmpps?:\/\//.test(server)) return server;
  const { host, port } = parseHostPort(server, 'startFleet: xmpp.server', 5222);
  return `xmpp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The UDP CR options, or undefined when the path is off. */
function udpOptionsOf(opts: FleetOptions): FleetUdpCrOptions | undefined {
  // STUN runs over the UDP CR socket: asking for STUN turns the listener on.
  if (opts.udpCr === undefined && opts.stun !== undefined && opts.stun !== false) return {};
  if (opts.udpCr === undefined || opts.udpCr === false) return undefined;
  return opts.udpCr === true ? {} : opts.udpCr;
}

/** The credentials leaves a UDP Connection Request is signed with (Annex G: the CR username and password). */
function udpCredentialLeaves(profile: Profile, template: Template): { user: string; pass: string } {
  const { usernameParameter: user, passwordParameter: pass } = profile.connectionRequest;
  const problems: string[] = [];
  if (!user || !template.hasLeaf(user)) problems.push(`connectionRequest.usernameParameter must name a leaf of the profile${user ? ` (${JSON.stringify(user)} is not one)` : ''}`);
  if (!pass || !template.hasLeaf(pass)) problems.push(`connectionRequest.passwordParameter must name a leaf of the profile${pass ? ` (${JSON.stringify(pass)} is not one)` : ''}`);
  if (problems.length > 0) throw new ConfigError(`UDP Connection Requests (udpCr) sign with the CR credentials, but in profile ${profile.source}: ${problems.join('; ')}`);
  return { user: user!, pass: pass! };
}

/**
 * Starts a fleet of simulated CPEs.
 * @example
 * await using fleet = await startFleet({ profile: 'tr181-digest', count: 3 });
 * const res = await fleet.acs!.connectionRequest(fleet.cpe(2).crUrl!, { username: 'cr-cpe-2', password: 'secret' });
 * await fleet.acs!.waitForInform({ cpe: 'cpe-2', event: '6 CONNECTION REQUEST' });
 */
export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  checkStartFleetOptions(opts);
  const logger = opts.logger ?? silentLogger;
  const udpOpts = udpOptionsOf(opts);
  const counted = withOverrides(withCount(await resolveProfile(opts.profile), opts.count), opts);
  const withUdp = udpOpts ? withUdpLeaves(counted) : counted;
  const withXmpp = opts.xmpp ? withXmppLeaves(withUdp) : withUdp;
  const uspPlan = opts.usp ? checkUspOptions(opts.usp) : undefined;
  const profile = uspPlan ? uspProfile(withXmpp, uspPlan) : withXmpp;
  const cwmp = opts.cwmp !== false;
  const stunOpts = opts.stun === undefined || opts.stun === false ? undefined : opts.stun === true ? {} : opts.stun;
  const total = Math.max(1, profile.fleet.count);
  const offset = profile.fleet.offset;
  const seed = explicitSeed(opts.seed) ?? rootSeed();
  const range = shardRange(total, opts.shard);
  const template = Template.compile(profile);
  checkPoolsAt(profile, offset + range.last, seed, offset, total);
  const bootConcurrency = opts.bootConcurrency ?? (opts.acsUrl === undefined ? EMBEDDED_ACS_BOOT_CONCURRENCY : DEFAULT_BOOT_CONCURRENCY);
  if (!Number.isSafeInteger(bootConcurrency) || bootConcurrency < 1) throw new ConfigError(`startFleet: bootConcurrency must be a whole number >= 1, got ${String(opts.bootConcurrency)}`);
  const crOpts = opts.cr === false || !cwmp ? undefined : (opts.cr ?? {});
  // Validate everything that can be validated before any socket is opened.
  const crAuth = crOpts ? crEndpointConfig(profile, template, crOpts) : undefined;
  const publishPath = crOpts ? publishPathOf(profile, template, crOpts, logger) : undefined;
  const udpCreds = udpOpts ? udpCredentialLeaves(profile, template) : undefined;
  // One endpoint object per CPE serves every wake-up path, so they share its throttle.
  const endpointConfig: CrEndpointConfig = crAuth?.config ?? {
    scheme: '',
    realm: '',
    throttleWindowMs: profile.connectionRequest.throttleWindowMs,
  };

  const clock = createClock(opts.timeScale === undefined ? {} : { timeScale: opts.timeScale });
  const scheduler = new Scheduler(clock);
  let acs: FakeAcs | undefined;
  let listener: CrListener | undefined;
  let udpListener: UdpCrListener | undefined;
  let stunTx: StunTransactions | undefined;
  const binders: StunBinder[] = [];
  const agents: XmppAgent[] = [];
  const uspAgents: UspAgent[] = [];
  const uspServices: { close(): void }[] = [];
  const cpes: Cpe[] = [];
  const crLog = new CrLog(logger, () => clock.now());
  if (opts.onCrRequest) crLog.subscribe(opts.onCrRequest);
  // CPE timers are unref'd so nothing but an open fleet keeps a process alive; the
  // fleet itself does, like an open server, until close(). Without it a script whose
  // fleet has no CR listener exited during a retry back-off or between periodic informs.
  const keepAlive = setInterval(() => undefined, 0x7fffffff);
  const cleanup = async (): Promise<void> => {
    clearInterval(keepAlive);
    // USP first: each agent says goodbye (Disconnect record, MQTT DISCONNECT) while its box is still up.
    await Promise.all(uspAgents.map((a) => a.close().catch(() => undefined)));
    for (const n of uspServices) n.close();
    await listener?.close().catch(() => undefined);
    for (const b of binders) b.close();
    stunTx?.close();
    await Promise.all(agents.map((a) => a.close().catch(() => undefined)));
    await udpListener?.close().catch(() => undefined);
    await Promise.all(cpes.map((c) => c.close().catch(() => undefined)));
    scheduler.close();
    await acs?.close().catch(() => undefined);
  };

  try {
    let acsUrl: string;
    if (opts.acsUrl !== undefined) {
      acsUrl = opts.acsUrl;
    } else if (!cwmp) {
      acsUrl = '';
    } else {
      acs = await createFakeAcs({ host: '127.0.0.1', port: 0, logger: logger.child({ component: 'acs' }), ...embeddedAcsFor(range.last - range.first + 1, opts.embeddedAcs), ...(stunOpts && stunOpts.server === undefined && opts.embeddedAcs?.stun === undefined ? { stun: true } : {}) });
      acsUrl = acs.url;
    }
    const acsTarget: CpeOptions['acs'] = { url: acsUrl };
    if (opts.acsUsername !== undefined) acsTarget.username = opts.acsUsername;
    if (opts.acsPassword !== undefined) acsTarget.password = opts.acsPassword;
    if (opts.acsTimeoutMs !== undefined) acsTarget.timeoutMs = opts.acsTimeoutMs;
    if (opts.transport !== undefined) acsTarget.transport = opts.transport;

    const transcript = transcriptFor(range.last - range.first + 1, opts.transcript);
    const tlsFor = acsTlsFactory(opts.acsTls, logger);
    const transfer = fleetTransferSettings(opts.transfer);
    if (tlsFor !== undefined && opts.transport === 'fetch') throw new ConfigError('startFleet: acsTls needs the http or undici transport (fetch goes through the global dispatcher)');
    // One time base for every generator of the fleet (profile §6): created now, ticking
    // once the whole bootstrap phase has ended. No timer: values are computed on read.
    // Installed apps may bring generators (ref §6.3), so a profile with software modules needs one too.
    const generators = template.generators.size > 0 || template.profile.softwareModules !== undefined ? new GeneratorClock(() => clock.now()) : undefined;
    // Ref. 13.1: the seed in use is logged, so a run without --seed can be replayed.
    logger.info('rng initialized', { root_seed: String(seed) });
    for (let local = range.first; local <= range.last; local++) {
      // Ref. 5.1: everything observable derives from the global index g = offset + local.
      const index = offset + local;
      const id = `cpe-${index}`;
      const cpeOpts: CpeOptions = { id, index, template, acs: !cwmp ? 'none' : tlsFor ? { ...acsTarget, tls: tlsFor(id, index) } : acsTarget, scheduler, seed, logger: new LazyChildLogger(logger, { cpe_id: id }) };
      if (generators !== undefined) cpeOpts.generators = generators;
      if (transcript !== undefined) cpeOpts.transcript = transcript;
      if (transfer !== undefined) cpeOpts.transfer = transfer;
      const cpe = new Cpe(cpeOpts);
      cpes.push(cpe);
      acs?.alias(id, cpe.serialNumber);
    }

    const endpoints = cpes.map(
      (cpe) => new CpeCrEndpoint(cpe, endpointConfig, crAuth?.user ?? udpCreds?.user, crAuth?.pass ?? udpCreds?.pass),
    );
    if (crOpts && crAuth) {
      const l = createCrListener({
        bindAddr: crOpts.bindAddr ?? '127.0.0.1:0',
        path: crOpts.path ?? '/cr',
        // Single vs fleet URL shape follows the WHOLE fleet (seed): a shard of a
        // 10-CPE fleet that holds one CPE still publishes /cr/<cpe-id>; a lone CPE at
        // an offset gets its per-CPE path too (ref. 4.5).
        mode: total === 1 && offset === 0 ? 'single' : 'fleet',
        ...(crOpts.publishHost !== undefined ? { publishHost: crOpts.publishHost } : {}),
        logger: logger.child({ component: 'cr' }),
        onRequest: crLog.record,
      });
      listener = l;
      crLog.attributeWith((target) => l.ownerOf(target));
      await l.listen();
      for (const [i, cpe] of cpes.entries()) {
        const url = l.register(cpe.id, endpoints[i]!);
        // Written BEFORE start(), so the bootstrap Inform already reports it (seed).
        if (publishPath !== undefined) cpe.params.setInternal(publishPath, url);
        // Re-published there after a FactoryReset, and joined to every declared Inform list.
        cpe.crUrlPath = publishPath;
        cpe.crUrl = url;
      }
    }

    if (udpOpts && udpCreds) {
      const tx = new StunTransactions((m, p, h) => u.send(m, p, h));
      stunTx = tx;
      const u = createUdpCrListener({
        bindAddr: udpOpts.bindAddr ?? '127.0.0.1:0',
        ...(udpOpts.publishHost !== undefined ? { publishHost: udpOpts.publishHost } : {}),
        ...(udpOpts.maxClockSkewS !== undefined ? { maxClockSkewS: udpOpts.maxClockSkewS } : {}),
        ...(udpOpts.acceptMillisecondTs !== undefined ? { acceptMillisecondTs: udpOpts.acceptMillisecondTs } : {}),
        logger,
        onRequest: (e) => crLog.record(udpCrEvent(e)),
        // STUN answers arrive on the same socket as Connection Requests.
        onOtherDatagram: (m, r) => tx.handle(m, r),
      });
      udpListener = u;
      await u.listen();
      const addressLeaf = msLeaf(profile, 'UDPConnectionRequestAddress');
      const natLeaf = msLeaf(profile, 'NATDetected');
      const stunLeaves = new Set<string>(STUN_CONFIG_LEAVES.map((n) => msLeaf(profile, n)));
      const acsHost = new URL(acsUrl).hostname.replace(/^\[(.*)\]$/, '$1');
      const stunServer = stunOpts ? (stunOpts.server !== undefined ? parseHostPort(stunOpts.server, 'stun.server', 3478) : acs?.stun ? { host: acs.stun.host, port: acs.stun.port } : { host: acsHost, port: 3478 }) : undefined;
      const limitLeaf = msLeaf(profile, 'UDPConnectionRequestAddressNotificationLimit');
      for (const [i, cpe] of cpes.entries()) {
        const address = u.register(cpe.id, endpoints[i]!);
        // What a booting box writes: its listener address with active notification (Annex G:
        // a changed binding is reported with 4 VALUE CHANGE), and the STUN settings it was
        // configured with. Written BEFORE start(), so the bootstrap Inform already reports
        // them, and again after a FactoryReset put the tree back to the profile.
        const stamp = (): void => {
          cpe.params.setInternal(addressLeaf, address);
          cpe.params.setAttributes([{ name: addressLeaf, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }]);
          if (stunOpts && stunServer) {
            const set = (name: string, value: string): void => cpe.params.setInternal(msLeaf(profile, name), value);
            set('STUNServerAddress', stunServer.host);
            set('STUNServerPort', String(stunServer.port));
            if (stunOpts.username !== undefined) set('STUNUsername', stunOpts.username);
            if (stunOpts.password !== undefined) set('STUNPassword', stunOpts.password);
            if (stunOpts.keepAliveS !== undefined) set('STUNMinimumKeepAlivePeriod', String(stunOpts.keepAliveS));
            set('STUNEnable', 'true');
          }
        };
        stamp();
        // TR-181 UDPConnectionRequestAddressNotificationLimit: minimum seconds between the
        // Active Notifications of address changes, read from the tree at each change.
        cpe.limitActiveNotifications(addressLeaf, () => {
          const s = Number(cpe.params.getValue(limitLeaf) ?? '0');
          return Number.isFinite(s) && s > 0 ? s * 1000 : 0;
        });
        const binder = new StunBinder(
          tx,
          scheduler,
          () => stunConfigOf(cpe.params, profile, acsHost),
          (m) => {
            const mapped = formatMapping(m);
            cpe.params.setInternal(addressLeaf, mapped);
            // TR-111: behind a NAT when the server saw another address than the CPE's own.
            cpe.params.setInternal(natLeaf, mapped === u.publishedAddress ? 'false' : 'true');
          },
          (err) => logger.debug('stun binding failed', { cpe_id: cpe.id, error: err.message }),
        );
        binders.push(binder);
        // After a FactoryReset: the address and STUN settings again, and a fresh binding
        // (the mapped address the tree held is gone with the reset).
        cpe.onFactoryReset(() => {
          stamp();
          binder.kick();
        });
        cpe.params.onChange((c) => {
          // The listener routes by username: re-index a CPE whenever its username leaf is written (SPV, FactoryReset).
          if (c.path === udpCreds.user) u.refresh(cpe.id);
          else if (stunLeaves.has(c.path) && c.origin === 'acs') binder.kick();
        });
      }
    }

    if (opts.xmpp) {
      const x = opts.xmpp;
      const service = xmppService(x.server);
      const resource = x.resource ?? 'cwmp';
      const root = profile.root;
      for (const [i, cpe] of cpes.entries()) {
        const ep = endpoints[i]!;
        const username = stampXmppName(x.username ?? '{cpe_id}', cpe.id, cpe.index);
        const jid = `${username}@${x.domain}/${resource}`;
        const set = (path: string, value: string): void => cpe.params.setInternal(`${root}.${path}`, value);
        // The account and the JID, before start() (the bootstrap Inform carries the JID) and
        // again after a FactoryReset put the tree back to the profile.
        const stamp = (bound: string | undefined): void => {
          set('XMPP.Connection.1.Enable', 'true');
          set('XMPP.Connection.1.Username', username);
          set('XMPP.Connection.1.Password', x.password);
          set('XMPP.Connection.1.Domain', x.domain);
          set('XMPP.Connection.1.Resource', resource);
          set('XMPP.Connection.1.JabberID', bound ?? jid);
          set('ManagementServer.ConnReqXMPPConnection', `${root}.XMPP.Connection.1`);
          set('ManagementServer.ConnReqJabberID', bound ?? jid);
          if (x.allowedJabberIds !== undefined) set('ManagementServer.ConnReqAllowedJabberIDs', x.allowedJabberIds);
          if (bound !== undefined) set('XMPP.Connection.1.Status', 'Enabled');
        };
        stamp(undefined);
        const agent = new XmppAgent({
          cpeId: cpe.id,
          service,
          domain: x.domain,
          username,
          password: x.password,
          resource,
          credentials: () => ep.credentials(),
          allowedJabberIds: () => cpe.params.getValue(`${root}.ManagementServer.ConnReqAllowedJabberIDs`) ?? '',
          admit: () => ep.throttle.admit(Date.now()).ok,
          dark: () => !ep.poweredOn(),
          onRequest: () => cpe.connectionRequest(),
          onEvent: (e) => crLog.record(xmppCrEvent(e)),
          onOnline: (bound) => {
            set('XMPP.Connection.1.Status', 'Enabled');
            set('XMPP.Connection.1.JabberID', bound);
            set('ManagementServer.ConnReqJabberID', bound);
          },
          logger,
        });
        agents.push(agent);
        // The session itself survives the reset (the box keeps its account); its leaves come back.
        cpe.onFactoryReset(() => stamp(agent.status === 'online' ? agent.jid : undefined));
      }
      // A server authenticates logins one at a time (SCRAM hashing): 1,000 at once time out
      // together and retry together. Log in at most XMPP_LOGIN_CONCURRENCY at a time.
      let next = 0;
      const pump = async (): Promise<void> => {
        while (next < agents.length) {
          const a = agents[next++]!;
          a.start();
          await a.whenOnline(10_000).catch(() => undefined);
        }
      };
      const logins = Promise.all(Array.from({ length: Math.min(XMPP_LOGIN_CONCURRENCY, agents.length) }, () => pump()));
      void logins.then(() => {
        const online = agents.filter((a) => a.status === 'online').length;
        logger.info('xmpp logins done', { online, cpes: agents.length, server: service });
      });
      if ((opts.waitFor ?? 'bootstrap') === 'bootstrap') {
        const timeoutMs = x.onlineTimeoutMs ?? 15_000;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([logins, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
        clearTimeout(timer);
        const offline = agents.filter((a) => a.status !== 'online').length;
        if (offline > 0) logger.warn('some XMPP sessions are not online yet; they keep trying', { offline, server: service });
      }
    }

    if (uspPlan && opts.usp) {
      const uspLogger = logger.child({ component: 'usp' });
      const ctx = { template, profile, scheduler, seed, logger: uspLogger, options: opts.usp, plan: uspPlan, versionMemo: {}, generators, tlsFor: uspTlsFactory(opts.usp, uspLogger) };
      for (const cpe of cpes) {
        const { agent, notifications } = createCpeAgent(cpe, ctx);
        uspAgents.push(agent);
        uspServices.push(notifications);
      }
    }

    const chaos = new FleetChaos(cpes, seed, profile, logger);
    chaos.applyProfile();
    const fleet = new RunningFleet(profile, seed, cpes, listener, udpListener, acs, acsUrl, offset + range.first, crLog, cleanup, chaos, agents, uspAgents, cwmp);
    logger.info('fleet starting', {
      cpes: cpes.length,
      first: cpes[0]?.id,
      last: cpes[cpes.length - 1]?.id,
      acs: acsUrl,
      embedded_acs: acs !== undefined,
      cr: listener ? (listener.address.family === 'IPv6' ? `[${listener.address.host}]:${listener.address.port}` : `${listener.address.host}:${listener.address.port}`) : 'off',
    });
    if (cwmp) fleet.boot(bootConcurrency, logger, scheduler);
    else for (const cpe of cpes) cpe.start(0);
    for (const a of uspAgents) a.start();
    if (uspAgents.length > 0) logger.info('usp agents starting', { agents: uspAgents.length, broker: opts.usp?.broker, websocket: opts.usp?.websocket, controller: uspPlan?.controllerId });
    // TR-111: a CPE with STUN enabled asks for its binding as it comes up.
    for (const b of binders) b.kick();
    if (generators !== undefined) {
      fleet.whenBootstrapped().then(
        () => {
          generators.start();
          logger.info('generators started', { generators: template.generators.size });
        },
        () => undefined,
      );
    }
    if ((opts.waitFor ?? 'bootstrap') === 'bootstrap' && uspAgents.length > 0) {
      const online = await waitOnline(uspAgents, opts.usp?.onlineTimeoutMs ?? 10_000);
      if (online < uspAgents.length) logger.warn('some USP agents are not online yet; they keep trying', { offline: uspAgents.length - online, agents: uspAgents.length });
    }
    if ((opts.waitFor ?? 'bootstrap') === 'bootstrap' && cwmp) {
      try {
        await awaitBootstrap(cpes, {
          timeoutMs: opts.bootstrapTimeoutMs ?? DEFAULT_BOOTSTRAP_TIMEOUT_MS,
          attempts: opts.bootstrapAttempts ?? DEFAULT_BOOTSTRAP_ATTEMPTS,
          acsUrl,
          signal: opts.signal,
        });
      } catch (err) {
        await fleet.close();
        throw err;
      }
    }
    return fleet;
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * A CPE's Connection Request endpoint. A class, so a 100k fleet holds one small object
 * per CPE rather than two closures and their context.
 */
class CpeCrEndpoint implements CrEndpoint, UdpCrEndpoint {
  private throttleState: CrThrottle | undefined;
  constructor(
    private readonly cpe: Cpe,
    readonly config: CrEndpointConfig,
    private readonly user: string | undefined,
    private readonly pass: string | undefined,
  ) {}

  /** Read per request (seed): an SPV of the credentials takes effect on the next CR. */
  credentials(): { username: string; password: string } {
    const p = this.cpe.params;
    return {
      username: (this.user !== undefined ? p.getValue(this.user) : undefined) ?? '',
      password: (this.pass !== undefined ? p.getValue(this.pass) : undefined) ?? '',
    };
  }

  /** Made on the first Connection Request (most CPEs of a large fleet never get one); shared by every path. */
  get throttle(): CrThrottle {
    return (this.throttleState ??= new CrThrottle(this.config.throttleWindowMs));
  }

  onRequest(): void {
    this.cpe.connectionRequest();
  }

  poweredOn(): boolean {
    return this.cpe.poweredOn;
  }
}

/** An XMPP connectionRequest's outcome in the fleet's CR log (200 result, 401 not-authorized, 503 service-unavailable). */
function xmppCrEvent(e: XmppCrEvent): CrRequestEvent {
  return {
    cpeId: e.cpeId,
    method: 'IQ',
    path: '',
    status: e.answer === 'result' ? 200 : e.answer === 'not-authorized' ? 401 : 503,
    reason: e.reason,
    remoteAddress: e.from,
    via: 'xmpp',
  };
}

/** A UDP datagram's outcome in the fleet's CR log (`status` 0: UDP has no reply). */
function udpCrEvent(e: UdpCrEvent): CrRequestEvent {
  return {
    cpeId: e.cpeId,
    method: 'GET',
    path: '',
    status: 0,
    reason: e.reason,
    remoteAddress: e.remoteAddress,
    via: 'udp',
    ...(e.detail !== undefined ? { detail: e.detail } : {}),
  };
}

class RunningFleet implements Fleet {
  readonly crUrls: readonly string[];
  private closing: Promise<void> | undefined;
  /** Resolvers of boot slots, released at close so the boot pump ends. */
  private readonly slotWaiters = new Set<() => void>();
  private closed = false;

  constructor(
    readonly profile: Profile,
    readonly seed: bigint,
    readonly cpes: readonly Cpe[],
    readonly listener: CrListener | undefined,
    readonly udpListener: UdpCrListener | undefined,
    readonly acs: FakeAcs | undefined,
    readonly acsUrl: string,
    private readonly firstIndex: number,
    private readonly crLog: CrLog,
    private readonly cleanup: () => Promise<void>,
    private readonly chaos: FleetChaos,
    readonly xmppAgents: readonly XmppAgent[] = [],
    readonly uspAgents: readonly UspAgent[] = [],
    private readonly cwmp = true,
  ) {
    this.crUrls = cpes.flatMap((c) => (c.crUrl !== undefined ? [c.crUrl] : []));
  }

  cpe(ref: number | string): Cpe {
    let index: number | undefined;
    if (typeof ref === 'number') index = ref;
    else {
      const m = /^cpe-(\d+)$/.exec(ref);
      if (m) index = Number(m[1]);
    }
    const cpe = index !== undefined && Number.isSafeInteger(index) ? this.cpes[index - this.firstIndex] : undefined;
    if (!cpe) {
      const first = this.firstIndex;
      const last = this.firstIndex + this.cpes.length - 1;
      const range = first === last ? `only cpe-${first} (ref ${first} or 'cpe-${first}')` : `cpe-${first} … cpe-${last} (refs ${first}..${last} or 'cpe-${first}'..'cpe-${last}')`;
      throw new CpeSimError('CPESIM_UNKNOWN_CPE', `unknown CPE ${JSON.stringify(ref)}: this fleet simulates ${range}`);
    }
    return cpe;
  }

  uspAgent(ref: number | string): UspAgent {
    const cpe = this.cpe(ref);
    const agent = this.uspAgents[this.cpes.indexOf(cpe)];
    if (!agent) throw new CpeSimError('CPESIM_NO_USP', `${cpe.id} has no USP agent: start the fleet with the usp option (startFleet({ usp: { broker: 'host:port' } }))`);
    return agent;
  }

  async whenBootstrapped(): Promise<void> {
    // A USP-only fleet has no bootstrap to deliver.
    if (!this.cwmp) return;
    await Promise.all(this.cpes.map((c) => c.whenBootstrapped()));
  }

  onCrRequest(observer: (e: CrRequestEvent) => void): () => void {
    return this.crLog.subscribe(observer);
  }

  crRequests(cpeId?: string): readonly CrOutcome[] {
    return this.crLog.list(cpeId);
  }

  /**
   * Starts every CPE, at most `limit` bootstrap sessions at a time: a slot is freed when
   * a CPE's first session ENDS (delivered or failed: a failed one retries in the
   * background on the scheduler), so an unreachable ACS cannot stall the pump.
   */
  boot(limit: number, logger: Logger, scheduler: Scheduler): void {
    let next = 0;
    const t0 = scheduler.clock.now();
    const { bootDelayMs, bootRampMs } = this.profile.eventSchedule;
    const n = this.cpes.length;
    // Ref. 11: position k of N starts at bootDelay + floor(R·k/N) after the fleet's start;
    // a CPE the pump reaches late (slots busy) starts at once.
    const delayOf = (k: number): number => Math.max(0, t0 + bootDelayMs + Math.floor((bootRampMs * k) / n) - scheduler.clock.now());
    const startOne = (cpe: Cpe, k: number): Promise<void> =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          off();
          this.slotWaiters.delete(done);
          resolve();
        };
        const off = cpe.onSession(() => done());
        this.slotWaiters.add(done);
        try {
          cpe.start(delayOf(k));
        } catch (err) {
          logger.error('cpe failed to start', { cpe_id: cpe.id, error: (err as Error).message });
          done();
        }
      });
    const worker = async (): Promise<void> => {
      while (!this.closed && next < this.cpes.length) {
        const k = next++;
        await startOne(this.cpes[k]!, k);
      }
    };
    const workers = Array.from({ length: Math.min(limit, this.cpes.length) }, () => worker());
    void Promise.all(workers).catch((err: unknown) => logger.error('boot pump failed', { error: String(err) }));
  }

  powerCycle(opts?: PowerCycleOptions): Cpe[] {
    return this.chaos.powerCycle(opts);
  }

  linkDown(opts?: LinkDownOptions): Cpe[] {
    return this.chaos.linkDown(opts);
  }

  linkFault(): Cpe[] {
    return this.chaos.linkFault();
  }

  inject(opts: (Behaviour & ShareOptions) | null): Cpe[] {
    return this.chaos.inject(opts);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      for (const release of [...this.slotWaiters]) release();
      await this.cleanup();
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
