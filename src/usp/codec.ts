/**
 * Encoding and decoding of USP Records and Msgs (pure, no I/O).
 *
 * Decoding walks the protobufjs reflection itself instead of calling `toObject`, for
 * two reasons: protobufjs accepts enum numbers it does not know (msg_type 99 decodes
 * as 99, notes §1.5), which TR-369 R-ENC.2 makes our job to reject; and the result is
 * complete (every scalar, array and map present, sub-messages never null), so callers
 * read `msg.header.msg_id` without guards.
 * @module
 */
import protobuf from 'protobufjs';
import { MsgProto, RecordProto } from './schema.js';
import { USP_ERR, UspError } from './errors.js';
import type { UspErrorBody, UspInput, UspMsg, UspParamError, UspRecord } from './types.js';

/** The Record version cpe-sim stamps on what it sends (obuspa and cpe-labs do the same). */
export const USP_RECORD_VERSION = '1.3';

/**
 * Largest Record {@link decodeRecord} accepts by default (4 MiB). Bigger input is
 * refused with 7005 (resources exceeded) before protobufjs reads it.
 */
export const USP_MAX_RECORD_BYTES = 4 * 1024 * 1024;

/** Options of {@link decodeRecord} and {@link decodeMsg}. */
export interface UspDecodeOptions {
  /** Refuse input longer than this many bytes (default {@link USP_MAX_RECORD_BYTES}). */
  maxBytes?: number;
}

/** Decoded protobufjs message: fields by name. */
type Decoded = Record<string, unknown>;

/** A field failed R-ENC.2 (unknown enum number) while walking a decoded message. */
class BadEnum extends Error {}

function plainBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return new Uint8Array(0);
}

function longToString(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object' && v !== null && 'low' in v && 'high' in v) {
    const { low, high } = v as { low: number; high: number };
    // uint64 as exact decimal: BigInt avoids the 2^53 limit of numbers.
    return ((BigInt(high >>> 0) << 32n) | BigInt(low >>> 0)).toString();
  }
  return '0';
}

function scalar(field: protobuf.Field, v: unknown, where: string): unknown {
  const rt = field.resolvedType;
  if (rt instanceof protobuf.Type) return toPlain(rt, (v ?? null) as Decoded | null, where);
  if (rt instanceof protobuf.Enum) {
    const n = typeof v === 'number' ? v : 0;
    const name = rt.valuesById[n];
    if (name === undefined) throw new BadEnum(`${where}: unknown ${rt.name} value ${n}`);
    return name;
  }
  switch (field.type) {
    case 'string':
      return typeof v === 'string' ? v : '';
    case 'bool':
      return v === true;
    case 'bytes':
      return plainBytes(v);
    case 'uint64':
    case 'int64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return longToString(v);
    default:
      return typeof v === 'number' ? v : 0;
  }
}

/** The complete plain form of a decoded message (or of its default when `m` is null). */
function toPlain(type: protobuf.Type, m: Decoded | null, where: string): Decoded {
  const out: Decoded = {};
  for (const field of type.fieldsArray) {
    if (field.partOf) continue; // oneof members: below
    const v = m?.[field.name];
    const at = where ? `${where}.${field.name}` : field.name;
    if (field.map) {
      const obj: Record<string, string> = {};
      if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) obj[k] = String(scalar(field, x, `${at}[${k}]`));
      }
      out[field.name] = obj;
    } else if (field.repeated) {
      out[field.name] = Array.isArray(v) ? v.map((x, i) => scalar(field, x, `${at}[${i}]`)) : [];
    } else {
      out[field.name] = scalar(field, v, at);
    }
  }
  for (const oneof of type.oneofsArray) {
    const member = m ? type.fields[String((m as Record<string, unknown>)[oneof.name] ?? '')] : undefined;
    if (!member) continue;
    out[oneof.name] = member.name;
    out[member.name] = scalar(member, m?.[member.name], where ? `${where}.${member.name}` : member.name);
  }
  return out;
}

function decodeWith(type: protobuf.Type, b: Uint8Array, what: string, garbageCode: number, enumCode: number, opts: UspDecodeOptions): Decoded {
  const max = opts.maxBytes ?? USP_MAX_RECORD_BYTES;
  if (!(b instanceof Uint8Array)) throw new UspError(garbageCode, `cannot decode ${what}: expected bytes (Uint8Array), got ${typeof b}`);
  if (b.byteLength > max) {
    throw new UspError(USP_ERR.RESOURCES_EXCEEDED, `cannot decode ${what}: ${b.byteLength} bytes exceed the limit of ${max} bytes`);
  }
  let decoded: protobuf.Message;
  try {
    decoded = type.decode(b);
  } catch (e) {
    // protobufjs throws RangeError / Error on truncated input and bad wire types (notes §1.5).
    throw new UspError(garbageCode, `cannot decode ${what} (${b.byteLength} bytes): ${(e as Error).message}`, [], { cause: e });
  }
  try {
    return toPlain(type, decoded as unknown as Decoded, '');
  } catch (e) {
    if (e instanceof BadEnum) throw new UspError(enumCode, `invalid ${what}: ${e.message} (TR-369 R-ENC.2)`);
    throw e;
  }
}

/**
 * Decodes a USP Record (the MTP payload).
 * @throws {@link UspError} 7100 when the bytes are not a Record, 7104 for an enum value
 *   the schema does not define, 7005 when longer than `maxBytes`.
 * @example
 * const rec = decodeRecord(payload);
 * if (rec.record_type === 'no_session_context') handle(decodeMsg(rec.no_session_context!.payload));
 */
export function decodeRecord(b: Uint8Array, opts: UspDecodeOptions = {}): UspRecord {
  return decodeWith(RecordProto, b, 'USP Record', USP_ERR.RECORD_NOT_PARSED, USP_ERR.RECORD_FIELD_INVALID, opts) as unknown as UspRecord;
}

/**
 * Decodes a USP Msg (the payload of a no_session_context Record).
 * @throws {@link UspError} 7004 when the bytes are not a Msg or hold an unknown enum
 *   value (R-ENC.2), 7005 when longer than `maxBytes`.
 */
export function decodeMsg(b: Uint8Array, opts: UspDecodeOptions = {}): UspMsg {
  return decodeWith(MsgProto, b, 'USP Msg', USP_ERR.INVALID_ARGUMENTS, USP_ERR.INVALID_ARGUMENTS, opts) as unknown as UspMsg;
}

/**
 * Encodes a USP Record. Fields left out take their proto3 default and, as in
 * proto3, defaults are not written.
 */
export function encodeRecord(r: UspInput<UspRecord>): Uint8Array {
  return RecordProto.encode(RecordProto.fromObject(r as Record<string, unknown>)).finish();
}

/** Encodes a USP Msg (proto3: defaults such as msg_type ERROR are not written). */
export function encodeMsg(m: UspInput<UspMsg>): Uint8Array {
  return MsgProto.encode(MsgProto.fromObject(m as Record<string, unknown>)).finish();
}

/**
 * Builds a `no_session_context` Record (version {@link USP_RECORD_VERSION}, plaintext)
 * around a Msg.
 * @example
 * const bytes = encodeRecord(wrapMsg(msg, agentId, controllerId));
 */
export function wrapMsg(m: UspInput<UspMsg>, from_id: string, to_id: string): UspRecord {
  return {
    version: USP_RECORD_VERSION,
    to_id,
    from_id,
    payload_security: 'PLAINTEXT',
    mac_signature: new Uint8Array(0),
    sender_cert: new Uint8Array(0),
    record_type: 'no_session_context',
    no_session_context: { payload: encodeMsg(m) },
  };
}

/**
 * The Error Msg answering request `msg_id` (errors reuse the request's msg_id,
 * R-MSG.9).
 */
export function errorMsg(msg_id: string, err_code: number, err_msg: string, param_errs: readonly UspParamError[] = []): UspMsg {
  const error: UspErrorBody = { err_code, err_msg, param_errs: param_errs.map((p) => ({ ...p })) };
  return { header: { msg_id, msg_type: 'ERROR' }, body: { msg_body: 'error', error } };
}

/** The Error Msg for a thrown {@link UspError}. */
export function uspErrorToMsg(msg_id: string, e: UspError): UspMsg {
  return errorMsg(msg_id, e.errCode, e.message, e.paramErrs);
}
