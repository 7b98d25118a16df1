// Case 3: the Connection Request listener's auth path alone. One endpoint with a
// one-hour throttle window: after one accepted CR, every authenticated request is
// answered 503 + Retry-After, so each request runs routing + auth (+ nonce/nc
// bookkeeping for Digest) + throttle and no CWMP session. The load comes from a
// separate process (bench/lib/load.mjs).
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../build.mjs';

export const measures =
  'Authenticated CRs/s answered by createCrListener on one throttled CPE (auth path alone: 503 after auth), C concurrent keep-alive clients in another process; basic/none via autocannon, digest via undici Pool with a fresh nc per request';

export async function run(lib, { scheme, connections, durationS }) {
  const username = 'cr-user';
  const password = 'cr-secret';
  const accepted = { n: 0 };
  const listener = lib.createCrListener({ bindAddr: '127.0.0.1:0', mode: 'fleet', maxNoncesPerEndpoint: Math.max(64, connections) });
  await listener.listen();
  const url = listener.register('cpe-1', {
    config: { scheme: scheme === 'none' ? '' : scheme, realm: 'cpe-sim', throttleWindowMs: 3_600_000 },
    credentials: () => ({ username, password }),
    onRequest: () => accepted.n++,
  });
  try {
    // Use up the throttle window with one accepted CR.
    const client = new lib.ConnectionRequestClient({ reuseNonce: false });
    const r = await client.send(url, { username, password });
    await client.close();
    if (r.status !== 200) throw new Error(`priming CR got ${r.status}, expected 200`);
    const result = await new Promise((resolve, reject) => {
      const child = fork(join(ROOT, 'bench', 'lib', 'load.mjs'), [JSON.stringify({ url, scheme, connections, durationS, username, password }), process.argv[4]], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      let msg;
      child.on('message', (m) => (msg = m));
      child.on('exit', () => (msg?.ok ? resolve(msg.result) : reject(new Error(`load generator failed: ${msg?.error ?? 'no result'}`))));
    });
    const non503 = Object.entries(result.statusCounts).filter(([s]) => s !== '503').reduce((a, [, v]) => a + v, 0);
    if (accepted.n !== 1) throw new Error(`expected exactly 1 accepted CR (the priming one), got ${accepted.n}: the throttle let requests through`);
    return {
      requestsPerS: result.requestsPerS,
      requests: result.requests,
      durationS: Math.round(result.durationS * 100) / 100,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      // Every measured request must have passed auth and hit the throttle; anything else is an error of the bench or the listener.
      non503: non503 + result.errors,
      connections,
      client: result.client,
    };
  } finally {
    await listener.close();
  }
}
