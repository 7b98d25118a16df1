/**
 * Reads the msg_id and the body kind out of a Msg the codec refused (R-MTP.5: an
 * Error is sent for an undecodable Msg only when its msg_id can be read and it is a
 * request). A few lines of protobuf wire format over the fields usp-notes §1.2 lists:
 * `Msg {1 header {1 msg_id: string}, 2 body {1 request | 2 response | 3 error}}`.
 * @module
 */

/** What could be read of a Msg. */
export interface MsgPeek {
  msgId?: string;
  /** The body's oneof member by field number, when it could be read. */
  body?: 'request' | 'response' | 'error';
}

interface Field {
  no: number;
  /** For length-delimited fields: [start, end) of the value. */
  start: number;
  end: number;
}

/** The top-level fields of a protobuf message, or undefined when the bytes are not well formed. */
function fields(b: Uint8Array, from = 0, to = b.length): Field[] | undefined {
  const out: Field[] = [];
  let i = from;
  const varint = (): number | undefined => {
    let v = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (i >= to) return undefined;
      const byte = b[i++]!;
      if (shift < 49) v += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return v;
    }
    return undefined;
  };
  while (i < to) {
    const tag = varint();
    if (tag === undefined) return undefined;
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    const start = i;
    if (wire === 0) {
      if (varint() === undefined) return undefined;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const len = varint();
      if (len === undefined || i + len > to) return undefined;
      out.push({ no, start: i, end: i + len });
      i += len;
      continue;
    } else return undefined;
    if (i > to) return undefined;
    out.push({ no, start, end: i });
  }
  return out;
}

const BODY = ['request', 'response', 'error'] as const;

/** The msg_id and body kind of an encoded Msg, as far as they can be read. */
export function peekMsg(b: Uint8Array): MsgPeek {
  const out: MsgPeek = {};
  const top = fields(b);
  if (!top) return out;
  const header = top.find((f) => f.no === 1);
  if (header) {
    const id = fields(b, header.start, header.end)?.find((f) => f.no === 1);
    if (id) {
      try {
        out.msgId = new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(id.start, id.end));
      } catch {
        // Not UTF-8: not a readable msg_id.
      }
    }
  }
  const body = top.find((f) => f.no === 2);
  const member = body ? fields(b, body.start, body.end)?.[0] : undefined;
  const kind = member ? BODY[member.no - 1] : undefined;
  if (kind !== undefined) out.body = kind;
  return out;
}
