// TLS and redirects on the ACS connection, real TLS on 127.0.0.1: the fake ACS serves
// HTTPS with a certificate it generates, can demand client certificates (mutual TLS),
// and the CPEs follow 302/307 redirects of the Inform (TR-069 §3.4.5).
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createFakeAcs, generateCertificate, type FakeAcs, type PemPair } from '../../src/acs/index.js';
import { startFleet, type Fleet, type FleetOptions } from '../../src/fleet/index.js';
import { createLogger } from '../../src/log/index.js';

const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function acsWith(tls: Parameters<typeof createFakeAcs>[0]): Promise<FakeAcs> {
  const acs = await createFakeAcs(tls);
  closers.push(() => acs.close());
  return acs;
}

async function fleet(opts: Omit<FleetOptions, 'profile'>): Promise<Fleet> {
  const f = await startFleet({ profile: 'tr181-digest', count: 1, cr: false, bootstrapAttempts: 1, ...opts });
  closers.push(() => f.close());
  return f;
}

describe.each(['http', 'undici'] as const)('TLS to the ACS over %s', (transport) => {
  it('the fake ACS serves HTTPS with a certificate it generated; a CPE trusting it (ca) bootstraps', async () => {
    const acs = await acsWith({ tls: true });
    expect(acs.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);
    const f = await fleet({ acsUrl: acs.url, transport, acsTls: { ca: acs.certificate! } });
    expect((await f.cpe(1).whenBootstrapped()).ok).toBe(true);
    expect(acs.sessions).toHaveLength(1);
  });

  it('without the CA the certificate is refused and the session fails; --tls-skip-verify accepts it with a warning', async () => {
    const acs = await acsWith({ tls: true });
    const refused = await fleet({ acsUrl: acs.url, transport, waitFor: 'none' });
    const rec = await refused.cpe(1).waitForSession(() => true, { timeoutMs: 10_000 });
    expect(rec.ok).toBe(false);
    expect(rec.error).toMatch(/self[- ]signed|certificate/i);
    expect(acs.sessions).toHaveLength(0);

    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (l) => lines.push(l) });
    const f = await fleet({ acsUrl: acs.url, transport, acsTls: { skipVerify: true }, logger });
    expect((await f.cpe(1).whenBootstrapped()).ok).toBe(true);
    expect(lines.join('\n')).toMatch(/TLS certificate verification of the ACS is disabled/);
  });
});

describe('mutual TLS', () => {
  let ca: PemPair;

  it('an ACS that demands client certificates records each CPE\'s; per-CPE files come from a {cpe_id} pattern', async () => {
    ca = await generateCertificate({ commonName: 'cpe-sim test CA', isCa: true });
    for (const id of ['cpe-1', 'cpe-2']) {
      const c = await generateCertificate({ commonName: id, issuer: ca });
      writeFileSync(join(dir, `${id}.pem`), c.cert);
      writeFileSync(join(dir, `${id}.key`), c.key);
    }
    const acs = await acsWith({ tls: { clientCa: ca.cert } });
    writeFileSync(join(dir, 'acs-ca.pem'), acs.certificate!);
    const f = await fleet({
      acsUrl: acs.url,
      count: 2,
      acsTls: { caFile: join(dir, 'acs-ca.pem'), certFile: join(dir, '{cpe_id}.pem'), keyFile: join(dir, '{cpe_id}.key') },
    });
    await f.whenBootstrapped();
    expect(acs.sessions.map((s) => s.clientCertificate).sort()).toEqual(['cpe-1', 'cpe-2']);
  });

  it('a CPE without a client certificate is refused in the handshake', async () => {
    const acs = await acsWith({ tls: { clientCa: (await generateCertificate({ commonName: 'other CA', isCa: true })).cert } });
    const f = await fleet({ acsUrl: acs.url, acsTls: { ca: acs.certificate! }, waitFor: 'none' });
    const rec = await f.cpe(1).waitForSession(() => true, { timeoutMs: 10_000 });
    expect(rec.ok).toBe(false);
    expect(acs.sessions).toHaveLength(0);
  });

  it('bad acsTls input names the option', async () => {
    await expect(startFleet({ profile: 'tr181-digest', cr: false, acsTls: { certFile: 'x.pem' } })).rejects.toThrow(/needs both a client certificate and its key/);
    await expect(startFleet({ profile: 'tr181-digest', cr: false, acsTls: { caFile: join(dir, 'missing.pem') } })).rejects.toThrow(/acsTls.caFile \(--ca-cert-file\): cannot read .*missing\.pem.*ENOENT/);
    await expect(startFleet({ profile: 'tr181-digest', cr: false, acsTls: { cafile: 'x' } as never })).rejects.toThrow(/acsTls.cafile is not an option/);
  });
});

describe('HTTP redirects (TR-069 §3.4.5)', () => {
  /** A server that answers every POST with `status` and `Location: target`, counting hits. */
  async function redirector(status: number, target: () => string): Promise<{ url: string; hits: () => number }> {
    let hits = 0;
    const server: Server = createServer((req, res) => {
      hits++;
      req.resume();
      res.writeHead(status, { location: target(), 'content-length': '0' });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as { port: number }).port;
    return { url: `http://127.0.0.1:${port}/old-acs`, hits: () => hits };
  }

  it.each([302, 307])('a %i to the Inform: the session continues at the new URL (and only this session)', async (status) => {
    const acs = await acsWith({});
    const old = await redirector(status, () => acs.url);
    const f = await fleet({ acsUrl: old.url });
    const boot = await f.cpe(1).whenBootstrapped();
    expect(boot.ok).toBe(true);
    expect(boot.entries.map((e) => e.summary)).toContain(`HTTP ${status} redirect to ${acs.url}`);
    // The whole session, empty POST included, went to the new ACS.
    expect(acs.sessions[0]?.ok).toBe(true);
    expect(old.hits()).toBe(1);
    // The next session starts at the configured URL again.
    await f.cpe(1).inform(['2 PERIODIC']);
    expect(old.hits()).toBe(2);
  });

  it('five hops are followed, a sixth fails the session', async () => {
    const acs = await acsWith({});
    const chain: Array<{ url: string }> = [];
    for (let i = 0; i < 5; i++) {
      const nextIdx = i + 1;
      chain.push(await redirector(302, () => (nextIdx < chain.length ? chain[nextIdx]!.url : acs.url)));
    }
    const ok = await fleet({ acsUrl: chain[0]!.url });
    expect((await ok.cpe(1).whenBootstrapped()).ok).toBe(true);

    const loop = await redirector(307, () => loop.url);
    const bad = await fleet({ acsUrl: loop.url, waitFor: 'none' });
    const rec = await bad.cpe(1).waitForSession(() => true, { timeoutMs: 10_000 });
    expect(rec.ok).toBe(false);
    expect(rec.error).toMatch(/more than 5 HTTP redirects/);
    expect(loop.hits()).toBe(6);
  });
});

describe('the CLI flags', () => {
  it('--ca-cert-file, --tls-cert/--tls-key with {cpe_id}: the one-shot run bootstraps over mutual TLS; --tls-skip-verify warns', async () => {
    const { run } = await import('../cli/io.js');
    const ca = await generateCertificate({ commonName: 'cli CA', isCa: true });
    for (const id of ['cpe-1', 'cpe-2']) {
      const c = await generateCertificate({ commonName: id, issuer: ca });
      writeFileSync(join(dir, `cli-${id}.pem`), c.cert);
      writeFileSync(join(dir, `cli-${id}.key`), c.key);
    }
    const acs = await acsWith({ tls: { clientCa: ca.cert } });
    writeFileSync(join(dir, 'cli-acs.pem'), acs.certificate!);
    const base = ['--profile', 'tr181-digest', '--count', '2', '--acs-url', acs.url, '--tls-cert', join(dir, 'cli-{cpe_id}.pem'), '--tls-key', join(dir, 'cli-{cpe_id}.key')];
    const r = await run([...base, '--ca-cert-file', join(dir, 'cli-acs.pem')]);
    expect(r.code, r.stderr).toBe(0);
    expect(acs.sessions.map((s) => s.clientCertificate).sort()).toEqual(['cpe-1', 'cpe-2']);
    const skip = await run([...base, '--tls-skip-verify']);
    expect(skip.code, skip.stderr).toBe(0);
    expect(skip.stderr).toMatch(/TLS certificate verification of the ACS is disabled/);
    const bad = await run([...base, '--tls-skip-verify=maybe']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--tls-skip-verify: invalid value "maybe": expected true or false/);
  });
});
