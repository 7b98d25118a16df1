/**
 * The simulator command: settings → startFleet → daemon or one-shot lifetime.
 * @module
 */
import { formatAcsLine } from '../acs/index.js';
import type { Cpe } from '../cpe/index.js';
import { EVENT } from '../cwmp/index.js';
import { startAdminServer, type AdminServer } from '../admin/index.js';
import { parseBindAddr } from '../cr/index.js';
import { startFleet, type Fleet, type FleetAcsTls, type FleetOptions } from '../fleet/index.js';
import { createLogger, redactUrl, type LogFields, type Logger } from '../log/index.js';
import { loadProfile, unsimulatedBehaviours, type Profile } from '../profile/index.js';
import { ProgressLine, RunStats, withoutSessionLines } from './observe.js';
import { describeSettings, uspEncrypted, type SimSettings } from './options.js';
import { firmwareDemoProfile, runFirmwareDemo } from './demo.js';

/** What a command needs from its process (injectable for in-process tests). */
export interface RunContext {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves with the signal name ('SIGINT', 'SIGTERM', 'abort') when asked to stop. */
  readonly stopped: Promise<string>;
  /** The signal received so far, if any. */
  stopReason(): string | undefined;
  /** True when stderr is a terminal: a live progress line is drawn there. */
  readonly stderrIsTTY?: boolean;
}

/** Failed bootstrap attempts after which the one-shot mode gives up on a CPE. */
export const BOOTSTRAP_ATTEMPTS = 3;

/** Exit codes of an interrupted one-shot run (128 + signal number, as shells report). */
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, abort: 143 };

function hasBootstrap(events: readonly { eventCode: string }[]): boolean {
  return events.some((e) => e.eventCode === EVENT.BOOTSTRAP);
}

/**
 * Waits until the CPE delivered `0 BOOTSTRAP` in a session that then ended well, or
 * `attempts` bootstrap sessions failed. Waiting for the session END (not just the
 * InformResponse) lets the ACS finish its exchange before the process exits.
 */
function bootstrapOutcome(cpe: Cpe, attempts: number): Promise<{ ok: true } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    let failures = 0;
    let lastError = '';
    let settled = false;
    const consider = (s: { ok: boolean; events: readonly { eventCode: string }[]; error?: string }): void => {
      if (settled || !hasBootstrap(s.events)) return;
      if (s.ok) {
        settled = true;
        resolve({ ok: true });
      } else {
        failures++;
        lastError = s.error ?? 'session failed';
        if (failures >= attempts) {
          settled = true;
          resolve({ ok: false, error: lastError });
        }
      }
    };
    const off = cpe.onSession((s) => {
      consider(s);
      if (settled) off();
    });
    for (const s of cpe.sessions) consider(s);
    if (settled) off();
  });
}

function periodicEnabled(fleet: Fleet): boolean {
  const paths = fleet.profile.periodicInformPaths;
  const first = fleet.cpes[0];
  if (!paths || !first) return false;
  const v = first.params.getValue(paths.enable);
  return v === 'true' || v === '1';
}

/**
 * Says once, at start-up, which behaviours the profile declares that cpe-sim does not
 * simulate yet (issue 14): a warning, the run goes on.
 */
export function warnUnsimulated(profile: Profile, logger: Logger): void {
  const list = unsimulatedBehaviours(profile);
  if (list.length > 0) logger.warn(`the profile declares behaviour cpe-sim does not simulate yet (it is loaded and validated, then ignored): ${list.join('; ')}`, { profile: profile.source });
}

/** How a `--workers` thread runs {@link runSim} on its shard. */
export interface RunSimHooks {
  /** Print one line per session with an external ACS (default true; false when the main thread prints the ACS's lines). */
  sessionLines?: boolean;
  /** Fields added to every log line (e.g. `{ worker: 1 }`). */
  logFields?: LogFields;
  /** Called once the fleet is started. */
  onFleet?: (fleet: Fleet) => void;
  /** Handle SIGUSR1 (the profile's `faults.link`); only the process's own run does (default false). */
  signals?: boolean;
}

/** Runs the simulator; returns the exit code. Errors propagate to main (which maps them). */
export async function runSim(s: SimSettings, ctx: RunContext, hooks: RunSimHooks = {}): Promise<number> {
  const progress = ctx.stderrIsTTY === true ? new ProgressLine(ctx.stderr) : undefined;
  const base = createLogger({ level: s.logLevel, format: s.logFormat, write: (line) => (progress ? progress.line(line + '\n') : ctx.stderr(line + '\n')) });
  const withFields: Logger = hooks.logFields ? base.child(hooks.logFields) : base;
  // With an external ACS each session gets one line on stdout (below): not a second on stderr.
  const printsSessions = s.acsUrl !== undefined && hooks.sessionLines !== false;
  const logger = printsSessions ? withoutSessionLines(withFields) : withFields;
  const stats = new RunStats();
  logger.debug('settings', { ...describeSettings(s) });

  const opts: FleetOptions = {
    profile: await loadProfile(s.profile, { maxProfileBytes: s.maxProfileBytes, maxValueBytes: s.maxValueBytes }),
    acsTimeoutMs: s.acsTimeoutMs,
    timeScale: s.timeScale,
    waitFor: 'none',
    logger,
    cr: s.crBindAddr === undefined ? false : { bindAddr: s.crBindAddr, path: s.crPath, ...(s.crPublishPath !== undefined ? { publishPath: s.crPublishPath } : {}), ...(s.crPublishHost !== undefined ? { publishHost: s.crPublishHost } : {}) },
    // The embedded ACS prints every message as it happens: the demo of the README.
    embeddedAcs: { onMessage: (line) => ctx.stdout(formatAcsLine(line) + '\n') },
  };
  if (s.acsUrl === undefined && s.acsUsername !== undefined && opts.embeddedAcs) {
    // ACS credentials without an ACS URL: the embedded ACS demands them (Digest,
    // TR-069 §3.4.4), so the CPEs' ACS authentication can be tried with no set-up.
    opts.embeddedAcs.auth = { scheme: 'digest', username: s.acsUsername, password: s.acsPassword ?? '' };
  }
  if (s.udpCrBindAddr !== undefined) opts.udpCr = { bindAddr: s.udpCrBindAddr, ...(s.udpCrPublishHost !== undefined ? { publishHost: s.udpCrPublishHost } : {}) };
  if (s.demo === 'firmware') {
    const p = firmwareDemoProfile(opts.profile as Awaited<ReturnType<typeof loadProfile>>);
    opts.profile = p;
    // The demo reaches each CPE by a real Connection Request: a listener on a free loopback port.
    if (opts.cr === false) opts.cr = { bindAddr: '127.0.0.1:0', publishPath: `${p.root}.ManagementServer.ConnectionRequestURL` };
  }
  // A worker thread's main thread has said it already.
  if (hooks.logFields === undefined) warnUnsimulated(opts.profile as Profile, logger);
  if (s.stunServer !== undefined) {
    opts.stun = { server: s.stunServer, ...(s.stunUsername !== undefined ? { username: s.stunUsername } : {}), ...(s.stunPassword !== undefined ? { password: s.stunPassword } : {}) };
  }
  if (s.xmppServer !== undefined) {
    opts.xmpp = { server: s.xmppServer, domain: s.xmppDomain ?? '', password: s.xmppPassword ?? '', username: s.xmppUsername, ...(s.xmppAllowedJids !== undefined ? { allowedJabberIds: s.xmppAllowedJids } : {}) };
  }
  const tls: FleetAcsTls | undefined =
    s.caCertFile !== undefined || s.tlsSkipVerify || s.tlsCert !== undefined
      ? {
          ...(s.caCertFile !== undefined ? { caFile: s.caCertFile } : {}),
          ...(s.tlsSkipVerify ? { skipVerify: true } : {}),
          ...(s.tlsCert !== undefined && s.tlsKey !== undefined ? { certFile: s.tlsCert, keyFile: s.tlsKey } : {}),
        }
      : undefined;
  const usp = s.uspBroker !== undefined || s.uspWebsocket !== undefined;
  if (usp) {
    opts.usp = { controllerId: s.uspControllerId, mqttVersion: s.uspMqttVersion, endpointIdFormat: s.uspEndpointIdFormat, notifyStyle: s.uspNotifyStyle };
    if (s.uspBroker !== undefined) opts.usp.broker = s.uspBroker;
    if (s.uspWebsocket !== undefined) opts.usp.websocket = s.uspWebsocket;
    if (s.uspMqttUsername !== undefined) opts.usp.mqttUsername = s.uspMqttUsername;
    if (s.uspMqttPassword !== undefined) opts.usp.mqttPassword = s.uspMqttPassword;
    if (s.uspMqttSecret !== undefined) opts.usp.mqttSecret = s.uspMqttSecret;
    // The TLS flags serve every TLS connection a CPE opens: the ACS's, the broker's, the Controller's.
    if (tls !== undefined && uspEncrypted(s.uspBroker, s.uspWebsocket)) opts.usp.tls = tls;
    // The seed: --usp-broker without --acs-url is a USP-only fleet.
    if (s.acsUrl === undefined) {
      opts.cwmp = false;
      delete opts.embeddedAcs;
    }
  }
  if (s.count !== undefined) opts.count = s.count;
  if (s.acsUrl !== undefined) opts.acsUrl = s.acsUrl;
  if (s.acsUsername !== undefined) opts.acsUsername = s.acsUsername;
  if (s.acsPassword !== undefined) opts.acsPassword = s.acsPassword;
  if (s.seed !== undefined) opts.seed = s.seed;
  // A USP-only fleet has no ACS to apply them to.
  if (tls !== undefined && opts.cwmp !== false) opts.acsTls = tls;
  // File servers get their own trust (not --ca-cert-file's): an ACS's CA vouches for the ACS only.
  if (s.transferCaFile !== undefined || s.transferTimeoutMs !== undefined) {
    opts.transfer = { ...(s.transferCaFile !== undefined ? { caFile: s.transferCaFile } : {}), ...(s.transferTimeoutMs !== undefined ? { timeoutMs: s.transferTimeoutMs } : {}) };
  }
  if (s.shard !== undefined) opts.shard = s.shard;
  if (s.fleetOffset !== undefined) opts.offset = s.fleetOffset;
  if (s.bootRampMs !== undefined) opts.bootRampMs = s.bootRampMs;
  // cpe-labs declares --concurrency but never uses it: accepted so its scripts run, and said so.
  if (s.concurrency !== undefined) logger.info('--concurrency is accepted for cpe-labs compatibility and ignored', { concurrency: s.concurrency, source: s.sources['concurrency'] });

  const fleet = await startFleet(opts);
  let admin: AdminServer | undefined;
  try {
    admin = s.adminAddr === undefined ? undefined : await startAdmin(fleet, s.adminAddr, s.adminToken, logger);
  } catch (err) {
    await fleet.close();
    throw err;
  }
  stats.watch(fleet, progress ? () => progress.draw(stats.progress(fleet.cpes.length)) : undefined);
  // The open fleet holds the process (CPE timers alone are unref'd), so a one-shot run
  // waiting out a back-off or a daemon without a listener lives until fleet.close().
  // profile-format §10: SIGUSR1 cuts the uplink of the faults.link band (as the seed).
  // Only when the profile has the block, and never with an injected io (a test's main()
  // must not take over its runner's signals). A signal listener keeps nothing alive.
  const onUsr1 = (): void => {
    const hit = fleet.linkFault();
    logger.info('SIGUSR1: uplink cut', { cpes: hit.length });
  };
  const usr1 = fleet.profile.faults.link !== undefined && hooks.signals === true && process.platform !== 'win32';
  if (usr1) process.on('SIGUSR1', onUsr1);
  try {
    hooks.onFleet?.(fleet);
    if (fleet.acs) logger.info('embedded fake ACS started (no --acs-url given)', { url: fleet.acs.url });
    if (fleet.listener) {
      const a = fleet.listener.address;
      const shown = a.family === 'IPv6' ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
      logger.info('connection request listener ready', {
        address: shown,
        port: a.port,
        url: fleet.crUrls.length === 1 ? fleet.crUrls[0] : `${fleet.crUrls[0]?.replace(/\/cpe-\d+$/, '')}/<cpe-id>`,
      });
    }
    if (printsSessions) {
      // With an external ACS there are no ACS-side lines to print; show each session's outcome.
      for (const cpe of fleet.cpes) {
        cpe.onSession((rec) => {
          const events = rec.events.map((e) => e.eventCode).join(', ');
          // Wall-clock time, like the log lines on stderr: rec.endedAt is on the fleet clock,
          // which `--time-scale` runs ahead of real time (0.001: a 20 s back-off in 20 ms).
          ctx.stdout(`${new Date().toISOString()} ${rec.cpeId} session #${rec.id} [${events}] ${rec.ok ? 'ok' : `FAILED: ${rec.error ?? 'unknown error'}`}\n`);
        });
      }
    }

    if (fleet.udpListener) logger.info('udp connection request listener ready', { address: fleet.udpListener.publishedAddress });
    if (s.demo === 'firmware') {
      const done = await Promise.race([runFirmwareDemo(fleet, (line) => ctx.stdout(`${line}\n`)), ctx.stopped]);
      if (typeof done === 'string') return SIGNAL_EXIT[done] ?? 1;
      return 0;
    }

    const listening = s.crBindAddr !== undefined || fleet.udpListener !== undefined || s.xmppServer !== undefined;
    const daemon = listening || usp || admin !== undefined || periodicEnabled(fleet);
    if (daemon) {
      const why = listening ? 'connection request listener enabled' : usp ? 'USP agents running' : admin !== undefined ? 'admin API enabled' : 'periodic informs enabled';
      logger.info(`running in daemon mode (${why}); stop with SIGINT/SIGTERM`, { cpes: fleet.cpes.length });
      const sig = await ctx.stopped;
      logger.info('shutting down: closing the listener and in-flight sessions', { signal: sig });
      await admin?.close();
      await fleet.close();
      return 0;
    }

    const outcomes = Promise.all(fleet.cpes.map(async (cpe) => ({ cpe, r: await bootstrapOutcome(cpe, BOOTSTRAP_ATTEMPTS) })));
    const first = await Promise.race([outcomes, ctx.stopped]);
    if (typeof first === 'string') {
      logger.warn('interrupted before every bootstrap was delivered', { signal: first });
      await fleet.close();
      return SIGNAL_EXIT[first] ?? 1;
    }
    const failed = first.filter((o) => !o.r.ok);
    await fleet.close();
    if (failed.length > 0) {
      const list = failed.slice(0, 10).map((o) => `${o.cpe.id} (${o.r.ok ? '' : o.r.error})`).join(', ');
      progress?.clear();
      ctx.stderr(
        `cpe-sim: ${failed.length} of ${fleet.cpes.length} CPE${fleet.cpes.length === 1 ? '' : 's'} could not deliver 0 BOOTSTRAP to ${redactUrl(fleet.acsUrl)} after ${BOOTSTRAP_ATTEMPTS} attempts: ${list}${failed.length > 10 ? ', …' : ''}. ` +
          'Check --acs-url, --acs-username/--acs-password and that the ACS is up.\n',
      );
      return 1;
    }
    logger.info('every CPE delivered 0 BOOTSTRAP; exiting (no --cr-bind-addr and no enabled periodic informs)', { cpes: fleet.cpes.length });
    return 0;
  } finally {
    await admin?.close();
    if (usr1) process.off('SIGUSR1', onUsr1);
    await fleet.close();
    progress?.clear();
    logger.info('summary', stats.summary(fleet.cpes.length));
  }
}

/** `--admin-addr`: `:PORT` means loopback here (unlike the CR listener): control of the fleet is not published by accident. */
async function startAdmin(fleet: Fleet, addr: string, token: string | undefined, logger: Logger): Promise<AdminServer> {
  const a = parseBindAddr(addr);
  const host = a.host === '' ? '127.0.0.1' : a.host;
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');
  const admin = await startAdminServer(fleet, { host, port: a.port, ...(token !== undefined ? { token } : {}), logger });
  logger.info('admin API ready', { url: admin.url, openapi: `${admin.url}/openapi.json`, metrics: `${admin.url}/metrics`, token: token !== undefined });
  if (!loopback && token === undefined) logger.warn('the admin API listens beyond loopback without --admin-token: anyone who reaches it can steer the fleet', { url: admin.url });
  return admin;
}
