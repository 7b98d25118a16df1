// Load generator for the listener-throughput case, run in its OWN process so the
// listener's event loop is not shared with the client's. Basic/none: autocannon
// (fixed headers are valid for every request). Digest: fixed headers would be
// replays (RFC 7616 nc tracking), so an undici Pool with one nonce per connection
// and a fresh nc per request.
// argv: <params JSON> <bench entry>
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { latencySummary } from './harness.mjs';

const [paramsJson, entryFile] = process.argv.slice(2);
const p = JSON.parse(paramsJson);
const lib = await import(pathToFileURL(entryFile).href);

async function withAutocannon() {
  const headers = p.scheme === 'basic' ? { authorization: lib.formatBasicAuthorization(p.username, p.password) } : {};
  const r = await autocannon({ url: p.url, connections: p.connections, duration: p.durationS, headers, pipelining: 1 });
  const statusCounts = {};
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) statusCounts[code] = v.count;
  const total = Object.values(statusCounts).reduce((a, b) => a + b, 0);
  return { requests: total, durationS: r.duration, requestsPerS: Math.round(total / r.duration), p50Ms: r.latency.p50, p99Ms: r.latency.p99, statusCounts, errors: r.errors + r.timeouts, client: 'autocannon' };
}

async function withDigestPool() {
  const u = new URL(p.url);
  const uri = u.pathname;
  const pool = new Pool(u.origin, { connections: p.connections, pipelining: 1 });
  const statusCounts = {};
  const lat = [];
  let errors = 0;
  const count = (s) => (statusCounts[s] = (statusCounts[s] ?? 0) + 1);
  const get = (authorization) => pool.request({ path: uri, method: 'GET', headers: authorization ? { authorization } : {} }).then(async (res) => {
    await res.body.dump();
    return res;
  });
  const deadline = performance.now() + p.durationS * 1000;
  const worker = async () => {
    // One nonce per worker: the challenge is part of the setup, not of the measured loop.
    const first = await get(undefined);
    const www = first.headers['www-authenticate'];
    const challenge = lib.toDigestChallenge(lib.parseAuthHeader(Array.isArray(www) ? www[0] : www));
    if (!challenge) throw new Error(`no Digest challenge from ${p.url} (status ${first.statusCode})`);
    const cnonce = lib.newCnonce();
    let nc = 0;
    while (performance.now() < deadline) {
      const authorization = lib.formatDigestAuthorization({ challenge, username: p.username, password: p.password, method: 'GET', uri, nc: ++nc, cnonce });
      const t0 = performance.now();
      try {
        const res = await get(authorization);
        lat.push(performance.now() - t0);
        count(res.statusCode);
      } catch {
        errors++;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: p.connections }, worker));
  const durationS = (performance.now() - t0) / 1000;
  await pool.close();
  const s = latencySummary(lat);
  return { requests: lat.length, durationS, requestsPerS: Math.round(lat.length / durationS), p50Ms: s.p50Ms, p99Ms: s.p99Ms, statusCounts, errors, client: 'undici Pool' };
}

try {
  const result = p.scheme === 'digest' ? await withDigestPool() : await withAutocannon();
  process.send({ ok: true, result }, () => process.exit(0));
} catch (err) {
  process.send({ ok: false, error: String(err?.stack ?? err) }, () => process.exit(0));
}
