/** Test helpers: run main() in-process with captured output. */
import { main } from '../../src/cli/main.js';

export interface Captured {
  stdout: string;
  stderr: string;
}

export interface Running extends Captured {
  /** Resolves with the exit code. */
  readonly done: Promise<number>;
  /** Stops a daemon (like SIGTERM). */
  stop(): void;
  /** Waits until `re` matches stdout or stderr; returns the match. */
  waitFor(re: RegExp, where?: 'stdout' | 'stderr', timeoutMs?: number): Promise<RegExpMatchArray>;
}

/** Starts main() without awaiting it. */
export function start(argv: string[], env: Record<string, string> = {}, cwd?: string): Running {
  const ac = new AbortController();
  const out: Captured = { stdout: '', stderr: '' };
  const done = main(argv, {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
    env,
    signal: ac.signal,
    ...(cwd !== undefined ? { cwd } : {}),
  });
  let exited = false;
  void done.then(() => (exited = true));
  return {
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
    done,
    stop: () => ac.abort(),
    async waitFor(re, where = 'stdout', timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = out[where].match(re);
        if (m) return m;
        if (exited) throw new Error(`main() exited before ${String(re)} appeared on ${where}.\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(re)} on ${where}.\nstdout:\n${out.stdout}\nstderr:\n${out.stderr}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

/** Runs main() to completion. */
export async function run(argv: string[], env: Record<string, string> = {}, cwd?: string): Promise<Captured & { code: number }> {
  const r = start(argv, env, cwd);
  const code = await r.done;
  return { code, stdout: r.stdout, stderr: r.stderr };
}
