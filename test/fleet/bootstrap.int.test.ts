// A broken or unreachable ACS must make startFleet reject within a bounded time with
// what each CPE saw (issue 18 item 1), and leave nothing open behind it.
import type { IncomingMessage, Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { BootstrapError, isBootstrapError, startFleet } from '../../src/fleet/index.js';
import { listenHttp, unusedPort } from '../support/ports.js';

const PROFILE = 'fixtures/profiles/tr181-digest.yaml';
let servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
});

/** An "ACS" that answers every POST with HTTP 500 and an error page. */
async function brokenAcs(): Promise<string> {
  const { server, url } = await listenHttp((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body><h1>Internal Server Error</h1><p>database is down</p></body></html>'));
  });
  servers.push(server);
  return url;
}

async function rejection(p: Promise<unknown>): Promise<BootstrapError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isBootstrapError(err)) throw new Error(`expected a BootstrapError, got ${String(err)}`);
  return err;
}

describe('startFleet gives up on a broken ACS', () => {
  it('an ACS answering 500: rejects (bootstrapTimeoutMs) with each CPE\'s HTTP status, the ACS body and the transcript', async () => {
    const acsUrl = await brokenAcs();
    const before = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout').length;
    const err = await rejection(startFleet({ profile: PROFILE, count: 2, acsUrl, cr: false, bootstrapTimeoutMs: 300 }));
    expect(err).toBeInstanceOf(BootstrapError);
    expect(err.code).toBe('CPESIM_BOOTSTRAP_FAILED');
    expect(err.reason).toBe('timeout');
    expect(err.failures.map((f) => f.cpeId)).toEqual(['cpe-1', 'cpe-2']);
    expect(err.failures[0]).toMatchObject({ httpStatus: 500, failedAttempts: 1 });
    expect(err.failures[0]!.error).toContain('HTTP 500 from the ACS: "Internal Server Error database is down"');
    expect(err.message).toContain(`2 of 2 CPEs did not deliver 0 BOOTSTRAP to ${acsUrl}: no CPE delivered it for 300 ms (bootstrapTimeoutMs); the fleet was closed.`);
    expect(err.message).toContain('cpe-2: HTTP 500 from the ACS');
    // The transcript: the Inform sent and the 500 received.
    expect(err.transcript).toMatch(/session #1 cpe-1 \[0 BOOTSTRAP, 1 BOOT\].*FAILED/);
    expect(err.transcript).toMatch(/→ Inform \[0 BOOTSTRAP, 1 BOOT\]/);
    expect(err.transcript).toMatch(/← 500 HTTP 500/);
    expect(err.message).toContain(err.transcript);
    // Nothing left open (sockets, servers) but what this test itself holds.
    expect(process.getActiveResourcesInfo().filter((r) => r !== 'Timeout').length).toBeLessThanOrEqual(before);
  });

  it('a closed port: rejects after bootstrapAttempts failed sessions, with the transport error', async () => {
    const port = await unusedPort();
    const err = await rejection(startFleet({ profile: PROFILE, count: 1, acsUrl: `http://127.0.0.1:${port}/acs`, cr: false, timeScale: 0.001, bootstrapAttempts: 2, bootstrapTimeoutMs: 60_000 }));
    expect(err.reason).toBe('attempts');
    expect(err.message).toContain('cpe-1 failed 2 bootstrap attempts (bootstrapAttempts: 2)');
    expect(err.failures[0]!.error).toMatch(/ECONNREFUSED/);
    expect(err.failures[0]!.httpStatus).toBeUndefined();
    expect(err.failures[0]!.failedAttempts).toBe(2);
  });

  it('an aborted signal (a runner timeout) ends the wait at once and closes the pending fleet', async () => {
    // An ACS that never answers: without the signal the wait would last bootstrapTimeoutMs.
    const { server: s, url } = await listenHttp(() => undefined);
    servers.push(s);
    const abort = new AbortController();
    const p = startFleet({ profile: PROFILE, count: 1, acsUrl: url, cr: false, bootstrapTimeoutMs: 60_000, signal: abort.signal });
    // Abort once the CPE's request reached the "ACS".
    const req = await new Promise<IncomingMessage>((r) => s.once('request', r));
    const socketClosed = new Promise((r) => req.socket.once('close', r));
    abort.abort();
    const err = await rejection(p);
    expect(err.reason).toBe('aborted');
    expect(err.failures[0]).toMatchObject({ cpeId: 'cpe-1', inFlight: true });
    expect(err.message).toContain('a session was still running');
    // The running session's messages so far: the Inform, no answer.
    expect(err.transcript).toMatch(/session #1 cpe-1 \[0 BOOTSTRAP, 1 BOOT\] retry=0 running\n.*→ Inform/);
    // close() aborted the in-flight request: its connection goes away.
    await socketClosed;
  });

  it('rejects a bad bootstrap option before starting anything', async () => {
    await expect(startFleet({ profile: PROFILE, bootstrapTimeoutMs: 0 })).rejects.toThrow('startFleet: bootstrapTimeoutMs must be a whole number >= 1 (milliseconds), got 0');
    await expect(startFleet({ profile: PROFILE, bootstrapAttempts: 1.5 })).rejects.toThrow('startFleet: bootstrapAttempts must be a whole number >= 1, got 1.5');
  });
});
