/**
 * Fixture options shared by the Vitest and Jest helpers, and their translation to
 * `startFleet` options. Kept runner-free so both entry points use one definition.
 * @module
 */
import getPort from 'get-port';
import { ConfigError } from '../errors/index.js';
import { FLEET_OPTION_KEYS as FLEET_KEYS, type FleetOptions } from '../fleet/index.js';
import { didYouMean } from '../profile/index.js';
import { checkUspOption, type CpeFleetUspOptions } from './usp.js';

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

/**
 * Options of `withCpeFleet`, `createCpeFleet` and `useCpeFleet`: every `startFleet`
 * option (profile, count, acsUrl, timeScale, waitFor, transcript, onCrRequest, …),
 * with test-friendly CR listener options and two fixture-only settings.
 */
export interface CpeFleetOptions extends Omit<FleetOptions, 'cr' | 'usp'> {
  /** Connection Request listener (default: 127.0.0.1, port 0); `false` = none. */
  cr?: false | CpeFleetCrOptions;
  /**
   * USP (TR-369): `true` starts a fake USP Controller (the `controller` fixture; embedded
   * aedes broker) before the fleet and makes every CPE also a USP agent talking to it;
   * `{ mtp: 'websocket' }` over WebSocket, `{ mtp: 'mqtt-websocket' }` MQTT over WebSocket
   * to the embedded broker; `{ controller: { … } }` passes Controller options
   * (another broker: `{ controller: { mqtt: { url } } }`). Default: no USP.
   */
  usp?: boolean | CpeFleetUspOptions;
  /**
   * Periodic informs. `false` disables them on every CPE (writes the profile's
   * `periodicInformPaths.enable` leaf); a number sets the interval in (simulated)
   * seconds and enables them. Default: as the profile says.
   */
  periodic?: false | number;
  /**
   * When a test fails, show what the CPEs involved did during it: `true` (default)
   * prints the CWMP transcript; `'html'` writes their session timelines (the admin
   * dashboard's, one bar per session, one tick per message, decoded messages a click
   * away) as a self-contained HTML file into `transcriptDir` and adds its path to the
   * test's failure message; `false` shows nothing.
   */
  transcriptOnFailure?: boolean | 'html';
  /**
   * Folder of the HTML timelines (`transcriptOnFailure: 'html'`). Default
   * `$CPE_SIM_TRANSCRIPT_DIR`, else `cpe-sim-transcripts` in the OS temp folder.
   */
  transcriptDir?: string;
}

/** Every key of {@link CpeFleetOptions}: startFleet's options plus the fixture-only ones. */
// startFleet's own keys (one list, in fleet/) plus the fixture-only settings.
const FLEET_OPTION_KEYS: readonly string[] = [...new Set([...FLEET_KEYS, 'periodic', 'transcriptOnFailure', 'transcriptDir', 'usp'])];
const CR_OPTION_KEYS = ['port', 'host', 'path', 'publishHost', 'publishPath', 'scheme', 'realm', 'throttleWindowMs'] as const;

function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : `${String(v)} (${v === null ? 'null' : typeof v})`;
}

function checkKeys(obj: object, valid: readonly string[], where: string, extra: readonly string[]): void {
  const unknown = Object.keys(obj).filter((k) => !valid.includes(k) && !extra.includes(k));
  if (unknown.length > 0) {
    const all = [...valid, ...extra];
    throw new ConfigError(`${where}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `${JSON.stringify(k)}${didYouMean(k, all)}`).join(', ')}; valid options: ${all.join(', ')}`);
  }
}

/**
 * Rejects what TypeScript would have caught (a typo'd key, a string for a number, an
 * unknown `waitFor`) for JavaScript users and `as any` casts: a typo must not fall back
 * silently to a default. `extraKeys` are the entry point's own options (`scope`,
 * `hookTimeout`), already taken off by the caller.
 * @throws ConfigError naming the option, the value and what was expected.
 */
export function checkFleetOptions(opts: unknown, where: string, extraKeys: readonly string[] = []): void {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new ConfigError(`${where}: expected an options object such as { profile: 'tr181-digest', count: 3 }, got ${shown(opts)}`);
  }
  checkKeys(opts, FLEET_OPTION_KEYS, where, extraKeys);
  const o = opts as Record<string, unknown>;
  const p = o['profile'];
  if (!(typeof p === 'string' || (typeof p === 'object' && p !== null && !Array.isArray(p)))) {
    throw new ConfigError(`${where}: profile must be a shipped profile's name ('tr181-digest'), a profile file or directory path, a loaded Profile or a profile object, got ${shown(p)}`);
  }
  if (o['waitFor'] !== undefined && o['waitFor'] !== 'bootstrap' && o['waitFor'] !== 'none') {
    throw new ConfigError(`${where}: waitFor must be 'bootstrap' or 'none', got ${shown(o['waitFor'])}`);
  }
  if (o['transport'] !== undefined && o['transport'] !== 'http' && o['transport'] !== 'undici' && o['transport'] !== 'fetch') {
    throw new ConfigError(`${where}: transport must be 'http', 'undici' or 'fetch', got ${shown(o['transport'])}`);
  }
  const cr = o['cr'];
  if (cr !== undefined && cr !== false) {
    if (typeof cr !== 'object' || cr === null || Array.isArray(cr)) {
      throw new ConfigError(`${where}: cr must be false or an object such as { port: 7547 }, got ${shown(cr)}`);
    }
    checkKeys(cr, CR_OPTION_KEYS, `${where}: cr`, []);
    const port = (cr as Record<string, unknown>)['port'];
    if (port !== undefined && !(typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535)) {
      throw new ConfigError(`${where}: cr.port must be a whole number 0..65535 (0 = the OS picks), got ${shown(port)}`);
    }
    const scheme = (cr as Record<string, unknown>)['scheme'];
    if (scheme !== undefined && scheme !== '' && scheme !== 'basic' && scheme !== 'digest') {
      throw new ConfigError(`${where}: cr.scheme must be '', 'basic' or 'digest', got ${shown(scheme)}`);
    }
  }
  const periodic = o['periodic'];
  if (periodic !== undefined && periodic !== false && !(typeof periodic === 'number' && Number.isSafeInteger(periodic) && periodic >= 1)) {
    throw new ConfigError(`${where}: periodic must be false or a whole number of seconds >= 1, got ${shown(periodic)}`);
  }
  checkUspOption(o['usp'], where);
  const tof = o['transcriptOnFailure'];
  if (tof !== undefined && typeof tof !== 'boolean' && tof !== 'html') {
    throw new ConfigError(`${where}: transcriptOnFailure must be true, false or 'html', got ${shown(tof)}`);
  }
  const dir = o['transcriptDir'];
  if (dir !== undefined && (typeof dir !== 'string' || dir === '')) {
    throw new ConfigError(`${where}: transcriptDir must be a folder path (a non-empty string), got ${shown(dir)}`);
  }
}

/** Translates fixture options into `startFleet` options (resolves a preferred CR port). */
export async function toFleetOptions(opts: CpeFleetOptions, where = 'cpe-sim fleet options'): Promise<FleetOptions> {
  checkFleetOptions(opts, where);
  // Fixture-only settings are applied by the fixtures; everything else is startFleet's.
  // `usp` is the fixture's: launchFleet starts the Controller and sets the fleet's own `usp`.
  const { cr: _cr, periodic: _periodic, transcriptOnFailure: _t, transcriptDir: _d, usp: _usp, ...fleetOptions } = opts;
  const out: FleetOptions = fleetOptions;
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
