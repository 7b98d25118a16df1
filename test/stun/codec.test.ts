import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bindingErrorResponse, bindingRequest, bindingResponse, readBindingRequest, readBindingResponse } from '../../src/stun/index.js';

/** The attributes of a message, read byte by byte here (independently of the codec). */
function tlvs(buf: Buffer): { type: number; value: Buffer }[] {
  const out: { type: number; value: Buffer }[] = [];
  let at = 20;
  while (at < 20 + buf.readUInt16BE(2)) {
    const type = buf.readUInt16BE(at);
    const len = buf.readUInt16BE(at + 2);
    out.push({ type, value: buf.subarray(at + 4, at + 4 + len) });
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  return out;
}

describe('TR-111 STUN messages', () => {
  it('a Binding Request carries CONNECTION-REQUEST-BINDING = "dslforum.org/TR-111 " (0xC001, 20 bytes)', () => {
    const { bytes } = bindingRequest();
    expect(bytes.readUInt16BE(0)).toBe(0x0001);
    const a = tlvs(bytes);
    expect(a).toHaveLength(1);
    expect(a[0]!.type).toBe(0xc001);
    expect(a[0]!.value.toString('latin1')).toBe('dslforum.org/TR-111 ');
    expect(a[0]!.value).toHaveLength(20);
  });

  it('adds BINDING-CHANGE (0xC002, empty), USERNAME and a MESSAGE-INTEGRITY that verifies (RFC 5389 §15.4), last', () => {
    const { bytes } = bindingRequest({ username: 'cpe-1', password: 'pw', bindingChange: true });
    const a = tlvs(bytes);
    expect(a.map((x) => x.type)).toEqual([0xc001, 0xc002, 0x0006, 0x0008]);
    expect(a[1]!.value).toHaveLength(0);
    expect(a[2]!.value.toString()).toBe('cpe-1');
    // Recompute the HMAC here: header length counting up to the end of MESSAGE-INTEGRITY.
    const miAt = bytes.length - 24;
    const signed = Buffer.from(bytes.subarray(0, miAt));
    signed.writeUInt16BE(miAt + 24 - 20, 2);
    expect(createHmac('sha1', 'pw').update(signed).digest()).toEqual(a[3]!.value);
    expect(readBindingRequest(bytes, () => 'pw')).toMatchObject({ username: 'cpe-1', connectionRequestBinding: true, bindingChange: true, integrity: 'ok' });
    expect(readBindingRequest(bytes, () => 'other')?.integrity).toBe('bad');
  });

  it('round-trips responses: mapped address, error code; ignores what is not STUN', () => {
    const { bytes, id } = bindingRequest();
    const req = readBindingRequest(bytes)!;
    expect(req.id).toBe(id);
    expect(readBindingResponse(bindingResponse(req.transaction, '198.51.100.7', 40000))).toEqual({ kind: 'success', id, address: '198.51.100.7', port: 40000 });
    expect(readBindingResponse(bindingErrorResponse(req.transaction, 401, 'Unauthorized'))).toEqual({ kind: 'error', id, code: 401, reason: 'Unauthorized' });
    expect(readBindingResponse(Buffer.from('GET http://x?ts=1 HTTP/1.1\r\n\r\n'))).toBeUndefined();
    expect(readBindingRequest(Buffer.alloc(19))).toBeUndefined();
    const truncated = Buffer.from(bytes);
    truncated.writeUInt16BE(400, 2);
    expect(readBindingRequest(truncated)).toBeUndefined();
  });
});
