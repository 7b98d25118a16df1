/**
 * The built binary, spawned as a user runs it: exit codes, signals, and that the
 * process ends on its own (no leaked handle keeps it alive). Needs a built dist/ (npm test
 * builds it first).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCurl } from '../support/curl.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(root, 'bin/cpe-sim');
const DIGEST = join(root, 'fixtures/profiles/tr181-digest.yaml');
const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-bin-'));

// The binary under test is the BUILT one; `npm test` builds before running the suite.
// Rebuilding here would race with the package and Jest tests that read dist/.
beforeAll(() => {
  if (!existsSync(join(root, 'dist/cli.mjs'))) throw new Error('dist/cli.mjs is missing: run `npm run build` (npm test does it first)');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Proc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}
function spawnBin(args: string[]): Proc {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CPE_SIM_')));
  const child = spawn(process.execPath, [BIN, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.on('data', (d: Buffer) => (p.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (p.stderr += d.toString()));
  return p;
}
async function waitFor(p: Proc, where: 'stdout' | 'stderr', re: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = p[where].match(re);
    if (m) return m;
    if (p.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${String(re)} on ${where}\nstdout:\n${p.stdout}\nstderr:\n${p.stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
function curl(args: string[]): Promise<string> {
  return new Promise((resolve) => execFile('curl', ['-sS', '--max-time', '5', ...args], (_e, out, err) => resolve(out + err)));
}

describe('bin/cpe-sim (built, spawned)', () => {
  it('--profile bad.yaml lists every problem and exits 2', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'deviceIdPaths:\n  manufacturer: Device.X\ncolour: blue\nconnectionRequest:\n  scheme: digets\n');
    const p = spawnBin(['--profile', bad]);
    expect(await p.exit, `stdout:\n${p.stdout}\nstderr:\n${p.stderr}`).toEqual({ code: 2, signal: null });
    expect(p.stderr).toMatch(/invalid profile .*bad\.yaml: \d+ problems/);
    expect(p.stderr).toContain('bad.yaml:3:1: colour');
    expect(p.stderr).toContain('digets');
    expect(p.stderr).not.toMatch(/\n\s+at /);
  });

  it('the README first command prints the bootstrap sessions and exits 0', async () => {
    const p = spawnBin(['--profile', 'fixtures/profiles/tr181-digest.yaml']);
    expect(await p.exit, `stdout:\n${p.stdout}\nstderr:\n${p.stderr}`).toEqual({ code: 0, signal: null });
    expect(p.stdout.match(/Inform \[0 BOOTSTRAP, 1 BOOT\]/g)).toHaveLength(3);
  });

  // V8 prints a line for each allocation site it judges at a young collection
  // (--trace-pretenuring-statistics), none once pretenuring is off. Loading the CLI,
  // before main() runs, judges a few sites of ~100–160 objects; a 1,000-CPE boot with
  // pretenuring on judges dozens of sites of 500 objects or more.
  it('turns off V8 allocation-site pretenuring for its own process, unless the node command line set it', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CPE_SIM_') && k !== 'NODE_OPTIONS'));
    const bigJudgements = (nodeFlags: string[]): Promise<number> =>
      new Promise((resolve, reject) =>
        execFile(process.execPath, [...nodeFlags, '--trace-pretenuring-statistics', BIN, '--profile', DIGEST, '--count', '1000'], { cwd: root, env, maxBuffer: 256 * 1024 * 1024 }, (err, stdout) => {
          if (err) return reject(err);
          const counts = [...stdout.matchAll(/pretenuring: AllocationSite\([^)]*\): \(created, found, ratio\) \((\d+),/g)].map((m) => Number(m[1]));
          resolve(counts.filter((n) => n >= 500).length);
        }),
      );
    expect(await bigJudgements([])).toBe(0);
    expect(await bigJudgements(['--allocation-site-pretenuring'])).toBeGreaterThan(0);
  }, 60_000);

  it('a reader that closes its end early (`cpe-sim … | head -1`) does not crash the run', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CPE_SIM_')));
    const child = spawn(process.execPath, [BIN, '--profile', 'fixtures/profiles/tr181-digest.yaml'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Like `head -1`: read the first chunk, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    expect(exit, stderr).toEqual({ code: 0, signal: null });
    expect(stderr).not.toMatch(/EPIPE|Unhandled 'error'/);
    expect(stderr).toContain('every CPE delivered 0 BOOTSTRAP');
  });

  it.skipIf(!hasCurl)('daemon mode: seed smoke test with curl --digest, then SIGTERM → exit 0', async () => {
    const p = spawnBin(['--profile', DIGEST, '--count', '1', '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', 'Device.ManagementServer.ConnectionRequestURL']);
    try {
      const [, port] = await waitFor(p, 'stderr', /connection request listener ready .*port=(\d+)/);
      await waitFor(p, 'stdout', /acs->cpe 204/);
      expect(await curl(['-i', '-u', 'cr-cpe-1:secret', '--digest', `http://127.0.0.1:${port}/cr`])).toContain('HTTP/1.1 200 OK');
      await waitFor(p, 'stdout', /Inform \[6 CONNECTION REQUEST\]/);
    } finally {
      p.child.kill('SIGTERM');
    }
    // The process ends by itself: nothing left open keeps it alive.
    expect(await p.exit, `stdout:\n${p.stdout}\nstderr:\n${p.stderr}`).toEqual({ code: 0, signal: null });
    expect(p.stderr).toContain('shutting down');
  });

  it('periodic-inform daemon: SIGINT → exit 0', async () => {
    const p = spawnBin(['--profile', 'fixtures/profiles/tr181-minimal', '--count', '2', '--time-scale', '0.01']);
    try {
      await waitFor(p, 'stderr', /daemon mode \(periodic informs enabled\)/);
      await waitFor(p, 'stdout', /acs->cpe 204/);
    } finally {
      p.child.kill('SIGINT');
    }
    expect(await p.exit, `stdout:\n${p.stdout}\nstderr:\n${p.stderr}`).toEqual({ code: 0, signal: null });
    expect(p.stderr).toContain('signal=SIGINT');
  });

  it('SIGUSR1 cuts the uplink of the faults.link band (profile-format §10) and the daemon keeps running', async () => {
    const prof = join(dir, 'link');
    mkdirSync(prof);
    for (const f of readdirSync(join(root, 'fixtures/profiles/tr181-minimal'))) copyFileSync(join(root, 'fixtures/profiles/tr181-minimal', f), join(prof, f));
    writeFileSync(
      join(prof, '90-link.yaml'),
      'parameters:\n  - {path: Device.IP.Interface.1.Status, value: Up}\nfaults:\n  link: {interface: Device.IP.Interface.1, duration: 3m, instances: "2"}\n',
    );
    const p = spawnBin(['--profile', prof, '--count', '3', '--time-scale', '0.01']);
    try {
      await waitFor(p, 'stderr', /daemon mode/);
      p.child.kill('SIGUSR1');
      await waitFor(p, 'stderr', /SIGUSR1: uplink cut .*cpes=1/);
      p.child.kill('SIGUSR1');
      // The second signal finds cpe-2 still down (3 min at 0.01 = 1.8 s): ignored.
      await waitFor(p, 'stderr', /SIGUSR1: uplink cut .*cpes=0/);
    } finally {
      p.child.kill('SIGTERM');
    }
    expect(await p.exit, `stdout:\n${p.stdout}\nstderr:\n${p.stderr}`).toEqual({ code: 0, signal: null });
  });

  // The CPEs' timers are unref'd (they must not keep a test process alive), so against an
  // external ACS nothing but the command itself keeps the process up: these two runs used
  // to end at once with exit 0, mid back-off and right after the bootstrap.
  it('one-shot against a closed --acs-url waits out the back-off: 3 attempts, exit 1', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const p = spawnBin(['--profile', DIGEST, '--count', '1', '--time-scale', '0.001', '--acs-url', `http://127.0.0.1:${port}/cwmp`]);
    expect(await p.exit, `stdout:\n${p.stdout}\nstderr:\n${p.stderr}`).toEqual({ code: 1, signal: null });
    expect(p.stdout.match(/cpe-1 session #\d+ \[0 BOOTSTRAP, 1 BOOT\] FAILED/g)).toHaveLength(3);
    expect(p.stderr).toContain(`could not deliver 0 BOOTSTRAP to http://127.0.0.1:${port}/cwmp after 3 attempts`);
  });

  it('periodic-inform daemon against an external ACS stays up until SIGINT', async () => {
    const acs = spawnBin(['acs', '--port', '0']);
    try {
      const [, url] = await waitFor(acs, 'stdout', /listening on (http:\/\/127\.0\.0\.1:\d+\/cwmp)/);
      const p = spawnBin(['--profile', 'fixtures/profiles/tr181-minimal', '--count', '1', '--time-scale', '0.001', '--acs-url', url!]);
      try {
        await waitFor(p, 'stderr', /daemon mode \(periodic informs enabled\)/);
        // Two periodic sessions after the bootstrap: the process outlived its bootstrap.
        await waitFor(p, 'stdout', /cpe-1 session #3 \[2 PERIODIC\] ok/);
      } finally {
        p.child.kill('SIGINT');
      }
      expect(await p.exit, `stdout:\n${p.stdout}\nstderr:\n${p.stderr}`).toEqual({ code: 0, signal: null });
      expect(p.stderr).toContain('signal=SIGINT');
    } finally {
      acs.child.kill('SIGINT');
      await acs.exit;
    }
  });

  it('a bind address in use: exit 2', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const port = (busy.address() as { port: number }).port;
      const p = spawnBin(['--profile', DIGEST, '--cr-bind-addr', `127.0.0.1:${port}`, '--cr-publish-path', 'Device.ManagementServer.ConnectionRequestURL']);
      expect(await p.exit, `stdout:\n${p.stdout}\nstderr:\n${p.stderr}`).toEqual({ code: 2, signal: null });
      expect(p.stderr).toContain('address already in use');
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });
});
