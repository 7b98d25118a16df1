/**
 * The profile validator: turns the neutral node trees of one or more files into a
 * {@link Profile}, collecting EVERY problem (with file, line:col and key path) instead
 * of stopping at the first, then throws one {@link ProfileError} listing them all.
 * @module
 */
import { ProfileError, type ProfileProblem, type SourcePosition } from '../errors/index.js';
import { DurationError, parseDurationNs } from './duration.js';
import { describe, problemAt, type MapEntry, type PNode, type Where } from './nodes.js';
import { placeholderProblem, serialPatternProblems, stampInstance, stampPlaceholders, hasPlaceholders } from './placeholders.js';
import { isTransferFaultCode, pathProblem, realmProblem, rootOf, valueProblem, XSD_TYPES, ZERO_VALUES } from './rules.js';
import type {
  ConnectionRequestConfig,
  CrScheme,
  DataModelRoot,
  InformParameterKey,
  LeafDef,
  Profile,
  TableDef,
  TransferFault,
  XsdType,
} from './types.js';

/** One input file: its name and its tree (`null` = empty document). */
export interface ProfileDoc {
  file: string;
  tree: PNode | null;
}

const TOP_KEYS = ['deviceIdPaths', 'parameters', 'objects', 'groups', 'informParameters', 'periodicInformPaths', 'fleet', 'connectionRequest', 'transfer', 'eventSchedule'] as const;
const SINGLETONS = new Set(['deviceIdPaths', 'fleet', 'connectionRequest', 'periodicInformPaths', 'transfer', 'eventSchedule', 'informParameters']);
const NOT_YET: Record<string, string> = {
  generators: 'value generators (counter, drift, enum, uptime, wallclock) are not supported yet by cpe-sim; remove the block (planned for a later release)',
  usp: 'TR-369 (USP) agent settings are not supported yet by cpe-sim; remove the block (planned for a later release)',
};
const DEVICE_ID_KEYS = ['manufacturer', 'oui', 'productClass', 'serialNumber'] as const;
const INFORM_KEYS: readonly InformParameterKey[] = ['bootstrap', 'boot', 'periodic', 'valueChange', 'connectionRequest'];

/** Fault strings of TR-069 Table A.5 for the TransferComplete fault codes, used when `string` is omitted. */
const TRANSFER_FAULT_STRINGS: Readonly<Record<number, string>> = {
  9001: 'Request denied',
  9002: 'Internal error',
  9010: 'File transfer failure',
  9011: 'Upload failure',
  9012: 'File transfer server authentication failure',
  9014: 'Download failure: unable to join multicast group',
  9015: 'Download failure: unable to contact file server',
  9016: 'Download failure: unable to access file',
  9017: 'Download failure: unable to complete download',
  9018: 'Download failure: file corrupted',
  9019: 'Download failure: file authentication failure',
  9020: 'Download failure: unable to complete download within specified time window',
};

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

function suggestion(key: string, allowed: readonly string[]): string {
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

interface LeafInfo {
  type: XsdType;
  writable: boolean;
  where: Where;
  key: string;
}

/** The validator state for one profile. */
class Validator {
  readonly problems: ProfileProblem[] = [];
  /** Every leaf (plain, group and table rows) by full path, for existence checks and duplicates. */
  readonly leaves = new Map<string, LeafInfo>();
  count = 1;

  add(where: Where, key: string, message: string): void {
    this.problems.push(problemAt(where, key, message));
  }

  /** Checks that `node` is a mapping with only `allowed` keys; returns its entries by key. */
  map(node: PNode, key: string, allowed: readonly string[], what: string, notYet: Record<string, string> = {}): Map<string, MapEntry> | undefined {
    if (node.kind !== 'map') {
      this.add(node.where, key, `expected ${what}, found ${describe(node)}`);
      return undefined;
    }
    const out = new Map<string, MapEntry>();
    for (const e of node.entries) {
      const k = key ? `${key}.${e.key}` : e.key;
      // Own keys only: `__proto__` (or `constructor`) would find Object.prototype's.
      const later = Object.hasOwn(notYet, e.key) ? notYet[e.key] : undefined;
      if (later !== undefined) this.add(e.keyWhere, k, later);
      else if (!allowed.includes(e.key)) this.add(e.keyWhere, k, `unknown key ${JSON.stringify(e.key)}${suggestion(e.key, allowed)}; expected one of ${allowed.join(', ')}`);
      else out.set(e.key, e);
    }
    return out;
  }

  string(e: MapEntry | undefined, key: string, opts: { allowEmpty?: boolean } = {}): string | undefined {
    if (!e) return undefined;
    const n = e.value;
    if (n.kind !== 'scalar' || typeof n.value !== 'string') {
      this.add(n.where, key, `expected a string, found ${describe(n)}${n.kind === 'scalar' && n.value !== null ? ' (quote it)' : ''}`);
      return undefined;
    }
    if (!opts.allowEmpty && n.value === '') {
      this.add(n.where, key, 'expected a non-empty string, found ""');
      return undefined;
    }
    return n.value;
  }

  integer(e: MapEntry | undefined, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (!e) return undefined;
    const n = e.value;
    if (n.kind !== 'scalar' || (typeof n.value !== 'number' && typeof n.value !== 'bigint') || !Number.isSafeInteger(Number(n.value)) || !/^[+-]?[0-9]+$/.test(n.text)) {
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

  boolean(e: MapEntry | undefined, key: string): boolean | undefined {
    if (!e) return undefined;
    const n = e.value;
    if (n.kind !== 'scalar' || typeof n.value !== 'boolean') {
      this.add(n.where, key, `expected true or false, found ${describe(n)}`);
      return undefined;
    }
    return n.value;
  }

  /** A Go duration in ms; `0` may be written as a bare number (Go accepts "0"), nothing else may. */
  duration(e: MapEntry | undefined, key: string): number | undefined {
    if (!e) return undefined;
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
      if (ns < 0n) {
        this.add(n.where, key, `expected a duration ≥ 0, found ${JSON.stringify(n.text)} (negative durations are not allowed)`);
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

  /** Records a leaf path; reports a duplicate (once per declaration, by returning false). */
  declare(path: string, info: LeafInfo): boolean {
    const prev = this.leaves.get(path);
    if (prev) {
      this.add(info.where, info.key, `leaf ${path} is declared twice: already declared at ${fmtWhere(prev.where)} (${prev.key})`);
      return false;
    }
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

  /**
   * Checks a leaf value against its type. Values with per-CPE placeholders are checked
   * for placeholder syntax and range capacity, then stamped for CPE 1 and the last CPE,
   * and both stamped values are type-checked.
   */
  checkValue(value: string, type: XsdType, where: Where, key: string): void {
    if (hasPlaceholders(value)) {
      const syntax = placeholderProblem(value);
      if (syntax) {
        this.add(where, key, syntax);
        return;
      }
      const capacity = placeholderProblem(value, this.count);
      if (capacity) {
        this.add(where, key, `${capacity} (fleet.count is ${this.count})`);
        return;
      }
      for (const index of new Set([1, this.count])) {
        const stamped = stampPlaceholders(value, { index, id: `cpe-${index}` });
        const why = valueProblem(type, stamped);
        if (why) {
          this.add(where, key, `for CPE ${index} the value stamps to ${JSON.stringify(stamped)}: ${why}`);
          return;
        }
      }
      return;
    }
    const why = valueProblem(type, value);
    if (why) this.add(where, key, why);
  }
}

interface LeafSpec {
  path: string;
  pathWhere: Where;
  type: XsdType;
  value: string | undefined;
  valueWhere: Where;
  writable: boolean;
  /** `null`: given but invalid (already reported). */
  instances: number | undefined | null;
  instancesWhere: Where;
  where: Where;
}

function isNull(n: PNode): boolean {
  return n.kind === 'scalar' && n.value === null;
}

function countI(s: string): number {
  return s.split('{i}').length - 1;
}

/** Parses the common keys of a leaf entry; `undefined` when its path is unusable. */
function leafSpec(v: Validator, node: PNode, key: string, inObject: boolean): LeafSpec | undefined {
  const allowed = inObject ? ['path', 'type', 'value', 'writable'] : ['path', 'type', 'value', 'writable', 'instances'];
  const notYet: Record<string, string> = {
    generator: 'per-leaf value generators are not supported yet by cpe-sim; remove the key (planned for a later release)',
  };
  if (inObject) notYet['instances'] = 'instances is not allowed on a parameter inside objects: the table\'s own instances sets the rows, and {i} in a value is the row number';
  const m = v.map(node, key, allowed, 'a leaf mapping such as {path: Device.DeviceInfo.Manufacturer, value: Example}', notYet);
  if (!m) return undefined;
  const pathE = m.get('path');
  if (!pathE) {
    v.add(node.where, `${key}.path`, 'missing required key "path"');
    return undefined;
  }
  const path = v.string(pathE, `${key}.path`);
  let type: XsdType = 'xsd:string';
  const typeE = m.get('type');
  if (typeE) {
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
  const instancesE = m.get('instances');
  const instances = instancesE ? (v.integer(instancesE, `${key}.instances`, 1, 1_000_000) ?? null) : undefined;
  if (path === undefined) return undefined;
  return {
    path,
    pathWhere: pathE.value.where,
    type,
    value,
    valueWhere: valueE?.value.where ?? node.where,
    writable,
    instances,
    instancesWhere: m.get('instances')?.value.where ?? node.where,
    where: node.where,
  };
}

/** Expands a plain/group leaf (with `instances`) into LeafDefs, validating path, `{i}` and value. */
function expandLeaf(v: Validator, spec: LeafSpec, fullPath: string, key: string, out: LeafDef[]): void {
  const nI = countI(fullPath);
  const value = spec.value ?? ZERO_VALUES[spec.type];
  let paths: Array<[string, string]>;
  if (spec.instances === null) return;
  if (spec.instances !== undefined) {
    if (nI !== 1) {
      v.add(nI === 0 ? spec.instancesWhere : spec.pathWhere, nI === 0 ? `${key}.instances` : `${key}.path`,
        nI === 0
          ? `instances: ${spec.instances} needs exactly one {i} in the path, found none in ${JSON.stringify(fullPath)}`
          : `the path must contain exactly one {i} when instances is set, found ${nI} in ${JSON.stringify(fullPath)}`);
      return;
    }
    paths = [];
    for (let n = 1; n <= spec.instances; n++) paths.push([stampInstance(fullPath, n), stampInstance(value, n)]);
  } else {
    if (nI > 0) {
      v.add(spec.pathWhere, `${key}.path`, `${JSON.stringify(fullPath)} contains {i} but the leaf has no instances: N; add instances or remove {i}`);
      return;
    }
    if (countI(value) > 0) {
      v.add(spec.valueWhere, `${key}.value`, `the value contains {i} but the leaf has no instances: N ({i} is the instance number)`);
      return;
    }
    paths = [[fullPath, value]];
  }
  const syntax = pathProblem(stampInstance(fullPath, 1), 'leaf');
  if (syntax) {
    v.add(spec.pathWhere, `${key}.path`, syntax);
    return;
  }
  // The value template is checked once for the first and last instance: N copies of one mistake are one problem.
  const firstValue = paths[0]?.[1] ?? value;
  const lastValue = paths[paths.length - 1]?.[1] ?? value;
  const before = v.problems.length;
  v.checkValue(firstValue, spec.type, spec.valueWhere, `${key}.value`);
  if (lastValue !== firstValue && v.problems.length === before) v.checkValue(lastValue, spec.type, spec.valueWhere, `${key}.value`);
  const source = position(spec.where);
  for (const [p, val] of paths) {
    if (!v.declare(p, { type: spec.type, writable: spec.writable, where: spec.pathWhere, key: `${key}.path` })) break;
    const leaf: LeafDef = { path: p, type: spec.type, value: val, writable: spec.writable };
    if (source) leaf.source = source;
    out.push(leaf);
  }
}


/**
 * Validates and merges `docs` (in order) into a Profile.
 * @throws {ProfileError} listing every problem found.
 */
export function buildProfile(docs: readonly ProfileDoc[], source: string, initialProblems: readonly ProfileProblem[] = []): Profile {
  const v = new Validator();
  v.problems.push(...initialProblems);
  const singles = new Map<string, MapEntry>();
  // List blocks in file order, then key order: leaves keep the order in which they were written.
  const blocks: Array<{ kind: 'parameters' | 'objects' | 'groups'; node: PNode }> = [];
  let anyTree = false;

  for (const doc of docs) {
    if (doc.tree === null) continue;
    anyTree = true;
    const top = v.map(doc.tree, '', TOP_KEYS, 'a mapping of top-level blocks (deviceIdPaths, parameters, …)', NOT_YET);
    if (!top) continue;
    for (const [k, e] of top) {
      if (SINGLETONS.has(k)) {
        const prev = singles.get(k);
        if (prev) {
          v.add(e.keyWhere, k, `${k} is declared in two files: first at ${fmtWhere(prev.keyWhere)}, again at ${fmtWhere(e.keyWhere)}; a singleton block may appear in only one file`);
        } else singles.set(k, e);
      } else if (k === 'parameters' || k === 'objects' || k === 'groups') {
        blocks.push({ kind: k, node: e.value });
      }
    }
  }
  const firstWhere: Where = docs.find((d) => d.tree)?.tree?.where ?? { file: docs[0]?.file ?? source };
  if (docs.length > 0 && !anyTree && initialProblems.length === 0) v.add(firstWhere, '(profile)', 'the profile is empty; expected at least deviceIdPaths and one of parameters, objects, groups');

  // fleet first: the value checks need the count (placeholder capacity, stamping the last CPE).
  let serialPattern: string | undefined;
  let serialPatternWhere: Where | undefined;
  const fleetE = singles.get('fleet');
  if (fleetE) {
    const f = v.map(fleetE.value, 'fleet', ['count', 'serialPattern'], 'a mapping {count, serialPattern}', {
      pools: 'fleet.pools (named address pools) is not supported yet by cpe-sim; use {cpe:ipv4:CIDR}-style placeholders (pools are planned for a later release)',
    });
    if (f) {
      const count = v.integer(f.get('count'), 'fleet.count', 0);
      if (count !== undefined) v.count = Math.max(1, count);
      const sp = f.get('serialPattern');
      serialPattern = v.string(sp, 'fleet.serialPattern');
      serialPatternWhere = sp?.value.where;
      if (serialPattern !== undefined && sp) for (const msg of serialPatternProblems(serialPattern)) v.add(sp.value.where, 'fleet.serialPattern', msg);
    }
  }

  // ---- leaves: parameters, groups, objects
  const parameters: LeafDef[] = [];
  const objects: TableDef[] = [];
  const tableWhere = new Map<string, { where: Where; key: string; instances: number }>();
  const rootCandidates: Array<{ path: string; where: Where; key: string }> = [];

  const doParameters = (block: { node: PNode }): void => {
    if (block.node.kind !== 'seq') {
      v.add(block.node.where, 'parameters', `expected a list of leaves, found ${describe(block.node)}`);
      return;
    }
    for (const [i, item] of block.node.items.entries()) {
      const key = `parameters[${i}]`;
      const spec = leafSpec(v, item, key, false);
      if (!spec) continue;
      rootCandidates.push({ path: spec.path, where: spec.pathWhere, key: `${key}.path` });
      expandLeaf(v, spec, spec.path, key, parameters);
    }
  };

  const doGroups = (block: { node: PNode }): void => {
    if (block.node.kind !== 'seq') {
      v.add(block.node.where, 'groups', `expected a list of {prefix, parameters}, found ${describe(block.node)}`);
      return;
    }
    for (const [i, item] of block.node.items.entries()) {
      const key = `groups[${i}]`;
      const g = v.map(item, key, ['prefix', 'parameters'], 'a mapping {prefix, parameters}');
      if (!g) continue;
      const prefixE = g.get('prefix');
      if (!prefixE) v.add(item.where, `${key}.prefix`, 'missing required key "prefix"');
      let prefix = v.string(prefixE, `${key}.prefix`);
      if (prefix !== undefined && prefixE) {
        // A trailing dot is tolerated: "Device.DeviceInfo." and "Device.DeviceInfo" are the same prefix.
        if (prefix.endsWith('.')) prefix = prefix.slice(0, -1);
        const why = prefix.includes('{i}') ? `the prefix may not contain {i}; put {i} in the parameter path with instances: N` : pathProblem(prefix, 'object');
        if (why) {
          v.add(prefixE.value.where, `${key}.prefix`, why);
          prefix = undefined;
        } else rootCandidates.push({ path: prefix, where: prefixE.value.where, key: `${key}.prefix` });
      }
      const ps = g.get('parameters');
      if (!ps) {
        v.add(item.where, `${key}.parameters`, 'missing required key "parameters"');
        continue;
      }
      if (ps.value.kind !== 'seq') {
        v.add(ps.value.where, `${key}.parameters`, `expected a list of leaves, found ${describe(ps.value)}`);
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
        expandLeaf(v, spec, `${prefix}.${spec.path}`, ck, parameters);
      }
    }
  };

  const doObjects = (block: { node: PNode }): void => {
    if (block.node.kind !== 'seq') {
      v.add(block.node.where, 'objects', `expected a list of tables {path, instances, uniqueKeys, parameters}, found ${describe(block.node)}`);
      return;
    }
    for (const [i, item] of block.node.items.entries()) {
      const key = `objects[${i}]`;
      const o = v.map(item, key, ['path', 'instances', 'uniqueKeys', 'parameters'], 'a table mapping {path, instances, uniqueKeys, parameters}');
      if (!o) continue;
      const pathE = o.get('path');
      if (!pathE) v.add(item.where, `${key}.path`, 'missing required key "path"');
      let path = v.string(pathE, `${key}.path`);
      if (path !== undefined && pathE) {
        const why = path.includes('{i}') ? 'a table path may not contain {i}; the table\'s instances sets its rows' : pathProblem(path, 'object');
        if (why) {
          v.add(pathE.value.where, `${key}.path`, why);
          path = undefined;
        } else {
          if (!path.endsWith('.')) path += '.';
          rootCandidates.push({ path, where: pathE.value.where, key: `${key}.path` });
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
      const children: LeafDef[] = [];
      const childWhere = new Map<string, Where>();
      const childKey = new Map<string, string>();
      const ps = o.get('parameters');
      if (!ps) v.add(item.where, `${key}.parameters`, 'missing required key "parameters"');
      else if (ps.value.kind !== 'seq') v.add(ps.value.where, `${key}.parameters`, `expected a list of leaves, found ${describe(ps.value)}`);
      else {
        for (const [j, child] of ps.value.items.entries()) {
          const ck = `${key}.parameters[${j}]`;
          const spec = leafSpec(v, child, ck, true);
          if (!spec) continue;
          const why = spec.path.includes('{i}') ? 'a table parameter path may not contain {i}; rows are numbered by the table' : pathProblem(spec.path, 'relative');
          if (why) {
            v.add(spec.pathWhere, `${ck}.path`, why);
            continue;
          }
          const prev = childWhere.get(spec.path);
          if (prev) {
            v.add(spec.pathWhere, `${ck}.path`, `parameter ${spec.path} is declared twice in this table: already at ${fmtWhere(prev)}`);
            continue;
          }
          childWhere.set(spec.path, spec.pathWhere);
          childKey.set(spec.path, `${ck}.path`);
          const value = spec.value ?? ZERO_VALUES[spec.type];
          // {i} in a table value is the row number: check the first and the last row.
          const rows = new Set([1, Math.max(1, instances ?? 1)]);
          for (const r of rows) {
            const before = v.problems.length;
            v.checkValue(stampInstance(value, r), spec.type, spec.valueWhere, `${ck}.value`);
            if (v.problems.length > before) break;
          }
          const leaf: LeafDef = { path: spec.path, type: spec.type, value, writable: spec.writable };
          const pos = position(spec.where);
          if (pos) leaf.source = pos;
          children.push(leaf);
        }
      }
      for (const [j, k] of uniqueKeys.entries()) {
        if (!childWhere.has(k) && ukE?.value.kind === 'seq') {
          const n = ukE.value.items[j];
          v.add(n?.where ?? ukE.value.where, `${key}.uniqueKeys[${j}]`, `${JSON.stringify(k)} is not one of this table's parameters (${[...childWhere.keys()].join(', ') || 'none'})`);
        }
      }
      if (path === undefined || instances === undefined || !pathE) continue;
      const prevTable = tableWhere.get(path);
      if (prevTable) {
        v.add(pathE.value.where, `${key}.path`, `table ${path} is declared twice: already at ${fmtWhere(prevTable.where)} (${prevTable.key})`);
        continue;
      }
      tableWhere.set(path, { where: pathE.value.where, key: `${key}.path`, instances });
      const table: TableDef = { path, instances, uniqueKeys, parameters: children };
      const pos = position(item.where);
      if (pos) table.source = pos;
      objects.push(table);
      for (let r = 1; r <= instances; r++) {
        for (const c of children) {
          if (!v.declare(`${path}${r}.${c.path}`, { type: c.type, writable: c.writable, where: childWhere.get(c.path) ?? pathE.value.where, key: childKey.get(c.path) ?? `${key}.parameters` })) break;
        }
      }
    }
  };

  for (const b of blocks) {
    if (b.kind === 'parameters') doParameters(b);
    else if (b.kind === 'groups') doGroups(b);
    else doObjects(b);
  }

  if (blocks.length === 0 && anyTree) {
    v.add(firstWhere, '(profile)', 'the profile declares no leaves; expected at least one of parameters, objects, groups');
  }

  // ---- structure: one root, leaves not used as objects, leaves inside tables only in existing rows
  let root: DataModelRoot | undefined;
  let rootFrom: { path: string; where: Where } | undefined;
  for (const c of rootCandidates) {
    const r = rootOf(c.path);
    if (!r) continue; // already reported by the path syntax check
    if (!root) {
      root = r;
      rootFrom = c;
    } else if (r !== root && rootFrom) {
      v.add(c.where, c.key, `root ${r} differs from ${root} (used by ${rootFrom.path} at ${fmtWhere(rootFrom.where)}); a profile describes one data model`);
    }
  }
  const leafPaths = new Set(v.leaves.keys());
  const reportedPrefix = new Set<string>();
  for (const [p, info] of v.leaves) {
    const segs = p.split('.');
    for (let k = 1; k < segs.length; k++) {
      const prefix = segs.slice(0, k).join('.');
      if (leafPaths.has(prefix) && !reportedPrefix.has(prefix)) {
        reportedPrefix.add(prefix);
        v.add(info.where, info.key, `${p} puts a parameter under ${prefix}, which is declared as a leaf at ${fmtWhere(v.leaves.get(prefix)?.where ?? info.where)}; a leaf cannot also be an object`);
      }
    }
  }
  for (const [tpath, t] of tableWhere) {
    const bare = tpath.slice(0, -1);
    if (leafPaths.has(bare)) v.add(t.where, t.key, `table ${tpath} is also declared as a leaf ${bare} at ${fmtWhere(v.leaves.get(bare)?.where ?? t.where)}`);
    const outside = (p: string): boolean => {
      if (!p.startsWith(tpath)) return false;
      const seg = p.slice(tpath.length).split('.')[0] ?? '';
      return !/^[1-9][0-9]*$/.test(seg) || Number(seg) > t.instances;
    };
    for (const leaf of parameters) {
      if (outside(leaf.path)) {
        const info = v.leaves.get(leaf.path);
        v.add(info?.where ?? t.where, info?.key ?? t.key, `${leaf.path} is inside table ${tpath} but not in one of its rows (1…${t.instances}); declare row parameters in the table's parameters`);
      }
    }
    for (const [other, o] of tableWhere) {
      if (other !== tpath && outside(other)) v.add(o.where, o.key, `table ${other} is inside table ${tpath} but not in one of its rows (1…${t.instances})`);
    }
  }

  // ---- deviceIdPaths
  const deviceIdPaths = { manufacturer: '', oui: '', productClass: '', serialNumber: '' };
  const dE = singles.get('deviceIdPaths');
  if (!dE) {
    if (anyTree) v.add(firstWhere, 'deviceIdPaths', `missing required block deviceIdPaths {${DEVICE_ID_KEYS.join(', ')}}`);
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
        if (v.requireLeaf(p, e.value.where, `deviceIdPaths.${k}`)) deviceIdPaths[k] = p;
      }
    }
  }

  // ---- fleet serial pattern
  const count = v.count;
  if (serialPattern === undefined) serialPattern = count > 1 ? '{base}-{i}' : '{base}';
  else if (count > 1 && !/\{i(:[^{}]*)?\}/.test(serialPattern) && serialPatternWhere) {
    const base = v.leaves.has(deviceIdPaths.serialNumber) ? parameters.find((l) => l.path === deviceIdPaths.serialNumber)?.value : undefined;
    if (!(base !== undefined && serialPattern.includes('{base}') && hasPlaceholders(base))) {
      v.add(serialPatternWhere, 'fleet.serialPattern', `${JSON.stringify(serialPattern)} has no {i} or {i:N}: all ${count} CPEs would report the same serial number`);
    }
  }

  // ---- informParameters
  const informParameters: Partial<Record<InformParameterKey, readonly string[]>> = {};
  const ipE = singles.get('informParameters');
  if (ipE) {
    const ip = v.map(ipE.value, 'informParameters', INFORM_KEYS, `a mapping {${INFORM_KEYS.join(', ')}} of leaf path lists`);
    if (ip) {
      for (const k of INFORM_KEYS) {
        const e = ip.get(k);
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
    }
  }

  // ---- periodicInformPaths
  let periodicInformPaths: { interval: string; enable: string } | undefined;
  const piE = singles.get('periodicInformPaths');
  if (piE) {
    const pi = v.map(piE.value, 'periodicInformPaths', ['interval', 'enable'], 'a mapping {interval, enable} of leaf paths');
    if (pi) {
      const want = { interval: 'xsd:unsignedInt', enable: 'xsd:boolean' } as const;
      const got: Partial<Record<'interval' | 'enable', string>> = {};
      for (const k of ['interval', 'enable'] as const) {
        const e = pi.get(k);
        const key = `periodicInformPaths.${k}`;
        if (!e) {
          v.add(piE.value.where, key, `missing required key "${k}"`);
          continue;
        }
        const p = v.string(e, key);
        if (p === undefined) continue;
        const leaf = v.requireLeaf(p, e.value.where, key);
        if (!leaf) continue;
        if (leaf.type !== want[k]) v.add(e.value.where, key, `${p} must be of type ${want[k]} (it is ${leaf.type} at ${fmtWhere(leaf.where)})`);
        else if (!leaf.writable) v.add(e.value.where, key, `${p} must be writable: true, so an ACS can change the schedule (declared at ${fmtWhere(leaf.where)})`);
        else got[k] = p;
      }
      if (got.interval !== undefined && got.enable !== undefined) periodicInformPaths = { interval: got.interval, enable: got.enable };
    }
  }

  // ---- connectionRequest (seed: "Profile validation")
  const connectionRequest: ConnectionRequestConfig = { scheme: '', realm: '', throttleWindowMs: 0 };
  const crE = singles.get('connectionRequest');
  if (crE) {
    const cr = v.map(crE.value, 'connectionRequest', ['scheme', 'realm', 'throttleWindow', 'usernameParameter', 'passwordParameter'], 'a mapping {scheme, realm, throttleWindow, usernameParameter, passwordParameter}');
    if (cr) {
      const sE = cr.get('scheme');
      let scheme: CrScheme | undefined = '';
      if (sE && !isNull(sE.value)) {
        const s = v.string(sE, 'connectionRequest.scheme', { allowEmpty: true });
        if (s === '' || s === 'basic' || s === 'digest') scheme = s;
        else {
          scheme = undefined;
          if (s !== undefined) v.add(sE.value.where, 'connectionRequest.scheme', `unknown scheme ${JSON.stringify(s)}; expected "" (no auth), basic or digest`);
        }
      }
      const realmE = cr.get('realm');
      const realm = realmE && !isNull(realmE.value) ? v.string(realmE, 'connectionRequest.realm', { allowEmpty: true }) : '';
      if (scheme) {
        if (realm === '') v.add(cr.get('realm')?.value.where ?? crE.value.where, 'connectionRequest.realm', `scheme ${scheme} needs a non-empty realm (sent in WWW-Authenticate)`);
      }
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

  // ---- transfer
  const transfer: { defaultDelayMs: number; faults: Record<string, TransferFault> } = { defaultDelayMs: 0, faults: {} };
  const tE = singles.get('transfer');
  if (tE) {
    const t = v.map(tE.value, 'transfer', ['defaultDelay', 'faults'], 'a mapping {defaultDelay, faults}');
    if (t) {
      transfer.defaultDelayMs = v.duration(t.get('defaultDelay'), 'transfer.defaultDelay') ?? 0;
      const fE = t.get('faults');
      if (fE) {
        if (fE.value.kind !== 'map') v.add(fE.value.where, 'transfer.faults', `expected a mapping from FileType (e.g. "1 Firmware Upgrade Image") to {code, string}, found ${describe(fE.value)}`);
        else {
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
            if (str !== undefined) transfer.faults[e.key] = { code, string: str };
          }
        }
      }
    }
  }

  // ---- eventSchedule
  const eventSchedule = { rebootDelayMs: 0, factoryResetDelayMs: 0, bootDelayMs: 0, bootRampMs: 0 };
  const esE = singles.get('eventSchedule');
  if (esE) {
    const es = v.map(esE.value, 'eventSchedule', ['rebootDelay', 'factoryResetDelay', 'bootDelay'], 'a mapping {rebootDelay, factoryResetDelay, bootDelay} of durations');
    if (es) {
      eventSchedule.rebootDelayMs = v.duration(es.get('rebootDelay'), 'eventSchedule.rebootDelay') ?? 0;
      eventSchedule.factoryResetDelayMs = v.duration(es.get('factoryResetDelay'), 'eventSchedule.factoryResetDelay') ?? 0;
      eventSchedule.bootDelayMs = v.duration(es.get('bootDelay'), 'eventSchedule.bootDelay') ?? 0;
    }
  }

  if (v.problems.length > 0 || !root) {
    if (v.problems.length === 0) v.add(firstWhere, '(profile)', 'no leaf paths to detect the data-model root (Device or InternetGatewayDevice) from');
    throw new ProfileError(sortProblems(v.problems, docs), source);
  }
  const profile: Profile = {
    source,
    root,
    roots: [root],
    deviceIdPaths,
    parameters,
    objects,
    informParameters,
    fleet: { count, offset: 0, serialPattern, pools: {} },
    connectionRequest,
    transfer,
    eventSchedule,
    generators: [],
    diagnostics: [],
    faults: {},
  };
  if (periodicInformPaths) profile.periodicInformPaths = periodicInformPaths;
  return profile;
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
