/**
 * Issue 18 §6: what the simulator command shows. CR outcomes at info, one line per
 * session (not one on stdout and another on stderr), a final summary with failures by
 * reason, a progress line on a terminal, "did you mean" for flags, env vars and config
 * keys (derived from the option table, so new flags are covered), one error for a
 * flag without its value, YAML syntax errors at the line of the mistake.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionRequest, createFakeAcs } from '../../src/acs/index.js';
import { main } from '../../src/cli/main.js';
import { OPTIONS, configKeyOf, envKeyOf, parseSimArgs } from '../../src/cli/options.js';
import { ConfigError } from '../../src/errors/index.js';
import { parseProfile } from '../../src/profile/index.js';
import { run, start } from './io.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DIGEST = `${root}fixtures/profiles/tr181-digest.yaml`;
const PUBLISH = 'Device.ManagementServer.ConnectionRequestURL';
const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-observe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('CLI observability', () => {
  it('logs every Connection Request outcome at info: 200 accepted, 401 with its cause, 404', async () => {
    const sim = start(['--profile', DIGEST, '--cr-bind-addr', '127.0.0.1:0', '--cr-publish-path', PUBLISH, '--log-format', 'json']);
    try {
      const [, port] = await sim.waitFor(/"msg":"connection request listener ready".*?"port":(\d+)/, 'stderr');
      await sim.waitFor(/DIG-003 acs->cpe 204/);
      const base = `http://127.0.0.1:${port}/cr`;
      expect((await connectionRequest(`${base}/cpe-2`, { username: 'cr-cpe-2', password: 'secret', timeoutMs: 5000 })).status).toBe(200);
      expect((await connectionRequest(`${base}/cpe-1`, { username: 'cr-cpe-1', password: 'wrong', timeoutMs: 5000 })).status).toBe(401);
      expect((await fetch(`${base}/cpe-9`)).status).toBe(404);
      await sim.waitFor(/"msg":"connection request"[^\n]*"status":404/, 'stderr');
    } finally {
      sim.stop();
    }
    expect(await sim.done).toBe(0);
    const cr = sim.stderr.split('\n').filter((l) => l.includes('"msg":"connection request"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(cr.every((l) => l.level === 'info')).toBe(true);
    expect(cr).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ cpe_id: 'cpe-2', status: 200, reason: 'accepted' }),
        expect.objectContaining({ cpe_id: 'cpe-1', status: 401, reason: 'unauthorized', detail: expect.any(String) as unknown }),
        expect.objectContaining({ status: 404, reason: 'not-found' }),
      ]),
    );
  });

  it('with an external ACS each session is printed once (stdout), and a summary ends the run', async () => {
    await using acs = await createFakeAcs();
    const r = await run(['--profile', DIGEST, '--acs-url', acs.url]);
    expect(r.code).toBe(0);
    expect(r.stdout.match(/ session #1 \[0 BOOTSTRAP, 1 BOOT\] ok/g)).toHaveLength(3);
    expect(r.stderr).not.toMatch(/session done|session failed/);
    expect(r.stderr).toMatch(/INFO {2}summary cpes=3 sessions=3 ok=3 failed=0 failures=none duration_s=[\d.]+/);
  });

  it('the summary groups failed sessions by reason', async () => {
    const broken = createServer((req, res) => req.resume().on('end', () => res.writeHead(500).end('db down')));
    await new Promise<void>((r) => broken.listen(0, '127.0.0.1', r));
    try {
      const port = (broken.address() as { port: number }).port;
      const r = await run(['--profile', DIGEST, '--count', '2', '--acs-url', `http://127.0.0.1:${port}/acs`, '--time-scale', '0.001', '--log-format', 'json']);
      expect(r.code).toBe(1);
      const summary = r.stderr.split('\n').filter((l) => l.includes('"msg":"summary"')).map((l) => JSON.parse(l) as Record<string, unknown>);
      // Each CPE gives up after its attempts; at a compressed clock one more retry may
      // already have started when the run ends, so count what ran rather than pin it.
      expect(summary).toHaveLength(1);
      const s = summary[0]!;
      expect(s).toEqual(expect.objectContaining({ cpes: 2, ok: 0 }));
      expect(s.sessions).toBeGreaterThanOrEqual(6);
      expect(s.failed).toBe(s.sessions);
      expect(s.failures).toBe(`HTTP 500 from the ACS ×${String(s.sessions)}`);
    } finally {
      await new Promise((r) => broken.close(r));
    }
  });

  it('draws a progress line on a terminal, and erases it at the end', async () => {
    let err = '';
    const code = await main(['--profile', DIGEST], { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s), isTTY: true }, env: {} });
    expect(code).toBe(0);
    expect(err).toMatch(/\r\u001b\[Kcpe-sim: 3 CPEs, \d+ sessions, \d+ ok, 0 failed, [\d.]+ s/);
    // Log lines erase the progress line before they are written (and redraw it below)…
    expect(err).toMatch(/\r\u001b\[K\S+ INFO {2}session done cpe_id=cpe-\d[^\n]*\ncpe-sim: 3 CPEs/);
    // …and the end erases it for good: the summary is the last thing on stderr.
    expect(err).toMatch(/\r\u001b\[K\S+ INFO {2}summary cpes=3[^\n]*\n$/);
  });
});

describe('CLI input errors', () => {
  it('"did you mean" for every flag of the option table, env var and config key', () => {
    for (const o of OPTIONS) {
      // A typo: the last two letters swapped.
      const typo = `--${o.flag.slice(0, -2)}${o.flag.at(-1)}${o.flag.at(-2)}`;
      expect(configError(() => parseSimArgs([typo, 'x'], {})).message, typo).toContain(`(did you mean --${o.flag}?)`);
    }
    const env = configError(() => parseSimArgs(['--profile', 'p.yaml'], { CPE_SIM_ACS_ULR: 'http://x' })).message;
    expect(env).toContain(`CPE_SIM_ACS_ULR (did you mean ${envKeyOf('acs-url')}?)`);
    const f = join(dir, 'typo.yaml');
    writeFileSync(f, 'profile: p.yaml\nacsUlr: http://127.0.0.1/cwmp\n');
    expect(configError(() => parseSimArgs(['--config', f], {})).message).toContain(`"acsUlr" (did you mean ${configKeyOf('acs-url')}?)`);
  });

  it('one error for a flag without its value, wherever it is missing', () => {
    const expected = 'flag --acs-url needs a value: --acs-url URL or --acs-url=URL';
    expect(configError(() => parseSimArgs(['--profile', 'p.yaml', '--acs-url'], {})).message).toBe(expected);
    expect(configError(() => parseSimArgs(['--acs-url', '--profile', 'p.yaml'], {})).message).toBe(expected);
    expect(configError(() => parseSimArgs(['--profile', 'p.yaml', '--acs-url='], {})).message).toBe(expected);
  });

  it('a missing } is reported on the line where it is missing, not the next one', () => {
    // Line 8 lacks its closing }.
    const lines = [
      'deviceIdPaths: {manufacturer: A.M, oui: A.O, productClass: A.P, serialNumber: A.S}',
      'fleet: {count: 1}',
      'parameters:',
      '  - {path: A.M, value: x}',
      '  - {path: A.O, value: y}',
      '  - {path: A.P, value: z}',
      '  - {path: A.S, value: w}',
      '  - {path: A.V, value: "1.0"',
      '  - {path: A.W, value: u}',
      '',
    ];
    const err = (() => {
      try {
        parseProfile(lines.join('\n'), 'p.yaml');
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a ProfileError');
    })();
    expect(err.message).toMatch(/p\.yaml:8:\d+: \(yaml\): YAML syntax error/);
    expect(err.message).toContain('the { opened at line 8, column 5 is not closed');
    expect(err.message).not.toMatch(/p\.yaml:9:/);
    // The same in a --config file.
    const f = join(dir, 'flow.yaml');
    writeFileSync(f, 'profile: p.yaml\nlogLevel: {a: 1\ncount: 3\n');
    expect(configError(() => parseSimArgs(['--config', f], {})).message).toMatch(/flow\.yaml:2:\d+ is not valid YAML/);
  });
});
