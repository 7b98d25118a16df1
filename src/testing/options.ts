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

/**
 * Options of `withCpeFleet`, `createCpeFleet` and `useCpeFleet`: every `startFleet`
 * option (profile, count, acsUrl, timeScale, waitFor, transcript, onCrRequest, …),
 * with test-friendly CR listener options and two fixture-only settings.
 */
export interface CpeFleetOptions extends Omit<FleetOptions, 'cr'> {
  /** Connection Request listener (default: 127.0.0.1, port 0); `false` = none. */
  cr?: false | CpeFleetCrOptions;
  /**
   * Periodic informs. `false` disables them on every CPE (writes the profile's
   * `periodicInformPaths.enable` leaf); a number sets the interval in (simulated)
   * seconds and enables them. Default: as the profile says.
   */
  periodic?: false | number;
  /** Print the CWMP transcript of the CPEs involved when a test fails (default true). */
  transcriptOnFailure?: boolean;
}

/** Translates fixture options into `startFleet` options (resolves a preferred CR port). */
export async function toFleetOptions(opts: CpeFleetOptions): Promise<FleetOptions> {
  // Fixture-only settings are applied by the fixtures; everything else is startFleet's.
  const { cr: _cr, periodic: _periodic, transcriptOnFailure: _t, ...fleetOptions } = opts;
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
