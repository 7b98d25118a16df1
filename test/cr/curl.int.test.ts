/**
 * The listener against a real, independent Digest/Basic client: curl (notes §4.4).
 * 127.0.0.1 only.
 */
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { hasCurl } from '../support/curl.js';
import { endpoint, startListener, type Harness } from './helpers.js';

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['--silent', '--show-error', '--noproxy', '*', '--max-time', '10', ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.listener.close()));
});
async function harness(over: Parameters<typeof startListener>[0] = {}): Promise<Harness> {
  const h = await startListener(over);
  open.push(h);
  return h;
}

describe.skipIf(!hasCurl)('CR listener with curl', () => {
  it('seed: "curl -i -u user:pass --digest http://127.0.0.1:7547/cr → HTTP/1.1 200 OK" (smoke test, single CPE)', async () => {
    const h = await harness({ mode: 'single' });
    const ep = endpoint({ scheme: 'digest', realm: 'cpe-sim' }, { username: 'user', password: 'pass' });
    const url = h.listener.register('cpe-1', ep);
    const r = await curl(['-i', '-u', 'user:pass', '--digest', url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n[\s\S]*WWW-Authenticate: Digest realm="cpe-sim", nonce="[^"]+", qop="auth", algorithm=MD5\r\n/);
    expect(r.stdout).toMatch(/\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    expect(r.stdout).toMatch(/\r\nAuthentication-Info: qop=auth, rspauth="[0-9a-f]{32}"/);
    expect(ep.state.fired).toBe(1);
  });
  it('seed: "3. Multi-CPE routing. curl -i -u user:pass --digest http://127.0.0.1:7547/cr/cpe-3"', async () => {
    const h = await harness();
    const eps = [1, 2, 3, 4].map((i) => {
      const ep = endpoint({ scheme: 'digest' }, { username: 'user', password: 'pass' });
      h.listener.register(`cpe-${i}`, ep);
      return ep;
    });
    const r = await curl(['-i', '-u', 'user:pass', '--digest', `${h.origin}/cr/cpe-3`]);
    expect(r.stdout).toMatch(/HTTP\/1\.1 200 OK/);
    expect(eps.map((e) => e.state.fired)).toEqual([0, 0, 1, 0]);
  });
  it('digest keep-alive: the retry reuses the challenged connection; two URLs in one curl share one connection', async () => {
    // curl 7.88 restarts the Digest handshake for every transfer (fresh 401, nc=00000001,
    // new cnonce) even on a reused connection; nonce reuse with nc=00000002 is proven
    // with Python requests below and with the undici client in listener.int.test.ts.
    const h = await harness();
    const ep = endpoint({ scheme: 'digest' }, { username: 'user', password: 'pass' });
    const url = h.listener.register('cpe-1', ep);
    const r = await curl(['-v', '-o', '/dev/null', '-o', '/dev/null', '--digest', '-u', 'user:pass', url, url]);
    expect(r.code).toBe(0);
    const auths = r.stderr.split('\n').filter((l) => /^> Authorization: Digest /i.test(l));
    expect(auths.length).toBeGreaterThanOrEqual(2);
    for (const a of auths) expect(a).toMatch(/nc=0000000[12]/);
    expect(h.events.filter((e) => e.status === 200)).toHaveLength(2);
    expect(h.events.every((e) => e.status === 200 || (e.status === 401 && e.detail === 'no-credentials'))).toBe(true);
    expect(h.listener.stats().connectionsAccepted).toBe(1);
    expect(ep.state.fired).toBe(2);
  });
  it('seed: "stale-nonce signaling": curl re-authenticates on stale=true without new credentials', async () => {
    const h = await harness({ nonceLifetimeMs: 60_000 });
    const ep = endpoint({ scheme: 'digest' }, { username: 'user', password: 'pass' });
    const url = h.listener.register('cpe-1', ep);
    // The first nonce expires between the challenge and curl's authorized retry.
    let first = true;
    const orig = h.events.push.bind(h.events);
    h.events.push = (...e) => {
      if (first && e[0]?.status === 401) {
        first = false;
        h.clock.advance(60_000);
      }
      return orig(...e);
    };
    const r = await curl(['-v', '-o', '/dev/null', '--digest', '-u', 'user:pass', url]);
    expect(r.code).toBe(0);
    expect(h.events.map((e) => `${e.status}:${e.reason}`)).toEqual(['401:unauthorized', '401:stale', '200:accepted']);
    expect(r.stderr).toMatch(/WWW-Authenticate: Digest [^\n]*stale=true/);
    expect(ep.state.fired).toBe(1);
    expect(h.listener.stats().connectionsAccepted).toBe(1);
  });
  it('digest with a wrong password: curl ends on 401, nothing fires, no stale is ever sent', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: 'digest' }, { username: 'user', password: 'pass' });
    const url = h.listener.register('cpe-1', ep);
    const r = await curl(['-i', '--digest', '-u', 'user:wrong', url]);
    expect(r.stdout).not.toMatch(/200 OK/);
    expect(r.stdout).not.toMatch(/stale/i);
    expect(h.events.every((e) => e.status === 401)).toBe(true);
    expect(ep.state.fired).toBe(0);
  });
  it('seed: "basic: RFC 7617 HTTP Basic" with curl -u user:pass', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: 'basic', realm: 'lab' }, { username: 'user', password: 'p:a:ss' });
    const url = h.listener.register('cpe-1', ep);
    const ok = await curl(['-i', '-u', 'user:p:a:ss', url]);
    expect(ok.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const bad = await curl(['-i', '-u', 'user:pass', url]);
    expect(bad.stdout).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(bad.stdout).toContain('WWW-Authenticate: Basic realm="lab"\r\n');
    expect(ep.state.fired).toBe(1);
  });
  it('seed: "GET only; everything else → 405 with Allow: GET" (curl -X POST with credentials)', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: 'basic' }, { username: 'user', password: 'pass' });
    const url = h.listener.register('cpe-1', ep);
    const r = await curl(['-i', '-X', 'POST', '-d', 'x=1', '-u', 'user:pass', url]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    expect(r.stdout).toContain('Allow: GET\r\n');
    const head = await curl(['-I', '-u', 'user:pass', url]);
    expect(head.stdout).toMatch(/^HTTP\/1\.1 405/);
    expect(ep.state.fired).toBe(0);
  });
  it('seed: "Inside the window the listener returns 503 … with a Retry-After header" (curl)', async () => {
    const h = await harness();
    const ep = endpoint({ scheme: 'digest', throttleWindowMs: 5000 }, { username: 'user', password: 'pass' });
    const url = h.listener.register('cpe-1', ep);
    const r = await curl(['-i', '--digest', '-u', 'user:pass', url, url]);
    expect(r.stdout).toMatch(/HTTP\/1\.1 200 OK/);
    expect(r.stdout).toMatch(/HTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*Retry-After: 5\r\n/);
    expect(ep.state.fired).toBe(1);
  });
});
