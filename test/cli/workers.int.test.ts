/**
 * `--workers N` on the BUILT binary (a worker thread cannot load TypeScript source):
 * every CPE of the fleet boots exactly once across the workers with its global id and
 * serial, each worker owns its own CR port, CRs reach CPEs of both workers, and
 * SIGTERM / a failing worker end the run cleanly. Needs dist/ (npm test builds it first).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCurl } from '../support/curl.js';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(root, 'bin/cpe-sim');
const DIGEST = join(root, 'fixtures/profiles/tr181-digest.yaml');
const PUBLISH = ['--cr-publish-path', 'Device.ManagementServer.ConnectionRequestURL'];

beforeAll(() => {
  if (!existsSync(join(root, 'dist/cli.mjs'))) throw new Error('dist/cli.mjs is missing: run `npm run build` (npm test does it first)');
});

interface Proc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
function spawnBin(args: string[]): Proc {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CPE_SIM_')));
  const child = spawn(process.execPath, [BIN, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { child, stdout: '', stderr: '', exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))) };
  child.stdout!.on('data', (d: Buffer) => (p.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (p.stderr += d.toString()));
  return p;
}
async function waitFor(p: Proc, where: 'stdout' | 'stderr', test: (text: string) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test(p[where])) {
    if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${what} on ${where}\nstdout:\n${p.stdout}\nstderr:\n${p.stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
function curl(args: string[]): Promise<string> {
  return new Promise((resolve) => execFile('curl', ['-sS', '--max-time', '5', ...args], (_e, out, err) => resolve(out + err)));
}
const bootstrapSerials = (out: string): string[] => [...out.matchAll(/cpe->acs\s+Inform \[0 BOOTSTRAP, 1 BOOT\] SN=(\S+)/g)].map((m) => m[1]!);

describe('cpe-sim --workers (built binary)', () => {
  it('one-shot: 5 CPEs over 2 workers each deliver 0 BOOTSTRAP exactly once, global serials, exit 0', async () => {
    const p = spawnBin(['--profile', DIGEST, '--count', '5', '--workers', '2']);
    expect(await p.exit, `stdout:\n${p.stdout}\nstderr:\n${p.stderr}`).toEqual({ code: 0, signal: null });
    expect(bootstrapSerials(p.stdout).sort()).toEqual(['DIG-001', 'DIG-002', 'DIG-003', 'DIG-004', 'DIG-005']);
    // Worker 0 holds cpe-1..cpe-2 (shard 0/2 of 5), worker 1 cpe-3..cpe-5: global ids kept.
    expect(p.stderr).toMatch(/fleet starting worker=0 cpes=2 first=cpe-1 last=cpe-2/);
    expect(p.stderr).toMatch(/fleet starting worker=1 cpes=3 first=cpe-3 last=cpe-5/);
  });

  it.skipIf(!hasCurl)('daemon: one CR port per worker, CRs to CPEs of both workers, SIGTERM → every worker closed, exit 0', async () => {
    const p = spawnBin(['--profile', DIGEST, '--count', '4', '--workers', '2', '--cr-bind-addr', '127.0.0.1:0', ...PUBLISH]);
    try {
      const ready = (w: number): RegExp => new RegExp(`connection request listener ready worker=${w} .*port=(\\d+)`);
      await waitFor(p, 'stderr', (t) => ready(0).test(t) && ready(1).test(t), 'two listeners');
      const port0 = p.stderr.match(ready(0))![1]!;
      const port1 = p.stderr.match(ready(1))![1]!;
      expect(port0).not.toBe(port1);
      await waitFor(p, 'stdout', (t) => bootstrapSerials(t).length === 4 && (t.match(/acs->cpe 204/g) ?? []).length >= 4, 'four bootstrap sessions');
      // cpe-4 lives in worker 1: worker 0's listener does not know it.
      expect(await curl(['-i', '-u', 'cr-cpe-4:secret', '--digest', `http://127.0.0.1:${port0}/cr/cpe-4`])).toContain('HTTP/1.1 404');
      expect(await curl(['-i', '-u', 'cr-cpe-1:secret', '--digest', `http://127.0.0.1:${port0}/cr/cpe-1`])).toContain('HTTP/1.1 200 OK');
      expect(await curl(['-i', '-u', 'cr-cpe-4:secret', '--digest', `http://127.0.0.1:${port1}/cr/cpe-4`])).toContain('HTTP/1.1 200 OK');
      const crInforms = (t: string): string[] => [...t.matchAll(/cpe->acs\s+Inform \[6 CONNECTION REQUEST\] SN=(\S+)/g)].map((m) => m[1]!).sort();
      await waitFor(p, 'stdout', (t) => crInforms(t).length === 2, 'two CR Informs');
      expect(crInforms(p.stdout)).toEqual(['DIG-001', 'DIG-004']);
      expect(bootstrapSerials(p.stdout).sort()).toEqual(['DIG-001', 'DIG-002', 'DIG-003', 'DIG-004']);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exit, `stdout:\n${p.stdout}\nstderr:\n${p.stderr}`).toEqual({ code: 0, signal: null });
    expect(p.stderr).toMatch(/shutting down.* worker=0 /);
    expect(p.stderr).toMatch(/shutting down.* worker=1 /);
  });

  it('a worker that fails (its CR port is taken) fails the run with a clear message; the other is stopped', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const port = (busy.address() as { port: number }).port;
      // Worker 0 gets the busy base port; worker 1 gets port + 1.
      const p = spawnBin(['--profile', DIGEST, '--count', '4', '--workers', '2', '--cr-bind-addr', `127.0.0.1:${port}`, ...PUBLISH]);
      expect(await p.exit, `stdout:\n${p.stdout}\nstderr:\n${p.stderr}`).toEqual({ code: 2, signal: null });
      expect(p.stderr).toMatch(/cpe-sim: worker 0: .*address already in use/);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('more workers than CPEs: exit 2 before starting anything', async () => {
    const p = spawnBin(['--profile', DIGEST, '--count', '2', '--workers', '3']);
    expect(await p.exit).toEqual({ code: 2, signal: null });
    expect(p.stderr).toContain('--workers 3 is more than the 2 CPEs this process simulates');
    expect(p.stdout).toBe('');
  });
});
