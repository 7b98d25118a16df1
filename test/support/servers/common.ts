/**
 * What every real-server helper shares (STYLE.md "Real servers in tests"): finding the
 * binary, a free loopback port, a throwaway folder, a child process whose output is
 * kept and printed when the server fails, and an idempotent stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The first of `candidates` that exists and is executable, or undefined. */
export function findBinary(candidates: readonly string[]): string | undefined {
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return undefined;
}

/** The message a test skips with when a server is absent. */
export function missing(what: string, pkg: string): string {
  return `${what} is not installed: apt-get install -y ${pkg}`;
}

/** A free TCP (or UDP) port on 127.0.0.1, released before it is returned. */
export async function freePort(kind: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  if (kind === 'udp') {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind({ address: '127.0.0.1', port: 0 }, r));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A temporary folder, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `cpe-sim-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A started server process: its output so far, and a stop that waits for the exit. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** stdout + stderr of the process so far. */
  output(): string;
  /** True once the process exited. */
  readonly exited: boolean;
  stop(): Promise<void>;
}

export function startProcess(bin: string, args: readonly string[], cwd: string): ServerProcess {
  const child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited = false;
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (e) => {
      out += `\n[spawn error] ${e.message}`;
      exited = true;
      resolve();
    });
  });
  return {
    child,
    output: () => out,
    get exited() {
      return exited;
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        await done;
        clearTimeout(t);
      }
    },
  };
}

/** Retries `probe` every 50 ms until it resolves true, the process exits, or `timeoutMs` passes. */
export async function waitReady(what: string, proc: ServerProcess, probe: () => Promise<boolean>, timeoutMs = 15_000, log: () => string = proc.output): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exited) throw new Error(`${what} exited before it was ready. Its log:\n${log()}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs} ms. Its log:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The process output plus the tail of its log file (when written yet). */
export function logOf(proc: ServerProcess, logFile: string, lines = 200): () => string {
  return () => {
    let file = '';
    try {
      file = readFileSync(logFile, 'utf8');
    } catch {
      // not written yet
    }
    return `${proc.output()}\n${file.split('\n').slice(-lines).join('\n')}`;
  };
}

/** What every started server shares: its log, an idempotent stop that removes its folder, `await using`. */
export interface StartedServer extends AsyncDisposable {
  log(): string;
  stop(): Promise<void>;
}

/**
 * Waits until `probe` says the server is ready, then returns the started object (`fields`
 * plus log/stop/dispose); on failure stops it, removes its folder and throws with its log.
 */
export async function readyServer<T extends object>(what: string, proc: ServerProcess, tmp: { remove(): void }, log: () => string, probe: () => Promise<boolean>, fields: T, timeoutMs = 20_000): Promise<T & StartedServer> {
  try {
    await waitReady(what, proc, probe, timeoutMs, log);
  } catch (err) {
    await proc.stop();
    tmp.remove();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  const started: T & StartedServer = {
    ...fields,
    log,
    stop() {
      stopped ??= proc.stop().then(() => tmp.remove());
      return stopped;
    },
    [Symbol.asyncDispose]() {
      return started.stop();
    },
  };
  return started;
}
