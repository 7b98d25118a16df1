/**
 * STUN messages as TR-111 Part 2 uses them (TR-069 Annex G): Binding Requests carrying
 * CONNECTION-REQUEST-BINDING (0xC001, the 20 bytes `dslforum.org/TR-111 `) and, after
 * the binding changed, BINDING-CHANGE (0xC002, empty), with USERNAME and
 * MESSAGE-INTEGRITY when the CPE has STUN credentials. Messages are built and responses
 * decoded with `@msimerson/stun`; the two TR-111 attributes are unknown to it (it even
 * reads 0xC001 as ICE's NOMINATION), so a server reads requests' attributes from the
 * raw TLVs here. Pure.
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import stun from '@msimerson/stun';
import ByteStringAttribute from '@msimerson/stun/src/attributes/stun-bytestring-attribute.js';

/** TR-111 §2.2.1.1 attribute types. */
export const CONNECTION_REQUEST_BINDING = 0xc001;
export const BINDING_CHANGE = 0xc002;
/** The value of CONNECTION-REQUEST-BINDING (the trailing space pads it to 20 bytes). */
export const CONNECTION_REQUEST_BINDING_VALUE = 'dslforum.org/TR-111 ';

const BINDING_REQUEST = 0x0001;
const BINDING_RESPONSE = 0x0101;
const BINDING_ERROR_RESPONSE = 0x0111;
const MAGIC_COOKIE = 0x2112a442;
const ATTR_USERNAME = 0x0006;
const ATTR_MESSAGE_INTEGRITY = 0x0008;

/** Options of {@link bindingRequest}. */
export interface BindingRequestOptions {
  /** STUNUsername; sent as USERNAME when non-empty. */
  username?: string;
  /** STUNPassword; with a username, the request carries MESSAGE-INTEGRITY keyed with it. */
  password?: string;
  /** TR-111: set on the first request after the CPE saw its binding change. */
  bindingChange?: boolean;
}

/**
 * A TR-111 Binding Request and its transaction id (hex).
 * @example
 * const { bytes, id } = bindingRequest({ username: 'cpe-1', password: 'pw' });
 */
export function bindingRequest(opts: BindingRequestOptions = {}): { bytes: Buffer; id: string } {
  const m = stun.createMessage(BINDING_REQUEST);
  const add = (type: number, value: Buffer): void => {
    const a = new ByteStringAttribute(type, value);
    a.setOwner(m);
    m._attributes.push(a);
  };
  add(CONNECTION_REQUEST_BINDING, Buffer.from(CONNECTION_REQUEST_BINDING_VALUE, 'latin1'));
  if (opts.bindingChange) add(BINDING_CHANGE, Buffer.alloc(0));
  if (opts.username) {
    m.addUsername(opts.username);
    // MESSAGE-INTEGRITY must be the last attribute (RFC 5389 §15.4).
    if (opts.password) m.addMessageIntegrity(opts.password);
  }
  return { bytes: m.toBuffer(), id: m.transactionId.toString('hex') };
}

/** A decoded Binding Response (success or error). */
export type BindingResult =
  | { kind: 'success'; id: string; address: string; port: number }
  | { kind: 'error'; id: string; code: number; reason: string };

/** Decodes a Binding (Error) Response; undefined for anything else, never throws. */
export function readBindingResponse(buf: Buffer): BindingResult | undefined {
  if (buf.length < 20 || buf.readUInt16BE(0) !== BINDING_RESPONSE && buf.readUInt16BE(0) !== BINDING_ERROR_RESPONSE) return undefined;
  let msg: stun.StunResponse;
  try {
    msg = stun.decode(buf);
  } catch {
    return undefined;
  }
  const id = rawTransactionId(buf);
  if (msg.type === BINDING_ERROR_RESPONSE) {
    const e = msg.getError();
    return { kind: 'error', id, code: e?.code ?? 0, reason: e?.reason ?? '' };
  }
  // XOR-MAPPED-ADDRESS (RFC 5389) first; MAPPED-ADDRESS from RFC 3489 servers.
  const a = msg.getXorAddress() ?? msg.getAddress();
  if (!a) return undefined;
  return { kind: 'success', id, address: a.address, port: a.port };
}

/** A Binding Request as a STUN server sees it. */
export interface BindingRequestInfo {
  id: string;
  transaction: Buffer;
  username: string | undefined;
  connectionRequestBinding: boolean;
  bindingChange: boolean;
  /** `none`: no MESSAGE-INTEGRITY; `ok` / `bad`: checked with the password `passwordOf` gave. */
  integrity: 'none' | 'ok' | 'bad';
}

/** The transaction id of a message: 12 bytes after the magic cookie (RFC 5389), 16 without it (RFC 3489). */
function rawTransactionId(buf: Buffer): string {
  return (buf.readUInt32BE(4) === MAGIC_COOKIE ? buf.subarray(8, 20) : buf.subarray(4, 20)).toString('hex');
}

/**
 * Reads a Binding Request's attributes from the raw TLVs; undefined for anything else
 * (never throws). MESSAGE-INTEGRITY is checked as RFC 5389 §15.4 computes it.
 */
export function readBindingRequest(buf: Buffer, passwordOf: (username: string | undefined) => string | undefined = () => undefined): BindingRequestInfo | undefined {
  if (buf.length < 20 || buf.readUInt16BE(0) !== BINDING_REQUEST) return undefined;
  const len = buf.readUInt16BE(2);
  if (20 + len > buf.length || len % 4 !== 0) return undefined;
  const legacy = buf.readUInt32BE(4) !== MAGIC_COOKIE;
  const info: BindingRequestInfo = {
    id: rawTransactionId(buf),
    transaction: Buffer.from(legacy ? buf.subarray(4, 20) : buf.subarray(8, 20)),
    username: undefined,
    connectionRequestBinding: false,
    bindingChange: false,
    integrity: 'none',
  };
  let at = 20;
  while (at + 4 <= 20 + len) {
    const type = buf.readUInt16BE(at);
    const alen = buf.readUInt16BE(at + 2);
    const value = buf.subarray(at + 4, at + 4 + alen);
    if (value.length !== alen) return undefined;
    if (type === CONNECTION_REQUEST_BINDING) info.connectionRequestBinding = value.toString('latin1') === CONNECTION_REQUEST_BINDING_VALUE;
    else if (type === BINDING_CHANGE) info.bindingChange = true;
    else if (type === ATTR_USERNAME) info.username = value.toString('utf8');
    else if (type === ATTR_MESSAGE_INTEGRITY) {
      const password = passwordOf(info.username);
      if (password === undefined || alen !== 20) info.integrity = 'bad';
      else {
        // RFC 5389 §15.4: HMAC-SHA1 over the message up to this attribute, with the header
        // length counting up to its end.
        const signed = Buffer.from(buf.subarray(0, at));
        signed.writeUInt16BE(at + 24 - 20, 2);
        const want = createHmac('sha1', password).update(signed).digest();
        info.integrity = timingSafeEqual(want, value) ? 'ok' : 'bad';
      }
      break; // attributes after MESSAGE-INTEGRITY are ignored (RFC 5389 §15.4)
    }
    at += 4 + alen + ((4 - (alen % 4)) % 4);
  }
  return info;
}

/** A Binding Response carrying the mapped address (XOR-MAPPED-ADDRESS and, for RFC 3489 clients, MAPPED-ADDRESS). */
export function bindingResponse(transaction: Buffer, address: string, port: number): Buffer {
  const m = stun.createMessage(BINDING_RESPONSE, transaction);
  m.addXorAddress(address, port);
  m.addAddress(address, port);
  return m.toBuffer();
}

/** A Binding Error Response (e.g. 401 Unauthorized). */
export function bindingErrorResponse(transaction: Buffer, code: number, reason: string): Buffer {
  const m = stun.createMessage(BINDING_ERROR_RESPONSE, transaction);
  m.addError(code, reason);
  return m.toBuffer();
}
