/**
 * fetchFile over real loopback sockets (decision 022): the body arrives as views of one
 * reused read buffer, and what a broken server sends becomes the TR-069 fault of it.
 * Malformed answers need a server that sends raw bytes, hence `node:net` servers here;
 * well-formed ones come from the fake ACS's file server and from node:http.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeAcs } from '../../src/acs/index.js';
import type { FakeAcs } from '../../src/acs/index.js';
import { isCwmpFault } from '../../src/errors/index.js';
import { TransferAbortedError, fetchFile } from '../../src/transfer/index.js';
import type { FetchFileOptions } from '../../src/transfer/index.js';
import { OPENSSL_MISSING, selfSignedLoopbackCert } from '../support/tls.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => sockets.add(s));
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return (server.address() as { port: number }).port;
}

/** A server that answers every connection with `parts` (written one by one), then ends it unless `keepOpen`. */
async function rawServer(parts: string[], keepOpen = false): Promise<string> {
  const port = await listen(
    createServer((s) => {
      s.once('data', async () => {
        for (const p of parts) {
          s.write(p);
          await new Promise((r) => setTimeout(r, 5));
        }
        if (!keepOpen) s.end();
      });
    }),
  );
  return `http://127.0.0.1:${port}/fw.img`;
}

async function acs(): Promise<FakeAcs> {
  const a = await createFakeAcs();
  closers.push(() => a.close());
  return a;
}

/** Downloads `url`; resolves with the bytes, the chunks' backing buffers, or the fault code and text. */
async function get(url: string, more: Partial<FetchFileOptions> = {}) {
  const backing = new Set<ArrayBufferLike>();
  let text = '';
  try {
    const r = await fetchFile({
      url,
      username: '',
      password: '',
      timeoutMs: 5000,
      onChunk: (c) => {
        backing.add(c.buffer);
        text += Buffer.from(c).toString('latin1');
      },
      ...more,
    });
    return { bytes: r.bytes, text, buffers: backing.size, faultCode: 0, faultString: '' };
  } catch (err) {
    if (!isCwmpFault(err)) throw err;
    return { bytes: -1, text, buffers: backing.size, faultCode: err.faultCode, faultString: err.faultString };
  }
}

describe('one reused read buffer per download', () => {
  it('every chunk of a 3 MiB body is a view of the same buffer (HTTP)', async () => {
    const a = await acs();
    const r = await get(a.files.serve('big.img', { image: { size: 3 * 1024 * 1024 } }));
    expect(r).toMatchObject({ bytes: 3 * 1024 * 1024, faultCode: 0, buffers: 1 });
  });

  const tls = selfSignedLoopbackCert();
  it.skipIf(!tls)(`…and over HTTPS (node:tls honours onread) (${tls ? 'openssl found' : OPENSSL_MISSING})`, async () => {
    const a = await acs();
    await a.files.listenTls(tls!);
    a.files.serve('big.img', { image: { size: 1024 * 1024 } });
    const r = await get(a.files.url('big.img', { tls: true }), { ca: tls!.cert });
    expect(r).toMatchObject({ bytes: 1024 * 1024, faultCode: 0, buffers: 1 });
  });

  it('a chunked body from node:http, written in pieces, arrives whole', async () => {
    const port = await listen(
      createHttpServer(async (_req, res) => {
        for (let i = 0; i < 20; i++) res.write(`piece ${i};`.repeat(500));
        res.end();
      }),
    );
    const r = await get(`http://127.0.0.1:${port}/x`);
    expect(r.faultCode).toBe(0);
    expect(r.text).toBe(Array.from({ length: 20 }, (_, i) => `piece ${i};`.repeat(500)).join(''));
  });
});

describe('what a broken file server sends → the TR-069 fault', () => {
  it.each([
    ['a status line that is not HTTP', ['SSH-2.0-OpenSSH_9.2\r\n\r\n'], 9010, /not a valid HTTP\/1\.1 response: not an HTTP\/1\.x status line/],
    ['a response head over 16 KiB', [`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`], 9010, /larger than 16384 bytes/],
    ['Content-Length and chunked at once', ['HTTP/1.1 200 OK\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n'], 9010, /both Transfer-Encoding and Content-Length/],
    ['a chunk size that is not hex', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', '4\r\nabcd\r\nzz\r\n'], 9017, /broke off after 4 bytes: invalid chunk size "zz"/],
    ['a chunk size smaller than its data', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', '2\r\nabcd\r\n0\r\n\r\n'], 9017, /not followed by CRLF/],
    ['a chunked body cut before its last chunk', ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', '10\r\nabcd'], 9017, /broke off after 4 bytes: .*before the last chunk/],
    ['a Content-Length body cut short', ['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', 'abcd'], 9017, /broke off after 4 bytes: .*96 bytes before the end/],
    ['a close before any response', [], 9015, /^Download failure: unable to contact file server.*closed the connection before the response head/],
    ['a close inside the response head', ['HTTP/1.1 200 OK\r\nContent-'], 9015, /before the response head was complete/],
  ] as const)('%s', async (_, parts, code, text) => {
    const r = await get(await rawServer([...parts]));
    expect(r.faultCode).toBe(code);
    expect(r.faultString).toMatch(text);
  });

  it('a body that runs to the close is complete at the close (RFC 9112 §6.3 item 8)', async () => {
    expect(await get(await rawServer(['HTTP/1.0 200 OK\r\n\r\n', 'all', ' of it']))).toMatchObject({ faultCode: 0, text: 'all of it', bytes: 9 });
  });

  it('a 401 body is never handed to onChunk; the file after the challenge is', async () => {
    const a = await acs();
    const url = a.files.serve('s.yaml', 'the file', { auth: { scheme: 'digest', username: 'u', password: 'p' } });
    expect(await get(url, { username: 'u', password: 'p' })).toMatchObject({ faultCode: 0, text: 'the file' });
  });

  it('a Username with CR/LF is refused before anything is sent (it would split the request)', async () => {
    const a = await acs();
    const url = a.files.serve('s.yaml', 'x', { auth: { scheme: 'digest', username: 'u', password: 'p' } });
    const r = await get(url, { username: 'u\r\nX-Injected: 1', password: 'p' });
    expect(r).toMatchObject({ faultCode: 9012, faultString: expect.stringMatching(/CR, LF or NUL/) });
    expect(a.files.requests.map((x) => x.status)).toEqual([401]);
  });

  it('an abort mid-body rejects with TransferAbortedError and closes the connection (the CPE is closing)', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((r) => (closed = r));
    let started!: () => void;
    const bodyStarted = new Promise<void>((r) => (started = r));
    const port = await listen(
      createServer((s) => {
        s.on('close', closed);
        s.once('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\nfirst bytes'));
      }),
    );
    const ac = new AbortController();
    const p = fetchFile({ url: `http://127.0.0.1:${port}/fw.img`, username: '', password: '', timeoutMs: 60_000, signal: ac.signal, onChunk: () => started() });
    await bodyStarted;
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(TransferAbortedError);
    await serverSawClose;
  });
});
