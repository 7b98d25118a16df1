/**
 * Fixture options shared by the Vitest and Jest helpers, and their translation to
 * `startFleet` options. Kept runner-free so both entry points use one definition.
 * @module
 */
import getPort from 'get-port';
import type { FleetOptions } from '../fleet/index.js';

/** Connection Request listener options of a test fleet. */
export interface CpeFleetCrOptions {
  /**
   * A preferred fixed port (e.g. 7547). When it is taken, a free port is used
   * instead (`get-port`), so a parallel run never fails on EADDRINUSE. Default: the
   * OS picks a free port (port 0).
   */
  port?: number;
  /** Address to bind (default `127.0.0.1`: tests stay on loopback). */
  host?: string;
  /** URL path prefix (default `/cr`; a fleet serves `/cr/<cpe-id>`). */
  path?: string;
  /** Host written into the published ConnectionRequestURL instead of the bound one. */
  publishHost?: string;
  /** Parameter the URL is published into (default `<root>.ManagementServer.ConnectionRequestURL`). */
  publishPath?: string;
  /** Overrides the profile's `connectionRequest.scheme` (`''` none, `basic`, `digest`). */
  scheme?: '' | 'basic' | 'digest';
  /** Overrides the profile's `connectionRequest.realm`. */
  realm?: string;
  /** Overrides the profile's throttle window (ms; 0 = no throttle). */
  throttleWindowMs?: number;
}

/** Options of `withCpeFleet`, `createCpeFleet` and `useCpeFleet`. */
export interface CpeFleetOptions {
  /** A profile: path to a YAML/JSON file, a directory of them, a loaded Profile, or a plain object. */
  profile: FleetOptions['profile'];
  /** Number of CPEs (overrides `fleet.count` of the profile). */
  count?: number;
  /** A real ACS to talk to. Absent: an embedded FakeAcs is started and offered as the `acs` fixture. */
  acsUrl?: string;
  /** Credentials the CPEs present to the ACS. */
  acsUsername?: string;
  acsPassword?: string;
  /** Per-request timeout towards the ACS (ms). */
  acsTimeoutMs?: number;
  /** `'fetch'` sends CWMP through global fetch, so msw can intercept it (see `cpe-sim/msw`). */
  transport?: 'undici' | 'fetch';
  /** Connection Request listener; `false` = none. */
  cr?: false | CpeFleetCrOptions;
  /**
   * Clock compression for retries and periodic informs: 0.001 makes a 300 s
   * periodic interval fire after 300 ms of real time. Default 1 (real time).
   */
  timeScale?: number;
  /**
   * Periodic informs. `false` disables them on every CPE (writes the profile's
   * `periodicInformPaths.enable` leaf); a number sets the interval in (simulated)
   * seconds and enables them. Default: as the profile says.
   */
  periodic?: false | number;
  /** Wait until every CPE finished its bootstrap session (default) or not at all. */
  waitFor?: 'bootstrap' | 'none';
  /** Max simultaneous bootstrap sessions. */
  bootConcurrency?: number;
  /** Transcript ring per CPE (default 50 sessions, no raw XML). */
  transcript?: { capacity?: number; keepXml?: boolean };
  /** Logger for the fleet (default: silent). */
  logger?: FleetOptions['logger'];
  /** Seeds each CPE's retry jitter (deterministic backoff). */
  seed?: number;
  /** Extra options of the embedded FakeAcs (ignored with `acsUrl`), e.g. `auth`, `keepXml`, `onMessage`. */
  embeddedAcs?: FleetOptions['embeddedAcs'];
  /** Print the CWMP transcript of the CPEs involved when a test fails (default true). */
  transcriptOnFailure?: boolean;
}

/** Translates fixture options into `startFleet` options (resolves a preferred CR port). */
export async function toFleetOptions(opts: CpeFleetOptions): Promise<FleetOptions> {
  const out: FleetOptions = { profile: opts.profile };
  if (opts.count !== undefined) out.count = opts.count;
  if (opts.acsUrl !== undefined) out.acsUrl = opts.acsUrl;
  if (opts.acsUsername !== undefined) out.acsUsername = opts.acsUsername;
  if (opts.acsPassword !== undefined) out.acsPassword = opts.acsPassword;
  if (opts.acsTimeoutMs !== undefined) out.acsTimeoutMs = opts.acsTimeoutMs;
  if (opts.transport !== undefined) out.transport = opts.transport;
  if (opts.timeScale !== undefined) out.timeScale = opts.timeScale;
  if (opts.waitFor !== undefined) out.waitFor = opts.waitFor;
  if (opts.bootConcurrency !== undefined) out.bootConcurrency = opts.bootConcurrency;
  if (opts.transcript !== undefined) out.transcript = opts.transcript;
  if (opts.logger !== undefined) out.logger = opts.logger;
  if (opts.seed !== undefined) out.seed = opts.seed;
  if (opts.embeddedAcs !== undefined) out.embeddedAcs = opts.embeddedAcs;
  if (opts.cr === false) {
    out.cr = false;
  } else {
    const cr = opts.cr ?? {};
    const host = cr.host ?? '127.0.0.1';
    // Port 0 unless the user asked for a preferred one: get-port falls back to a free
    // port when it is taken, so a fixed port never makes a parallel run flaky.
    const port = cr.port === undefined || cr.port === 0 ? 0 : await getPort({ port: cr.port, host });
    const bindHost = host.includes(':') ? `[${host}]` : host;
    const c: Exclude<FleetOptions['cr'], false | undefined> = { bindAddr: `${bindHost}:${port}` };
    if (cr.path !== undefined) c.path = cr.path;
    if (cr.publishHost !== undefined) c.publishHost = cr.publishHost;
    if (cr.publishPath !== undefined) c.publishPath = cr.publishPath;
    if (cr.scheme !== undefined) c.scheme = cr.scheme;
    if (cr.realm !== undefined) c.realm = cr.realm;
    if (cr.throttleWindowMs !== undefined) c.throttleWindowMs = cr.throttleWindowMs;
    out.cr = c;
  }
  return out;
}
