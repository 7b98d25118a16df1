/**
 * Per-CPE placeholders in profile values (ref. profile-format 5.3) and the serial
 * pattern (5.2), with the outputs of cpe-labs: `{cpe_id}`, `{cpe}`, `{cpe:W}`,
 * `{cpe:hex|HEX:W}`, `{cpe:mac|MAC:B}`, `{cpe:ipv4|ipv6:CIDR}`,
 * `{cpe:ipv6prefix:SUPER,LEN}`, `{cpe:alnum|ALNUM:N}`, `{cpe:pick:…}`,
 * `{cpe:rpick:…}` and `{NAME}` of a `fleet.pools` pool. Templates are parsed once and
 * cached, so stamping a value for CPE 73,211 is a few string concatenations.
 *
 * Stricter than cpe-labs (allowed: no cpe-labs profile does it): an unknown
 * `{cpe:KIND…}` or `{cpe_…}` form is an error instead of literal text, so a typo is
 * reported at load time instead of reaching the ACS verbatim.
 * @module
 */
import { CpeSimError } from '../errors/index.js';
import { alnumRun, streamFor } from '../random/index.js';
import type { PlaceholderContext, PlaceholderInput, PoolDef } from './types.js';

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

/** Named pools as a stamp needs them (the profile's `fleet.pools`). */
export type Pools = Readonly<Record<string, PoolDef>>;

type AddressRange = { family: 4 | 6 | 'prefix'; network: bigint; len: number; subLen: number; capacity: bigint | undefined };

type Token =
  | { kind: 'index'; text: string; width: number }
  | { kind: 'hex'; text: string; width: number; upper: boolean }
  | { kind: 'mac'; text: string; bytes: number; upper: boolean }
  | { kind: 'range'; text: string; range: AddressRange }
  | { kind: 'alnum'; text: string; n: number; upper: boolean }
  | { kind: 'pick'; text: string; options: readonly string[] }
  | { kind: 'rpick'; text: string; key: string; options: readonly string[] }
  | { kind: 'pool'; text: string; name: string }
  | { kind: 'id'; text: string };

type Segment = string | Token;

/** Widths beyond this are refused: no value needs them and they would only waste memory. */
const MAX_WIDTH = 255;
const NOT_A_FORM = 'expected {cpe}, {cpe:N}, {cpe:hex:N}, {cpe:HEX:N}, {cpe:mac:N}, {cpe:MAC:N}, {cpe:ipv4:CIDR}, {cpe:ipv6:CIDR}, {cpe:ipv6prefix:SUPER,LEN}, {cpe:alnum:N}, {cpe:ALNUM:N}, {cpe:pick:a,b,…}, {cpe:rpick:a,b,…} or {cpe_id}';

/** A Go `strconv.Atoi` integer: optional sign, decimal digits. */
function goInt(s: string): number | undefined {
  return /^[+-]?[0-9]{1,12}$/.test(s) ? Number(s) : undefined;
}

function width(s: string | undefined, token: string, what: string): number {
  const n = s === undefined ? undefined : goInt(s);
  if (n === undefined) throw new PlaceholderError(token, `${token}: ${what} must be a decimal number, found ${s === undefined ? 'none' : JSON.stringify(s)}`);
  if (n < 0 || n > MAX_WIDTH) throw new PlaceholderError(token, `${token}: ${what} must be from 0 to ${MAX_WIDTH}, found ${s}`);
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

export function parseCidr(cidr: string, family: 4 | 6, token: string): { network: bigint; len: number } {
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
  // Host bits are masked off, as Go's net.ParseCIDR does (10.0.0.7/24 is 10.0.0.0/24).
  const hostMask = (1n << BigInt(bits - len)) - 1n;
  return { network: addr & ~hostMask, len };
}

// ---------------------------------------------------------------- tokens

function ipRange(kind: 'ipv4' | 'ipv6', cidr: string, token: string): AddressRange {
  const family = kind === 'ipv4' ? 4 : 6;
  const { network, len } = parseCidr(cidr, family, token);
  const hostBits = (family === 4 ? 32 : 128) - len;
  // cpe-labs: network + g, the broadcast address included (a /24 holds 255); a /32
  // holds one CPE, which gets the address itself. IPv6 capacity is checked only below 2^64.
  let capacity: bigint | undefined;
  if (family === 4) capacity = hostBits === 0 ? 1n : (1n << BigInt(hostBits)) - 1n;
  else capacity = hostBits < 64 ? (1n << BigInt(hostBits)) - 1n : undefined;
  return { family, network, len, subLen: len, capacity };
}

function prefixRange(superCidr: string, subLen: number, token: string): AddressRange {
  const { network, len } = parseCidr(superCidr, 6, token);
  if (!Number.isInteger(subLen) || subLen <= len || subLen > 128) {
    throw new PlaceholderError(token, `${token}: the prefix length must be longer than the super-prefix /${len} and at most 128, found ${subLen}`);
  }
  const bits = subLen - len;
  return { family: 'prefix', network, len, subLen, capacity: bits < 64 ? (1n << BigInt(bits)) - 1n : undefined };
}

const rangeCache = new WeakMap<PoolDef, AddressRange>();

/**
 * The address range of a pool (ref. 5.4).
 * @throws {PlaceholderError} for a bad CIDR or prefix length.
 */
export function poolRange(name: string, def: PoolDef): AddressRange {
  let r = rangeCache.get(def);
  if (!r) {
    const token = `{${name}}`;
    r = def.type === 'ipv6prefix' ? prefixRange(def.super, def.sublen, token) : ipRange(def.type, def.cidr, token);
    rangeCache.set(def, r);
  }
  return r;
}

/** The capacity of a pool (largest index it serves), `undefined` when practically unbounded. */
export function poolCapacity(name: string, def: PoolDef): bigint | undefined {
  return poolRange(name, def).capacity;
}

function options(list: string, token: string): string[] {
  if (list === '') throw new PlaceholderError(token, `${token}: the option list is empty; expected e.g. {cpe:pick:a,b,c}`);
  return list.split(',');
}

function parseCpeForm(body: string): Token {
  const text = `{${body}}`;
  const arg = body.slice(4); // after "cpe:"
  const colon = arg.indexOf(':');
  const kind = colon < 0 ? arg : arg.slice(0, colon);
  const rest = colon < 0 ? undefined : arg.slice(colon + 1);
  if (colon < 0 && goInt(arg) !== undefined) return { kind: 'index', text, width: width(arg, text, 'the width') };
  switch (kind) {
    case 'hex':
    case 'HEX':
      return { kind: 'hex', text, width: width(rest, text, 'the width'), upper: kind === 'HEX' };
    case 'mac':
    case 'MAC': {
      if (rest === undefined || !/^[123]$/.test(rest)) {
        throw new PlaceholderError(text, `${text}: expected {cpe:${kind}:N} with N = 1, 2 or 3 (bytes), found ${rest === undefined ? 'no N' : JSON.stringify(rest)}`);
      }
      return { kind: 'mac', text, bytes: Number(rest), upper: kind === 'MAC' };
    }
    case 'ipv4':
    case 'ipv6':
      if (rest === undefined) throw new PlaceholderError(text, `${text}: missing CIDR range, expected {cpe:${kind}:CIDR}`);
      return { kind: 'range', text, range: ipRange(kind, rest, text) };
    case 'ipv6prefix': {
      // Split at the LAST comma; LEN is a plain integer (no "/").
      const comma = rest === undefined ? -1 : rest.lastIndexOf(',');
      const len = rest === undefined || comma < 0 ? undefined : rest.slice(comma + 1);
      if (rest === undefined || len === undefined || !/^[0-9]{1,3}$/.test(len)) {
        throw new PlaceholderError(text, `${text}: expected {cpe:ipv6prefix:SUPER,LEN} with LEN a plain number, e.g. {cpe:ipv6prefix:2001:db8::/32,56}`);
      }
      return { kind: 'range', text, range: prefixRange(rest.slice(0, comma), Number(len), text) };
    }
    case 'alnum':
    case 'ALNUM': {
      const n = rest === undefined ? undefined : goInt(rest);
      if (n === undefined || n < 1 || n > MAX_WIDTH) throw new PlaceholderError(text, `${text}: expected {cpe:${kind}:N} with N from 1 to ${MAX_WIDTH}, found ${rest === undefined ? 'no N' : JSON.stringify(rest)}`);
      return { kind: 'alnum', text, n, upper: kind === 'ALNUM' };
    }
    case 'pick':
      return { kind: 'pick', text, options: options(rest ?? '', text) };
    case 'rpick':
      // The stream key holds the whole form body (`rpick:a,b`), as in cpe-labs.
      return { kind: 'rpick', text, key: arg, options: options(rest ?? '', text) };
    default:
      throw new PlaceholderError(text, `unknown placeholder ${text}; ${NOT_A_FORM}`);
  }
}

/**
 * Parses a value. `{cpe_id}`, `{cpe}` and `{NAME}` of a pool are tokens; `{cpe:…}` runs
 * to the first `}`; a `{cpe:` without `}` leaves the rest literal; any other `{x}` is
 * literal. Returns `undefined` when a `{cpe:` body itself holds `{` (cpe-labs
 * substitutes `{cpe}` etc. first, then scans): such values take the slow path.
 */
function parseTemplate(value: string, pools: Pools): Segment[] | undefined {
  const out: Segment[] = [];
  let lit = '';
  let i = 0;
  const flush = (): void => {
    if (lit) out.push(lit);
    lit = '';
  };
  while (i < value.length) {
    const at = value.indexOf('{', i);
    if (at < 0) {
      lit += value.slice(i);
      break;
    }
    lit += value.slice(i, at);
    const close = value.indexOf('}', at);
    const body = close < 0 ? undefined : value.slice(at + 1, close);
    if (value.startsWith('{cpe:', at)) {
      if (body === undefined) {
        lit += value.slice(at);
        break;
      }
      if (body.includes('{')) return undefined;
      if (/^cpe:-[0-9]+$/.test(body)) {
        // Ref. 5.3: a negative width is not a form; the text stays.
        lit += value.slice(at, close + 1);
        i = close + 1;
        continue;
      }
      flush();
      out.push(parseCpeForm(body));
      i = close + 1;
      continue;
    }
    if (body === 'cpe_id' || body === 'cpe') {
      flush();
      out.push(body === 'cpe' ? { kind: 'index', text: '{cpe}', width: 0 } : { kind: 'id', text: '{cpe_id}' });
      i = close + 1;
      continue;
    }
    if (body !== undefined && Object.hasOwn(pools, body)) {
      flush();
      out.push({ kind: 'pool', text: `{${body}}`, name: body });
      i = close + 1;
      continue;
    }
    if (body !== undefined && /^cpe(_|$)/.test(body)) {
      throw new PlaceholderError(`{${body}}`, `unknown placeholder {${body}}; ${NOT_A_FORM}`);
    }
    lit += '{';
    i = at + 1;
  }
  flush();
  return out;
}

const NO_POOLS: Pools = Object.freeze({});
const caches = new WeakMap<Pools, Map<string, Segment[] | null>>();
const CACHE_MAX = 4096;

function template(value: string, pools: Pools): Segment[] | undefined {
  let cache = caches.get(pools);
  if (!cache) caches.set(pools, (cache = new Map()));
  let t = cache.get(value);
  if (t === undefined) {
    t = parseTemplate(value, pools) ?? null;
    // A profile has a bounded number of distinct values; the bound only protects against misuse.
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(value, t);
  }
  return t ?? undefined;
}

function capacityError(text: string, index: number, capacity: bigint): PlaceholderError {
  return new PlaceholderError(text, `${text} has room for ${capacity} CPE${capacity === 1n ? '' : 's'}, but CPE ${index} needs one; use a larger range or fewer CPEs`);
}

function stampRange(text: string, r: AddressRange, g: number): string {
  const n = BigInt(g);
  if (r.capacity !== undefined && n > r.capacity) throw capacityError(text, g, r.capacity);
  if (r.family === 'prefix') return `${formatIpv6(r.network + (n << BigInt(128 - r.subLen)))}/${r.subLen}`;
  if (r.family === 4) return formatIpv4(r.len === 32 ? r.network : r.network + n);
  return formatIpv6(r.network + n);
}

/** Mutable per-string state: the alnum sequence restarts for every processed string. */
interface StampState {
  alnumPos: number;
}

function stampToken(t: Token, ctx: PlaceholderContext, pools: Pools, state: StampState): string {
  const g = ctx.index;
  switch (t.kind) {
    case 'id':
      return ctx.id;
    case 'index':
      return String(g).padStart(t.width, '0');
    case 'hex': {
      const h = g.toString(16).padStart(t.width, '0');
      return t.upper ? h.toUpperCase() : h;
    }
    case 'mac': {
      const capacity = 256 ** t.bytes - 1;
      if (g > capacity) throw capacityError(t.text, g, BigInt(capacity));
      const bytes: string[] = [];
      for (let b = t.bytes - 1; b >= 0; b--) bytes.push((Math.floor(g / 256 ** b) % 256).toString(16).padStart(2, '0'));
      const s = bytes.join(':');
      return t.upper ? s.toUpperCase() : s;
    }
    case 'range':
      return stampRange(t.text, t.range, g);
    case 'pool': {
      const def = pools[t.name];
      if (!def) throw new PlaceholderError(t.text, `${t.text}: no pool named ${t.name}`);
      return stampRange(t.text, poolRange(t.name, def), g);
    }
    case 'alnum': {
      const s = alnumRun(ctx.seed, g, state.alnumPos, t.n);
      state.alnumPos += t.n;
      return t.upper ? s : s.toLowerCase();
    }
    case 'pick':
      return (t.options[(g - 1) % t.options.length] ?? '').trim();
    case 'rpick':
      return (t.options[streamFor(ctx.seed, `cpe-${g}:${t.key}`).intn(t.options.length)] ?? '').trim();
  }
}

function checkContext(ctx: PlaceholderInput): PlaceholderContext {
  if (!Number.isSafeInteger(ctx.index) || ctx.index < 1) {
    throw new PlaceholderError('{cpe}', `CPE index must be an integer ≥ 1, found ${ctx.index}`);
  }
  return { index: ctx.index, id: ctx.id, seed: ctx.seed ?? 0n };
}

/** cpe-labs order for a value whose `{cpe:…}` bodies hold braces: plain substitutions first, then the scan. */
function stampSlow(value: string, ctx: PlaceholderContext, pools: Pools, state: StampState): string {
  let v = value.replaceAll('{cpe_id}', ctx.id).replaceAll('{cpe}', String(ctx.index));
  for (const name of Object.keys(pools)) {
    const def = pools[name];
    if (def && v.includes(`{${name}}`)) v = v.replaceAll(`{${name}}`, stampRange(`{${name}}`, poolRange(name, def), ctx.index));
  }
  let out = '';
  let i = 0;
  for (;;) {
    const at = v.indexOf('{cpe:', i);
    const close = at < 0 ? -1 : v.indexOf('}', at);
    if (at < 0 || close < 0) return out + v.slice(i);
    const body = v.slice(at + 1, close);
    out += v.slice(i, at) + (/^cpe:-[0-9]+$/.test(body) ? `{${body}}` : stampToken(parseCpeForm(body), ctx, pools, state));
    i = close + 1;
  }
}

function stampWith(value: string, ctx: PlaceholderContext, pools: Pools, state: StampState): string {
  const segs = template(value, pools);
  if (!segs) return stampSlow(value, ctx, pools, state);
  let out = '';
  for (const seg of segs) out += typeof seg === 'string' ? seg : stampToken(seg, ctx, pools, state);
  return out;
}

/**
 * Replaces every per-CPE placeholder in `value` with the value for one CPE (global
 * index `ctx.index`). Text that is not a placeholder (including a lone `{`) is kept.
 *
 * | placeholder | CPE 7 (`cpe-7`) |
 * |---|---|
 * | `{cpe}` / `{cpe:4}` | `7` / `0007` |
 * | `{cpe:hex:4}` / `{cpe:HEX:2}` | `0007` / `07` |
 * | `{cpe:mac:3}` / `{cpe:MAC:2}` | `00:00:07` / `00:07` |
 * | `{cpe:ipv4:10.0.0.0/24}` | `10.0.0.7` (network + g; the broadcast is handed out) |
 * | `{cpe:ipv6:2001:db8::/64}` | `2001:db8::7` |
 * | `{cpe:ipv6prefix:2001:db8::/32,56}` | `2001:db8:0:700::/56` (g = 1 is the second /56) |
 * | `{cpe:pick:a,b,c}` | `a` (option (g − 1) mod 3) |
 * | `{cpe:rpick:a,b,c}` / `{cpe:ALNUM:4}` | seeded by `ctx.seed` (src/random/) |
 * | `{cpe_id}` | `cpe-7` |
 * | `{wan4}` (pool) | as `{cpe:ipv4:…}` with the pool's range |
 *
 * @throws {PlaceholderError} for a malformed placeholder, or when the CPE index does
 * not fit the placeholder's range (e.g. CPE 256 with `{cpe:mac:1}`).
 * @example
 * stampPlaceholders('host-{cpe:3}', { index: 7, id: 'cpe-7' }) // 'host-007'
 */
export function stampPlaceholders(value: string, ctx: PlaceholderInput, pools: Pools = NO_POOLS): string {
  if (!value.includes('{')) return value;
  return stampWith(value, checkContext(ctx), pools, { alnumPos: 0 });
}

/**
 * True when `value` contains something {@link stampPlaceholders} acts on (a `{cpe…}`
 * placeholder, well-formed or not, or a pool name), i.e. when the value differs per CPE.
 * @example
 * hasPlaceholders('cr-{cpe_id}') // true
 * hasPlaceholders('{not-one}') // false
 */
export function hasPlaceholders(value: string, pools: Pools = NO_POOLS): boolean {
  if (!value.includes('{')) return false;
  if (/\{cpe[}:_]/.test(value)) return true;
  for (const name of Object.keys(pools)) if (value.includes(`{${name}}`)) return true;
  return false;
}

/** The choices of every pick/rpick form in `value`: the loader type-checks each of them. */
export function pickOptions(value: string, pools: Pools = NO_POOLS): string[][] {
  const segs = template(value, pools) ?? [];
  const out: string[][] = [];
  for (const s of segs) if (typeof s !== 'string' && (s.kind === 'pick' || s.kind === 'rpick')) out.push(s.options.map((o) => o.trim()));
  return out;
}

/** `value` with every pick/rpick form replaced by its option number `k` (clamped), other text kept. */
export function withPickOption(value: string, k: number, pools: Pools = NO_POOLS): string {
  const segs = template(value, pools);
  if (!segs) return value;
  let out = '';
  for (const s of segs) {
    if (typeof s === 'string') out += s;
    else if (s.kind === 'pick' || s.kind === 'rpick') out += (s.options[Math.min(k, s.options.length - 1)] ?? '').trim();
    else out += s.text;
  }
  return out;
}

/**
 * Checks the placeholders of `value` for syntax. Returns the problem, or `undefined`.
 */
export function placeholderProblem(value: string, pools: Pools = NO_POOLS): string | undefined {
  try {
    template(value, pools);
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

/** TR-069 / TR-106: DeviceIdStruct SerialNumber is a string(64). */
export const MAX_SERIAL_BYTES = 64;
const SERIAL_TOKEN = /\{(base|i)(?::([^{}]*))?\}/g;

/**
 * The problems of a serial pattern: `{i:N}` with a bad width, `{base:…}`, or a
 * malformed placeholder. Returns an empty list for a valid pattern.
 */
export function serialPatternProblems(pattern: string, pools: Pools = NO_POOLS): string[] {
  const problems: string[] = [];
  for (const m of pattern.matchAll(SERIAL_TOKEN)) {
    const [text, name, arg] = m;
    if (arg === undefined) continue;
    if (name === 'base') problems.push(`${text} takes no argument; use {base}`);
    else if (!/^[0-9]{1,2}$/.test(arg) || Number(arg) > MAX_SERIAL_BYTES) {
      problems.push(`${text}: expected {i:N} with N a width from 0 to ${MAX_SERIAL_BYTES} (e.g. {i:04}), found ${JSON.stringify(arg)}`);
    }
  }
  // An unterminated "{i:" is almost certainly a typo of {i:N}.
  const open = /\{(base|i)(:[^{}]*)?$/.exec(pattern);
  if (open) problems.push(`unterminated ${JSON.stringify(open[0])}: missing "}"`);
  const rest = placeholderProblem(pattern.replace(SERIAL_TOKEN, ''), pools);
  if (rest) problems.push(rest);
  return problems;
}

/** True when the pattern makes serials differ per CPE: `{i}`, `{i:N}`, a `{cpe…}` form or a pool. */
export function serialPatternIsPerCpe(pattern: string, pools: Pools = NO_POOLS): boolean {
  return /\{i(:[0-9]{1,2})?\}/.test(pattern) || hasPlaceholders(pattern.replace(SERIAL_TOKEN, ''), pools);
}

/** Stamps one CPE's serial: `(declared serial leaf value, context) → serial`. */
export type SerialStamper = (base: string, ctx: PlaceholderInput) => string;

/**
 * Checks a serial pattern once and returns its stamper (ref. 5.2): `{base}` → the
 * serialNumber leaf's declared value, `{i}` → the global index g, `{i:W}` → g padded to
 * W digits; then, if a `{` is left, the placeholder engine runs on the whole result
 * (placeholders inside `{base}` included, one alnum sequence for the whole serial).
 *
 * @internal
 * @throws {PlaceholderError} for a malformed pattern; the stamper throws when a serial
 * is longer than 64 bytes or a range is too small for the CPE.
 */
export function compileSerialPattern(pattern: string, pools: Pools = NO_POOLS): SerialStamper {
  const problems = serialPatternProblems(pattern, pools);
  if (problems.length > 0) throw new PlaceholderError(pattern, `invalid serial pattern ${JSON.stringify(pattern)}: ${problems.join('; ')}`);
  return (base, input) => {
    const ctx = checkContext(input);
    let s = pattern.replace(SERIAL_TOKEN, (_m, name: string, arg: string | undefined) => {
      if (name === 'base') return base;
      return arg === undefined ? String(ctx.index) : String(ctx.index).padStart(Number(arg), '0');
    });
    if (s.includes('{')) s = stampWith(s, ctx, pools, { alnumPos: 0 });
    if (Buffer.byteLength(s) > MAX_SERIAL_BYTES) {
      throw new PlaceholderError(pattern, `the serial number of CPE ${ctx.index} is ${JSON.stringify(s)}, ${Buffer.byteLength(s)} bytes; TR-069 allows at most ${MAX_SERIAL_BYTES}`);
    }
    return s;
  };
}

/**
 * Builds a CPE's serial number from the profile's `fleet.serialPattern` (see
 * {@link compileSerialPattern}).
 *
 * @throws {PlaceholderError} for a malformed pattern or a serial over 64 bytes.
 * @example
 * stampSerial('LAB-{i:04}', 'SN', 7)  // 'LAB-0007'
 * stampSerial('{base}-{i}', 'SN', 7)  // 'SN-7'
 */
export function stampSerial(pattern: string, base: string, index: number, seed = 0n, pools: Pools = NO_POOLS): string {
  return compileSerialPattern(pattern, pools)(base, { index, id: `cpe-${index}`, seed });
}
