/**
 * USP paths (TR-369 §"Path Names", notes §3): the parser for object, instance,
 * parameter, command and event paths with `*`, search expressions and unique-key
 * addressing; the supported model in `{i}` notation built from a Template; and the
 * resolver that expands a path over one CPE's ParameterTree.
 *
 * Errors: 7008 when the text does not parse (or a search literal does not fit the
 * parameter's type), 7026 when the path is not in the supported model.
 * @module
 */
import type { ParameterTree, Template } from '../datamodel/index.js';
import type { XsdType } from '../profile/types.js';
import { USP_ERR, UspError } from './errors.js';

// ---- parsed form -------------------------------------------------------------

/** Operators of a search expression (TR-369 §"Searching with Expressions"). */
export type SearchOp = '==' | '!=' | '~=' | '<' | '>' | '<=' | '>=';

/** One `relpath op value` term of a search expression. */
export interface SearchTerm {
  /** Parameter path relative to the row (`Enable`, `Stats.BytesSent`). */
  readonly rel: string;
  readonly op: SearchOp;
  /** The literal, `%22`/`%25` decoded, quotes removed. */
  readonly value: string;
  /** True when the literal was quoted (`"eth0"`). */
  readonly quoted: boolean;
}

/** One segment of the object part of a path. */
export type PathSegment =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'instance'; readonly instance: number; readonly name: string }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'search'; readonly terms: readonly SearchTerm[] }
  | { readonly kind: 'template' }
  /**
   * Reference following (TR-369 §"Reference Following"): `Interface+` follows the
   * reference parameter `Interface` of the object so far; `LowerLayers#2+` the second
   * item of a list of references, `LowerLayers#*+` every item.
   */
  | { readonly kind: 'ref'; readonly name: string; readonly item: number | '*' | undefined };

/** What a path addresses by its ending. */
export type PathEnd = 'object' | 'param' | 'command' | 'event';

/** A parsed USP path. */
export interface UspPath {
  /** The text as requested (echoed back as `requested_path`). */
  readonly text: string;
  /** The object part: every segment up to the last `.`. */
  readonly segments: readonly PathSegment[];
  /** The text of each segment of {@link segments}, trimmed (what a rewritten path is built from). */
  readonly parts: readonly string[];
  readonly end: PathEnd;
  /** The parameter name, `Name()` or `Name!` after the object part; '' for object paths. */
  readonly leaf: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const DIGITS = /^\d+$/;
// Profiles may name objects with leading digits (`LANDevice.01`, profile-format §3.1).
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const OPS: readonly SearchOp[] = ['==', '!=', '~=', '<=', '>=', '<', '>'];
// TR-369 reffollow: `Name+`, `Name#n+` (n from 1), `Name#*+`.
const REF = /^([A-Za-z_][A-Za-z0-9_-]*)(?:#([1-9]\d*|\*))?\+$/;

/** A `Name+` / `Name#n+` / `Name#*+` segment, or undefined for any other text. */
export function refSegment(seg: string): Extract<PathSegment, { kind: 'ref' }> | undefined {
  const m = REF.exec(seg);
  if (!m) return undefined;
  return { kind: 'ref', name: m[1] as string, item: m[2] === undefined ? undefined : m[2] === '*' ? '*' : Number(m[2]) };
}

function syntax(text: string, why: string): UspError {
  return new UspError(USP_ERR.INVALID_PATH_SYNTAX, `invalid path '${text}': ${why}`);
}

/** Splits on `sep` outside double quotes. */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') quoted = !quoted;
    else if (!quoted && s.startsWith(sep, i)) {
      out.push(s.slice(start, i));
      start = i + sep.length;
      i += sep.length - 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function parseTerm(text: string, raw: string): SearchTerm {
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') quoted = !quoted;
    if (quoted) continue;
    const op = OPS.find((o) => raw.startsWith(o, i));
    if (!op) continue;
    const rel = raw.slice(0, i).trim();
    const lit = raw.slice(i + op.length).trim();
    const steps = rel.split('.');
    // relpath ::= name (reffollow? '.' name)*: references may be followed, the last step is a parameter.
    if (!steps.every((s, k) => NAME.test(s) || (k < steps.length - 1 && refSegment(s) !== undefined))) {
      throw syntax(text, `'${rel}' is not a relative parameter path (expected e.g. Enable, Stats.BytesSent or SSIDReference+.SSID)`);
    }
    if (lit.startsWith('"')) {
      if (lit.length < 2 || !lit.endsWith('"') || lit.slice(1, -1).includes('"')) throw syntax(text, `unterminated or malformed string literal ${lit} (write '"' inside a literal as %22)`);
      // TR-369: inside a literal '"' is %22 and '%' is %25.
      return { rel, op, value: lit.slice(1, -1).replaceAll('%22', '"').replaceAll('%25', '%'), quoted: true };
    }
    if (!/^[^\s"&|[\]]+$/.test(lit)) throw syntax(text, `expected a value after '${op}' in '${raw.trim()}' (a number, true/false or a "quoted string")`);
    return { rel, op, value: lit, quoted: false };
  }
  if (raw.includes('=') && !raw.includes('==')) throw syntax(text, `'${raw.trim()}' uses '=': the equality operator is '=='`);
  throw syntax(text, `'${raw.trim()}' is not a comparison (expected relpath op value with op one of ${OPS.join(' ')})`);
}

/**
 * Parses a USP path. Spaces around operators and at either end are tolerated
 * (TR-369 says Agents SHOULD). `{i}` is accepted as an instance placeholder (for
 * GetSupportedDM; the resolver refuses it).
 * @throws {@link UspError} 7008 for text that is not a path.
 * @example
 * parsePath('Device.IP.Interface.[Enable==true && Type=="Normal"].Stats.BytesSent');
 */
export function parsePath(input: string): UspPath {
  const text = input;
  const s = input.trim();
  if (s === '') throw syntax(text, 'the path is empty');
  // Split on '.' outside brackets and quotes.
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') {
      if (depth === 0) throw syntax(text, `a '"' outside a search expression at offset ${i}`);
      quoted = true;
    } else if (c === '[') {
      if (depth > 0) throw syntax(text, `nested '[' at offset ${i}`);
      depth = 1;
    } else if (c === ']') {
      if (depth === 0) throw syntax(text, `']' without '[' at offset ${i}`);
      depth = 0;
    } else if (c === '.' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) throw syntax(text, 'unterminated string literal');
  if (depth > 0) throw syntax(text, "unterminated search expression (missing ']')");
  const last = s.slice(start);
  let end: PathEnd = 'object';
  let leaf = '';
  if (last !== '') {
    if (last.endsWith('()')) {
      end = 'command';
      if (!NAME.test(last.slice(0, -2))) throw syntax(text, `'${last}' is not a command name (expected Name())`);
    } else if (last.endsWith('!')) {
      end = 'event';
      if (!NAME.test(last.slice(0, -1))) throw syntax(text, `'${last}' is not an event name (expected Name!)`);
    } else {
      end = 'param';
      if (!SEGMENT.test(last) || DIGITS.test(last)) throw syntax(text, `'${last}' is not a parameter name`);
    }
    leaf = last;
  }
  if (parts.length === 0) throw syntax(text, `expected an object path such as 'Device.' before '${last}'`);
  const segments: PathSegment[] = parts.map((p, k): PathSegment => {
    const seg = p.trim();
    if (seg === '') throw syntax(text, `empty segment after '${parts.slice(0, k).join('.')}.'`);
    if (seg === '*') return { kind: 'wildcard' };
    if (seg === '{i}') return { kind: 'template' };
    if (seg.startsWith('[')) {
      if (!seg.endsWith(']')) throw syntax(text, `'${seg}': a search expression must be a whole segment`);
      const body = seg.slice(1, -1);
      if (body.trim() === '') throw syntax(text, "empty search expression '[]'");
      if (splitOutsideQuotes(body, '||').length > 1) throw syntax(text, 'search expressions have no OR (||); use && or several paths');
      return { kind: 'search', terms: splitOutsideQuotes(body, '&&').map((t) => parseTerm(text, t)) };
    }
    if (DIGITS.test(seg)) {
      if (k === 0) throw syntax(text, `a path starts with an object name, not '${seg}'`);
      return { kind: 'instance', instance: Number(seg), name: seg };
    }
    const ref = refSegment(seg);
    if (ref) {
      if (k === 0) throw syntax(text, `a path starts with an object name, not the reference '${seg}'`);
      return ref;
    }
    if (seg.includes('+') || seg.includes('#')) throw syntax(text, `'${seg}' is not a reference to follow (expected Name+, Name#n+ with n from 1, or Name#*+)`);
    if (!SEGMENT.test(seg)) throw syntax(text, `'${seg}' is not a valid segment (expected a name, an instance number, '*', [expression] or Reference+)`);
    return { kind: 'name', name: seg };
  });
  return { text, segments, parts: parts.map((x) => x.trim()), end, leaf };
}

// ---- the supported model (`{i}` notation) -----------------------------------

/** One parameter of the supported model. */
export interface SupportedParam {
  readonly name: string;
  readonly type: XsdType;
  readonly writable: boolean;
  /** A generator drives it (in at least one row). */
  readonly generated: boolean;
}

/** One object of the supported model. */
export interface SupportedObject {
  /** `{i}` notation, ends with '.': `Device.IP.Interface.{i}.`. */
  readonly path: string;
  /** A table row object (`….{i}.`). */
  readonly multiInstance: boolean;
  readonly params: ReadonlyMap<string, SupportedParam>;
  /** Direct child objects (rows of child tables included), in tree order. */
  readonly children: readonly SupportedObject[];
  /** For a row object: each unique key of the table (a one-parameter key set each). */
  readonly uniqueKeys: readonly string[];
  /**
   * For a row object: a Controller may Add and Delete rows. cpe-sim's profiles do not
   * say, so a table counts as writable when it has a writable parameter (TR-181's
   * device-managed tables such as Hosts.Host. have none).
   */
  readonly creatable: boolean;
}

/** The supported model of one Template. */
export interface SupportedModel {
  /** Every object by `{i}` path, in tree order. */
  readonly objects: ReadonlyMap<string, SupportedObject>;
  /** Table paths in `{i}` notation without the last `{i}.` (`Device.IP.Interface.`) → the row object. */
  readonly tables: ReadonlyMap<string, SupportedObject>;
}

interface MutableObject {
  path: string;
  multiInstance: boolean;
  params: Map<string, SupportedParam>;
  children: MutableObject[];
  uniqueKeys: string[];
  creatable: boolean;
}

type AnyShape = Template['rootShape']['children'][number];

const models = new WeakMap<Template, SupportedModel>();

/**
 * The supported model of a Template in `{i}` notation (cached per Template). Rows
 * with extra leaves or nested tables (profile groups) are merged into their table's
 * row object.
 */
export function supportedModel(template: Template): SupportedModel {
  const cached = models.get(template);
  if (cached) return cached;
  const objects = new Map<string, MutableObject>();
  const tables = new Map<string, MutableObject>();
  const objectAt = (path: string, multiInstance: boolean, parent: MutableObject | undefined): MutableObject => {
    let o = objects.get(path);
    if (!o) {
      o = { path, multiInstance, params: new Map(), children: [], uniqueKeys: [], creatable: false };
      objects.set(path, o);
      parent?.children.push(o);
    }
    return o;
  };
  const visit = (children: readonly AnyShape[], at: MutableObject): void => {
    for (const c of children) {
      if (c.kind === 'leaf') {
        const prev = at.params.get(c.name);
        at.params.set(c.name, {
          name: c.name,
          type: c.type,
          writable: c.writable || (prev?.writable ?? false),
          generated: c.generated || (prev?.generated ?? false),
        });
      } else if (c.kind === 'object') {
        visit(c.children, objectAt(`${at.path}${c.name}.`, false, at));
      } else {
        const tablePath = `${at.path}${c.name}.`;
        const row = objectAt(`${tablePath}{i}.`, true, at);
        tables.set(tablePath, row);
        for (const k of c.def.uniqueKeys) if (!row.uniqueKeys.includes(k)) row.uniqueKeys.push(k);
        visit(c.row.children, row);
        for (const extra of c.rowsWithExtras.values()) visit(extra.row.children, row);
      }
    }
  };
  for (const top of template.rootShape.children) {
    if (top.kind === 'object') visit(top.children, objectAt(`${top.name}.`, false, undefined));
  }
  for (const row of tables.values()) {
    // TR-181 convention: Alias is a unique key of every table that has one.
    if (row.params.has('Alias') && !row.uniqueKeys.includes('Alias')) row.uniqueKeys.unshift('Alias');
    row.creatable = [...row.params.values()].some((p) => p.writable);
  }
  const model: SupportedModel = { objects, tables };
  models.set(template, model);
  return model;
}

/** Where the object part of a path lands in the supported model. */
export interface SupportedTarget {
  /** `{i}` path of the object (for a table path: of its row object). */
  readonly path: string;
  readonly object: SupportedObject;
  /** The object part ends at a table (`Device.IP.Interface.`), not at a row or object. */
  readonly atTable: boolean;
}

function unsupported(text: string, why: string): UspError {
  return new UspError(USP_ERR.INVALID_PATH, `invalid path '${text}': ${why}`);
}

/**
 * Maps the object part of `p` onto the supported model.
 * @throws {@link UspError} 7026 when it is not there; for a parameter path also when
 *   the parameter is not, and for search terms whose parameter is not in the row.
 */
export function supportedTarget(model: SupportedModel, p: UspPath): SupportedTarget {
  let path = '';
  let atTable = false;
  for (const seg of p.segments) {
    if (seg.kind === 'ref') throw unsupported(p.text, `'${seg.name}+' follows a reference, which only instantiated paths do (Get, Set, Add, Delete, GetInstances, Operate); the supported model is addressed without it`);
    if (seg.kind === 'name' || (seg.kind === 'instance' && !atTable)) {
      if (atTable) throw unsupported(p.text, `'${path}' is a multi-instance object: expected an instance number, '*' or [expression] before '${seg.name}'`);
      const next = `${path}${seg.name}.`;
      if (model.objects.has(next)) atTable = false;
      else if (model.tables.has(next)) atTable = true;
      else throw unsupported(p.text, `'${next}' is not in this Agent's supported data model`);
      path = next;
      continue;
    }
    if (!atTable) throw unsupported(p.text, `'${path}' is not a multi-instance object, so it takes no instance, '*' or [expression]`);
    path += '{i}.';
    atTable = false;
    if (seg.kind === 'search') {
      for (const t of seg.terms) {
        // Names only in rel, so `path + 'Stats.'` can hit a single-instance sub-object but
        // never a child table (whose objects are `….{i}.`): TR-369 forbids entering those.
        // Past a followed reference the object depends on each row's value: only the
        // reference parameter itself is checked here.
        const steps = t.rel.split('.');
        const firstRef = steps.findIndex((x) => refSegment(x) !== undefined);
        const own = firstRef < 0 ? t.rel : [...steps.slice(0, firstRef), refSegment(steps[firstRef] as string)?.name].join('.');
        const dot = own.lastIndexOf('.');
        const owner = model.objects.get(`${path}${own.slice(0, dot + 1)}`);
        if (!owner || !owner.params.has(own.slice(dot + 1))) {
          throw unsupported(p.text, `'${own}' in the search expression is not a parameter of '${path}' (nor of a single-instance object in it)`);
        }
      }
    }
  }
  const object = (atTable ? model.tables.get(path) : model.objects.get(path)) as SupportedObject;
  if (p.end === 'param') {
    if (atTable) throw unsupported(p.text, `'${path}' is a multi-instance object: expected an instance before '${p.leaf}'`);
    if (!object.params.has(p.leaf)) throw unsupported(p.text, `'${p.leaf}' is not a parameter of '${path}' in this Agent's supported data model`);
  }
  return { path, object, atTable };
}

// ---- resolution over a tree --------------------------------------------------

/** The outcome of resolving a path's object part over one tree. */
export interface Resolution {
  /** Concrete object paths (ending '.'), in tree order; for a table path the table itself. */
  readonly objects: readonly string[];
  /**
   * The path holds `*` or a search expression (unique-key addressing is not a
   * search): resolving to nothing is then a success with empty results [R-MSG.4a].
   */
  readonly search: boolean;
  readonly target: SupportedTarget;
}

/** One search term against one row's value, compared by the parameter's type (TR-369 §"Searching with Expressions"). */
function compareTyped(text: string, type: XsdType, actual: string, t: SearchTerm): boolean {
  const { op, value } = t;
  if (op === '~=') return actual.split(',').some((item) => item.trim() === value);
  const bad = (why: string): UspError => syntax(text, `${t.rel} ${op} ${t.quoted ? `"${value}"` : value}: ${why}`);
  switch (type) {
    case 'xsd:boolean': {
      if (op !== '==' && op !== '!=') throw bad('booleans compare only with == and !=');
      const lit = value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : undefined;
      if (lit === undefined) throw bad('expected true, false, 1 or 0');
      const is = actual === 'true' || actual === '1';
      return op === '==' ? is === lit : is !== lit;
    }
    case 'xsd:int':
    case 'xsd:unsignedInt':
    case 'xsd:long':
    case 'xsd:unsignedLong': {
      if (!/^-?\d+$/.test(value)) throw bad(`expected an integer (the parameter is ${type})`);
      if (!/^-?\d+$/.test(actual)) return false;
      const a = BigInt(actual);
      const b = BigInt(value);
      return op === '==' ? a === b : op === '!=' ? a !== b : op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
    }
    case 'xsd:dateTime': {
      if (op === '==' || op === '!=') {
        const same = actual === value || (!Number.isNaN(Date.parse(value)) && Date.parse(actual) === Date.parse(value));
        return op === '==' ? same : !same;
      }
      const b = Date.parse(value);
      if (Number.isNaN(b)) throw bad('expected an ISO 8601 date-time');
      // TR-369: the unknown time (0001-01-01T00:00:00Z) compares only with == and !=.
      if (value.startsWith('0001-01-01T00:00:00')) throw bad('the unknown time compares only with == and !=');
      const a = Date.parse(actual);
      if (Number.isNaN(a) || actual.startsWith('0001-01-01T00:00:00')) return false;
      return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
    }
    default:
      if (op !== '==' && op !== '!=') throw bad('strings compare only with ==, != and ~=');
      return op === '==' ? actual === value : actual !== value;
  }
}

function matches(tree: ParameterTree, template: Template, text: string, row: string, terms: readonly SearchTerm[]): boolean {
  for (const t of terms) {
    // With references in rel (`SSIDReference+.SSID`), the term holds when any leaf it reaches compares true.
    const leaves = t.rel.includes('+') ? relLeaves(tree, template, row, t.rel) : [row + t.rel];
    if (!leaves.some((path) => {
      const leaf = tree.get(path);
      return leaf !== undefined && compareTyped(text, leaf.type, leaf.hidden ? '' : leaf.value, t);
    })) return false;
  }
  return true;
}

/** The leaves a relative path with followed references reaches from `row` now (a reference that leads nowhere reaches none). */
function relLeaves(tree: ParameterTree, template: Template, row: string, rel: string): string[] {
  let at = [row];
  const steps = rel.split('.');
  for (const step of steps.slice(0, -1)) {
    const ref = refSegment(step);
    const next: string[] = [];
    for (const obj of at) {
      if (!ref) {
        if (tree.has(`${obj}${step}.`)) next.push(`${obj}${step}.`);
        continue;
      }
      for (const item of pickItems(tree.getValue(`${obj}${ref.name}`) ?? '', ref.item)) {
        const d = followReference(tree, template, item);
        if (d.kind === 'object') next.push(d.path);
      }
    }
    at = next;
  }
  return at.map((obj) => obj + (steps[steps.length - 1] as string));
}

/** The items of a (list-of-)reference value `#item` picks: the first without `#` (TR-369), all for `#*`. */
export function pickItems(value: string, item: number | '*' | undefined): string[] {
  const items = value.split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (item === '*') return items;
  return [items[(item ?? 1) - 1] ?? ''];
}

/** What a reference parameter's value points at now. */
export type ReferenceTarget =
  /** An existing object (path ending with '.'), instance numbers as the tree has them. */
  | { readonly kind: 'object'; readonly path: string }
  /** The value is empty (a null reference, TR-106). */
  | { readonly kind: 'empty' }
  /** A path of the supported model that names no existing object now. */
  | { readonly kind: 'dangling'; readonly value: string }
  /** Not an object path of this Agent's data model (or a table, or a pattern). */
  | { readonly kind: 'invalid'; readonly value: string; readonly why: string };

/**
 * Follows one reference value (`Device.IP.Interface.1`, with or without the trailing dot,
 * or by unique key `Device.IP.Interface.[Name=="wan"]`: TR-369 R-ARC.12) to the object
 * it names. Never throws.
 */
export function followReference(tree: ParameterTree, template: Template, value: string): ReferenceTarget {
  const v = value.trim();
  if (v === '') return { kind: 'empty' };
  let res: Resolution;
  try {
    const parsed = parsePath(v.endsWith('.') ? v : `${v}.`);
    if (parsed.segments.some((x) => x.kind === 'wildcard' || x.kind === 'template' || x.kind === 'ref')) {
      return { kind: 'invalid', value: v, why: 'is a pattern, not the path of one object' };
    }
    res = resolvePath(tree, template, parsed);
  } catch (e) {
    return { kind: 'invalid', value: v, why: `is not an object of this Agent's data model (${e instanceof Error ? e.message : String(e)})` };
  }
  if (res.target.atTable) return { kind: 'invalid', value: v, why: 'names a table, not one of its objects' };
  const first = res.objects[0];
  return first === undefined ? { kind: 'dangling', value: v } : { kind: 'object', path: first };
}

/** Existing rows of an existing table path, in order. */
export function rowsOf(tree: ParameterTree, tablePath: string): string[] {
  return tree.getNames(tablePath, true).map((n) => n.name);
}

/** True when the search terms address rows by one complete unique key (TR-369 unique-key addressing). */
function isUniqueKeyAddress(terms: readonly SearchTerm[], row: SupportedObject): boolean {
  return terms.every((t) => t.op === '==') && row.uniqueKeys.some((k) => terms.some((t) => t.rel === k));
}

/**
 * Resolves the object part of `p` over `tree`: `*` expands to every existing row,
 * a search expression to the rows it matches (typed comparison), exact segments to
 * themselves when they exist. Never throws for paths that resolve to nothing: the
 * caller decides between an empty success (searches) and an error (exact paths).
 * @throws {@link UspError} 7008 / 7026 as {@link parsePath} and {@link supportedTarget},
 *   7008 for `{i}` (only GetSupportedDM takes it).
 */
export function resolvePath(tree: ParameterTree, template: Template, p: UspPath): Resolution {
  if (p.segments.some((s) => s.kind === 'template')) throw syntax(p.text, "'{i}' is only for GetSupportedDM; address instances by number, '*' or [expression]");
  if (p.segments.some((s) => s.kind === 'ref')) {
    // One Resolution for callers that take one: the groups' objects together, the first group's target.
    const groups = resolvePaths(tree, template, p);
    const first = groups[0];
    if (groups.length === 1 && first) return first;
    const k = p.segments.findIndex((s) => s.kind === 'ref');
    const target = first?.target ?? supportedTarget(supportedModel(template), { ...p, segments: p.segments.slice(0, k), parts: p.parts.slice(0, k), end: 'object', leaf: '' });
    return { objects: groups.flatMap((g) => g.objects), search: true, target };
  }
  const model = supportedModel(template);
  const target = supportedTarget(model, p);
  let current: string[] = [''];
  let search = false;
  let sup = '';
  for (const seg of p.segments) {
    if (seg.kind === 'name' || seg.kind === 'instance') {
      const next: string[] = [];
      for (const c of current) if (tree.has(`${c}${seg.name}.`)) next.push(`${c}${seg.name}.`);
      current = next;
      sup += model.tables.has(sup) && seg.kind === 'instance' ? '{i}.' : `${seg.name}.`;
      continue;
    }
    const row = model.tables.get(sup) as SupportedObject;
    sup += '{i}.';
    const next: string[] = [];
    if (seg.kind === 'wildcard') {
      search = true;
      for (const c of current) next.push(...rowsOf(tree, c));
    } else if (seg.kind === 'search') {
      if (!isUniqueKeyAddress(seg.terms, row)) search = true;
      for (const c of current) for (const r of rowsOf(tree, c)) if (matches(tree, template, p.text, r, seg.terms)) next.push(r);
    }
    current = next;
  }
  return { objects: current, search, target };
}

/** Options of {@link resolvePaths}. */
export interface ResolveOptions {
  /**
   * How a reference that leads nowhere (an empty value, a list without the item `#n`
   * asks for, or a path naming no existing object) is taken. False (Get, subscription
   * references): that branch resolves to nothing, like a search matching nothing. True
   * (Set, Add, Delete, GetInstances, Operate): UspError 7016, as obuspa does.
   */
  strict?: boolean;
}

/**
 * Resolves `p` like {@link resolvePath}, following references (`Interface+`,
 * `LowerLayers#2+`, `LowerLayers#*+`; TR-369 §"Reference Following", §"List of
 * References"): the reference parameter is read in every object the path reached so
 * far, its value (or the picked item of a list) names an object, and the rest of the
 * path continues from there. As references may lead to objects of different kinds, the
 * result is one Resolution per supported object reached (in order); a path without
 * references gives exactly one. A path that follows a reference counts as a search: an
 * empty result is a success (R-MSG.4a) unless `strict` says otherwise.
 * @throws {@link UspError} as {@link resolvePath}; 7026 when the reference parameter is
 *   not in the supported model; 7008 when its value is not the path of an object of this
 *   Agent's data model ("a reference was invalid", TR-369 error 7008); 7016 with `strict`
 *   as {@link ResolveOptions.strict} says.
 */
export function resolvePaths(tree: ParameterTree, template: Template, p: UspPath, opts: ResolveOptions = {}): Resolution[] {
  const k = p.segments.findIndex((s) => s.kind === 'ref');
  if (k < 0) return [resolvePath(tree, template, p)];
  const ref = p.segments[k] as Extract<PathSegment, { kind: 'ref' }>;
  // The objects reached before the reference, and its parameter (checked against the supported model).
  const head = resolvePath(tree, template, { text: p.text, segments: p.segments.slice(0, k), parts: p.parts.slice(0, k), end: 'param', leaf: ref.name });
  const missing = (why: string): UspError => new UspError(opts.strict ? USP_ERR.OBJECT_DOES_NOT_EXIST : USP_ERR.INVALID_PATH, `'${p.text}': ${why}`);
  if (!head.search && head.objects.length === 0) throw missing(`'${p.parts.slice(0, k).join('.')}.' does not exist in this Agent's instantiated data model`);
  const rest = p.parts.slice(k + 1).map((x) => `${x}.`).join('') + p.leaf;
  const groups = new Map<string, { objects: string[]; target: SupportedTarget }>();
  for (const obj of head.objects) {
    const at = `${obj}${ref.name}`;
    const value = tree.getValue(at);
    // A row without the parameter (a profile group leaf of some rows only) leads nowhere.
    if (value === undefined) continue;
    for (const item of pickItems(value, ref.item)) {
      const d = followReference(tree, template, item);
      if (d.kind === 'invalid') throw new UspError(USP_ERR.INVALID_PATH_SYNTAX, `invalid path '${p.text}': the reference ${at} = ${JSON.stringify(value)}: '${d.value}' ${d.why}`);
      if (d.kind === 'empty') {
        if (opts.strict) throw missing(ref.item === undefined || ref.item === '*' ? `the reference ${at} is empty` : `the list of references ${at} = ${JSON.stringify(value)} has no item ${ref.item}`);
        continue;
      }
      if (d.kind === 'dangling') {
        if (opts.strict) throw missing(`the reference ${at} = ${JSON.stringify(d.value)} names no existing object`);
        continue;
      }
      for (const g of resolvePaths(tree, template, parsePath(d.path + rest), opts)) {
        const key = `${g.target.path}${g.target.atTable ? ' table' : ''}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { objects: [], target: g.target }));
        for (const o of g.objects) if (!group.objects.includes(o)) group.objects.push(o);
      }
    }
  }
  return [...groups.values()].map((g) => ({ objects: g.objects, search: true, target: g.target }));
}

/** Splits a full parameter path into its object path and parameter name. */
export function splitParam(path: string): { obj: string; param: string } {
  const dot = path.lastIndexOf('.');
  return { obj: path.slice(0, dot + 1), param: path.slice(dot + 1) };
}
