// The floor under `fleet-boot` and `cr-roundtrip`: the same HTTP exchanges with no
// CWMP in them. The CPE's default client (node:http, an agent of its own per session)
// and a node:http server on one event loop, as in the
// in-process cases, carrying the exact bytes a tr181-minimal CPE and the fake ACS
// exchange (captured from a one-CPE fleet before the timing starts). What is left
// between a case and its floor is cpe-sim's own work: XML, the data model, the
// session logic and the records; the floor itself is Node's HTTP and the kernel's TCP
// on this machine, which no change inside cpe-sim can go below on one core.
// `threads: T` splits the boot over T worker threads, each with both sides of its
// share: the floor for any design that puts the in-process boot on T cores.
import http from 'node:http';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Client } from 'undici';
import { ROOT } from '../build.mjs';
import { latencySummary, round } from '../lib/harness.mjs';

export const measures =
  'Transport floor, no CWMP: the HTTP of a bootstrap session (new TCP connection; POST the real Inform bytes → 200 with the real InformResponse bytes and a cookie; empty POST → 204; close), N sessions 16 at a time like the embedded ACS boot (threads=T: T worker threads, each running both sides of N/T sessions, 16/T at a time, against its own server: the floor of any T-core in-process design); or of a CR round trip (keep-alive GET → 200; once it is written, a new connection POSTs the Inform bytes; timed until the server has read them); node:http client (a keep-alive agent per session, as the CPE\'s default transport) ↔ node:http server on one event loop; the CR GET from an undici Client, as the fake ACS\'s CR client';

/** The bootstrap Inform and InformResponse a tr181-minimal CPE and the fake ACS really exchange. */
async function realMessages(lib) {
  const profile = await lib.loadProfile(join(ROOT, 'fixtures/profiles/tr181-minimal'));
  const fleet = await lib.startFleet({ profile, count: 1, waitFor: 'bootstrap', transcript: { keepXml: true } });
  try {
    const entries = fleet.cpes[0].sessions[0].entries;
    const inform = entries.find((e) => e.dir === 'cpe->acs' && e.summary.startsWith('Inform'))?.xml;
    const informResponse = entries.find((e) => e.dir === 'acs->cpe' && e.xml?.includes('InformResponse'))?.xml;
    if (!inform || !informResponse) throw new Error('could not capture the bootstrap Inform and InformResponse from a one-CPE fleet');
    return { inform, informResponse };
  } finally {
    await fleet.close();
  }
}

const SOAP_HEADERS = { 'content-type': 'text/xml; charset="utf-8"', soapaction: '' };

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
}

/** A server that reads every body and answers like the fake ACS: 200 + InformResponse to a body, 204 to an empty POST. */
function acsLikeServer(informResponse, onBody) {
  const reply = Buffer.from(informResponse);
  return http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const length = chunks.reduce((n, c) => n + c.length, 0);
      if (length === 0) {
        res.writeHead(204);
        res.end();
        return;
      }
      onBody?.();
      res.writeHead(200, { 'content-type': 'text/xml; charset="utf-8"', 'content-length': reply.length, 'set-cookie': 'session=0123456789abcdef; Path=/; HttpOnly' });
      res.end(reply);
    });
  });
}

/** One POST over `agent`; resolves with status and body. */
function post(url, agent, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function bootSession(url, inform) {
  // What the CPE's default transport does: one keep-alive socket for the session, destroyed after it.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await post(`${url}/acs`, agent, inform, SOAP_HEADERS);
    if (first.status !== 200 || first.body.length === 0) throw new Error(`floor server answered the Inform with ${first.status}`);
    const empty = await post(`${url}/acs`, agent, '', { cookie: 'session=0123456789abcdef' });
    if (empty.status !== 204) throw new Error(`floor server answered the empty POST with ${empty.status}`);
  } finally {
    agent.destroy();
  }
}

/** `count` sessions against `url`, `concurrency` at a time. */
async function runSessions(url, inform, count, concurrency) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      next++;
      await bootSession(url, inform);
    }
  }));
}

/** The result row of a timed boot of `n` sessions. */
function bootRow({ n, concurrency, threads }, ms, msgs) {
  return { n, concurrency, threads, bootMs: round(ms, 0), sessionsPerS: Math.round(n / (ms / 1000)), usPerSession: round((ms * 1000) / n, 1), informBytes: Buffer.byteLength(msgs.inform) };
}

async function boot({ n, concurrency = 16, threads = 1 }, msgs) {
  if (threads > 1) return bootThreads({ n, concurrency, threads }, msgs);
  const server = acsLikeServer(msgs.informResponse);
  const url = await listen(server);
  try {
    await runSessions(url, msgs.inform, Math.min(500, n), concurrency); // warm-up: JIT, as fleet-boot warms up on its first CPEs
    const t0 = process.hrtime.bigint();
    await runSessions(url, msgs.inform, n, concurrency);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return bootRow({ n, concurrency, threads }, ms, msgs);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

/**
 * The floor on several cores: the most even split there is. Each worker thread runs
 * both sides (its own server and clients) for n/threads of the sessions, so no thread
 * waits on another and nothing crosses threads. No in-process design of the embedded
 * fake ACS and the CPEs can share the work more evenly than this.
 */
async function bootThreads({ n, concurrency, threads }, msgs) {
  const share = (k) => Math.floor(((k + 1) * n) / threads) - Math.floor((k * n) / threads);
  const workers = Array.from({ length: threads }, (_, k) => new Worker(new URL(import.meta.url), {
    workerData: { transportFloorThread: true, ...msgs, count: share(k), warmup: Math.ceil(Math.min(500, n) / threads), concurrency: Math.max(1, Math.round(concurrency / threads)) },
  }));
  const next = (w) => new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  try {
    await Promise.all(workers.map(next)); // each warmed up and listening
    const t0 = process.hrtime.bigint();
    const done = workers.map(next);
    for (const w of workers) w.postMessage('go');
    await Promise.all(done);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return bootRow({ n, concurrency, threads }, ms, msgs);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** A worker thread of bootThreads(): warm up, say so, run its share on 'go', say so. */
async function threadSide({ inform, informResponse, count, warmup, concurrency }) {
  const server = acsLikeServer(informResponse);
  const url = await listen(server);
  await runSessions(url, inform, warmup, concurrency);
  parentPort.postMessage('ready');
  await new Promise((r) => parentPort.once('message', r));
  await runSessions(url, inform, count, concurrency);
  server.closeAllConnections();
  server.close();
  parentPort.postMessage('done');
}

if (!isMainThread && workerData?.transportFloorThread) await threadSide(workerData);

async function crRoundTrip({ iterations, warmup = 50 }, msgs) {
  let informed;
  const acs = acsLikeServer(msgs.informResponse, () => informed?.());
  const acsUrl = await listen(acs);
  const cr = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 0, 'cache-control': 'no-store' });
    res.end();
    // As the CR listener does: the CPE's session starts once the 200 is written.
    res.once('finish', () => bootSession(acsUrl, msgs.inform).catch((err) => console.error(`floor CPE session failed: ${err.message}`)));
  });
  const crUrl = await listen(cr);
  const crClient = new Client(crUrl);
  const samples = [];
  try {
    for (let i = 0; i < warmup + iterations; i++) {
      await new Promise((r) => setTimeout(r, 1));
      const got = new Promise((r) => (informed = r));
      const t0 = process.hrtime.bigint();
      const res = await crClient.request({ path: '/cr/cpe-1', method: 'GET' });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`floor CR answered ${res.statusCode}`);
      await got;
      if (i >= warmup) samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await new Promise((r) => setTimeout(r, 2)); // the session's empty POST and close, untimed
    }
    return { ...latencySummary(samples) };
  } finally {
    await crClient.close();
    for (const s of [cr, acs]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  }
}

export async function run(lib, params) {
  const msgs = await realMessages(lib);
  if (params.shape === 'boot') return boot(params, msgs);
  if (params.shape === 'cr') return crRoundTrip(params, msgs);
  throw new Error(`transport-floor: params.shape must be 'boot' or 'cr', got ${JSON.stringify(params.shape)}`);
}
