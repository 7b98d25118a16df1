/**
 * The listener against Python requests' HTTPDigestAuth (notes §4.4: quoted qop and
 * algorithm, pre-emptive reuse of the last nonce with nc incremented). 127.0.0.1 only.
 */
import { execFile, execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { endpoint, startListener, type Harness } from './helpers.js';

let hasRequests = true;
try {
  execFileSync('python3', ['-c', 'import requests'], { stdio: 'ignore' });
} catch {
  hasRequests = false;
  console.warn('SKIPPED: python3 with "requests" is not installed; the Python Digest interoperability test did not run');
}

const SCRIPT = `
import sys, requests
from requests.auth import HTTPDigestAuth
s = requests.Session()
s.trust_env = False
s.auth = HTTPDigestAuth(sys.argv[2], sys.argv[3])
for _ in range(int(sys.argv[4])):
    r = s.get(sys.argv[1])
    print(r.status_code, r.request.headers.get("Authorization", ""))
`;

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.listener.close()));
});

function py(url: string, user: string, pass: string, n: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('python3', ['-c', SCRIPT, url, user, pass, String(n)], { timeout: 15_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout.trim().split('\n'))));
  });
}

describe.skipIf(!hasRequests)('CR listener with Python requests HTTPDigestAuth', () => {
  it('seed: "digest … nonce store with replay protection (nc tracking)": a keep-alive session reuses the nonce with nc=00000002, 00000003', async () => {
    const h = await startListener();
    open.push(h);
    const ep = endpoint({ scheme: 'digest' }, { username: 'user', password: 'pass' });
    const url = h.listener.register('cpe-1', ep);
    const lines = await py(url, 'user', 'pass', 3);
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['200', '200', '200']);
    expect(lines[0]).toContain('nc=00000001');
    expect(lines[1]).toContain('nc=00000002');
    expect(lines[2]).toContain('nc=00000003');
    expect(lines[0]).toContain('qop="auth"'); // quoted, against RFC 7616: accepted leniently
    const nonce = (l: string) => /nonce="([^"]+)"/.exec(l)?.[1];
    expect(new Set(lines.map(nonce)).size).toBe(1);
    expect(h.events.map((e) => e.status)).toEqual([401, 200, 200, 200]);
    expect(h.listener.stats().connectionsAccepted).toBe(1);
    expect(ep.state.fired).toBe(3);
  });
  it('wrong password: requests gives up after one 401-retry; nothing fires', async () => {
    const h = await startListener();
    open.push(h);
    const ep = endpoint({ scheme: 'digest' }, { username: 'user', password: 'pass' });
    const url = h.listener.register('cpe-1', ep);
    const lines = await py(url, 'user', 'nope', 1);
    expect(lines[0]!.split(' ')[0]).toBe('401');
    expect(ep.state.fired).toBe(0);
  });
});
