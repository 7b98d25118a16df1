/**
 * Per-CPE placeholders in profile values (`{cpe}`, `{cpe:ipv4:10.0.0.0/16}`, `{cpe_id}`, …)
 * and the serial pattern (`{base}`, `{i}`, `{i:N}`). Templates are parsed once and
 * cached, so stamping a value for CPE 73,211 is a few string concatenations.
 *
 * Only text starting with `{cpe` followed by `}`, `:`, `_`, a letter or a digit is
 * treated as a placeholder; any other `{` is literal text. A placeholder that starts
 * like ours but is malformed (`{cpe:hex}`, `{cpe_idx}`, `{cpe:mac:4}`) is an error, so
 * a typo is reported at load time instead of reaching the ACS verbatim.
 * @module
 */
import { CpeSimError } from '../errors/index.js';
import type { PlaceholderContext, PlaceholderInput } from './types.js';

/** A placeholder is malformed, or the CPE index does not fit it (range too small). */
export class PlaceholderError extends CpeSimError {
  override name = 'PlaceholderError';
  /** The offending placeholder or pattern text. */
  readonly token: string;
  constructor(token: string, message: string) {
    super('CPESIM_PLACEHOLDER_INVALID', message);
    this.token = token;
  }
}

type Token =
  | { kind: 'index'; text: string; width: number }
  | { kind: 'hex'; text: string; width: number; upper: boolean }
  | { kind: 'mac'; text: string; bytes: number; upper: boolean }
  | { kind: 'ipv4'; text: string; network: bigint; capacity: bigint }
  | { kind: 'ipv6'; text: string; network: bigint; capacity: bigint }
  | { kind: 'ipv6prefix'; text: string; network: bigint; subLen: number; capacity: bigint }
  | { kind: 'id'; text: string };

type Segment = string | Token;

const MAX_WIDTH = 32;

function parseWidth(s: string, token: string, what: string): number {
  if (!/^[0-9]{1,3}$/.test(s)) throw new PlaceholderError(token, `${token}: ${what} must be a decimal number, found ${JSON.stringify(s)}`);
  const n = Number(s);
  if (n < 1 || n > MAX_WIDTH) throw new PlaceholderError(token, `${token}: ${what} must be between 1 and ${MAX_WIDTH}, found ${s}`);
  return n;
}

// ---------------------------------------------------------------- addresses

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    // Leading zeros are refused: some parsers read them as octal.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function formatIpv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 255n)).join('.');
}

function parseIpv6(s: string): bigint | undefined {
  if (s.includes('%')) return undefined; // zone ids make no sense in a range
  let head = s;
  let tailV4: bigint | undefined;
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.slice(lastColon + 1).includes('.')) {
    tailV4 = parseIpv4(s.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    // The dotted tail stands for the last two groups: parse it as 0:0, then fill in the 32 bits.
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const groupsWanted = 8;
  const dbl = head.split('::');
  if (dbl.length > 2) return undefined;
  const parseGroups = (part: string): string[] | undefined => (part === '' ? [] : part.split(':'));
  const left = parseGroups(dbl[0] ?? '');
  const right = dbl.length === 2 ? parseGroups(dbl[1] ?? '') : [];
  if (!left || !right) return undefined;
  let groups: string[];
  if (dbl.length === 2) {
    const missing = groupsWanted - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== groupsWanted) return undefined;
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== undefined) v = (v & ~0xffffffffn) | tailV4;
  return v;
}

/** RFC 5952 §4: lower case, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
function formatIpv6(v: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function parseCidr(cidr: string, family: 4 | 6, token: string): { network: bigint; len: number } {
  const slash = cidr.indexOf('/');
  const bits = family === 4 ? 32 : 128;
  const example = family === 4 ? '10.0.0.0/24' : '2001:db8::/64';
  if (slash < 0) throw new PlaceholderError(token, `${token}: expected a CIDR range such as ${example}, found ${JSON.stringify(cidr)}`);
  const addrText = cidr.slice(0, slash);
  const lenText = cidr.slice(slash + 1);
  const addr = family === 4 ? parseIpv4(addrText) : parseIpv6(addrText);
  if (addr === undefined) throw new PlaceholderError(token, `${token}: ${JSON.stringify(addrText)} is not an IPv${family} address (expected a CIDR range such as ${example})`);
  if (!/^[0-9]{1,3}$/.test(lenText) || Number(lenText) > bits) {
    throw new PlaceholderError(token, `${token}: prefix length must be 0–${bits}, found ${JSON.stringify(lenText)}`);
  }
  const len = Number(lenText);
  const hostMask = (1n << BigInt(bits - len)) - 1n;
  if ((addr & hostMask) !== 0n) {
    const net = addr & ~hostMask;
    throw new PlaceholderError(
      token,
      `${token}: ${cidr} has host bits set; write the network address (${family === 4 ? formatIpv4(net) : formatIpv6(net)}/${len})`,
    );
  }
  return { network: addr, len };
}

// ---------------------------------------------------------------- tokens

function parseToken(body: string): Token {
  const text = `{${body}}`;
  if (body === 'cpe') return { kind: 'index', text, width: 0 };
  if (body === 'cpe_id') return { kind: 'id', text };
  if (!body.startsWith('cpe:')) {
    throw new PlaceholderError(text, `unknown placeholder ${text}; expected {cpe}, {cpe:N}, {cpe:hex:N}, {cpe:HEX:N}, {cpe:mac:N}, {cpe:MAC:N}, {cpe:ipv4:CIDR}, {cpe:ipv6:CIDR}, {cpe:ipv6prefix:SUPER,SUBLEN} or {cpe_id}`);
  }
  const arg = body.slice(4);
  if (/^[0-9]+$/.test(arg)) return { kind: 'index', text, width: parseWidth(arg, text, 'the width') };
  const colon = arg.indexOf(':');
  const kind = colon < 0 ? arg : arg.slice(0, colon);
  const rest = colon < 0 ? undefined : arg.slice(colon + 1);
  switch (kind) {
    case 'hex':
    case 'HEX':
      if (rest === undefined) throw new PlaceholderError(text, `${text}: missing width, expected {cpe:${kind}:N}`);
      return { kind: 'hex', text, width: parseWidth(rest, text, 'the width'), upper: kind === 'HEX' };
    case 'mac':
    case 'MAC': {
      if (rest === undefined || !/^[123]$/.test(rest)) {
        throw new PlaceholderError(text, `${text}: expected {cpe:${kind}:N} with N = 1, 2 or 3 (bytes), found ${rest === undefined ? 'no N' : JSON.stringify(rest)}`);
      }
      return { kind: 'mac', text, bytes: Number(rest), upper: kind === 'MAC' };
    }
    case 'ipv4':
    case 'ipv6': {
      if (rest === undefined) throw new PlaceholderError(text, `${text}: missing CIDR range, expected {cpe:${kind}:CIDR}`);
      const family = kind === 'ipv4' ? 4 : 6;
      const { network, len } = parseCidr(rest, family, text);
      const bits = family === 4 ? 32 : 128;
      // IPv4: the network and broadcast addresses are not hosts (RFC 919/922), so /31 and /32 hold none.
      // IPv6 has no broadcast, but address 0 of a subnet is the Subnet-Router anycast address (RFC 4291 §2.6.1).
      const size = 1n << BigInt(bits - len);
      const capacity = family === 4 ? (len >= 31 ? 0n : size - 2n) : size - 1n;
      return { kind, text, network, capacity };
    }
    case 'ipv6prefix': {
      const m = rest === undefined ? null : /^(.+),\/?([0-9]{1,3})$/.exec(rest);
      if (rest === undefined || !m) {
        throw new PlaceholderError(text, `${text}: expected {cpe:ipv6prefix:SUPER,SUBLEN}, e.g. {cpe:ipv6prefix:2001:db8::/32,56}`);
      }
      const { network, len } = parseCidr(m[1] ?? '', 6, text);
      const subLen = Number(m[2]);
      if (subLen <= len || subLen > 128) {
        throw new PlaceholderError(text, `${text}: SUBLEN must be longer than the super-prefix /${len} and at most 128, found ${subLen}`);
      }
      return { kind: 'ipv6prefix', text, network, subLen, capacity: 1n << BigInt(subLen - len) };
    }
    default:
      throw new PlaceholderError(text, `unknown placeholder ${text}; expected {cpe}, {cpe:N}, {cpe:hex:N}, {cpe:HEX:N}, {cpe:mac:N}, {cpe:MAC:N}, {cpe:ipv4:CIDR}, {cpe:ipv6:CIDR}, {cpe:ipv6prefix:SUPER,SUBLEN} or {cpe_id}`);
  }
}

/** True when the character after `{cpe` makes it a placeholder attempt. */
function startsPlaceholder(c: string | undefined): boolean {
  return c !== undefined && /[}:_A-Za-z0-9]/.test(c);
}

function parseTemplate(value: string): Segment[] {
  const out: Segment[] = [];
  let lit = '';
  let i = 0;
  while (i < value.length) {
    const at = value.indexOf('{cpe', i);
    if (at < 0 || !startsPlaceholder(value[at + 4])) {
      if (at < 0) {
        lit += value.slice(i);
        break;
      }
      lit += value.slice(i, at + 1);
      i = at + 1;
      continue;
    }
    lit += value.slice(i, at);
    const close = value.indexOf('}', at);
    if (close < 0) {
      const frag = value.slice(at);
      throw new PlaceholderError(frag, `unterminated placeholder ${JSON.stringify(frag)}: missing "}"`);
    }
    if (lit) out.push(lit);
    lit = '';
    out.push(parseToken(value.slice(at + 1, close)));
    i = close + 1;
  }
  if (lit) out.push(lit);
  return out;
}

const cache = new Map<string, Segment[]>();
const CACHE_MAX = 4096;

function template(value: string): Segment[] {
  let t = cache.get(value);
  if (!t) {
    t = parseTemplate(value);
    // A profile has a bounded number of distinct values; the bound only protects against misuse.
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(value, t);
  }
  return t;
}

function capacityError(t: Token, index: number, capacity: bigint): PlaceholderError {
  return new PlaceholderError(t.text, `${t.text} has room for ${capacity} CPE${capacity === 1n ? '' : 's'}, but CPE ${index} needs one; use a larger range or fewer CPEs`);
}

function stampToken(t: Token, ctx: PlaceholderInput): string {
  const n = ctx.index;
  switch (t.kind) {
    case 'id':
      return ctx.id;
    case 'index':
      return String(n).padStart(t.width, '0');
    case 'hex': {
      const h = n.toString(16).padStart(t.width, '0');
      return t.upper ? h.toUpperCase() : h;
    }
    case 'mac': {
      const capacity = 256 ** t.bytes - 1;
      if (n > capacity) throw capacityError(t, n, BigInt(capacity));
      const bytes: string[] = [];
      for (let b = t.bytes - 1; b >= 0; b--) bytes.push(((n >> (8 * b)) & 255).toString(16).padStart(2, '0'));
      const s = bytes.join(':');
      return t.upper ? s.toUpperCase() : s;
    }
    case 'ipv4':
    case 'ipv6': {
      if (BigInt(n) > t.capacity) throw capacityError(t, n, t.capacity);
      const addr = t.network + BigInt(n);
      return t.kind === 'ipv4' ? formatIpv4(addr) : formatIpv6(addr);
    }
    case 'ipv6prefix': {
      if (BigInt(n) > t.capacity) throw capacityError(t, n, t.capacity);
      // 1-based: CPE 1 gets the first /SUBLEN of SUPER (the one starting at SUPER's own address).
      const addr = t.network + (BigInt(n - 1) << BigInt(128 - t.subLen));
      return `${formatIpv6(addr)}/${t.subLen}`;
    }
  }
}

function checkContext(ctx: PlaceholderInput): void {
  if (!Number.isSafeInteger(ctx.index) || ctx.index < 1) {
    throw new PlaceholderError('{cpe}', `CPE index must be an integer ≥ 1, found ${ctx.index}`);
  }
}

/**
 * Replaces every per-CPE placeholder in `value` with the value for one CPE. Text that
 * is not a placeholder (including a lone `{`) is kept as is.
 *
 * | placeholder | CPE 7 (`cpe-7`) |
 * |---|---|
 * | `{cpe}` / `{cpe:4}` | `7` / `0007` |
 * | `{cpe:hex:4}` / `{cpe:HEX:2}` | `0007` / `07` |
 * | `{cpe:mac:3}` / `{cpe:MAC:2}` | `00:00:07` / `00:07` |
 * | `{cpe:ipv4:10.0.0.0/24}` | `10.0.0.7` (hosts start at network + 1) |
 * | `{cpe:ipv6:2001:db8::/64}` | `2001:db8::7` |
 * | `{cpe:ipv6prefix:2001:db8::/32,56}` | `2001:db8:0:600::/56` (CPE 1 gets the first /56) |
 * | `{cpe_id}` | `cpe-7` |
 *
 * @throws {PlaceholderError} for a malformed placeholder, or when the CPE index does
 * not fit the placeholder's range (e.g. CPE 256 with `{cpe:mac:1}`).
 * @example
 * stampPlaceholders('host-{cpe:3}', { index: 7, id: 'cpe-7' }) // 'host-007'
 */
export function stampPlaceholders(value: string, ctx: PlaceholderInput): string {
  if (!value.includes('{cpe')) return value;
  checkContext(ctx);
  let out = '';
  for (const seg of template(value)) out += typeof seg === 'string' ? seg : stampToken(seg, ctx);
  return out;
}

/**
 * True when `value` contains something {@link stampPlaceholders} acts on (a `{cpe…}`
 * placeholder, well-formed or not), i.e. when the value differs per CPE.
 * @example
 * hasPlaceholders('cr-{cpe_id}') // true
 * hasPlaceholders('{not-one}') // false
 */
export function hasPlaceholders(value: string): boolean {
  let at = value.indexOf('{cpe');
  while (at >= 0) {
    if (startsPlaceholder(value[at + 4])) return true;
    at = value.indexOf('{cpe', at + 1);
  }
  return false;
}

/**
 * Checks the placeholders of `value` for syntax (and, when `count` is given, that
 * CPEs 1 … count all fit every range). Returns the problem, or `undefined` when fine.
 */
export function placeholderProblem(value: string, count?: number): string | undefined {
  try {
    const segs = template(value);
    if (count !== undefined) {
      for (const seg of segs) if (typeof seg !== 'string') stampToken(seg, { index: Math.max(1, count), id: `cpe-${Math.max(1, count)}` });
    }
    return undefined;
  } catch (e) {
    if (e instanceof PlaceholderError) return e.message;
    throw e;
  }
}

/**
 * Replaces `{i}` (an instance number) in a path or value template, e.g. the rows of an
 * `objects:` table (`host-{i}` → `host-2`) or an `instances: N` leaf.
 * @example
 * stampInstance('Device.WiFi.SSID.{i}.SSID', 2) // 'Device.WiFi.SSID.2.SSID'
 */
export function stampInstance(template: string, instance: number): string {
  return template.includes('{i}') ? template.split('{i}').join(String(instance)) : template;
}

// ---------------------------------------------------------------- serial pattern

const SERIAL_TOKEN = /\{(base|i)(?::([^{}]*))?\}/g;

/**
 * The problems of a serial pattern: `{i:N}` with a bad width, `{base:…}`. Returns an
 * empty list for a valid pattern.
 */
export function serialPatternProblems(pattern: string): string[] {
  const problems: string[] = [];
  for (const m of pattern.matchAll(SERIAL_TOKEN)) {
    const [text, name, arg] = m;
    if (arg === undefined) continue;
    if (name === 'base') problems.push(`${text} takes no argument; use {base}`);
    else if (!/^[0-9]{1,2}$/.test(arg) || Number(arg) < 1 || Number(arg) > MAX_WIDTH) {
      problems.push(`${text}: expected {i:N} with N a width from 1 to ${MAX_WIDTH} (e.g. {i:04}), found ${JSON.stringify(arg)}`);
    }
  }
  // An unterminated "{i:" is almost certainly a typo of {i:N}.
  const open = /\{(base|i)(:[^{}]*)?$/.exec(pattern);
  if (open) problems.push(`unterminated ${JSON.stringify(open[0])}: missing "}"`);
  return problems;
}

/**
 * Checks a serial pattern once and returns the stamper for it: `{base}` is the
 * serialNumber leaf's (stamped) value, `{i}` the 1-based CPE index, `{i:N}` the index
 * zero-padded to N digits. Other text is kept. A fleet's Template compiles its pattern
 * once; every Inform then stamps without re-checking.
 *
 * @internal
 * @throws {PlaceholderError} for a malformed `{i:N}` / `{base:…}`.
 */
export function compileSerialPattern(pattern: string): (base: string, index: number) => string {
  const problems = serialPatternProblems(pattern);
  if (problems.length > 0) throw new PlaceholderError(pattern, `invalid serial pattern ${JSON.stringify(pattern)}: ${problems.join('; ')}`);
  return (base, index) =>
    pattern.replace(SERIAL_TOKEN, (_m, name: string, arg: string | undefined) => {
      if (name === 'base') return base;
      return arg === undefined ? String(index) : String(index).padStart(Number(arg), '0');
    });
}

/**
 * Builds a CPE's serial number from the profile's `fleet.serialPattern`: `{base}` is the
 * serialNumber leaf's (stamped) value, `{i}` the 1-based CPE index, `{i:N}` the index
 * zero-padded to N digits. Other text is kept.
 *
 * @throws {PlaceholderError} for a malformed `{i:N}` / `{base:…}`.
 * @example
 * stampSerial('LAB-{i:04}', 'SN', 7)  // 'LAB-0007'
 * stampSerial('{base}-{i}', 'SN', 7)  // 'SN-7'
 */
export function stampSerial(pattern: string, base: string, index: number): string {
  return compileSerialPattern(pattern)(base, index);
}
