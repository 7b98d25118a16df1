/**
 * The profile validator: turns the neutral node trees of one or more files into a
 * {@link Profile}, collecting EVERY problem (with file, line:col and key path) instead
 * of stopping at the first, then throws one {@link ProfileError} listing them all.
 * Accepts the whole cpe-labs format (docs/profile.md; reference: profile-format.md
 * sections 2-6, 7.2, 8.1, 9, 10, 11).
 * @module
 */
import { CPE_FAULT_STRINGS, ProfileError, type ProfileProblem, type SourcePosition } from '../errors/index.js';
import { DurationError, parseDurationNs } from './duration.js';
import { describe, flat, MapEntry, nullAt, problemAt, releaseItem, type PNode, type Source, type Where } from './nodes.js';
import {
  compileSerialPattern,
  hasPlaceholders,
  PlaceholderError,
  pickOptions,
  placeholderProblem,
  poolCapacity,
  serialPatternIsPerCpe,
  serialPatternProblems,
  stampInstance,
  stampPlaceholders,
  withPickOption,
  type Pools,
} from './placeholders.js';
import { isTransferFaultCode, pathProblem, realmProblem, valueProblem, XSD_TYPES, ZERO_VALUES } from './rules.js';
import type {
  ConnectionRequestConfig,
  CrScheme,
  DiagnosticDef,
  FirmwareConfig,
  GeneratorDef,
  InformParameterKey,
  LeafDef,
  LinkFaultConfig,
  BehaviourQuirks,
  BehaviourRule,
  PoolDef,
  AppInfo,
  AppManifest,
  Profile,
  SoftwareModuleFaultReason,
  SoftwareModulesConfig,
  TableDef,
  TransferFault,
  XsdType,
} from './types.js';

/** One input file: its name and its tree (`null` = empty document). */
export interface ProfileDoc {
  file: string;
  tree: PNode | null;
}

const TOP_KEYS = [
  'deviceIdPaths', 'parameters', 'objects', 'groups', 'informParameters', 'periodicInformPaths', 'acsCredentialPaths',
  'generators', 'fleet', 'connectionRequest', 'transfer', 'softwareModules', 'eventSchedule', 'diagnostics', 'faults', 'behaviour',
] as const;

/** The quirks of a `behaviour` entry (and of `cpe.inject`): docs/misbehaving-devices.md. */
export const BEHAVIOUR_KEYS: readonly string[] = [
  'delay', 'neverAnswer', 'fault', 'closeBefore', 'closeAfter', 'malformedXml', 'wrongId', 'dropCookies', 'reconnectAfter401', 'ignoreHoldRequests', 'earlyEmptyPost', 'retryCount', 'http10',
];
/** Ref. 2.3: blocks at most one file of a directory may declare. */
const SINGLETONS = new Set(['deviceIdPaths', 'fleet', 'transfer', 'connectionRequest', 'periodicInformPaths', 'acsCredentialPaths', 'eventSchedule', 'softwareModules']);
const LIST_BLOCKS = ['parameters', 'objects', 'groups'] as const;
type ListBlock = (typeof LIST_BLOCKS)[number];
/** Keys that are no profile keys but mean something elsewhere: a precise message instead of a bare "unknown key". */
const FOREIGN_TOP: Record<string, string> = {
  usp: 'unknown key "usp": a profile has no USP block; USP (TR-369) is configured on the command line only (cpe-labs: --usp-broker, --usp-controller-id, --usp-mqtt-*), never in the profile',
  app: 'unknown key "app": "app" belongs in an app manifest (the data model a ChangeDUState install adds), not in a device profile',
};
const DEVICE_ID_KEYS = ['manufacturer', 'oui', 'productClass', 'serialNumber'] as const;
const INFORM_KEYS: readonly InformParameterKey[] = ['bootstrap', 'boot', 'periodic', 'valueChange', 'connectionRequest', 'transferComplete'];
const LEAF_KEYS = ['path', 'type', 'value', 'writable', 'instances', 'generator', 'hidden'] as const;
const GENERATOR_KEYS = ['type', 'interval', 'min', 'max', 'step', 'jitter', 'stepMax', 'values', 'mode'] as const;
const GENERATOR_TYPES = ['counter', 'drift', 'enum', 'uptime', 'wallclock'] as const;
const GENERATOR_TARGET: Record<(typeof GENERATOR_TYPES)[number], readonly XsdType[]> = {
  counter: ['xsd:unsignedInt'],
  drift: ['xsd:int'],
  enum: ['xsd:string', 'xsd:boolean'],
  uptime: ['xsd:unsignedInt'],
  wallclock: ['xsd:dateTime'],
};
const SM_REASONS: readonly SoftwareModuleFaultReason[] = ['server-unreachable', 'corrupt', 'ee-mismatch', 'resources-exceeded'];
const POOL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const POOL_RESERVED = new Set(['cpe', 'cpe_id', 'i', 'base']);
/** yaml.v3 decodes these YAML 1.1 words into a bool field (ref. 2.2); the YAML 1.2 parser leaves them strings. */
const YAML11_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const YAML11_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);
const UINT32_MAX = 4294967295;
/** Ref. 7.1: the TransferComplete delay when `transfer.defaultDelay` is omitted, 0 or negative. */
export const DEFAULT_TRANSFER_DELAY_MS = 5000;

/** Fault strings of TR-069 Table A.5 for the TransferComplete fault codes, used when `string` is omitted. */
const TRANSFER_FAULT_STRINGS: Readonly<Record<number, string>> = Object.fromEntries(
  [9001, 9002, 9010, 9011, 9012, 9014, 9015, 9016, 9017, 9018, 9019, 9020].map((c) => [c, CPE_FAULT_STRINGS[c] ?? 'Fault']),
);

function fmtWhere(w: Where): string {
  return w.line !== undefined ? `${w.file}:${w.line}:${w.col ?? 1}` : w.file;
}

function position(w: Where): SourcePosition | undefined {
  return w.line !== undefined ? { file: w.file, line: w.line, col: w.col ?? 1 } : undefined;
}

/** Edit distance, for "did you mean" hints on unknown keys. */
function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] ?? 0;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] ?? 0;
      dp[j] = Math.min((dp[j] ?? 0) + 1, (dp[j - 1] ?? 0) + 1, prev + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length] ?? 0;
}

/** ` (did you mean X?)` for the allowed name closest to `key`, or `` when none is close. */
export function suggestion(key: string, allowed: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const a of allowed) {
    const d = distance(key, a);
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 3))) return ` (did you mean ${best}?)`;
  const lower = key.toLowerCase();
  const containing = lower.length >= 3 ? allowed.find((a) => a.toLowerCase().includes(lower)) : undefined;
  return containing ? ` (did you mean ${containing}?)` : '';
}

/**
 * Where a leaf was declared, for later messages (duplicates, references): its text
 * offset, turned into line:col only when a message needs it. The validator keeps one per
 * leaf until it ends (issue 20: a `{file, line, col}` object per leaf was a third of its
 * memory).
 */
class Declared {
  constructor(
    readonly src: Source,
    readonly at: number,
    /** Key path of the declaration, e.g. `parameters[3].path`. */
    public key: string,
  ) {}

  get where(): Where {
    return this.src.where(this.at);
  }
}

/** A declared leaf. Every row of a table shares one (its value has no `{i}`) or gets its own. */
class LeafInfo extends Declared {
  constructor(
    readonly type: XsdType,
    readonly writable: boolean,
    readonly value: string,
    at: Declared,
  ) {
    super(at.src, at.at, at.key);
  }
}

/** Leaves one profile may declare in all, rows and instances included (issue 20). */
export const MAX_LEAVES = 500_000;

/** The validator state for one profile. */
class Validator {
  readonly problems: ProfileProblem[] = [];
  /** Every leaf (plain, group and table rows) by full path, for existence checks and duplicates. */
  readonly leaves = new Map<string, LeafInfo>();
  private overBudget = false;
  count = 1;
  offset = 0;
  pools: Pools = {};

  add(where: Where, key: string, message: string): void {
    this.problems.push(problemAt(where, key, message));
  }

  /** Checks that `node` is a mapping with only `allowed` keys; returns its entries by key. */
  map(node: PNode, key: string, allowed: readonly string[], what: string, foreign: Record<string, string> = {}): Map<string, MapEntry> | undefined {
    if (node.kind !== 'map') {
      this.add(node.where, key, `expected ${what}, found ${describe(node)}`);
      return undefined;
    }
    const out = new Map<string, MapEntry>();
    for (const e of node.entries) {
      const k = key ? `${key}.${e.key}` : e.key;
      // Own keys only: `__proto__` (or `constructor`) would find Object.prototype's.
      const special = Object.hasOwn(foreign, e.key) ? foreign[e.key] : undefined;
      if (special !== undefined) this.add(e.keyWhere, k, special);
      else if (!allowed.includes(e.key)) this.add(e.keyWhere, k, `unknown key ${JSON.stringify(e.key)}${suggestion(e.key, allowed)}; expected one of ${allowed.join(', ')}`);
      else out.set(e.key, e);
    }
    return out;
  }

  /** A string field: any scalar's source text (`value: 300` is "300", ref. 2.2). */
  string(e: MapEntry | undefined, key: string, opts: { allowEmpty?: boolean } = {}): string | undefined {
    if (!e) return undefined;
    const n = e.value;
    if (n.kind !== 'scalar' || n.value === null) {
      this.add(n.where, key, `expected a string, found ${describe(n)}`);
      return undefined;
    }
    if (!opts.allowEmpty && n.text === '') {
      this.add(n.where, key, 'expected a non-empty string, found ""');
      return undefined;
    }
    return n.text;
  }

  /** An integer field: a YAML integer (a quoted "3" is refused, as yaml.v3 does). */
  integer(e: MapEntry | undefined, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    // yaml.v3 leaves a field its zero value for `key: ~`: absent here, so defaults apply.
    if (!e || isNull(e.value)) return undefined;
    const n = e.value;
    if (n.kind !== 'scalar' || (typeof n.value !== 'number' && typeof n.value !== 'bigint') || !Number.isSafeInteger(Number(n.value)) || !/^[+-]?[0-9_]+$/.test(n.text)) {
      this.add(n.where, key, `expected an integer ≥ ${min}, found ${describe(n)}`);
      return undefined;
    }
    const v = Number(n.value);
    if (v < min || v > max) {
      this.add(n.where, key, `expected an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}, found ${v}`);
      return undefined;
    }
    return v;
  }

  /** A float field (generator `jitter`). */
  float(e: MapEntry | undefined, key: string, min: number, max: number): number | undefined {
    if (!e || isNull(e.value)) return undefined;
    const n = e.value;
    if (n.kind !== 'scalar' || typeof n.value !== 'number' || !Number.isFinite(n.value)) {
      this.add(n.where, key, `expected a number from ${min} to ${max}, found ${describe(n)}`);
      return undefined;
    }
    if (n.value < min || n.value > max) {
      this.add(n.where, key, `expected a number from ${min} to ${max}, found ${n.text}`);
      return undefined;
    }
    return n.value;
  }

  /** A bool field: true/false, and the YAML 1.1 words yes/no/on/off/y/n yaml.v3 accepts (ref. 2.2). */
  boolean(e: MapEntry | undefined, key: string): boolean | undefined {
    if (!e || isNull(e.value)) return undefined;
    const n = e.value;
    if (n.kind === 'scalar' && typeof n.value === 'boolean') return n.value;
    if (n.kind === 'scalar' && typeof n.value === 'string') {
      if (YAML11_TRUE.has(n.value)) return true;
      if (YAML11_FALSE.has(n.value)) return false;
    }
    this.add(n.where, key, `expected true or false, found ${describe(n)}`);
    return undefined;
  }

  /**
   * A Go duration in ms; `0` may be written as a bare number (Go accepts "0"), nothing
   * else may. `sign`: 'nonneg' (default) refuses negatives, 'positive' also zero,
   * 'any' accepts every value.
   */
  duration(e: MapEntry | undefined, key: string, sign: 'nonneg' | 'positive' | 'any' = 'nonneg'): number | undefined {
    if (!e || isNull(e.value)) return undefined;
    const n = e.value;
    if (n.kind !== 'scalar' || n.value === null || typeof n.value === 'boolean') {
      this.add(n.where, key, `expected a Go duration string such as "5s" or "300ms", found ${describe(n)}`);
      return undefined;
    }
    if (typeof n.value !== 'string' && n.text !== '0') {
      this.add(n.where, key, `expected a Go duration such as "${n.text}s" or "${n.text}ms", found the bare number ${n.text} (a duration needs a unit)`);
      return undefined;
    }
    try {
      const ns = parseDurationNs(n.text);
      if (sign !== 'any' && ns < 0n) {
        this.add(n.where, key, `expected a duration ≥ 0, found ${JSON.stringify(n.text)} (negative durations are not allowed)`);
        return undefined;
      }
      if (sign === 'positive' && ns === 0n) {
        this.add(n.where, key, `expected a duration > 0, found ${JSON.stringify(n.text)}`);
        return undefined;
      }
      return Number(ns) / 1e6;
    } catch (err) {
      if (err instanceof DurationError) {
        this.add(n.where, key, err.message);
        return undefined;
      }
      throw err;
    }
  }

  /**
   * Whether `n` more leaves fit in {@link MAX_LEAVES}; reports the first overflow. Table
   * rows and `{i}` instances are what expand: 4 KB of text declaring five tables of a
   * million rows of ten leaves ran out of heap, so the count is checked before expanding.
   */
  reserve(n: number, where: Where, key: string): boolean {
    if (this.leaves.size + n <= MAX_LEAVES) return true;
    if (!this.overBudget) {
      this.overBudget = true;
      this.add(where, key, `the profile expands to more than ${MAX_LEAVES.toLocaleString('en-US')} leaves (table rows × their parameters, {i} instances and plain leaves together); a CPE this large is not what cpe-sim simulates`);
    }
    return false;
  }

  /** Records a leaf path; reports a duplicate (once per declaration, by returning false). */
  declare(path: string, info: LeafInfo): boolean {
    if (this.leaves.size >= MAX_LEAVES && !this.reserve(1, info.where, info.key)) return false;
    const prev = this.leaves.get(path);
    if (prev) {
      this.add(info.where, info.key, `leaf ${path} is declared twice: already declared at ${fmtWhere(prev.where)} (${prev.key})`);
      return false;
    }
    // The key is kept for every leaf until the end of the validation: one flat string, not a rope of template pieces.
    info.key = flat(info.key);
    this.leaves.set(path, info);
    return true;
  }

  /** Reports `path` (at `where`) unless it names a declared leaf. */
  requireLeaf(path: string, where: Where, key: string): LeafInfo | undefined {
    const leaf = this.leaves.get(path);
    if (leaf) return leaf;
    const last = path.split('.').pop() ?? '';
    let hint = '';
    if (last) {
      for (const p of this.leaves.keys()) {
        // Same name elsewhere, or a longer name in the same place (Serial → SerialNumber).
        if (p.endsWith(`.${last}`) || p.startsWith(path)) {
          hint = ` (did you mean ${p}?)`;
          break;
        }
      }
    }
    this.add(where, key, `${JSON.stringify(path)} is not a leaf declared in this profile${hint}`);
    return undefined;
  }

  /** Reports unless `path` names a leaf of `type` (and, with `writable`, a writable one). */
  requireTypedLeaf(e: MapEntry | undefined, key: string, types: readonly XsdType[], writable: boolean, why: string): string | undefined {
    const p = this.string(e, key);
    if (p === undefined || !e) return undefined;
    const leaf = this.requireLeaf(p, e.value.where, key);
    if (!leaf) return undefined;
    if (!types.includes(leaf.type)) {
      this.add(e.value.where, key, `${p} must be of type ${types.join(' or ')} (it is ${leaf.type} at ${fmtWhere(leaf.where)})`);
      return undefined;
    }
    if (writable && !leaf.writable) {
      this.add(e.value.where, key, `${p} must be writable: true, ${why} (declared at ${fmtWhere(leaf.where)})`);
      return undefined;
    }
    return p;
  }

  /** The first and last CPE of the fleet (global indices). */
  cpes(): number[] {
    return [...new Set([this.offset + 1, this.offset + this.count])];
  }

  /**
   * Checks a leaf value against its type (ref. 3.2). Values with per-CPE placeholders
   * are checked for syntax, then stamped for the first and the last CPE with every
   * option of each pick/rpick, and every stamped value is type-checked.
   */
  checkValue(value: string, type: XsdType, where: Where, key: string): void {
    if (!hasPlaceholders(value, this.pools)) {
      const why = valueProblem(type, value);
      if (why) this.add(where, key, why);
      return;
    }
    const syntax = placeholderProblem(value, this.pools);
    if (syntax) {
      this.add(where, key, syntax);
      return;
    }
    const variants = Math.max(1, ...pickOptions(value, this.pools).map((o) => o.length));
    for (let k = 0; k < variants; k++) {
      const v = variants > 1 ? withPickOption(value, k, this.pools) : value;
      for (const index of this.cpes()) {
        let stamped: string;
        try {
          stamped = stampPlaceholders(v, { index, id: `cpe-${index}`, seed: 0n }, this.pools);
        } catch (err) {
          if (!(err instanceof PlaceholderError)) throw err;
          this.add(where, key, `${err.message} (fleet.count is ${this.count}${this.offset ? `, fleet.offset ${this.offset}` : ''})`);
          return;
        }
        const why = valueProblem(type, stamped);
        if (why) {
          this.add(where, key, `for CPE ${index} the value stamps to ${JSON.stringify(stamped)}: ${why}`);
          return;
        }
      }
    }
  }
}

function isNull(n: PNode): boolean {
  return n.kind === 'scalar' && n.value === null;
}

function countI(s: string): number {
  return s.split('{i}').length - 1;
}

/** `Omit` applied to each member of a union. */
type DistOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A parsed generator before its target is known: `path` is filled in by the caller. */
type GeneratorSpec = { def: DistOmit<GeneratorDef, 'path'>; where: Where; key: string; source?: SourcePosition | undefined };

/** Parses one generator mapping (ref. 6.1/6.2); `withPath` for the top-level form. */
function generatorSpec(v: Validator, node: PNode, key: string, withPath: boolean): (GeneratorSpec & { path?: string; pathWhere?: Where }) | undefined {
  const allowed = withPath ? ['path', ...GENERATOR_KEYS] : GENERATOR_KEYS;
  const foreign: Record<string, string> = withPath ? {} : { path: 'an inline generator takes its leaf\'s path; remove "path" (or move the generator to the top-level generators block)' };
  const m = v.map(node, key, allowed, `a generator mapping {type, interval, …}`, foreign);
  if (!m) return undefined;
  let path: string | undefined;
  if (withPath) {
    const pE = m.get('path');
    if (!pE) v.add(node.where, `${key}.path`, 'missing required key "path" (the leaf this generator writes)');
    else {
      path = v.string(pE, `${key}.path`);
      if (path?.endsWith('.')) path = path.slice(0, -1);
      if (path?.includes('{i}')) {
        v.add(pE.value.where, `${key}.path`, `a top-level generator names one existing leaf; {i} is not allowed (put the generator inline on the {i} leaf to get one per row)`);
        path = undefined;
      }
    }
  }
  const tE = m.get('type');
  let type: (typeof GENERATOR_TYPES)[number] | undefined;
  if (!tE) v.add(node.where, `${key}.type`, `missing required key "type" (one of ${GENERATOR_TYPES.join(', ')})`);
  else {
    const t = v.string(tE, `${key}.type`);
    if (t !== undefined) {
      if ((GENERATOR_TYPES as readonly string[]).includes(t)) type = t as (typeof GENERATOR_TYPES)[number];
      else v.add(tE.value.where, `${key}.type`, `unknown generator type ${JSON.stringify(t)}${suggestion(t, GENERATOR_TYPES)}; expected one of ${GENERATOR_TYPES.join(', ')}`);
    }
  }
  const iE = m.get('interval');
  if (!iE) v.add(node.where, `${key}.interval`, 'missing required key "interval" (a Go duration > 0 such as "30s")');
  const intervalMs = v.duration(iE, `${key}.interval`, 'positive');
  const need = (k: string): MapEntry | undefined => {
    const e = m.get(k);
    if (!e) v.add(node.where, `${key}.${k}`, `missing required key "${k}" for a ${type ?? ''} generator`);
    return e;
  };
  let def: DistOmit<GeneratorDef, 'path'> | undefined;
  const base = { where: node.where, key };
  switch (type) {
    case 'counter': {
      const min = v.integer(need('min'), `${key}.min`, 0, UINT32_MAX);
      const max = v.integer(need('max'), `${key}.max`, 0, UINT32_MAX);
      const step = v.integer(need('step'), `${key}.step`, 1);
      const jitter = m.has('jitter') ? v.float(m.get('jitter'), `${key}.jitter`, 0, 1) : 0;
      if (min !== undefined && max !== undefined && min >= max) v.add(m.get('max')?.value.where ?? node.where, `${key}.max`, `max must be greater than min (${min}), found ${max}`);
      else if (min !== undefined && max !== undefined && step !== undefined && jitter !== undefined && intervalMs !== undefined) def = { type, intervalMs, min, max, step, jitter };
      break;
    }
    case 'drift': {
      const min = v.integer(need('min'), `${key}.min`, Number.MIN_SAFE_INTEGER);
      const max = v.integer(need('max'), `${key}.max`, Number.MIN_SAFE_INTEGER);
      const stepMax = v.integer(need('stepMax'), `${key}.stepMax`, 1);
      if (min !== undefined && max !== undefined && min >= max) v.add(m.get('max')?.value.where ?? node.where, `${key}.max`, `max must be greater than min (${min}), found ${max}`);
      else if (min !== undefined && max !== undefined && stepMax !== undefined && intervalMs !== undefined) def = { type, intervalMs, min, max, stepMax };
      break;
    }
    case 'enum': {
      const vE = need('values');
      const values: string[] = [];
      let ok = vE !== undefined;
      if (vE && vE.value.kind !== 'seq') {
        v.add(vE.value.where, `${key}.values`, `expected a non-empty list of values, found ${describe(vE.value)}`);
        ok = false;
      } else if (vE && vE.value.kind === 'seq') {
        if (vE.value.items.length === 0) {
          v.add(vE.value.where, `${key}.values`, 'expected a non-empty list of values, found an empty list');
          ok = false;
        }
        for (const [j, n] of vE.value.items.entries()) {
          if (n.kind !== 'scalar' || n.value === null) {
            v.add(n.where, `${key}.values[${j}]`, `expected a value, found ${describe(n)}`);
            ok = false;
          } else values.push(n.text);
        }
      }
      let mode: 'cycle' | 'random' = 'cycle';
      const mE = m.get('mode');
      if (mE) {
        const md = v.string(mE, `${key}.mode`);
        if (md === 'cycle' || md === 'random') mode = md;
        else {
          ok = false;
          if (md !== undefined) v.add(mE.value.where, `${key}.mode`, `expected cycle or random, found ${JSON.stringify(md)}`);
        }
      }
      if (ok && intervalMs !== undefined) def = { type, intervalMs, values, mode };
      break;
    }
    case 'uptime':
    case 'wallclock':
      if (intervalMs !== undefined) def = { type, intervalMs };
      break;
    case undefined:
      break;
  }
  if (!def) return undefined;
  const out: GeneratorSpec & { path?: string; pathWhere?: Where } = { def, ...base };
  if (path !== undefined) out.path = path;
  const pw = m.get('path')?.value.where;
  if (pw) out.pathWhere = pw;
  return out;
}

/**
 * `def` for the leaf `path`, as one object literal per generator type. Spreading `def`
 * into a new object gave every generator a hidden class of its own (~500 bytes each, a
 * third of a large profile's memory: issue 20).
 */
function generatorDef(def: DistOmit<GeneratorDef, 'path'>, path: string, source: SourcePosition | undefined): GeneratorDef {
  const { intervalMs } = def;
  // `source` stays absent, not undefined, for a profile built from an object (no positions).
  switch (def.type) {
    case 'counter': {
      const { min, max, step, jitter } = def;
      return source ? { type: def.type, intervalMs, min, max, step, jitter, path, source } : { type: def.type, intervalMs, min, max, step, jitter, path };
    }
    case 'drift': {
      const { min, max, stepMax } = def;
      return source ? { type: def.type, intervalMs, min, max, stepMax, path, source } : { type: def.type, intervalMs, min, max, stepMax, path };
    }
    case 'enum': {
      const { values, mode } = def;
      return source ? { type: def.type, intervalMs, values, mode, path, source } : { type: def.type, intervalMs, values, mode, path };
    }
    case 'uptime':
    case 'wallclock':
      return source ? { type: def.type, intervalMs, path, source } : { type: def.type, intervalMs, path };
  }
}

interface LeafSpec {
  path: string;
  pathWhere: Where;
  /** `pathWhere` as a text offset, with the key path of `path`. */
  pathAt: Declared;
  type: XsdType;
  value: string | undefined;
  valueWhere: Where;
  writable: boolean;
  hidden: boolean;
  /** `null`: given but invalid (already reported). */
  instances: number | undefined | null;
  instancesWhere: Where;
  /** `null`: given but invalid (already reported). */
  generator: GeneratorSpec | undefined | null;
  where: Where;
  /** `where` as a LeafDef's `source`, once computed. */
  source?: SourcePosition | undefined;
}

/** Parses the common keys of a leaf entry; `undefined` when its path is unusable. */
function leafSpec(v: Validator, node: PNode, key: string, inObject: boolean): LeafSpec | undefined {
  const allowed = inObject ? LEAF_KEYS.filter((k) => k !== 'instances') : LEAF_KEYS;
  const foreign: Record<string, string> = {};
  if (inObject) foreign['instances'] = 'instances is not allowed on a parameter inside objects: the table\'s own instances sets the rows, and {i} in a value is the row number';
  const m = v.map(node, key, allowed, 'a leaf mapping such as {path: Device.DeviceInfo.Manufacturer, value: Example}', foreign);
  if (!m) return undefined;
  const pathE = m.get('path');
  if (!pathE) {
    v.add(node.where, `${key}.path`, 'missing required key "path"');
    return undefined;
  }
  let path = v.string(pathE, `${key}.path`);
  // Ref. 3.1: a trailing "." on a leaf path is tolerated and stripped.
  if (path !== undefined && path.endsWith('.') && !path.endsWith('..')) path = path.slice(0, -1);
  let type: XsdType = 'xsd:string';
  const typeE = m.get('type');
  if (typeE && !isNull(typeE.value)) {
    const t = v.string(typeE, `${key}.type`);
    if (t !== undefined) {
      if ((XSD_TYPES as readonly string[]).includes(t)) type = t as XsdType;
      else {
        const withPrefix = `xsd:${t}`;
        const hint = (XSD_TYPES as readonly string[]).includes(withPrefix) ? ` (did you mean ${withPrefix}?)` : '';
        v.add(typeE.value.where, `${key}.type`, `unknown type ${JSON.stringify(t)}${hint}; expected one of ${XSD_TYPES.join(', ')}`);
      }
    }
  }
  let value: string | undefined;
  const valueE = m.get('value');
  if (valueE) {
    const n = valueE.value;
    // Numbers and booleans are taken by their source text (`value: 300` = "300"), as Go's yaml does for string fields.
    if (n.kind !== 'scalar') v.add(n.where, `${key}.value`, `expected a scalar value (written as a string, e.g. "300"), found ${describe(n)}`);
    else if (n.value !== null) value = n.text;
  }
  const writable = v.boolean(m.get('writable'), `${key}.writable`) ?? false;
  const hidden = v.boolean(m.get('hidden'), `${key}.hidden`) ?? false;
  const instancesE = m.get('instances');
  const instances = instancesE && !isNull(instancesE.value) ? (v.integer(instancesE, `${key}.instances`, 0, 1_000_000) ?? null) : undefined;
  const genE = m.get('generator');
  const generator = genE && !isNull(genE.value) ? (generatorSpec(v, genE.value, `${key}.generator`, false) ?? null) : undefined;
  if (path === undefined) return undefined;
  return {
    path,
    pathWhere: pathE.value.where,
    pathAt: new Declared(pathE.value.src, pathE.value.at, flat(`${key}.path`)),
    type,
    value,
    valueWhere: valueE?.value.where ?? node.where,
    writable,
    hidden,
    instances,
    instancesWhere: instancesE?.value.where ?? node.where,
    generator,
    where: node.where,
  };
}

/** A table while the blocks are read: `{i}` rows of `parameters`/`groups` and `objects` entries with the same parent merge (ref. 3.3). */
interface TableAcc {
  path: string;
  instances: number;
  where: Where;
  key: string;
  uniqueKeys: string[];
  leaves: LeafDef[];
  /** Per row parameter: its declaration, and the one LeafInfo all rows share when its value has no `{i}`. */
  leafWhere: Map<string, { at: Declared; shared: LeafInfo | undefined }>;
  source?: SourcePosition;
}

/** An inline generator waiting for the tree: its rows, in registration order (ref. 6.1). */
interface InlineGen {
  order: [number, number, number];
  spec: GeneratorSpec;
  /** Concrete leaf paths, one per row; `table` when they come from a table's rows. */
  paths?: string[];
  table?: { acc: TableAcc; rel: string };
}

const RANK: Record<ListBlock, number> = { parameters: 0, objects: 1, groups: 2 };

/**
 * A LeafDef built in one object literal per shape: a property added afterwards moves the
 * object's properties to a separate array (~40 bytes per leaf, issue 20).
 */
function makeLeaf(path: string, spec: LeafSpec, value: string): LeafDef {
  const { type, writable } = spec;
  // One position object for all the rows of a `Server{i}` leaf.
  if (!('source' in spec)) spec.source = position(spec.where);
  const source = spec.source;
  if (spec.hidden) return source ? { path, type, value, writable, hidden: true, source } : { path, type, value, writable, hidden: true };
  return source ? { path, type, value, writable, source } : { path, type, value, writable };
}

/** Reads the leaves, tables and inline generators of the list blocks. */
class TreeReader {
  readonly parameters: LeafDef[] = [];
  readonly tables = new Map<string, TableAcc>();
  readonly inline: InlineGen[] = [];
  constructor(private readonly v: Validator) {}

  /** Adds (or merges into) the table `path` (no trailing dot) with `instances`; undefined when they disagree. */
  table(path: string, instances: number, where: Where, key: string, declaredAt: Where): TableAcc | undefined {
    const prev = this.tables.get(path);
    if (prev) {
      if (prev.instances !== instances) {
        this.v.add(where, key, `instances=${instances} disagrees with ${prev.instances} already declared for table parent ${path} at ${fmtWhere(prev.where)} (${prev.key})`);
        return undefined;
      }
      return prev;
    }
    const acc: TableAcc = { path, instances, where, key, uniqueKeys: [], leaves: [], leafWhere: new Map() };
    const pos = position(declaredAt);
    if (pos) acc.source = pos;
    this.tables.set(path, acc);
    return acc;
  }

  /** One row leaf of a table; its value is checked for the first and last row. */
  tableLeaf(acc: TableAcc, rel: string, spec: LeafSpec, key: string, order: [number, number, number]): void {
    const v = this.v;
    const prev = acc.leafWhere.get(rel);
    if (prev) {
      v.add(spec.pathWhere, `${key}.path`, `parameter ${rel} of table ${acc.path} is declared twice: already at ${fmtWhere(prev.at.where)} (${prev.at.key})`);
      return;
    }
    const value = spec.value ?? ZERO_VALUES[spec.type];
    acc.leafWhere.set(rel, { at: spec.pathAt, shared: value.includes('{i}') ? undefined : new LeafInfo(spec.type, spec.writable, value, spec.pathAt) });
    for (const r of new Set([1, Math.max(1, acc.instances)])) {
      const before = v.problems.length;
      v.checkValue(stampInstance(value, r), spec.type, spec.valueWhere, `${key}.value`);
      if (v.problems.length > before) break;
    }
    acc.leaves.push(makeLeaf(rel, spec, value));
    if (spec.generator) this.inline.push({ order, spec: spec.generator, table: { acc, rel } });
  }

  /** A leaf with its full path (from `parameters` or a group): plain, a table row (`{i}` segment) or flat rows (`Server{i}`). */
  leaf(spec: LeafSpec, fullPath: string, key: string, order: [number, number, number]): void {
    const v = this.v;
    const nI = countI(fullPath);
    const value = spec.value ?? ZERO_VALUES[spec.type];
    if (spec.instances === null || spec.generator === null) return;
    if (nI === 0) {
      // Ref. 3.3: instances: 0 on a path without {i} is accepted (and means nothing).
      if (spec.instances !== undefined && spec.instances !== 0) {
        v.add(spec.instancesWhere, `${key}.instances`, `instances: ${spec.instances} needs exactly one {i} in the path, found none in ${JSON.stringify(fullPath)}`);
        return;
      }
      if (countI(value) > 0) {
        v.add(spec.valueWhere, `${key}.value`, `the value contains {i} but the leaf has no instances: N ({i} is the instance number)`);
        return;
      }
      const syntax = pathProblem(fullPath, 'leaf');
      if (syntax) {
        v.add(spec.pathWhere, `${key}.path`, syntax);
        return;
      }
      v.checkValue(value, spec.type, spec.valueWhere, `${key}.value`);
      if (!v.declare(fullPath, new LeafInfo(spec.type, spec.writable, value, spec.pathAt))) return;
      this.parameters.push(makeLeaf(fullPath, spec, value));
      if (spec.generator) this.inline.push({ order, spec: spec.generator, paths: [fullPath] });
      return;
    }
    if (nI > 1) {
      v.add(spec.pathWhere, `${key}.path`, `the path must contain {i} at most once (one table per path; declare a nested table through a concrete row), found ${nI} in ${JSON.stringify(fullPath)}`);
      return;
    }
    if (spec.instances === undefined) {
      v.add(spec.pathWhere, `${key}.path`, `${JSON.stringify(fullPath)} contains {i} but the leaf has no instances: N; add instances (0 for an empty table) or remove {i}`);
      return;
    }
    const syntax = pathProblem(stampInstance(fullPath, 1), 'leaf');
    if (syntax) {
      v.add(spec.pathWhere, `${key}.path`, syntax);
      return;
    }
    const segs = fullPath.split('.');
    const at = segs.indexOf('{i}');
    if (at > 0 && at < segs.length - 1) {
      const acc = this.table(segs.slice(0, at).join('.'), spec.instances, spec.instancesWhere, `${key}.instances`, spec.where);
      if (acc) this.tableLeaf(acc, segs.slice(at + 1).join('.'), spec, key, order);
      return;
    }
    // `{i}` inside a segment (`Server{i}`) or last: plain leaves per row (cpe-sim keeps accepting it).
    if (!v.reserve(spec.instances, spec.instancesWhere, `${key}.instances`)) return;
    const rows: Array<[string, string]> = [];
    for (let n = 1; n <= spec.instances; n++) rows.push([stampInstance(fullPath, n), stampInstance(value, n)]);
    const first = rows[0]?.[1];
    const last = rows[rows.length - 1]?.[1];
    const before = v.problems.length;
    if (first !== undefined) v.checkValue(first, spec.type, spec.valueWhere, `${key}.value`);
    if (last !== undefined && last !== first && v.problems.length === before) v.checkValue(last, spec.type, spec.valueWhere, `${key}.value`);
    const paths: string[] = [];
    for (const [p, val] of rows) {
      if (!v.declare(p, new LeafInfo(spec.type, spec.writable, val, spec.pathAt))) break;
      this.parameters.push(makeLeaf(p, spec, val));
      paths.push(p);
    }
    if (spec.generator) this.inline.push({ order, spec: spec.generator, paths });
  }

  parametersBlock(node: PNode, fileIdx: number): void {
    if (node.kind !== 'seq') {
      this.v.add(node.where, 'parameters', `expected a list of leaves, found ${describe(node)}`);
      return;
    }
    const released = nullAt(node.src, node.at);
    for (const [i, item] of node.items.entries()) {
      const key = `parameters[${i}]`;
      const spec = leafSpec(this.v, item, key, false);
      if (spec) this.leaf(spec, spec.path, key, [fileIdx, RANK.parameters, i]);
      releaseItem(node, i, released);
    }
  }

  groupsBlock(node: PNode, fileIdx: number): void {
    const v = this.v;
    if (node.kind !== 'seq') {
      v.add(node.where, 'groups', `expected a list of {prefix, parameters}, found ${describe(node)}`);
      return;
    }
    let seq = 0;
    const released = nullAt(node.src, node.at);
    for (const [i, item] of node.items.entries()) {
      if (i > 0) releaseItem(node, i - 1, released);
      const key = `groups[${i}]`;
      const g = v.map(item, key, ['prefix', 'parameters'], 'a mapping {prefix, parameters}');
      if (!g) continue;
      const prefixE = g.get('prefix');
      if (!prefixE) v.add(item.where, `${key}.prefix`, 'missing required key "prefix"');
      let prefix = v.string(prefixE, `${key}.prefix`);
      if (prefix !== undefined && prefixE) {
        // A trailing dot is tolerated: "Device.DeviceInfo." and "Device.DeviceInfo" are the same prefix.
        if (prefix.endsWith('.')) prefix = prefix.slice(0, -1);
        // Ref. 3.5: a prefix may end in an instance number (a row's own leaves) or be a bare root.
        const why = prefix.includes('{i}') ? `the prefix may not contain {i}; put {i} in the parameter path with instances: N` : pathProblem(prefix, 'prefix');
        if (why) {
          v.add(prefixE.value.where, `${key}.prefix`, why);
          prefix = undefined;
        }
      }
      const ps = g.get('parameters');
      if (!ps) {
        v.add(item.where, `${key}.parameters`, 'missing required key "parameters"');
        continue;
      }
      if (ps.value.kind !== 'seq' || ps.value.items.length === 0) {
        v.add(ps.value.where, `${key}.parameters`, `expected a non-empty list of leaves, found ${ps.value.kind === 'seq' ? 'an empty list' : describe(ps.value)}`);
        continue;
      }
      for (const [j, child] of ps.value.items.entries()) {
        const ck = `${key}.parameters[${j}]`;
        const spec = leafSpec(v, child, ck, false);
        if (!spec || prefix === undefined) continue;
        const why = pathProblem(stampInstance(spec.path, 1), 'relative');
        if (why) {
          v.add(spec.pathWhere, `${ck}.path`, `${why} (it is relative to the group prefix ${prefix})`);
          continue;
        }
        this.leaf(spec, `${prefix}.${spec.path}`, ck, [fileIdx, RANK.groups, seq++]);
      }
    }
    if (node.items.length > 0) releaseItem(node, node.items.length - 1, released);
  }

  objectsBlock(node: PNode, fileIdx: number): void {
    const v = this.v;
    if (node.kind !== 'seq') {
      v.add(node.where, 'objects', `expected a list of tables {path, instances, uniqueKeys, parameters}, found ${describe(node)}`);
      return;
    }
    let seq = 0;
    const released = nullAt(node.src, node.at);
    for (const [i, item] of node.items.entries()) {
      if (i > 0) releaseItem(node, i - 1, released);
      const key = `objects[${i}]`;
      const o = v.map(item, key, ['path', 'instances', 'uniqueKeys', 'parameters'], 'a table mapping {path, instances, uniqueKeys, parameters}');
      if (!o) continue;
      const pathE = o.get('path');
      if (!pathE) v.add(item.where, `${key}.path`, 'missing required key "path"');
      let path = v.string(pathE, `${key}.path`);
      if (path !== undefined && pathE) {
        if (path.endsWith('.')) path = path.slice(0, -1);
        const why = path.includes('{i}') ? 'a table path may not contain {i}; the table\'s instances sets its rows' : pathProblem(path, 'object');
        if (why) {
          v.add(pathE.value.where, `${key}.path`, why);
          path = undefined;
        }
      }
      const instances = o.has('instances') ? v.integer(o.get('instances'), `${key}.instances`, 0, 1_000_000) : 0;
      const uniqueKeys: string[] = [];
      const ukE = o.get('uniqueKeys');
      if (ukE) {
        if (ukE.value.kind !== 'seq') v.add(ukE.value.where, `${key}.uniqueKeys`, `expected a list of parameter names, found ${describe(ukE.value)}`);
        else {
          for (const [j, n] of ukE.value.items.entries()) {
            if (n.kind !== 'scalar' || typeof n.value !== 'string' || n.value === '') v.add(n.where, `${key}.uniqueKeys[${j}]`, `expected a parameter name, found ${describe(n)}`);
            else uniqueKeys.push(n.value);
          }
        }
      }
      const ps = o.get('parameters');
      const specs: Array<{ spec: LeafSpec; key: string }> = [];
      if (!ps) v.add(item.where, `${key}.parameters`, 'missing required key "parameters"');
      else if (ps.value.kind !== 'seq' || ps.value.items.length === 0) {
        v.add(ps.value.where, `${key}.parameters`, `expected a non-empty list of leaves, found ${ps.value.kind === 'seq' ? 'an empty list' : describe(ps.value)}`);
      } else {
        for (const [j, child] of ps.value.items.entries()) {
          const ck = `${key}.parameters[${j}]`;
          const spec = leafSpec(v, child, ck, true);
          if (!spec) continue;
          const why = spec.path.includes('{i}') ? 'a table parameter path may not contain {i}; rows are numbered by the table' : pathProblem(spec.path, 'relative');
          if (why) v.add(spec.pathWhere, `${ck}.path`, why);
          else specs.push({ spec, key: ck });
        }
      }
      if (path === undefined || instances === undefined || !pathE) continue;
      const acc = this.table(path, instances, o.get('instances')?.value.where ?? pathE.value.where, `${key}.${o.has('instances') ? 'instances' : 'path'}`, item.where);
      if (!acc) continue;
      for (const [j, k] of uniqueKeys.entries()) {
        if (!specs.some((s) => s.spec.path === k) && ukE?.value.kind === 'seq') {
          v.add(ukE.value.items[j]?.where ?? ukE.value.where, `${key}.uniqueKeys[${j}]`, `${JSON.stringify(k)} is not one of this table's parameters (${specs.map((s) => s.spec.path).join(', ') || 'none'})`);
        } else if (!acc.uniqueKeys.includes(k)) acc.uniqueKeys.push(k);
      }
      for (const { spec, key: ck } of specs) {
        if (spec.generator !== null) this.tableLeaf(acc, spec.path, spec, ck, [fileIdx, RANK.objects, seq++]);
      }
    }
    if (node.items.length > 0) releaseItem(node, node.items.length - 1, released);
  }

  /** Turns the tables into TableDefs and declares every initial row's leaves. */
  finish(): TableDef[] {
    const out: TableDef[] = [];
    for (const acc of this.tables.values()) {
      const def: TableDef = acc.source
        ? { path: `${acc.path}.`, instances: acc.instances, uniqueKeys: acc.uniqueKeys, parameters: acc.leaves, source: acc.source }
        : { path: `${acc.path}.`, instances: acc.instances, uniqueKeys: acc.uniqueKeys, parameters: acc.leaves };
      out.push(def);
      if (!this.v.reserve(acc.instances * acc.leaves.length, acc.where, acc.key)) continue;
      rows: for (let r = 1; r <= acc.instances; r++) {
        for (const c of acc.leaves) {
          // Set with the leaf (tableLeaf).
          const w = acc.leafWhere.get(c.path)!;
          const info = w.shared ?? new LeafInfo(c.type, c.writable, stampInstance(c.value, r), w.at);
          // One report per clash, not one per row. The path is kept until the end: flat, not a rope of five pieces.
          if (!this.v.declare(flat(`${acc.path}.${r}.${c.path}`), info)) break rows;
        }
      }
      // Only tableLeaf and the rows above read it; the validator's memory peaks after this.
      acc.leafWhere.clear();
    }
    return out;
  }
}

/** Parses `fleet` (ref. 5.1, 5.4): the count, offset and pools the value checks need. */
function readFleet(v: Validator, fleetE: MapEntry | undefined): { serialPattern?: string; serialPatternWhere?: Where; pools: Record<string, PoolDef> } {
  const pools: Record<string, PoolDef> = {};
  const out: { serialPattern?: string; serialPatternWhere?: Where; pools: Record<string, PoolDef> } = { pools };
  if (!fleetE || isNull(fleetE.value)) return out;
  const f = v.map(fleetE.value, 'fleet', ['count', 'offset', 'serialPattern', 'pools'], 'a mapping {count, offset, serialPattern, pools}');
  if (!f) return out;
  const count = v.integer(f.get('count'), 'fleet.count', 0);
  if (count !== undefined) v.count = Math.max(1, count);
  const offset = v.integer(f.get('offset'), 'fleet.offset', 0);
  if (offset !== undefined) v.offset = offset;
  const sp = f.get('serialPattern');
  const pattern = sp && !isNull(sp.value) ? v.string(sp, 'fleet.serialPattern') : undefined;
  if (pattern !== undefined && sp) {
    out.serialPattern = pattern;
    out.serialPatternWhere = sp.value.where;
  }
  const pE = f.get('pools');
  if (pE && !isNull(pE.value)) {
    if (pE.value.kind !== 'map') v.add(pE.value.where, 'fleet.pools', `expected a mapping NAME: {type, cidr | super, sublen}, found ${describe(pE.value)}`);
    else {
      for (const e of pE.value.entries) {
        const key = `fleet.pools.${e.key}`;
        if (!POOL_NAME.test(e.key) || POOL_RESERVED.has(e.key)) {
          v.add(e.keyWhere, key, `pool name ${JSON.stringify(e.key)} is not allowed: expected a name matching [A-Za-z_][A-Za-z0-9_]* other than ${[...POOL_RESERVED].join(', ')}`);
          continue;
        }
        const m = v.map(e.value, key, ['type', 'cidr', 'super', 'sublen'], 'a pool mapping {type, cidr} or {type: ipv6prefix, super, sublen}');
        if (!m) continue;
        const tE = m.get('type');
        if (!tE) {
          v.add(e.value.where, `${key}.type`, 'missing required key "type" (ipv4, ipv6 or ipv6prefix)');
          continue;
        }
        const type = v.string(tE, `${key}.type`);
        let def: PoolDef | undefined;
        if (type === 'ipv4' || type === 'ipv6') {
          const cE = m.get('cidr');
          if (!cE) v.add(e.value.where, `${key}.cidr`, `missing required key "cidr" (e.g. ${type === 'ipv4' ? '"100.64.0.0/10"' : '"2001:db8::/64"'})`);
          const cidr = v.string(cE, `${key}.cidr`);
          if (cidr !== undefined) def = { type, cidr };
        } else if (type === 'ipv6prefix') {
          const sE = m.get('super');
          if (!sE) v.add(e.value.where, `${key}.super`, 'missing required key "super" (an IPv6 CIDR such as "2001:db8::/32")');
          const sup = v.string(sE, `${key}.super`);
          const lE = m.get('sublen');
          if (!lE) v.add(e.value.where, `${key}.sublen`, 'missing required key "sublen" (the delegated prefix length, e.g. 56)');
          const sublen = v.integer(lE, `${key}.sublen`, 1, 128);
          if (sup !== undefined && sublen !== undefined) def = { type, super: sup, sublen };
        } else if (type !== undefined) {
          v.add(tE.value.where, `${key}.type`, `unknown pool type ${JSON.stringify(type)}; expected ipv4, ipv6 or ipv6prefix`);
        }
        if (!def) continue;
        try {
          const cap = poolCapacity(e.key, def);
          const need = v.offset + v.count;
          if (cap !== undefined && BigInt(need) > cap) {
            v.add(e.value.where, key, `pool ${e.key} cannot reach instance ${need} (fleet.offset ${v.offset} + fleet.count ${v.count}): it holds ${cap} address${cap === 1n ? '' : 'es'}; use a larger range`);
            continue;
          }
          pools[e.key] = def;
        } catch (err) {
          if (!(err instanceof PlaceholderError)) throw err;
          v.add(e.value.where, key, err.message.replace(`{${e.key}}: `, `pool ${e.key}: `));
        }
      }
    }
  }
  v.pools = pools;
  return out;
}

/**
 * Validates and merges `docs` (in order) into a Profile.
 * @throws {ProfileError} listing every problem found.
 */
/** ref §8.4: the blocks an app manifest may carry. */
const MANIFEST_KEYS = ['app', 'parameters', 'objects', 'groups', 'generators'] as const;
const APP_KEYS = ['name', 'version', 'vendor', 'description', 'executionUnit'] as const;
const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function buildProfile(docs: readonly ProfileDoc[], source: string, initialProblems: readonly ProfileProblem[] = []): Profile {
  return buildDocs(docs, source, initialProblems, undefined);
}

/**
 * ref §8.4: an app manifest, validated with the profile's own row, object and generator
 * rules against the manifest's own tree (no deviceIdPaths; any other profile block is an
 * error).
 * @throws ProfileError listing every problem
 */
export function buildManifest(docs: readonly ProfileDoc[], source: string, initialProblems: readonly ProfileProblem[] = []): AppManifest {
  const out: { app?: AppInfo } = {};
  const profile = buildDocs(docs, source, initialProblems, out);
  // buildDocs throws whenever readApp found no app (it reports why), so this is a guard only.
  if (!out.app) throw new ProfileError([{ file: source, key: 'app', message: 'missing required block app' }], source);
  return { app: out.app, parameters: profile.parameters, objects: profile.objects, generators: profile.generators, roots: profile.roots };
}

function readApp(v: Validator, appE: MapEntry | undefined, firstWhere: Where): AppInfo | undefined {
  if (!appE) {
    v.add(firstWhere, 'app', `missing required block app {${APP_KEYS.join(', ')}}`);
    return undefined;
  }
  const a = v.map(appE.value, 'app', APP_KEYS, `a mapping {${APP_KEYS.join(', ')}}`);
  if (!a) return undefined;
  const name = v.string(a.get('name'), 'app.name');
  const version = v.string(a.get('version'), 'app.version');
  if (!a.get('name')) v.add(appE.value.where, 'app.name', 'missing required key "name" (e.g. demo-app)');
  if (!a.get('version')) v.add(appE.value.where, 'app.version', 'missing required key "version" (e.g. 2.1.0)');
  if (name !== undefined && !APP_NAME.test(name)) v.add(a.get('name')!.value.where, 'app.name', `${JSON.stringify(name)} is not an app name: expected a letter or digit, then letters, digits, ".", "_" or "-"`);
  if (version !== undefined && /[ \t\n\r]/.test(version)) v.add(a.get('version')!.value.where, 'app.version', `${JSON.stringify(version)} contains a space, tab or newline`);
  const opt = (k: 'vendor' | 'description' | 'executionUnit'): string | undefined => (a.get(k) ? v.string(a.get(k), `app.${k}`, { allowEmpty: k !== 'executionUnit' }) : undefined);
  const vendor = opt('vendor') ?? '';
  const description = opt('description') ?? '';
  const executionUnit = opt('executionUnit');
  if (executionUnit !== undefined && !APP_NAME.test(executionUnit)) v.add(a.get('executionUnit')!.value.where, 'app.executionUnit', `${JSON.stringify(executionUnit)} is not an execution-unit name: expected a letter or digit, then letters, digits, ".", "_" or "-"`);
  if (name === undefined || version === undefined) return undefined;
  return { name, version, vendor, description, executionUnit: executionUnit ?? name };
}

function buildDocs(docs: readonly ProfileDoc[], source: string, initialProblems: readonly ProfileProblem[], manifest: { app?: AppInfo } | undefined): Profile {
  const v = new Validator();
  let appE: MapEntry | undefined;
  v.problems.push(...initialProblems);
  const singles = new Map<string, MapEntry>();
  const informEntries = new Map<InformParameterKey, MapEntry>();
  let linkE: MapEntry | undefined;
  // List blocks in file order, then key order: leaves keep the order in which they were written.
  const blocks: Array<{ kind: ListBlock; node: PNode; fileIdx: number }> = [];
  const generatorBlocks: PNode[] = [];
  const diagnosticBlocks: PNode[] = [];
  const behaviourBlocks: PNode[] = [];
  let anyTree = false;

  for (const [fileIdx, doc] of docs.entries()) {
    if (doc.tree === null) continue;
    anyTree = true;
    const top = manifest
      ? v.map(doc.tree, '', MANIFEST_KEYS, 'an app manifest {app, parameters, objects, groups, generators}')
      : v.map(doc.tree, '', TOP_KEYS, 'a mapping of top-level blocks (deviceIdPaths, parameters, …)', FOREIGN_TOP);
    if (!top) continue;
    for (const [k, e] of top) {
      if (k === 'app') {
        appE = e;
      } else if (SINGLETONS.has(k)) {
        const prev = singles.get(k);
        if (prev) {
          v.add(e.keyWhere, k, `${k} is declared in two files: first at ${fmtWhere(prev.keyWhere)}, again at ${fmtWhere(e.keyWhere)}; a singleton block may appear in only one file`);
        } else singles.set(k, e);
      } else if (k === 'parameters' || k === 'objects' || k === 'groups') {
        // `parameters:` with nothing after it is an empty list (yaml.v3 decodes null so).
        if (!isNull(e.value)) blocks.push({ kind: k, node: e.value, fileIdx });
      } else if (k === 'generators' || k === 'diagnostics' || k === 'behaviour') {
        if (isNull(e.value)) continue;
        if (e.value.kind !== 'seq') v.add(e.value.where, k, `expected a list, found ${describe(e.value)}`);
        else (k === 'generators' ? generatorBlocks : k === 'diagnostics' ? diagnosticBlocks : behaviourBlocks).push(e.value);
      } else if (k === 'informParameters') {
        // Ref. 2.3: files may split the keys; the same key in two files is an error.
        const ip = isNull(e.value) ? undefined : v.map(e.value, 'informParameters', INFORM_KEYS, `a mapping {${INFORM_KEYS.join(', ')}} of leaf path lists`);
        for (const [ik, ie] of ip ?? []) {
          if (isNull(ie.value)) continue;
          const prev = informEntries.get(ik as InformParameterKey);
          if (prev) v.add(ie.keyWhere, `informParameters.${ik}`, `informParameters.${ik} is declared in two files: first at ${fmtWhere(prev.keyWhere)}, again at ${fmtWhere(ie.keyWhere)}`);
          else informEntries.set(ik as InformParameterKey, ie);
        }
      } else if (k === 'faults') {
        const f = isNull(e.value) ? undefined : v.map(e.value, 'faults', ['link'], 'a mapping {link}');
        const l = f?.get('link');
        if (l && !isNull(l.value)) {
          if (linkE) v.add(l.keyWhere, 'faults.link', `faults.link is declared in two files: first at ${fmtWhere(linkE.keyWhere)}, again at ${fmtWhere(l.keyWhere)}`);
          else linkE = l;
        }
      }
    }
  }
  const firstWhere: Where = docs.find((d) => d.tree)?.tree?.where ?? { file: docs[0]?.file ?? source };
  if (docs.length > 0 && !anyTree && initialProblems.length === 0) v.add(firstWhere, '(profile)', manifest ? 'the manifest is empty; expected app and one of parameters, objects, groups' : 'the profile is empty; expected at least deviceIdPaths and one of parameters, objects, groups');
  if (manifest && anyTree) {
    const app = readApp(v, appE, firstWhere);
    if (app) manifest.app = app;
  }

  // fleet first: the value checks need the count, offset and pools.
  const fleet = readFleet(v, singles.get('fleet'));

  // ---- leaves: parameters, groups, objects
  const reader = new TreeReader(v);
  for (const b of blocks) {
    if (b.kind === 'parameters') reader.parametersBlock(b.node, b.fileIdx);
    else if (b.kind === 'groups') reader.groupsBlock(b.node, b.fileIdx);
    else reader.objectsBlock(b.node, b.fileIdx);
  }
  const parameters = reader.parameters;
  const objects = reader.finish();

  if (blocks.length === 0 && anyTree) {
    v.add(firstWhere, '(profile)', `the ${manifest ? 'manifest' : 'profile'} declares no leaves; expected at least one of parameters, objects, groups`);
  }

  // ---- structure: leaves not used as objects, leaves inside tables only in existing rows
  // No more leaves are declared from here on: v.leaves is the set of leaf paths (not copied: issue 20).
  const leafPaths = v.leaves;
  const reportedPrefix = new Set<string>();
  for (const [p, info] of v.leaves) {
    let dot = p.indexOf('.');
    while (dot >= 0) {
      const prefix = p.slice(0, dot);
      if (leafPaths.has(prefix) && !reportedPrefix.has(prefix)) {
        reportedPrefix.add(prefix);
        v.add(info.where, info.key, `${p} puts a parameter under ${prefix}, which is declared as a leaf at ${fmtWhere(v.leaves.get(prefix)?.where ?? info.where)}; a path cannot traverse a leaf`);
      }
      dot = p.indexOf('.', dot + 1);
    }
  }
  // A path is looked up under the tables its own prefixes name (a path has few dots), not
  // matched against every table: thousands of tables times 100,000 leaves was quadratic.
  const tablesOver = (p: string): string[] => {
    const out: string[] = [];
    for (let dot = p.indexOf('.'); dot >= 0; dot = p.indexOf('.', dot + 1)) if (reader.tables.has(p.slice(0, dot))) out.push(p.slice(0, dot));
    return out;
  };
  const outside = (bare: string, p: string): boolean => {
    const seg = p.slice(bare.length + 1).split('.')[0] ?? '';
    return !/^[1-9][0-9]*$/.test(seg) || Number(seg) > reader.tables.get(bare)!.instances;
  };
  const strayLeaves = new Map<string, string[]>();
  const strayTables = new Map<string, string[]>();
  const stray = (m: Map<string, string[]>, bare: string, p: string): void => {
    const list = m.get(bare);
    if (list) list.push(p);
    else m.set(bare, [p]);
  };
  for (const leaf of parameters) for (const bare of tablesOver(leaf.path)) if (outside(bare, leaf.path)) stray(strayLeaves, bare, leaf.path);
  for (const other of reader.tables.keys()) for (const bare of tablesOver(`${other}.`)) if (bare !== other && outside(bare, `${other}.`)) stray(strayTables, bare, other);
  for (const [bare, t] of reader.tables) {
    const tpath = `${bare}.`;
    if (leafPaths.has(bare)) v.add(t.where, t.key, `table ${tpath} is also declared as a leaf ${bare} at ${fmtWhere(v.leaves.get(bare)?.where ?? t.where)}`);
    for (const p of strayLeaves.get(bare) ?? []) {
      const info = v.leaves.get(p);
      v.add(info?.where ?? t.where, info?.key ?? t.key, `${p} is inside table ${tpath} but not in one of its rows (1…${t.instances}); declare row parameters in the table's parameters, or extras with a group on an existing row`);
    }
    for (const other of strayTables.get(bare) ?? []) {
      const o = reader.tables.get(other)!;
      v.add(o.where, o.key, `table ${other}. is inside table ${tpath} but not in one of its rows (1…${t.instances})`);
    }
  }

  // ---- generators (ref. 6): top-level ones of every file, then the inline ones in row order.
  const generators: GeneratorDef[] = [];
  const genAt = new Map<string, Where>();
  const addGenerator = (spec: GeneratorSpec, path: string, where: Where, key: string): void => {
    const leaf = v.requireLeaf(path, where, key);
    if (!leaf) return;
    const want = GENERATOR_TARGET[spec.def.type];
    if (!want.includes(leaf.type)) {
      v.add(where, key, `a ${spec.def.type} generator writes ${want.join(' or ')}, but ${path} is ${leaf.type} (declared at ${fmtWhere(leaf.where)})`);
      return;
    }
    if (spec.def.type === 'enum') {
      for (const val of spec.def.values) {
        const why = valueProblem(leaf.type, val);
        if (why) {
          v.add(where, key, `enum value ${JSON.stringify(val)} cannot be written to ${path}: ${why}`);
          return;
        }
      }
    }
    const prev = genAt.get(path);
    if (prev) {
      v.add(where, key, `${path} already has a generator (declared at ${fmtWhere(prev)}); a leaf takes at most one`);
      return;
    }
    genAt.set(path, where);
    // One position object for all the rows a generator is expanded to.
    if (!('source' in spec)) spec.source = position(spec.where);
    generators.push(generatorDef(spec.def, path, spec.source));
  };
  let gi = 0;
  for (const block of generatorBlocks) {
    if (block.kind !== 'seq') continue;
    const released = nullAt(block.src, block.at);
    for (const [i, item] of block.items.entries()) {
      const key = `generators[${gi++}]`;
      const spec = generatorSpec(v, item, key, true);
      if (spec?.path !== undefined) addGenerator(spec, spec.path, spec.pathWhere ?? item.where, `${key}.path`);
      // The generators grow while the tree shrinks (issue 20), as for the list blocks.
      releaseItem(block, i, released);
    }
  }
  // Taken one by one from the end of a reversed copy, so each is dropped once expanded.
  const inline = reader.inline.sort((a, b) => b.order[0] - a.order[0] || b.order[1] - a.order[1] || b.order[2] - a.order[2]);
  for (let g = inline.pop(); g !== undefined; g = inline.pop()) {
    if (g.table) {
      const { acc, rel } = g.table;
      if (acc.instances === 0) {
        v.add(g.spec.where, g.spec.key, `a generator on ${acc.path}.{i}.${rel} needs rows, but the table has instances: 0 (rows added by AddObject get no generator)`);
        continue;
      }
      // The path is kept by the GeneratorDef: flat, not a rope of five pieces.
      for (let r = 1; r <= acc.instances; r++) addGenerator(g.spec, flat(`${acc.path}.${r}.${rel}`), g.spec.where, g.spec.key);
    } else for (const p of g.paths ?? []) addGenerator(g.spec, p, g.spec.where, g.spec.key);
  }
  if (generators.some((g) => g.type === 'enum' && g.values.length === 0)) v.add(firstWhere, 'generators', 'an enum generator needs values');

  // ---- deviceIdPaths
  const deviceIdPaths = { manufacturer: '', oui: '', productClass: '', serialNumber: '' };
  const dE = singles.get('deviceIdPaths');
  if (!dE) {
    if (anyTree && !manifest) v.add(firstWhere, 'deviceIdPaths', `missing required block deviceIdPaths {${DEVICE_ID_KEYS.join(', ')}}`);
  } else {
    const d = v.map(dE.value, 'deviceIdPaths', DEVICE_ID_KEYS, `a mapping {${DEVICE_ID_KEYS.join(', ')}} of leaf paths`);
    if (d) {
      for (const k of DEVICE_ID_KEYS) {
        const e = d.get(k);
        if (!e) {
          v.add(dE.value.where, `deviceIdPaths.${k}`, `missing required key "${k}" (all four of ${DEVICE_ID_KEYS.join(', ')} are needed to build the Inform DeviceId)`);
          continue;
        }
        const p = v.string(e, `deviceIdPaths.${k}`);
        if (p === undefined) continue;
        const leaf = v.requireLeaf(p, e.value.where, `deviceIdPaths.${k}`);
        if (!leaf) continue;
        deviceIdPaths[k] = p;
        if (k === 'oui') {
          // GenieACS answers an Inform whose OUI is not six hex digits with 400 (TR-069 A.3.3.1: OUI is 6 hex digits).
          const index = v.offset + 1;
          let oui = leaf.value;
          try {
            oui = stampPlaceholders(oui, { index, id: `cpe-${index}`, seed: 0n }, v.pools);
          } catch {
            // A malformed placeholder is reported with the leaf.
          }
          if (!/^[0-9A-Fa-f]{6}$/.test(oui)) v.add(e.value.where, 'deviceIdPaths.oui', `the OUI leaf ${p} holds ${JSON.stringify(oui)}; an OUI is exactly six hexadecimal digits (e.g. "00005E"): ACSes such as GenieACS refuse the Inform otherwise`);
        }
      }
    }
  }
  const roots = [...new Set([...v.leaves.keys()].map((p) => p.split('.', 1)[0] ?? ''))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // A manifest has no DeviceId: its first root stands in (the graft decides where it goes).
  const root = manifest ? (roots[0] ?? '') : (deviceIdPaths.manufacturer.split('.', 1)[0] ?? '');

  // ---- fleet serial pattern (ref. 5.2): stamped on every CPE, a lone one included.
  const count = v.count;
  const serialPattern = fleet.serialPattern ?? '{base}-{i}';
  const spWhere = fleet.serialPatternWhere ?? singles.get('fleet')?.value.where ?? firstWhere;
  const spProblems = serialPatternProblems(serialPattern, v.pools);
  for (const msg of spProblems) v.add(spWhere, 'fleet.serialPattern', msg);
  const base = v.leaves.get(deviceIdPaths.serialNumber)?.value;
  if (spProblems.length === 0 && base !== undefined) {
    if (count > 1 && !serialPatternIsPerCpe(serialPattern, v.pools) && !(serialPattern.includes('{base}') && hasPlaceholders(base, v.pools))) {
      v.add(spWhere, 'fleet.serialPattern', `${JSON.stringify(serialPattern)} has no per-CPE part ({i}, {i:N}, {cpe…}, {cpe_id} or a pool): all ${count} CPEs would report the same serial number`);
    } else {
      const stamp = compileSerialPattern(serialPattern, v.pools);
      for (const index of v.cpes()) {
        try {
          stamp(base, { index, id: `cpe-${index}`, seed: 0n });
        } catch (err) {
          if (!(err instanceof PlaceholderError)) throw err;
          v.add(spWhere, 'fleet.serialPattern', err.message);
          break;
        }
      }
    }
  }

  // ---- informParameters (ref. 4.2): every listed path is an existing leaf.
  const informParameters: Partial<Record<InformParameterKey, readonly string[]>> = {};
  for (const k of INFORM_KEYS) {
    const e = informEntries.get(k);
    if (!e) continue;
    const key = `informParameters.${k}`;
    if (e.value.kind !== 'seq') {
      v.add(e.value.where, key, `expected a list of leaf paths, found ${describe(e.value)}`);
      continue;
    }
    const list: string[] = [];
    for (const [j, n] of e.value.items.entries()) {
      if (n.kind !== 'scalar' || typeof n.value !== 'string') {
        v.add(n.where, `${key}[${j}]`, `expected a leaf path, found ${describe(n)}`);
        continue;
      }
      if (v.requireLeaf(n.value, n.where, `${key}[${j}]`)) list.push(n.value);
    }
    informParameters[k] = list;
  }

  // ---- periodicInformPaths (ref. 4.3)
  let periodicInformPaths: { interval: string; enable: string; time?: string } | undefined;
  const piE = singles.get('periodicInformPaths');
  if (piE && !isNull(piE.value)) {
    const pi = v.map(piE.value, 'periodicInformPaths', ['interval', 'enable', 'time'], 'a mapping {interval, enable, time} of leaf paths');
    if (pi) {
      for (const k of ['interval', 'enable'] as const) if (!pi.has(k)) v.add(piE.value.where, `periodicInformPaths.${k}`, `missing required key "${k}" (periodicInformPaths must declare both interval and enable)`);
      const why = 'so an ACS can change the schedule';
      const interval = v.requireTypedLeaf(pi.get('interval'), 'periodicInformPaths.interval', ['xsd:unsignedInt'], true, why);
      const enable = v.requireTypedLeaf(pi.get('enable'), 'periodicInformPaths.enable', ['xsd:boolean'], true, why);
      const time = v.requireTypedLeaf(pi.get('time'), 'periodicInformPaths.time', ['xsd:dateTime'], true, why);
      if (interval !== undefined && enable !== undefined) {
        periodicInformPaths = { interval, enable };
        if (time !== undefined) periodicInformPaths.time = time;
      }
    }
  }

  // ---- acsCredentialPaths (ref. 4.4)
  let acsCredentialPaths: { username: string; password: string } | undefined;
  const acE = singles.get('acsCredentialPaths');
  if (acE && !isNull(acE.value)) {
    const ac = v.map(acE.value, 'acsCredentialPaths', ['username', 'password'], 'a mapping {username, password} of leaf paths');
    if (ac) {
      for (const k of ['username', 'password'] as const) if (!ac.has(k)) v.add(acE.value.where, `acsCredentialPaths.${k}`, `missing required key "${k}" (acsCredentialPaths needs both username and password)`);
      const why = 'so an ACS can rotate the credentials';
      const username = v.requireTypedLeaf(ac.get('username'), 'acsCredentialPaths.username', ['xsd:string'], true, why);
      const password = v.requireTypedLeaf(ac.get('password'), 'acsCredentialPaths.password', ['xsd:string'], true, why);
      if (username !== undefined && password !== undefined) acsCredentialPaths = { username, password };
    }
  }

  // ---- connectionRequest (seed: "Profile validation"; ref. 4.5)
  const connectionRequest: ConnectionRequestConfig = { scheme: '', realm: '', throttleWindowMs: 0 };
  const crE = singles.get('connectionRequest');
  if (crE && !isNull(crE.value)) {
    const cr = v.map(crE.value, 'connectionRequest', ['scheme', 'realm', 'throttleWindow', 'usernameParameter', 'passwordParameter'], 'a mapping {scheme, realm, throttleWindow, usernameParameter, passwordParameter}');
    if (cr) {
      const sE = cr.get('scheme');
      let scheme: CrScheme | undefined = '';
      if (sE && !isNull(sE.value)) {
        // Ref. 4.5: trimmed and case-insensitive.
        const s = v.string(sE, 'connectionRequest.scheme', { allowEmpty: true })?.trim().toLowerCase();
        if (s === '' || s === 'basic' || s === 'digest') scheme = s;
        else {
          scheme = undefined;
          if (s !== undefined) v.add(sE.value.where, 'connectionRequest.scheme', `unknown scheme ${JSON.stringify(s)}; expected "" (no auth), basic or digest`);
        }
      }
      const realmE = cr.get('realm');
      const realm = realmE && !isNull(realmE.value) ? v.string(realmE, 'connectionRequest.realm', { allowEmpty: true }) : '';
      if (scheme && realm === '') v.add(cr.get('realm')?.value.where ?? crE.value.where, 'connectionRequest.realm', `scheme ${scheme} needs a non-empty realm (sent in WWW-Authenticate)`);
      const realmWhy = realm ? realmProblem(realm) : undefined;
      if (realmWhy && realmE) v.add(realmE.value.where, 'connectionRequest.realm', `invalid realm ${JSON.stringify(realm)}: ${realmWhy}; expected printable ASCII without " or \\ (it is sent in WWW-Authenticate: Digest realm="…")`);
      const throttle = v.duration(cr.get('throttleWindow'), 'connectionRequest.throttleWindow');
      const creds: Partial<Record<'usernameParameter' | 'passwordParameter', string>> = {};
      for (const k of ['usernameParameter', 'passwordParameter'] as const) {
        const e = cr.get(k);
        const key = `connectionRequest.${k}`;
        if (!e) {
          if (scheme) v.add(crE.value.where, key, `scheme ${scheme} needs ${k}: the leaf the listener reads the expected ${k === 'usernameParameter' ? 'username' : 'password'} from`);
          continue;
        }
        // cpe-labs also wants writable xsd:string leaves here (ref. 4.5); the seed's CR
        // contract reads read-only ones, so cpe-sim stays looser and checks existence only.
        const p = v.string(e, key);
        if (p !== undefined && v.requireLeaf(p, e.value.where, key)) creds[k] = p;
      }
      if (scheme !== undefined) connectionRequest.scheme = scheme;
      if (realm !== undefined) connectionRequest.realm = realm;
      if (throttle !== undefined) connectionRequest.throttleWindowMs = throttle;
      if (creds.usernameParameter !== undefined) connectionRequest.usernameParameter = creds.usernameParameter;
      if (creds.passwordParameter !== undefined) connectionRequest.passwordParameter = creds.passwordParameter;
    }
  }

  // ---- transfer (ref. 7)
  const transfer: { defaultDelayMs: number; faults: Record<string, TransferFault>; firmware?: FirmwareConfig } = { defaultDelayMs: DEFAULT_TRANSFER_DELAY_MS, faults: {} };
  const tE = singles.get('transfer');
  if (tE && !isNull(tE.value)) {
    const t = v.map(tE.value, 'transfer', ['defaultDelay', 'faults', 'firmware'], 'a mapping {defaultDelay, faults, firmware}');
    if (t) {
      // Ref. 7.1: omitted, 0 or negative all mean the 5 s default.
      const d = v.duration(t.get('defaultDelay'), 'transfer.defaultDelay', 'any');
      if (d !== undefined && d > 0) transfer.defaultDelayMs = d;
      readTransferFaults(v, t.get('faults'), transfer.faults);
      const fwE = t.get('firmware');
      if (fwE && !isNull(fwE.value)) {
        // rejectDowngrade, requireChecksum, failUpgrades: cpe-sim's own rules (docs/profile.md), not the seed's.
        const fw = v.map(fwE.value, 'transfer.firmware', ['versionPath', 'applyDelay', 'fetch', 'rejectDowngrade', 'requireChecksum', 'failUpgrades'], 'a mapping {versionPath, applyDelay, fetch, rejectDowngrade, requireChecksum, failUpgrades}');
        if (fw) {
          if (!fw.has('versionPath')) v.add(fwE.value.where, 'transfer.firmware.versionPath', 'missing required key "versionPath" (the xsd:string leaf the new version is written to)');
          const versionPath = v.requireTypedLeaf(fw.get('versionPath'), 'transfer.firmware.versionPath', ['xsd:string'], false, '');
          const applyDelayMs = v.duration(fw.get('applyDelay'), 'transfer.firmware.applyDelay') ?? 30_000;
          const fetch = v.boolean(fw.get('fetch'), 'transfer.firmware.fetch') ?? true;
          const rejectDowngrade = v.boolean(fw.get('rejectDowngrade'), 'transfer.firmware.rejectDowngrade');
          const requireChecksum = v.boolean(fw.get('requireChecksum'), 'transfer.firmware.requireChecksum');
          const failE = fw.get('failUpgrades');
          let failUpgrades: number[] | undefined;
          if (failE && failE.value.kind !== 'seq') v.add(failE.value.where, 'transfer.firmware.failUpgrades', `expected a list of upgrade numbers (1 = the first upgrade of the fleet), found ${describe(failE.value)}`);
          else if (failE && failE.value.kind === 'seq') {
            failUpgrades = [];
            for (const [j, n] of failE.value.items.entries()) {
              const k = v.integer(new MapEntry(String(j), n.at, n), `transfer.firmware.failUpgrades[${j}]`, 1);
              if (k !== undefined) failUpgrades.push(k);
            }
          }
          if (versionPath !== undefined) {
            transfer.firmware = {
              versionPath,
              applyDelayMs,
              fetch,
              ...(rejectDowngrade !== undefined ? { rejectDowngrade } : {}),
              ...(requireChecksum !== undefined ? { requireChecksum } : {}),
              ...(failUpgrades !== undefined ? { failUpgrades } : {}),
            };
          }
        }
      }
    }
  }

  // ---- softwareModules (ref. 8.1)
  let softwareModules: SoftwareModulesConfig | undefined;
  const smE = singles.get('softwareModules');
  if (smE && !isNull(smE.value)) softwareModules = readSoftwareModules(v, smE, objects);

  // ---- eventSchedule (ref. 11)
  const eventSchedule = { rebootDelayMs: 0, factoryResetDelayMs: 0, bootDelayMs: 0, bootRampMs: 0 };
  const esE = singles.get('eventSchedule');
  if (esE && !isNull(esE.value)) {
    const es = v.map(esE.value, 'eventSchedule', ['rebootDelay', 'factoryResetDelay', 'bootDelay', 'bootRamp'], 'a mapping {rebootDelay, factoryResetDelay, bootDelay, bootRamp} of durations');
    if (es) {
      eventSchedule.rebootDelayMs = v.duration(es.get('rebootDelay'), 'eventSchedule.rebootDelay') ?? 0;
      eventSchedule.factoryResetDelayMs = v.duration(es.get('factoryResetDelay'), 'eventSchedule.factoryResetDelay') ?? 0;
      eventSchedule.bootDelayMs = v.duration(es.get('bootDelay'), 'eventSchedule.bootDelay') ?? 0;
      eventSchedule.bootRampMs = v.duration(es.get('bootRamp'), 'eventSchedule.bootRamp') ?? 0;
    }
  }

  // ---- diagnostics (ref. 9)
  const diagnostics: DiagnosticDef[] = [];
  const stateAt = new Map<string, Where>();
  let di = 0;
  for (const block of diagnosticBlocks) {
    if (block.kind !== 'seq') continue;
    for (const item of block.items) {
      const d = readDiagnostic(v, item, `diagnostics[${di++}]`, stateAt);
      if (d) diagnostics.push(d);
    }
  }

  // ---- faults.link (ref. 10)
  const faults: { link?: LinkFaultConfig } = {};
  if (linkE) {
    const link = readLinkFault(v, linkE);
    if (link) faults.link = link;
  }

  // ---- behaviour (cpe-sim's own block)
  const behaviour: BehaviourRule[] = [];
  let bi = 0;
  for (const block of behaviourBlocks) {
    if (block.kind !== 'seq') continue;
    for (const item of block.items) {
      const r = readBehaviourRule(v, item, `behaviour[${bi++}]`);
      if (r) behaviour.push(r);
    }
  }

  if (v.problems.length > 0 || !root) {
    if (v.problems.length === 0) v.add(firstWhere, '(profile)', manifest ? 'the manifest declares no leaf (ref §8.4: an app brings at least one parameter)' : 'deviceIdPaths.manufacturer names no leaf to take the data-model root from');
    throw new ProfileError(sortProblems(v.problems, docs), source);
  }
  const profile: Profile = {
    source,
    root,
    roots,
    deviceIdPaths,
    parameters,
    objects,
    informParameters,
    generators,
    fleet: { count, offset: v.offset, serialPattern, pools: fleet.pools },
    connectionRequest,
    transfer,
    eventSchedule,
    diagnostics,
    faults,
  };
  if (behaviour.length > 0) profile.behaviour = behaviour;
  if (periodicInformPaths) profile.periodicInformPaths = periodicInformPaths;
  if (acsCredentialPaths) profile.acsCredentialPaths = acsCredentialPaths;
  if (softwareModules) return { ...profile, ...hideRequestedState(profile, softwareModules.path), softwareModules };
  return profile;
}

/**
 * TR-181 `ExecutionUnit.{i}.RequestedState` is a command parameter: "not part of the
 * device configuration and is always an empty string when read" (the enumeration's
 * description, TR-181 Device:2 SoftwareModules). Its leaf is marked `hidden`, so CWMP
 * GetParameterValues and USP Get read "" while writes still act (the tree keeps them).
 */
function hideRequestedState(profile: Pick<Profile, 'parameters' | 'objects'>, smPath: string): Pick<Profile, 'parameters' | 'objects'> {
  const table = `${smPath}ExecutionUnit.`;
  const flatLeaf = new RegExp(`^${table.replace(/[.]/g, '\\.')}(?:[1-9][0-9]*|\\{i\\})\\.RequestedState$`);
  return {
    parameters: profile.parameters.map((l) => (flatLeaf.test(l.path) ? { ...l, hidden: true } : l)),
    objects: profile.objects.map((t) => (t.path === table ? { ...t, parameters: t.parameters.map((l) => (l.path === 'RequestedState' ? { ...l, hidden: true } : l)) } : t)),
  };
}

/** Ref. 7.1 and cpe-sim's stricter TR-069 fault codes. */
function readTransferFaults(v: Validator, fE: MapEntry | undefined, out: Record<string, TransferFault>): void {
  if (!fE || isNull(fE.value)) return;
  if (fE.value.kind !== 'map') {
    v.add(fE.value.where, 'transfer.faults', `expected a mapping from FileType (e.g. "1 Firmware Upgrade Image") to {code, string}, found ${describe(fE.value)}`);
    return;
  }
  for (const e of fE.value.entries) {
    const key = `transfer.faults[${JSON.stringify(e.key)}]`;
    if (e.key.trim() === '') {
      v.add(e.keyWhere, key, 'expected a FileType such as "1 Firmware Upgrade Image", found an empty key');
      continue;
    }
    const f = v.map(e.value, key, ['code', 'string'], 'a mapping {code, string}');
    if (!f) continue;
    const cE = f.get('code');
    if (!cE) {
      v.add(e.value.where, `${key}.code`, 'missing required key "code"');
      continue;
    }
    const code = v.integer(cE, `${key}.code`, 9000, 9899);
    if (code === undefined) continue;
    if (!isTransferFaultCode(code)) {
      v.add(cE.value.where, `${key}.code`, `${code} is not a TransferComplete fault code; expected 9001, 9002, 9010–9012, 9014–9020 or a vendor code 9800–9899`);
      continue;
    }
    const sE = f.get('string');
    const str = sE ? v.string(sE, `${key}.string`) : TRANSFER_FAULT_STRINGS[code];
    if (str === undefined && !sE) v.add(e.value.where, `${key}.string`, `vendor fault code ${code} needs a "string" (the FaultString)`);
    if (str !== undefined) out[e.key] = { code, string: str };
  }
}

function readSoftwareModules(v: Validator, smE: MapEntry, tables: readonly TableDef[]): SoftwareModulesConfig | undefined {
  const sm = v.map(smE.value, 'softwareModules', ['path', 'installDelay', 'uninstallDelay', 'startDelay', 'stopDelay', 'rejectDowngrade', 'multipleVersions', 'faults'], 'a mapping {path, installDelay, uninstallDelay, startDelay, stopDelay, rejectDowngrade, multipleVersions, faults}');
  if (!sm) return undefined;
  const pE = sm.get('path');
  if (!pE) v.add(smE.value.where, 'softwareModules.path', 'missing required key "path" (e.g. Device.SoftwareModules.)');
  let path = v.string(pE, 'softwareModules.path');
  if (path !== undefined && pE) {
    if (!path.endsWith('.')) {
      v.add(pE.value.where, 'softwareModules.path', `${JSON.stringify(path)} must end with "." (an object path such as Device.SoftwareModules.)`);
      path = undefined;
    } else {
      const tablePaths = new Set(tables.map((t) => t.path));
      const isObject = (o: string): boolean => tablePaths.has(o) || [...v.leaves.keys()].some((l) => l.startsWith(o));
      for (const sub of ['ExecEnv.', 'DeploymentUnit.', 'ExecutionUnit.']) {
        if (!isObject(path + sub)) {
          v.add(pE.value.where, 'softwareModules.path', `${path}${sub} must exist as an object (declare it, e.g. as a table with instances: 0)`);
          path = undefined;
          break;
        }
      }
      if (path !== undefined && ![...v.leaves.keys()].some((l) => new RegExp(`^${path?.replace(/[.]/g, '\\.')}ExecEnv\\.[1-9][0-9]*\\.`).test(l))) {
        v.add(pE.value.where, 'softwareModules.path', `${path}ExecEnv. needs at least one row (an execution environment to install into)`);
        path = undefined;
      }
    }
  }
  const installDelayMs = v.duration(sm.get('installDelay'), 'softwareModules.installDelay') ?? 5000;
  const uninstallDelayMs = v.duration(sm.get('uninstallDelay'), 'softwareModules.uninstallDelay') ?? 1000;
  // cpe-sim: TR-157's Starting/Stopping take time (RequestedState), 1 s each unless set.
  const startDelayMs = v.duration(sm.get('startDelay'), 'softwareModules.startDelay') ?? 1000;
  const stopDelayMs = v.duration(sm.get('stopDelay'), 'softwareModules.stopDelay') ?? 1000;
  const rejectDowngrade = v.boolean(sm.get('rejectDowngrade'), 'softwareModules.rejectDowngrade');
  const multipleVersions = v.boolean(sm.get('multipleVersions'), 'softwareModules.multipleVersions');
  const faults: Record<string, { reason: SoftwareModuleFaultReason; message?: string }> = {};
  const fE = sm.get('faults');
  if (fE && !isNull(fE.value)) {
    if (fE.value.kind !== 'map') v.add(fE.value.where, 'softwareModules.faults', `expected a mapping from app name to {reason, message}, found ${describe(fE.value)}`);
    else {
      for (const e of fE.value.entries) {
        const key = `softwareModules.faults.${e.key}`;
        const f = v.map(e.value, key, ['reason', 'message'], 'a mapping {reason, message}');
        if (!f) continue;
        if (!f.has('reason')) v.add(e.value.where, `${key}.reason`, `missing required key "reason" (${SM_REASONS.join(', ')})`);
        const reason = v.string(f.get('reason'), `${key}.reason`);
        if (reason !== undefined && !(SM_REASONS as readonly string[]).includes(reason)) {
          v.add(f.get('reason')?.value.where ?? e.value.where, `${key}.reason`, `unknown reason ${JSON.stringify(reason)}${suggestion(reason, SM_REASONS)}; expected one of ${SM_REASONS.join(', ')}`);
          continue;
        }
        const mE = f.get('message');
        const message = mE && !isNull(mE.value) ? v.string(mE, `${key}.message`, { allowEmpty: true }) : undefined;
        if (reason !== undefined) faults[e.key] = message !== undefined ? { reason: reason as SoftwareModuleFaultReason, message } : { reason: reason as SoftwareModuleFaultReason };
      }
    }
  }
  if (path === undefined) return undefined;
  return { path, installDelayMs, uninstallDelayMs, startDelayMs, stopDelayMs, faults, ...(rejectDowngrade === true ? { rejectDowngrade } : {}), ...(multipleVersions === true ? { multipleVersions } : {}) };
}

function readDiagnostic(v: Validator, item: PNode, key: string, stateAt: Map<string, Where>): DiagnosticDef | undefined {
  const m = v.map(item, key, ['statePath', 'trigger', 'complete', 'duration', 'countPath', 'resultCount'], 'a mapping {statePath, trigger, complete, duration, countPath, resultCount}');
  if (!m) return undefined;
  const sE = m.get('statePath');
  if (!sE) v.add(item.where, `${key}.statePath`, 'missing required key "statePath" (the DiagnosticsState leaf an SPV starts the run with)');
  const statePath = v.string(sE, `${key}.statePath`);
  let ok = statePath !== undefined && sE !== undefined && v.requireLeaf(statePath, sE.value.where, `${key}.statePath`) !== undefined;
  if (ok && statePath !== undefined && sE) {
    const prev = stateAt.get(statePath);
    if (prev) {
      v.add(sE.value.where, `${key}.statePath`, `${statePath} already has a diagnostic (declared at ${fmtWhere(prev)})`);
      ok = false;
    } else stateAt.set(statePath, sE.value.where);
  }
  const tE = m.get('trigger');
  const trigger = tE && !isNull(tE.value) ? v.string(tE, `${key}.trigger`) : 'Requested';
  const cE = m.get('complete');
  const complete = cE && !isNull(cE.value) ? v.string(cE, `${key}.complete`) : 'Complete';
  if (trigger !== undefined && complete !== undefined && trigger === complete) {
    v.add(cE?.value.where ?? item.where, `${key}.complete`, `complete must differ from trigger (both are ${JSON.stringify(trigger)})`);
    ok = false;
  }
  const durationMs = m.has('duration') ? v.duration(m.get('duration'), `${key}.duration`) : 5000;
  let countPath: string | undefined;
  const cpE = m.get('countPath');
  if (cpE && !isNull(cpE.value) && !(cpE.value.kind === 'scalar' && cpE.value.text === '')) {
    countPath = v.string(cpE, `${key}.countPath`);
    if (countPath === undefined || !v.requireLeaf(countPath, cpE.value.where, `${key}.countPath`)) ok = false;
  }
  const resultCount = m.has('resultCount') ? v.integer(m.get('resultCount'), `${key}.resultCount`, 0) : 0;
  if (!ok || statePath === undefined || trigger === undefined || complete === undefined || durationMs === undefined || resultCount === undefined) return undefined;
  const d: DiagnosticDef = { statePath, trigger, complete, durationMs, resultCount };
  if (countPath !== undefined) d.countPath = countPath;
  return d;
}

function readLinkFault(v: Validator, linkE: MapEntry): LinkFaultConfig | undefined {
  const m = v.map(linkE.value, 'faults.link', ['interface', 'duration', 'instances', 'reboot'], 'a mapping {interface, duration, instances, reboot}');
  if (!m) return undefined;
  const iE = m.get('interface');
  if (!iE) v.add(linkE.value.where, 'faults.link.interface', 'missing required key "interface" (e.g. Device.IP.Interface.1)');
  let iface = v.string(iE, 'faults.link.interface');
  if (iface?.endsWith('.')) iface = iface.slice(0, -1);
  if (iface !== undefined && iE && !v.leaves.has(`${iface}.Status`)) {
    v.add(iE.value.where, 'faults.link.interface', `${iface}.Status must be a declared leaf (the link fault writes Down there)`);
    iface = undefined;
  }
  const durationMs = m.has('duration') ? v.duration(m.get('duration'), 'faults.link.duration', 'positive') : 120_000;
  const { band: instances, ok: bandOk } = readBand(v, m.get('instances'), 'faults.link.instances');
  const reboot = v.boolean(m.get('reboot'), 'faults.link.reboot') ?? false;
  if (iface === undefined || durationMs === undefined || !bandOk) return undefined;
  const out: LinkFaultConfig = { interface: iface, durationMs, reboot };
  if (instances) out.instances = instances;
  return out;
}

/** `instances: "N"` or `"N-M"` (1 ≤ N ≤ M, global CPE indices); absent is fine. */
function readBand(v: Validator, bE: MapEntry | undefined, key: string): { band: { from: number; to: number } | undefined; ok: boolean } {
  if (!bE || isNull(bE.value)) return { band: undefined, ok: true };
  const band = v.string(bE, key);
  const mm = band === undefined ? null : /^([0-9]{1,15})(?:-([0-9]{1,15}))?$/.exec(band.trim());
  const from = mm ? Number(mm[1]) : 0;
  const to = mm ? Number(mm[2] ?? mm[1]) : 0;
  if (!mm || from < 1 || to < from) {
    if (band !== undefined) v.add(bE.value.where, key, `expected "N" or "N-M" with 1 ≤ N ≤ M (global CPE indices), found ${JSON.stringify(band)}`);
    return { band: undefined, ok: false };
  }
  return { band: { from, to }, ok: true };
}

const MESSAGE_NAME = /^(?:\*|empty|[A-Z][A-Za-z]*)$/;

/** One `behaviour` entry: a band and/or share, and the quirks (docs/misbehaving-devices.md). */
function readBehaviourRule(v: Validator, item: PNode, key: string): BehaviourRule | undefined {
  const before = v.problems.length;
  const m = v.map(item, key, ['instances', 'share', ...BEHAVIOUR_KEYS], `a mapping {instances?, share?, ${BEHAVIOUR_KEYS.join(', ')}}`);
  if (!m) return undefined;
  const { band } = readBand(v, m.get('instances'), `${key}.instances`);
  let share = m.has('share') ? v.float(m.get('share'), `${key}.share`, 0, 1) : undefined;
  if (share === 0) {
    v.add(m.get('share')!.value.where, `${key}.share`, 'expected a fraction in (0, 1] of the band, found 0');
    share = undefined;
  }
  const q: Record<string, unknown> = {};
  const name = (k: string, e: MapEntry | undefined): string | undefined => {
    const s = v.string(e, k);
    if (s !== undefined && !MESSAGE_NAME.test(s)) {
      v.add(e!.value.where, k, `expected a message or RPC name such as Inform, GetParameterValuesResponse, empty or *, found ${JSON.stringify(s)}`);
      return undefined;
    }
    return s;
  };
  for (const k of ['neverAnswer', 'closeBefore', 'closeAfter', 'malformedXml', 'wrongId']) if (m.has(k)) q[k] = name(`${key}.${k}`, m.get(k));
  for (const k of ['dropCookies', 'reconnectAfter401', 'ignoreHoldRequests', 'earlyEmptyPost', 'http10']) if (m.has(k)) q[k] = v.boolean(m.get(k), `${key}.${k}`);
  if (m.has('retryCount')) q['retryCount'] = v.integer(m.get('retryCount'), `${key}.retryCount`, 0);
  const dE = m.get('delay');
  if (dE) {
    const d = v.map(dE.value, `${key}.delay`, ['ms', 'rpc'], 'a mapping {ms, rpc?}');
    const ms = v.integer(d?.get('ms'), `${key}.delay.ms`, 0);
    if (d && !d.has('ms')) v.add(dE.value.where, `${key}.delay.ms`, 'missing required key "ms" (milliseconds)');
    const rpc = d?.has('rpc') ? name(`${key}.delay.rpc`, d.get('rpc')) : undefined;
    if (ms !== undefined) q['delay'] = rpc === undefined ? { ms } : { ms, rpc };
  }
  const fE = m.get('fault');
  if (fE) {
    const f = v.map(fE.value, `${key}.fault`, ['rpc', 'code', 'string'], 'a mapping {rpc, code, string?}');
    for (const req of ['rpc', 'code']) if (f && !f.has(req)) v.add(fE.value.where, `${key}.fault.${req}`, `missing required key "${req}"`);
    const rpc = name(`${key}.fault.rpc`, f?.get('rpc'));
    const code = v.integer(f?.get('code'), `${key}.fault.code`, 9000, 9899);
    const text = f?.has('string') ? v.string(f.get('string'), `${key}.fault.string`) : undefined;
    if (rpc !== undefined && code !== undefined) q['fault'] = text === undefined ? { rpc, code } : { rpc, code, string: text };
  }
  if (Object.keys(q).length === 0 && v.problems.length === before) v.add(item.where, key, `names no quirk; expected at least one of ${BEHAVIOUR_KEYS.join(', ')}`);
  if (v.problems.length > before) return undefined;
  const out: BehaviourRule = { quirks: q as BehaviourQuirks };
  if (band) out.instances = band;
  if (share !== undefined) out.share = share;
  return out;
}

/** Orders problems by file (in load order), line, column; stable for position-less ones. */
function sortProblems(problems: ProfileProblem[], docs: readonly ProfileDoc[]): ProfileProblem[] {
  const fileOrder = new Map(docs.map((d, i) => [d.file, i]));
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => {
      const fa = fileOrder.get(a.p.file ?? '') ?? -1;
      const fb = fileOrder.get(b.p.file ?? '') ?? -1;
      if (fa !== fb) return fa - fb;
      if (a.p.line !== undefined && b.p.line !== undefined && a.p.line !== b.p.line) return a.p.line - b.p.line;
      if (a.p.line !== undefined && b.p.line !== undefined && a.p.col !== b.p.col) return (a.p.col ?? 0) - (b.p.col ?? 0);
      return a.i - b.i;
    })
    .map((x) => x.p);
}
