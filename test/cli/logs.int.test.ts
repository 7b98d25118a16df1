/**
 * Issue 2 §4: "Logs carry cpe_id on every per-CPE line; text by default, JSON on request;
 * passwords never logged." The CLI is run at --log-level debug (the most verbose level)
 * with every secret it knows: an ACS password, CR passwords (right, wrong, over Basic
 * and Digest). Every line of both streams is scanned.
 */
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectionRequest } from '../../src/acs/index.js';
import { run, start } from './io.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DIGEST = `${root}fixtures/profiles/tr181-digest.yaml`;
const PUBLISH = 'Device.ManagementServer.ConnectionRequestURL';
const ACS_PW = 'acs-PW-9q7x';
const CR_PW = 'secret'; // the fixture's ConnectionRequestPassword
const WRONG_PW = 'wrong-PW-3k1z';

/** Every form a password could leak in: clear, Basic (base64 of user:pass), URL-encoded. */
function leaks(text: string): string[] {
  const forms = [ACS_PW, WRONG_PW, `:${CR_PW}`, `"${CR_PW}"`, `=${CR_PW}`];
  for (const [u, p] of [['cr-cpe-1', CR_PW], ['cr-cpe-1', WRONG_PW], ['acs-user', ACS_PW]] as const) forms.push(Buffer.from(`${u}:${p}`).toString('base64'));
  return forms.filter((f) => text.includes(f));
}

type Line = Record<string, unknown>;

/**
 * A log line concerns one CPE when its fields or message name exactly one CPE (by id or by
 * serial of the fleet). Fleet-wide lines ("fleet starting first=cpe-1 last=cpe-3") name several.
 */
function concernsCpe(l: Line): boolean {
  const text = JSON.stringify({ ...l, time: undefined });
  const named = new Set([...text.matchAll(/cpe-(\d+)|DIG-(\d{3})/g)].map((m) => Number(m[1] ?? m[2])));
  return named.size === 1;
}

async function closedPort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function daemonRun(): Promise<{ stdout: string; stderr: string; lines: Line[] }> {
  const sim = start([
    '--profile', DIGEST,
    '--log-level', 'debug',
    '--log-format', 'json',
    '--acs-username', 'acs-user',
    '--acs-password', ACS_PW,
    '--cr-bind-addr', '127.0.0.1:0',
    '--cr-publish-path', PUBLISH,
  ]);
  try {
    const [, port] = await sim.waitFor(/"msg":"connection request listener ready".*?"port":(\d+)/, 'stderr');
    await sim.waitFor(/"msg":"session done","cpe_id":"cpe-3"|"cpe_id":"cpe-3".*"msg":"session done"|session done[^\n]*cpe-3/, 'stderr');
    const base = `http://127.0.0.1:${port}/cr`;
    // Right credentials over Digest, wrong ones over Digest, and Basic (refused: the profile says digest).
    expect((await connectionRequest(`${base}/cpe-2`, { username: 'cr-cpe-2', password: CR_PW, timeoutMs: 5000 })).status).toBe(200);
    expect((await connectionRequest(`${base}/cpe-1`, { username: 'cr-cpe-1', password: WRONG_PW, timeoutMs: 5000 })).status).toBe(401);
    const basic = await fetch(`${base}/cpe-1`, { headers: { authorization: `Basic ${Buffer.from(`cr-cpe-1:${CR_PW}`).toString('base64')}` } });
    await basic.arrayBuffer();
    expect(basic.status).toBe(401);
    await sim.waitFor(/Inform \[6 CONNECTION REQUEST\]/);
    await sim.waitFor(/"session":2[^\n]*"msg":"session done"|"msg":"session done"[^\n]*"session":2/, 'stderr');
  } finally {
    sim.stop();
  }
  expect(await sim.done).toBe(0);
  const lines = sim.stderr.trim().split('\n').map((l) => JSON.parse(l) as Line);
  return { stdout: sim.stdout, stderr: sim.stderr, lines };
}

describe('CLI logs at --log-level debug', () => {
  it('never contain a password (ACS, CR right and wrong, Basic or Digest), on stdout or stderr', async () => {
    const r = await daemonRun();
    // The run did exercise the secrets: the CR was accepted, refused, and the ACS challenged.
    expect(r.stderr).toContain('"reason":"accepted"');
    expect(r.stderr).toContain('"detail":"wrong-credentials"');
    expect(r.stdout).toMatch(/acs->cpe 401/);
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
  });

  it('every CPE-side and CR line that concerns a CPE carries its cpe_id', async () => {
    const { lines } = await daemonRun();
    const perCpe = lines.filter((l) => concernsCpe(l) && l.component !== 'acs');
    // Lines from the CPEs (session done) and from the CR listener (accepted / refused).
    expect(perCpe.filter((l) => l.msg === 'session done').length).toBeGreaterThanOrEqual(4);
    expect(perCpe.filter((l) => l.component === 'cr').length).toBeGreaterThanOrEqual(3);
    const missing = perCpe.filter((l) => typeof l.cpe_id !== 'string' || !/^cpe-\d+$/.test(l.cpe_id));
    expect(missing).toEqual([]);
    // And the id is the right one: a line naming /cr/cpe-2 is cpe-2's.
    for (const l of perCpe.filter((x) => typeof x.path === 'string')) expect(l.path).toBe(`/cr/${String(l.cpe_id)}`);
  });

  // The embedded ACS knows CPEs by serial; the fleet's aliases let it name them by cpe_id.
  it('the embedded ACS lines about a CPE carry its cpe_id too', async () => {
    const { lines } = await daemonRun();
    const acsLines = lines.filter((l) => l.component === 'acs' && typeof l.serial === 'string' && l.serial !== '?');
    expect(acsLines.length).toBeGreaterThan(0);
    expect(acsLines.filter((l) => typeof l.cpe_id !== 'string')).toEqual([]);
  });

  it('failed sessions (ACS unreachable) log lines with cpe_id and no password (at debug: the stdout session lines report them at info)', async () => {
    const port = await closedPort();
    const r = await run(['--profile', DIGEST, '--count', '2', '--acs-url', `http://127.0.0.1:${port}/cwmp`, '--acs-username', 'acs-user', '--acs-password', ACS_PW, '--time-scale', '0.0005', '--seed', '3', '--log-level', 'debug', '--log-format', 'json']);
    expect(r.code).toBe(1);
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line);
    const failed = lines.filter((l) => l.msg === 'session failed');
    expect(failed.length).toBe(6); // 2 CPEs × 3 bootstrap attempts
    expect(new Set(failed.map((l) => l.cpe_id))).toEqual(new Set(['cpe-1', 'cpe-2']));
    expect(lines.filter((l) => concernsCpe(l) && l.component !== 'acs' && typeof l.cpe_id !== 'string')).toEqual([]);
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
  });

  it('text format: per-CPE lines carry cpe_id=…', async () => {
    const r = await run(['--profile', DIGEST, '--log-level', 'debug']);
    expect(r.code).toBe(0);
    const done = r.stderr.split('\n').filter((l) => l.includes('session done'));
    expect(done).toHaveLength(3);
    for (const l of done) expect(l).toMatch(/ cpe_id=cpe-[123] /);
  });
});
