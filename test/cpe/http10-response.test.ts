import { describe, expect, it } from 'vitest';
import { parseHttp10Response } from '../../src/cpe/transport.js';

const parse = (s: string): ReturnType<typeof parseHttp10Response> => parseHttp10Response(Buffer.from(s, 'latin1'));

describe('parseHttp10Response (the http10 transport reads a response to the connection close)', () => {
  it('reads status, repeated headers and a body bounded by Content-Length', () => {
    const r = parse('HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nContent-Length: 5\r\n\r\nhello-trailing');
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toEqual(['a=1', 'b=2']);
    expect(r.body).toBe('hello');
  });

  it('without Content-Length the body runs to the close (RFC 1945 §7.2.2)', () => {
    expect(parse('HTTP/1.0 204\r\n\r\n')).toMatchObject({ status: 204, body: '' });
    expect(parse('HTTP/1.0 200 OK\r\n\r\n<x/>').body).toBe('<x/>');
  });

  it('refuses what is not a whole HTTP response, naming what is wrong', () => {
    expect(() => parse('')).toThrow(/closed without a response/);
    expect(() => parse('HTTP/1.1 200 OK\r\nContent-')).toThrow(/middle of the response head/);
    expect(() => parse('SSH-2.0-OpenSSH\r\n\r\n')).toThrow(/not an HTTP\/1\.x status line/);
    expect(() => parse('HTTP/1.1 200 OK\r\nno colon\r\n\r\n')).toThrow(/malformed response field/);
    expect(() => parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n')).toThrow(/Transfer-Encoding "chunked" in an answer to an HTTP\/1\.0 request/);
    expect(() => parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort')).toThrow(/5 bytes before the end of the Content-Length body/);
    expect(() => parse('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')).toThrow(/invalid Content-Length/);
  });
});
