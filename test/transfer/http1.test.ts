/**
 * The download client's HTTP/1.1 response parser (decision 022): strict framing per
 * RFC 9112, body handed out as views of the fed buffer. Every input is also fed one byte
 * at a time, since a socket may split a response anywhere.
 */
import { describe, expect, it } from 'vitest';
import { HttpParseError, ResponseParser, parseResponseHead } from '../../src/transfer/http1.js';
import type { ResponseHead } from '../../src/transfer/http1.js';

interface Parsed {
  head?: ResponseHead;
  body: string;
  done: boolean;
}

/** Feeds `raw` whole (`split` 0) or in pieces of `split` bytes, then EOF when `eof`. */
function parse(raw: string, { split = 0, eof = true, skipBody = false } = {}): Parsed {
  const out: Parsed = { body: '', done: false };
  const p = new ResponseParser({
    onHead: (h) => {
      out.head = h;
      return skipBody ? false : undefined;
    },
    onBody: (c) => (out.body += c.toString('latin1')),
  });
  const buf = Buffer.from(raw, 'latin1');
  const step = split || buf.length || 1;
  for (let i = 0; i < buf.length && !p.done; i += step) p.execute(buf, i, Math.min(buf.length, i + step));
  if (eof) p.finish();
  out.done = p.done;
  return out;
}

function both(raw: string, opts: { eof?: boolean } = {}): Parsed {
  const whole = parse(raw, opts);
  expect(parse(raw, { ...opts, split: 1 })).toEqual(whole);
  return whole;
}

function fails(raw: string, phase: 'head' | 'body', message: RegExp, opts: { eof?: boolean } = {}): void {
  for (const split of [0, 1]) {
    let err: unknown;
    try {
      parse(raw, { ...opts, split });
    } catch (e) {
      err = e;
    }
    expect(err, `split=${split}`).toBeInstanceOf(HttpParseError);
    expect((err as HttpParseError).phase).toBe(phase);
    expect((err as HttpParseError).message).toMatch(message);
  }
}

describe('response framing (RFC 9112 §6.3)', () => {
  it('Content-Length: exactly that many bytes, later bytes are not read', () => {
    const r = both('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhelloEXTRA', { eof: false });
    expect(r).toMatchObject({ body: 'hello', done: true });
    expect(r.head).toMatchObject({ version: '1.1', status: 200, reason: 'OK' });
    expect(r.head?.headers.get('x-a')).toEqual(['1', '2']);
  });

  it('chunked, with chunk extensions and trailers', () => {
    const r = both('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=v\r\nhello\r\nA \r\n0123456789\r\n0\r\nX-Sum: 1\r\n\r\n', { eof: false });
    expect(r).toMatchObject({ body: 'hello0123456789', done: true });
  });

  it('no length: the body runs to the close', () => {
    expect(both('HTTP/1.0 200 OK\r\n\r\nall of it')).toMatchObject({ body: 'all of it', done: true });
  });

  it('204 and 304 have no body; interim 1xx heads are skipped', () => {
    expect(both('HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n', { eof: false })).toMatchObject({ body: '', done: true });
    const r = both('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', { eof: false });
    expect(r).toMatchObject({ body: 'ok', done: true, head: { status: 200 } });
  });

  it('onHead returning false skips the body', () => {
    expect(parse('HTTP/1.1 401 Unauthorized\r\nContent-Length: 12\r\n\r\nUnauthorized', { eof: false, skipBody: true })).toMatchObject({ body: '', done: true });
  });

  it('identical repeated Content-Length values are one length', () => {
    expect(both('HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok', { eof: false }).body).toBe('ok');
  });

  it('an obs-fold continues the previous field with one space (§5.2)', () => {
    expect(parseResponseHead(Buffer.from('HTTP/1.1 200 OK\r\nX-Long: a\r\n \t b')).headers.get('x-long')).toEqual(['a b']);
  });

  it('the body is a view of the fed buffer, not a copy', () => {
    const buf = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc');
    const seen: Buffer[] = [];
    new ResponseParser({ onHead: () => undefined, onBody: (c) => seen.push(c) }).execute(buf);
    expect(seen[0]?.buffer).toBe(buf.buffer);
  });
});

describe('malformed heads (phase head)', () => {
  it.each([
    ['garbage', 'SSH-2.0-OpenSSH_9.2\r\n\r\n'],
    ['HTTP/2', 'HTTP/2.0 200 OK\r\n\r\n'],
    ['a 2-digit status', 'HTTP/1.1 20 OK\r\n\r\n'],
    ['status class 6', 'HTTP/1.1 600 Odd\r\n\r\n'],
    ['lower-case protocol', 'http/1.1 200 OK\r\n\r\n'],
  ])('status line: %s', (_, raw) => fails(raw, 'head', /not an HTTP\/1\.x status line/));

  it.each([
    ['space before the colon', 'X-A : 1'],
    ['no colon', 'just words'],
    ['an empty name', ': v'],
  ])('field line: %s', (_, line) => fails(`HTTP/1.1 200 OK\r\n${line}\r\n\r\n`, 'head', /malformed response field/));

  it('a bare LF or a control character', () => {
    fails('HTTP/1.1 200 OK\r\nX-A: 1\nX-B: 2\r\n\r\n', 'head', /bare CR or LF/);
    fails('HTTP/1.1 200 OK\r\nX-A: 1\x01\r\n\r\n', 'head', /control character/);
  });

  it('a head over the limit, with or without its end in sight', () => {
    const big = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\nbody`;
    fails(big, 'head', /larger than 16384 bytes/);
    fails(big.slice(0, 17_000), 'head', /larger than 16384 bytes/, { eof: false });
  });

  it('ambiguous or unsupported framing', () => {
    fails('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n', 'head', /invalid Content-Length/);
    fails('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', 'head', /invalid Content-Length/);
    fails('HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n', 'head', /invalid Content-Length/);
    fails('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n', 'head', /both Transfer-Encoding and Content-Length/);
    fails('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', 'head', /unsupported Transfer-Encoding/);
    fails('HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'head', /HTTP\/1\.0/);
    fails('HTTP/1.1 101 Switching Protocols\r\n\r\n', 'head', /switched protocols/);
  });

  it('EOF before or inside the head', () => {
    fails('', 'head', /closed without a response/);
    fails('HTTP/1.1 200 OK\r\nContent-', 'head', /middle of the response head/);
  });
});

describe('bodies that break their framing (phase body)', () => {
  it.each([
    ['not hex', 'zz\r\n'],
    ['negative', '-5\r\nhello\r\n'],
    ['hex with junk', '5x\r\nhello\r\n'],
    ['empty', '\r\n'],
    ['too many digits', `${'f'.repeat(14)}\r\n`],
  ])('chunk size: %s', (_, chunk) => fails(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${chunk}`, 'body', /invalid chunk size/, { eof: false }));

  it('a chunk size that lies about its data', () => {
    // Says 3, sends 5: the CRLF is not where the size put it.
    fails('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n', 'body', /not followed by CRLF/, { eof: false });
    // Says 0x20, sends 5 and the end: the connection closes inside the chunk.
    fails('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\nhello\r\n0\r\n\r\n', 'body', /before the last chunk/);
  });

  it('a chunk-size line without end, a bare LF, a bad trailer', () => {
    fails(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;${'x'.repeat(2000)}`, 'body', /chunk-size line longer/, { eof: false });
    fails('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n', 'body', /bare LF/, { eof: false });
    fails('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nnot a field\r\n\r\n', 'body', /malformed trailer/, { eof: false });
  });

  it('truncated bodies', () => {
    fails('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello', 'body', /5 bytes before the end of the Content-Length body/);
    fails('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', 'body', /before the last chunk/);
  });

  it('what onBody throws stops the parse', () => {
    const p = new ResponseParser({
      onHead: () => undefined,
      onBody: () => {
        throw new RangeError('enough');
      },
    });
    expect(() => p.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'))).toThrow(RangeError);
  });
});
