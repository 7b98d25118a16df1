/**
 * One neutral tree for both inputs of the loader: a YAML document (every node keeps its
 * file, line and column) and a plain JS object (nodes only know the source name). The
 * validator works on this tree only, so both inputs get exactly the same rules.
 * @module
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Alias, type Document, type Node as YamlNode } from 'yaml';
import type { ProfileProblem } from '../errors/index.js';
import { yamlErrorOffset } from './yaml-position.js';

/** Where a node is: always the file; line/col (1-based) when it came from text. */
export interface Where {
  file: string;
  line?: number;
  col?: number;
}

export interface MapEntry {
  key: string;
  keyWhere: Where;
  value: PNode;
}

export type PNode =
  | { kind: 'map'; where: Where; entries: MapEntry[] }
  | { kind: 'seq'; where: Where; items: PNode[] }
  | { kind: 'scalar'; where: Where; value: string | number | boolean | bigint | null; text: string };

/** Records a problem at `where`. */
export function problemAt(where: Where, key: string, message: string): ProfileProblem {
  const p: ProfileProblem = { file: where.file, key, message };
  if (where.line !== undefined) {
    p.line = where.line;
    p.col = where.col ?? 1;
  }
  return p;
}

const MAX_DEPTH = 64;

/** Default of {@link ParseLimits.maxValueBytes}: 64 KiB, the largest string size TR-106 data models declare (`string(65535)`). */
export const DEFAULT_MAX_VALUE_BYTES = 64 * 1024;

/**
 * Nodes that YAML aliases may add to a document in total. A 307-byte "billion laughs"
 * file of nested aliases expands to 9⁹ nodes; a profile that reuses a block by alias
 * a few hundred times stays far below this bound.
 */
export const MAX_ALIAS_NODES = 100_000;

/** Bounds of one parse (see `ProfileLoadOptions`, which sets them). */
export interface ParseLimits {
  /** Longest scalar (value, key or path) in UTF-8 bytes. */
  maxValueBytes: number;
}

const DEFAULT_LIMITS: ParseLimits = { maxValueBytes: DEFAULT_MAX_VALUE_BYTES };

/**
 * Formats a byte count for messages: `65536` → `64 KiB`, `11324556` → `10.8 MiB`. With
 * `exact` (a limit the user set), a count that is no whole number of KiB stays in bytes.
 */
export function formatBytes(n: number, exact = false): string {
  for (const [unit, size] of [['MiB', 1024 * 1024], ['KiB', 1024]] as const) {
    if (n < size) continue;
    if (n % size === 0) return `${n / size} ${unit}`;
    if (!exact) return `${(n / size).toFixed(1)} ${unit}`;
  }
  return `${n} bytes`;
}

/** UTF-8 length of `s` when it may exceed `max` (a string of n UTF-16 units is at most 3n bytes). */
function tooLong(s: string, max: number): number | undefined {
  if (s.length * 3 <= max) return undefined;
  const n = Buffer.byteLength(s, 'utf8');
  return n > max ? n : undefined;
}

function valueTooLong(where: Where, key: string, bytes: number, limits: ParseLimits): ProfileProblem {
  return problemAt(
    where,
    key,
    `a value of ${formatBytes(bytes)} is longer than the ${formatBytes(limits.maxValueBytes, true)} limit for one value (every value rides along in Informs); raise it with --max-value-size or the loader option maxValueBytes`,
  );
}

/** Alias expansion left to a document; one per parse. */
interface Budget {
  aliasNodes: number;
  exhausted: boolean;
}

/**
 * Parses one YAML (or JSON) text. YAML syntax errors are returned as problems with
 * their position; the tree is `undefined` when the text does not parse, and `null` for
 * an empty document.
 */
export function parseYamlText(text: string, file: string, limits: ParseLimits = DEFAULT_LIMITS): { tree: PNode | null | undefined; problems: ProfileProblem[] } {
  const lc = new LineCounter();
  // YAML 1.2 core schema (yes/no stay strings), duplicate keys are errors. No `<<` merge
  // keys: a profile has no use for them, and merging is a second way to expand a document.
  // Only the first document of a stream is the profile: the seed's decoder (yaml.v3)
  // reads one document and never looks past it, so a trailing `---` or a second
  // document (notes, an old copy) must not make a seed profile fail here.
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, merge: false });
  const doc = 'empty' in docs ? undefined : docs[0];
  if (doc === undefined) {
    const streamErrors = 'empty' in docs ? docs.errors : [];
    const problems = streamErrors.slice(0, 1).map((e) => {
      const { line, col } = lc.linePos(e.pos[0]);
      return problemAt({ file, line, col }, '(yaml)', `YAML syntax error (${e.code}): ${e.message.split('\n')[0] ?? ''}`);
    });
    return { tree: problems.length > 0 ? undefined : null, problems };
  }
  const problems: ProfileProblem[] = [];
  const whereOf = (offset: number | undefined): Where => {
    if (offset === undefined) return { file };
    const { line, col } = lc.linePos(offset);
    return { file, line, col };
  };
  // After the first real syntax error the YAML tokenizer reports every later token of
  // the broken construct as an error of its own (one unquoted `{i}` in a flow mapping
  // gave 35 "Unexpected scalar" lines over four lines of the file). Report that first
  // error and count the rest; duplicate keys stay independent problems, each listed.
  let firstSyntax = true;
  let followUps = 0;
  for (const e of doc.errors) {
    if (e.code !== 'DUPLICATE_KEY') {
      if (!firstSyntax) {
        followUps++;
        continue;
      }
      firstSyntax = false;
    }
    const at = yamlErrorOffset(text, e.message, e.pos[0]);
    problems.push(problemAt(whereOf(at.offset), '(yaml)', `YAML syntax error (${e.code}): ${e.message.split('\n')[0] ?? ''}${at.note}`));
  }
  const first = problems.find((p) => !p.message.startsWith('YAML syntax error (DUPLICATE_KEY)'));
  if (first && followUps > 0) {
    first.message += ` (${followUps} further syntax error${followUps === 1 ? '' : 's'} after it not listed: they usually follow from this one; a value with "{", "[", "," or ": " in a flow mapping needs quotes)`;
  }
  if (problems.length > 0) return { tree: undefined, problems };
  if (doc.contents === null) return { tree: null, problems };
  const cx: Conversion = { anchors: anchorsOf(doc), text, whereOf, problems, limits, budget: { aliasNodes: MAX_ALIAS_NODES, exhausted: false } };
  const tree = convertYaml(cx, doc.contents, 0, { file }, undefined);
  // A bomb is refused alone: what the validator would say about its nulls is noise.
  if (cx.budget.exhausted) return { tree: undefined, problems };
  return { tree, problems };
}

/**
 * Each alias's node, found in one walk: `Alias.resolve()` walks the whole document on
 * every call, which makes a large profile with many aliases quadratic. Same rule as
 * the library: the last anchor of that name before the alias, in document order.
 */
function anchorsOf(doc: Document): Map<Alias, YamlNode> {
  const out = new Map<Alias, YamlNode>();
  const current = new Map<string, YamlNode>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        const target = current.get(node.source);
        if (target) out.set(node, target);
      } else if ((isScalar(node) || isCollection(node)) && node.anchor) current.set(node.anchor, node);
    },
  });
  return out;
}

/** What every step of one document's conversion shares. */
interface Conversion {
  anchors: ReadonlyMap<Alias, YamlNode>;
  text: string;
  whereOf: (offset: number | undefined) => Where;
  problems: ProfileProblem[];
  limits: ParseLimits;
  budget: Budget;
}

/**
 * `aliasAt`: the node is reached through the (outermost) alias standing there, so it is
 * a copy the text does not pay for. The yaml library's own guard (`maxAliasCount`) only works in `toJS()`, which
 * this loader does not use (it walks the AST to keep line:col), so the same idea is
 * applied here: every node an alias adds is counted against one budget per document,
 * and the first alias past it is reported where it stands. Nothing else expands: merge
 * keys are off and `objects:` instances are bounded by the validator.
 */
function convertYaml(cx: Conversion, node: YamlNode | null, depth: number, fallback: Where, aliasAt: Where | undefined): PNode {
  const { text, whereOf, problems } = cx;
  if (node === null) return { kind: 'scalar', where: fallback, value: null, text: '' };
  if (aliasAt && --cx.budget.aliasNodes < 0) {
    if (!cx.budget.exhausted) {
      cx.budget.exhausted = true;
      problems.push(problemAt(aliasAt, '(yaml)', `aliases expand this document to more than ${MAX_ALIAS_NODES.toLocaleString('en-US')} extra nodes (an alias bomb?); a profile can reuse a block by alias, but not nest aliases of aliases this deep`));
    }
    return { kind: 'scalar', where: fallback, value: null, text: '' };
  }
  if (depth > MAX_DEPTH) {
    problems.push(problemAt(whereOf(node.range?.[0]), '(yaml)', `nesting deeper than ${MAX_DEPTH} levels (recursive alias?)`));
    return { kind: 'scalar', where: fallback, value: null, text: '' };
  }
  if (isAlias(node)) {
    const target = cx.anchors.get(node);
    if (!target) {
      problems.push(problemAt(whereOf(node.range?.[0]), '(yaml)', `alias *${node.source} has no anchor`));
      return { kind: 'scalar', where: whereOf(node.range?.[0]), value: null, text: '' };
    }
    const at = whereOf(node.range?.[0]);
    // A bomb is reported at the outermost alias: the one the document's own structure holds.
    const resolved = convertYaml(cx, target, depth + 1, at, aliasAt ?? at);
    // Report problems of an aliased node where the alias is used: that is where the reader looks.
    return relocate(resolved, whereOf(node.range?.[0]));
  }
  const where = whereOf(node.range?.[0]);
  if (isScalar(node)) {
    const v = node.value;
    let value: string | number | boolean | bigint | null;
    if (v === null || v === undefined) value = null;
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') value = v;
    else value = String(v as { toString(): string });
    if (typeof value === 'string') {
      const bytes = tooLong(value, cx.limits.maxValueBytes);
      if (bytes !== undefined) {
        problems.push(valueTooLong(where, '(yaml)', bytes, cx.limits));
        return { kind: 'scalar', where, value: null, text: '' };
      }
    }
    // Non-string scalars keep their source text, so `value: 0x10` stays "0x10", not "16".
    const sourceText = node.range ? text.slice(node.range[0], node.range[1]) : String(value ?? '');
    return { kind: 'scalar', where, value, text: typeof value === 'string' ? value : value === null ? '' : sourceText };
  }
  if (isSeq(node)) {
    return { kind: 'seq', where, items: node.items.map((it) => convertYaml(cx, it as YamlNode | null, depth + 1, where, aliasAt)) };
  }
  if (isMap(node)) {
    const entries: MapEntry[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = pair.key as YamlNode | null;
      const keyWhere = whereOf(k?.range?.[0] ?? node.range?.[0]);
      if (!isScalar(k) || (k.value !== null && typeof k.value === 'object')) {
        problems.push(problemAt(keyWhere, '(yaml)', 'expected a plain scalar mapping key, found a complex key'));
        continue;
      }
      const key = typeof k.value === 'string' ? k.value : k.range ? text.slice(k.range[0], k.range[1]) : String(k.value);
      const valueNode = pair.value as YamlNode | null;
      entries.push({ key, keyWhere, value: convertYaml(cx, valueNode, depth + 1, keyWhere, aliasAt) });
    }
    return { kind: 'map', where, entries };
  }
  problems.push(problemAt(where, '(yaml)', 'unsupported YAML node'));
  return { kind: 'scalar', where, value: null, text: '' };
}

function relocate(n: PNode, where: Where): PNode {
  return { ...n, where };
}

/**
 * Converts a plain JS value (what `JSON.parse` or a test fixture produces). Keys whose
 * value is `undefined` are treated as absent, as with JSON.
 */
export function fromObject(value: unknown, file: string, key: string, problems: ProfileProblem[], depth = 0, limits: ParseLimits = DEFAULT_LIMITS): PNode {
  const where: Where = { file };
  if (depth > MAX_DEPTH) {
    problems.push(problemAt(where, key || '(root)', `nesting deeper than ${MAX_DEPTH} levels (a cycle?)`));
    return { kind: 'scalar', where, value: null, text: '' };
  }
  if (value === null) return { kind: 'scalar', where, value: null, text: '' };
  switch (typeof value) {
    case 'string': {
      const bytes = tooLong(value, limits.maxValueBytes);
      if (bytes !== undefined) {
        problems.push(valueTooLong(where, key || '(root)', bytes, limits));
        return { kind: 'scalar', where, value: null, text: '' };
      }
      return { kind: 'scalar', where, value, text: value };
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return { kind: 'scalar', where, value, text: String(value) };
    case 'object': {
      if (Array.isArray(value)) {
        return { kind: 'seq', where, items: value.map((v, i) => fromObject(v, file, `${key}[${i}]`, problems, depth + 1, limits)) };
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        problems.push(problemAt(where, key || '(root)', `expected a plain object, array, string, number or boolean, found ${(value as object).constructor?.name ?? 'an object'}`));
        return { kind: 'scalar', where, value: null, text: '' };
      }
      const entries: MapEntry[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        entries.push({ key: k, keyWhere: where, value: fromObject(v, file, key ? `${key}.${k}` : k, problems, depth + 1, limits) });
      }
      return { kind: 'map', where, entries };
    }
    default:
      problems.push(problemAt(where, key || '(root)', `expected a plain object, array, string, number or boolean, found ${typeof value}`));
      return { kind: 'scalar', where, value: null, text: '' };
  }
}

/** A short description of a node for "found …" in messages. */
export function describe(n: PNode): string {
  switch (n.kind) {
    case 'map':
      return 'a mapping';
    case 'seq':
      return 'a list';
    case 'scalar':
      if (n.value === null) return 'nothing (null)';
      if (typeof n.value === 'string') return `the string ${JSON.stringify(n.value)}`;
      if (typeof n.value === 'boolean') return `the boolean ${n.value}`;
      return `the number ${n.text}`;
  }
}
