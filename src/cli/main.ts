/**
 * `bin/cpe-sim`: `main(argv)` → exit code. Tests call `main()` in-process with
 * injected stdout/stderr/env and a stop signal; the launcher calls it with
 * `process.argv.slice(2)` only, which selects the real process streams and signals.
 * @module
 */
import { ConfigError } from '../errors/index.js';
import { disableAllocationSitePretenuring } from '../fleet/index.js';
import pkg from '../../package.json' with { type: 'json' };
import { parseAcsArgs, runAcs } from './acs.js';
import { acsHelp, simHelp } from './help.js';
import { parseSimArgs } from './options.js';
import { exitCodeOf, formatError } from './errors.js';
import { runSim, type RunContext } from './run.js';
import { runWorkers } from './workers.js';

/** Something text can be written to (process.stdout, a test buffer). */
export interface CliOutput {
  write(chunk: string): unknown;
  /** A terminal (as `process.stderr.isTTY`): the simulator then draws a progress line on stderr. */
  isTTY?: boolean;
}

/** Injectable process surroundings of {@link main}. */
export interface CliIo {
  stdout?: CliOutput;
  stderr?: CliOutput;
  /** Environment (for `CPE_SIM_*`); default process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Base of relative paths given by flags/env; default process.cwd(). */
  cwd?: string;
  /**
   * Stops a daemon (like SIGTERM) when aborted. Without it, main() listens for
   * SIGINT/SIGTERM on the process.
   */
  signal?: AbortSignal;
}

export { exitCodeOf, formatError } from './errors.js';

/**
 * The module a worker thread loads: this very file, which in the package is the built
 * `dist/cli.mjs` (it bundles src/cli/workers.ts, whose bottom starts the worker side).
 */
function workerModuleUrl(): URL {
  const url = new URL(import.meta.url);
  if (/\.[cm]?ts$/.test(url.pathname)) {
    throw new ConfigError('--workers needs the built CLI (bin/cpe-sim, dist/cli.mjs): Node cannot start a worker thread on TypeScript source; run `npm run build` first');
  }
  return url;
}

function wantsDebug(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  const i = argv.findIndex((a) => a === '--log-level' || a.startsWith('--log-level='));
  if (i >= 0) return argv[i] === '--log-level' ? argv[i + 1] === 'debug' : argv[i] === '--log-level=debug';
  return env.CPE_SIM_LOG_LEVEL === 'debug';
}

/**
 * A process stream whose reader may go away (`cpe-sim … | head`). Output is only a
 * view of the simulation: after EPIPE we stop writing instead of crashing on an
 * unhandled 'error' event, and the fleet finishes (or keeps serving) as it would.
 */
function pipeSafe(stream: NodeJS.WriteStream): CliOutput {
  let broken = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') broken = true;
    else throw e;
  });
  return { write: (chunk: string) => (broken ? false : stream.write(chunk)), isTTY: stream.isTTY };
}

function makeContext(io: CliIo | undefined): { ctx: RunContext; dispose: () => void } {
  const out = io?.stdout ?? pipeSafe(process.stdout);
  const err = io?.stderr ?? pipeSafe(process.stderr);
  let reason: string | undefined;
  let resolveStop!: (sig: string) => void;
  const stopped = new Promise<string>((r) => (resolveStop = r));
  const stop = (sig: string): void => {
    reason ??= sig;
    resolveStop(sig);
  };
  const cleanups: Array<() => void> = [];
  if (io?.signal) {
    const onAbort = (): void => stop('abort');
    if (io.signal.aborted) onAbort();
    else {
      io.signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => io.signal?.removeEventListener('abort', onAbort));
    }
  } else {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const h = (): void => {
        if (reason !== undefined) {
          // A second signal while shutting down: the user insists; do not hang.
          err.write(`cpe-sim: ${sig} again during shutdown; exiting now\n`);
          process.exit(1);
        }
        stop(sig);
      };
      process.on(sig, h);
      cleanups.push(() => process.off(sig, h));
    }
  }
  return {
    ctx: { stdout: (t) => void out.write(t), stderr: (t) => void err.write(t), stopped, stopReason: () => reason, stderrIsTTY: err.isTTY === true },
    dispose: () => cleanups.forEach((c) => c()),
  };
}

/**
 * Runs the `cpe-sim` command line and resolves with its exit code: 0 ok, 1 a
 * bootstrap could not be delivered (or an unexpected error), 2 bad input.
 * @example
 * const code = await main(['--profile', 'tr181-digest']);
 */
export async function main(argv: readonly string[], io?: CliIo): Promise<number> {
  // The process is ours only when the launcher runs us (no io injected): a test calling
  // main() keeps its own V8 settings.
  if (!io) disableAllocationSitePretenuring();
  const env = io?.env ?? process.env;
  const debug = wantsDebug(argv, env);
  const { ctx, dispose } = makeContext(io);
  const version = (pkg as { version: string }).version;
  try {
    if (argv[0] === 'acs') {
      const cmd = parseAcsArgs(argv.slice(1));
      if (cmd.kind === 'help') {
        ctx.stdout(acsHelp(version));
        return 0;
      }
      return await runAcs(cmd.settings, ctx);
    }
    const cmd = parseSimArgs(argv, env, io?.cwd ?? process.cwd());
    if (cmd.kind === 'help') {
      ctx.stdout(simHelp(version));
      return 0;
    }
    if (cmd.kind === 'version') {
      ctx.stdout(`${version}\n`);
      return 0;
    }
    if (cmd.settings.workers > 1) return await runWorkers(cmd.settings, ctx, workerModuleUrl());
    return await runSim(cmd.settings, ctx, { signals: io?.signal === undefined });
  } catch (err) {
    ctx.stderr(formatError(err, debug, argv[0] === 'acs' ? 'acs' : undefined));
    return exitCodeOf(err);
  } finally {
    dispose();
  }
}
