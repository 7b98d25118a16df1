/**
 * Small, pure rules the loader applies: parameter path syntax, the data-model root,
 * the lexical form of each leaf type, TransferComplete fault codes.
 * @module
 */
import { ProfileError } from '../errors/index.js';
import type { DataModelRoot, XsdType } from './types.js';

/** Leaf types a profile may declare, in documentation order. */
export const XSD_TYPES: readonly XsdType[] = [
  'xsd:string',
  'xsd:int',
  'xsd:unsignedInt',
  'xsd:boolean',
  'xsd:dateTime',
  'xsd:base64',
  'xsd:long',
  'xsd:unsignedLong',
];

/** TR-069 A.2.1: the value a leaf has when the profile gives none. */
export const ZERO_VALUES: Readonly<Record<XsdType, string>> = {
  'xsd:string': '',
  'xsd:int': '0',
  'xsd:unsignedInt': '0',
  'xsd:long': '0',
  'xsd:unsignedLong': '0',
  'xsd:boolean': 'false',
  // Ref. 3.2: cpe-labs uses the epoch (a periodicInformPaths.time leaf without a value
  // anchors the phase there); TR-069's Unknown Time 0001-01-01T00:00:00Z stays valid.
  'xsd:dateTime': '1970-01-01T00:00:00Z',
  'xsd:base64': '',
};

/** What a realm may not hold, with the name used in messages. */
const REALM_BAD: ReadonlyArray<[RegExp, string]> = [
  [/\r/, 'a carriage return (CR)'],
  [/\n/, 'a line feed (LF)'],
  [/[\x00-\x1f\x7f-\x9f]/, 'a control character'],
  [/"/, 'a double quote (")'],
  [/\\/, 'a backslash (\\)'],
  [/[^\x20-\x7e]/, 'a non-ASCII character'],
];

/**
 * Why `realm` cannot be a Connection Request realm, or undefined when it can. The realm
 * is sent as `WWW-Authenticate: Digest realm="…"` (RFC 7616 §3.3, a quoted-string) and
 * hashed into every Digest response: a CR/LF or control character cannot go in a header
 * at all (every CR then fails with 500), a `"` or `\` ends or escapes the quoted-string,
 * and a non-ASCII realm hashes differently in clients that send bytes and in ours (UTF-8).
 * @example realmProblem('cpe\r\nsim') // 'it contains a carriage return (CR) at offset 3'
 */
export function realmProblem(realm: string): string | undefined {
  for (const [re, what] of REALM_BAD) {
    const m = re.exec(realm);
    if (m) return `it contains ${what} at offset ${m.index}`;
  }
  return undefined;
}

// Ref. 3.1: a segment is one or more of A-Z a-z 0-9 _ - (no rule on the first character).
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const INSTANCE = /^[1-9][0-9]*$/;

/**
 * Why `path` is not a valid parameter path, or `undefined`. `kind` says what it must
 * be: a full leaf path (`Device.DeviceInfo.SerialNumber`), a table path (may end with
 * `.`, not in an instance number), a group prefix (may end in an instance number or be
 * a bare root, ref. 3.5), or a relative path inside an object/group (`Stats.BytesSent`).
 * Any first segment is a root (`DeviceID`, `InternetGatewayDevice`, …; ref. 3.1).
 */
export function pathProblem(path: string, kind: 'leaf' | 'object' | 'prefix' | 'relative'): string | undefined {
  if (path === '') return 'the path is empty';
  let p = path;
  if ((kind === 'object' || kind === 'prefix') && p.endsWith('.')) p = p.slice(0, -1);
  else if (p.endsWith('.')) {
    return kind === 'leaf'
      ? `${JSON.stringify(path)} ends with "."; a leaf path names a parameter, not an object`
      : `${JSON.stringify(path)} ends with "."; a relative parameter path names a parameter`;
  }
  if (kind === 'relative' && p.startsWith('.')) return `${JSON.stringify(path)} starts with "."; write it relative, without a leading dot`;
  const segs = p.split('.');
  for (const seg of segs) {
    if (seg === '') return `${JSON.stringify(path)} has an empty segment (".." or a leading ".")`;
    if (!SEGMENT.test(seg)) return `${JSON.stringify(path)}: segment ${JSON.stringify(seg)} may hold only letters, digits, "_" and "-"`;
  }
  if (kind === 'leaf' || kind === 'object') {
    if (segs.length < 2) return `${JSON.stringify(path)} names only a root object`;
  }
  if (kind === 'object' && INSTANCE.test(segs[segs.length - 1] ?? '')) {
    return `${JSON.stringify(path)} ends with an instance number; name the table itself (e.g. Device.Hosts.Host)`;
  }
  return undefined;
}

/**
 * The top-level object names of `paths`, in byte order (a profile may have several:
 * `DeviceID` beside `InternetGatewayDevice`).
 *
 * @throws {ProfileError} when there is no path.
 * @example
 * detectRoot(['Device.DeviceInfo.SerialNumber']) // 'Device'
 */
export function detectRoot(paths: Iterable<string>): DataModelRoot {
  let root: DataModelRoot | undefined;
  for (const p of paths) {
    const r = p.split('.', 1)[0] ?? '';
    if (!SEGMENT.test(r)) throw new ProfileError([{ key: 'root', message: `${JSON.stringify(p)} does not start with an object name` }]);
    root ??= r;
  }
  if (root === undefined) throw new ProfileError([{ key: 'root', message: 'no parameter paths to detect the data-model root from' }]);
  return root;
}

const INT_RANGES: Partial<Record<XsdType, [bigint, bigint]>> = {
  'xsd:int': [-(2n ** 31n), 2n ** 31n - 1n],
  'xsd:unsignedInt': [0n, 2n ** 32n - 1n],
  'xsd:long': [-(2n ** 63n), 2n ** 63n - 1n],
  'xsd:unsignedLong': [0n, 2n ** 64n - 1n],
};

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why `value` is not a valid lexical value of `type`, or `undefined` when it is.
 * Canonical forms only (what a CPE should report): decimal integers without `+`,
 * `true`/`false`/`1`/`0`, xsd:dateTime with optional fraction and zone, strict base64.
 */
export function valueProblem(type: XsdType, value: string): string | undefined {
  switch (type) {
    case 'xsd:string':
      return undefined;
    case 'xsd:int':
    case 'xsd:unsignedInt':
    case 'xsd:long':
    case 'xsd:unsignedLong': {
      const signed = type === 'xsd:int' || type === 'xsd:long';
      const range = INT_RANGES[type];
      // Ref. 3.2 (Go strconv): signed types take an optional + or -, leading zeros are fine.
      if (!(signed ? /^[+-]?[0-9]+$/ : /^[0-9]+$/).test(value) || !range) {
        return `expected ${signed ? 'a decimal integer' : 'a non-negative decimal integer'} for ${type}, found ${JSON.stringify(value)}`;
      }
      const n = BigInt(value);
      if (n < range[0] || n > range[1]) return `${value} is out of range for ${type} (${range[0]} … ${range[1]})`;
      return undefined;
    }
    case 'xsd:boolean':
      return /^(true|false|0|1)$/.test(value) ? undefined : `expected true, false, 1 or 0 for xsd:boolean, found ${JSON.stringify(value)}`;
    case 'xsd:dateTime': {
      const m = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(value);
      const bad = `expected an xsd:dateTime such as 2024-05-01T12:00:00Z (or 0001-01-01T00:00:00Z for "unknown"), found ${JSON.stringify(value)}`;
      if (!m) return bad;
      const [, , mo, d, h, mi, s, , tz] = m;
      const month = Number(mo);
      if (month < 1 || month > 12 || Number(d) < 1 || Number(d) > (DAYS_IN_MONTH[month - 1] ?? 0) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return bad;
      if (tz && tz !== 'Z' && (Number(tz.slice(1, 3)) > 14 || Number(tz.slice(4)) > 59)) return bad;
      return undefined;
    }
    case 'xsd:base64':
      // Ref. 3.2: Go's decoder skips \r and \n, so a folded block of base64 loads.
      return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(value.replace(/[\r\n]/g, ''))
        ? undefined
        : `expected base64 text (A–Z a–z 0–9 + /, padded with = to a multiple of 4), found ${JSON.stringify(value)}`;
  }
}

/**
 * TR-069 A.3.3.2 (TransferComplete FaultStruct): the fault codes a CPE may report for a
 * file transfer.
 */
export function isTransferFaultCode(code: number): boolean {
  return code === 9001 || code === 9002 || (code >= 9010 && code <= 9012) || (code >= 9014 && code <= 9020) || (code >= 9800 && code <= 9899);
}
