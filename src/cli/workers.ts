/**
 * `--workers N`: one fleet spread over N worker threads (`node:worker_threads`).
 *
 * Design (docs/performance.md "Past one process"): ONE CR PORT PER WORKER. Worker k
 * simulates the nested shard `i·W + k` of `n·W` (slice i of n, as given by `--shard`,
 * or 0 of 1), which is exactly its part of slice i: `floor(i·W·N/(n·W)) = floor(i·N/n)`.
 * Each worker runs its own `startFleet` with its own Connection Request listener, so a
 * CR never crosses threads: the seed reads credentials per request from the CPE's
 * tree, which lives in the worker. A fixed `--cr-bind-addr host:P` gives worker k the
 * port P + k; port 0 lets the OS pick one per worker (each is logged).
 *
 * The main thread parses the settings, starts the embedded fake ACS when no
 * `--acs-url` is given (so every worker informs the same ACS and its lines print in
 * one stream), relays the workers' stdout/stderr lines, and on SIGINT/SIGTERM asks
 * every worker to close its fleet, then exits with their code.
 *
 * The worker thread loads this same module (the built `dist/cli.mjs`): the check at
 * the bottom starts {@link workerMain} when the thread was created by {@link runWorkers}.
 * @module
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createFakeAcs, formatAcsLine, type FakeAcs } from '../acs/index.js';
import { ConfigError } from '../errors/index.js';
import { embeddedAcsFor } from '../fleet/index.js';
import { createLogger } from '../log/index.js';
import { loadProfile } from '../profile/index.js';
import { rootSeed } from '../random/index.js';
import { exitCodeOf, formatError } from './errors.js';
import type { SimSettings } from './options.js';
import { runSim, warnUnsimulated, type RunContext } from './run.js';

const WORKER_KIND = 'cpe-sim-worker';

/** What the main thread hands a worker. */
interface WorkerInit {
  kind: typeof WORKER_KIND;
  /** 0-based worker number. */
  k: number;
  settings: SimSettings;
  /** The embedded ACS runs in the main thread: workers print no per-session lines. */
  sessionLines: boolean;
}

/** Worker → main. */
type FromWorker =
  | { t: 'out'; text: string }
  | { t: 'err'; text: string }
  | { t: 'aliases'; pairs: Array<[string, string]> }
  | { t: 'done'; code: number };

/** Main → worker. */
type ToWorker = { t: 'stop'; signal: string };

/** `host:port`, `[v6]:port`, `:port` with the port moved by `k` (port 0 stays 0: the OS picks). */
export function workerBindAddr(bindAddr: string, k: number, flag = '--cr-bind-addr'): string {
  const m = /^(.*):(\d+)$/.exec(bindAddr);
  if (!m) throw new ConfigError(`${flag} ${JSON.stringify(bindAddr)}: expected HOST:PORT`);
  const port = Number(m[2]);
  if (port === 0) return bindAddr;
  const moved = port + k;
  if (moved > 65535) throw new ConfigError(`${flag} ${bindAddr} with --workers: worker ${k} would listen on port ${moved} > 65535; choose a base port at most ${65535 - k}`);
  return `${m[1]}:${moved}`;
}

/** The shard worker `k` of `workers` simulates: slice i·W+k of n·W. */
export function workerShard(shard: SimSettings['shard'], workers: number, k: number): { index: number; total: number } {
  const i = shard?.index ?? 0;
  const n = shard?.total ?? 1;
  return { index: i * workers + k, total: n * workers };
}

/** Runs the simulator on `s.workers` worker threads; returns the exit code. */
export async function runWorkers(s: SimSettings, ctx: RunContext, moduleUrl: URL): Promise<number> {
  const workers = s.workers;
  const logger = createLogger({ level: s.logLevel, format: s.logFormat, write: (line) => ctx.stderr(line + '\n') });
  // Every worker needs at least one CPE: say so before any thread or socket exists.
  const profile = await loadProfile(s.profile, { maxProfileBytes: s.maxProfileBytes, maxValueBytes: s.maxValueBytes });
  warnUnsimulated(profile, logger);
  const total = s.count ?? Math.max(1, profile.fleet.count);
  const i = s.shard?.index ?? 0;
  const n = s.shard?.total ?? 1;
  const here = Math.floor(((i + 1) * total) / n) - Math.floor((i * total) / n);
  if (workers > here) {
    throw new ConfigError(`--workers ${workers} is more than the ${here} CPE${here === 1 ? '' : 's'} this process simulates${s.shard ? ` (shard ${i}/${n} of ${total})` : ''}: every worker needs at least one CPE; use --workers ${here} or fewer`);
  }
  const binds = s.crBindAddr !== undefined ? Array.from({ length: workers }, (_, k) => workerBindAddr(s.crBindAddr!, k)) : [];
  const udpBinds = s.udpCrBindAddr !== undefined ? Array.from({ length: workers }, (_, k) => workerBindAddr(s.udpCrBindAddr!, k, '--udp-cr-bind-addr')) : [];

  let acs: FakeAcs | undefined;
  let acsUrl = s.acsUrl;
  // --usp-broker/--usp-websocket without --acs-url: USP-only workers, no ACS to start.
  const uspOnly = acsUrl === undefined && (s.uspBroker !== undefined || s.uspWebsocket !== undefined);
  if (acsUrl === undefined && !uspOnly) {
    acs = await createFakeAcs({
      host: '127.0.0.1',
      port: 0,
      logger: logger.child({ component: 'acs' }),
      // The same record limit as a fleet's own embedded ACS (fewer records above 1,000 CPEs).
      ...embeddedAcsFor(here, {
        onMessage: (line) => ctx.stdout(formatAcsLine(line) + '\n'),
        // As without workers: ACS credentials without an ACS URL make the embedded ACS demand them.
        ...(s.acsUsername !== undefined ? { auth: { scheme: 'digest' as const, username: s.acsUsername, password: s.acsPassword ?? '' } } : {}),
      }),
    });
    acsUrl = acs.url;
    logger.info('embedded fake ACS started (no --acs-url given)', { url: acsUrl });
  }
  // One root seed for every worker (each would otherwise choose its own): the run replays as a whole.
  const seed = s.seed ?? rootSeed();
  logger.info('starting worker threads', { workers, cpes: here, root_seed: String(seed) });

  const threads: Worker[] = [];
  const codes: number[] = [];
  const finished: Array<Promise<void>> = [];
  let failed = false;
  const stopAll = (signal: string): void => {
    for (const w of threads) w.postMessage({ t: 'stop', signal } satisfies ToWorker);
  };
  try {
    for (let k = 0; k < workers; k++) {
      const settings: SimSettings = { ...s, workers: 1, ...(acsUrl !== undefined ? { acsUrl } : {}), seed, shard: workerShard(s.shard, workers, k) };
      const bind = binds[k];
      if (bind !== undefined) settings.crBindAddr = bind;
      const udpBind = udpBinds[k];
      if (udpBind !== undefined) settings.udpCrBindAddr = udpBind;
      const init: WorkerInit = { kind: WORKER_KIND, k, settings, sessionLines: acs === undefined };
      const w = new Worker(moduleUrl, { workerData: init });
      threads.push(w);
      finished.push(
        new Promise<void>((resolve) => {
          let code: number | undefined;
          w.on('message', (m: FromWorker) => {
            if (m.t === 'out') ctx.stdout(m.text);
            else if (m.t === 'err') ctx.stderr(m.text);
            else if (m.t === 'aliases') for (const [id, serial] of m.pairs) acs?.alias(id, serial);
            else code = m.code;
          });
          w.on('error', (err) => {
            ctx.stderr(`cpe-sim: worker ${k} failed: ${err instanceof Error ? err.message : String(err)}\n`);
            code ??= 1;
          });
          w.on('exit', (exitCode) => {
            const c = code ?? (exitCode === 0 ? 1 : exitCode);
            if (code === undefined) ctx.stderr(`cpe-sim: worker ${k} exited (code ${exitCode}) without finishing its run\n`);
            codes[k] = c;
            if (c !== 0 && !failed && ctx.stopReason() === undefined) {
              // One worker failing fails the run: the others stop cleanly instead of running on half a fleet.
              failed = true;
              stopAll('worker-failed');
            }
            resolve();
          });
        }),
      );
    }
    const all = Promise.all(finished);
    const first = await Promise.race([all.then(() => undefined), ctx.stopped]);
    if (typeof first === 'string') {
      logger.info('stopping worker threads', { signal: first });
      stopAll(first);
    }
    await all;
  } finally {
    await acs?.close().catch(() => undefined);
  }
  return codes.find((c) => c !== 0) ?? 0;
}

/** The worker thread's side: runSim on its shard, lines and the exit code posted to the main thread. */
async function workerMain(init: WorkerInit): Promise<void> {
  const port = parentPort!;
  const send = (m: FromWorker): void => port.postMessage(m);
  let reason: string | undefined;
  let resolveStop!: (sig: string) => void;
  const stopped = new Promise<string>((r) => (resolveStop = r));
  port.on('message', (m: ToWorker) => {
    if (m.t !== 'stop') return;
    reason ??= m.signal;
    resolveStop(m.signal);
  });
  const ctx: RunContext = {
    stdout: (text) => send({ t: 'out', text }),
    stderr: (text) => send({ t: 'err', text }),
    stopped,
    stopReason: () => reason,
  };
  let code: number;
  try {
    code = await runSim(init.settings, ctx, {
      sessionLines: init.sessionLines,
      logFields: { worker: init.k },
      onFleet: (fleet) => send({ t: 'aliases', pairs: fleet.cpes.map((c) => [c.id, c.serialNumber]) }),
    });
  } catch (err) {
    ctx.stderr(formatError(err, init.settings.logLevel === 'debug').replace(/^cpe-sim: /, `cpe-sim: worker ${init.k}: `));
    code = exitCodeOf(err);
  }
  send({ t: 'done', code });
  port.close();
}

if (!isMainThread && (workerData as { kind?: unknown } | null)?.kind === WORKER_KIND) {
  void workerMain(workerData as WorkerInit);
}
