/**
 * One neutral tree for both inputs of the loader: a YAML document (every node keeps its
 * file, line and column) and a plain JS object (nodes only know the source name). The
 * validator works on this tree only, so both inputs get exactly the same rules.
 * @module
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { ProfileProblem } from '../errors/index.js';

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

/**
 * Parses one YAML (or JSON) text. YAML syntax errors are returned as problems with
 * their position; the tree is `undefined` when the text does not parse, and `null` for
 * an empty document.
 */
export function parseYamlText(text: string, file: string): { tree: PNode | null | undefined; problems: ProfileProblem[] } {
  const lc = new LineCounter();
  // YAML 1.2 core schema (yes/no stay strings), duplicate keys are errors.
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
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
    problems.push(problemAt(whereOf(e.pos[0]), '(yaml)', `YAML syntax error (${e.code}): ${e.message.split('\n')[0] ?? ''}`));
  }
  const first = problems.find((p) => !p.message.startsWith('YAML syntax error (DUPLICATE_KEY)'));
  if (first && followUps > 0) {
    first.message += ` (${followUps} further syntax error${followUps === 1 ? '' : 's'} after it not listed: they usually follow from this one; a value with "{", "[", "," or ": " in a flow mapping needs quotes)`;
  }
  if (problems.length > 0) return { tree: undefined, problems };
  if (doc.contents === null) return { tree: null, problems };
  const tree = convertYaml(doc, doc.contents, text, whereOf, problems, 0, { file });
  return { tree, problems };
}

function convertYaml(
  doc: Document,
  node: YamlNode | null,
  text: string,
  whereOf: (offset: number | undefined) => Where,
  problems: ProfileProblem[],
  depth: number,
  fallback: Where,
): PNode {
  if (node === null) return { kind: 'scalar', where: fallback, value: null, text: '' };
  if (depth > MAX_DEPTH) {
    problems.push(problemAt(whereOf(node.range?.[0]), '(yaml)', `nesting deeper than ${MAX_DEPTH} levels (recursive alias?)`));
    return { kind: 'scalar', where: fallback, value: null, text: '' };
  }
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) {
      problems.push(problemAt(whereOf(node.range?.[0]), '(yaml)', `alias *${node.source} has no anchor`));
      return { kind: 'scalar', where: whereOf(node.range?.[0]), value: null, text: '' };
    }
    const resolved = convertYaml(doc, target, text, whereOf, problems, depth + 1, whereOf(node.range?.[0]));
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
    // Non-string scalars keep their source text, so `value: 0x10` stays "0x10", not "16".
    const sourceText = node.range ? text.slice(node.range[0], node.range[1]) : String(value ?? '');
    return { kind: 'scalar', where, value, text: typeof value === 'string' ? value : value === null ? '' : sourceText };
  }
  if (isSeq(node)) {
    return { kind: 'seq', where, items: node.items.map((it) => convertYaml(doc, it as YamlNode | null, text, whereOf, problems, depth + 1, where)) };
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
      entries.push({ key, keyWhere, value: convertYaml(doc, valueNode, text, whereOf, problems, depth + 1, keyWhere) });
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
export function fromObject(value: unknown, file: string, key: string, problems: ProfileProblem[], depth = 0): PNode {
  const where: Where = { file };
  if (depth > MAX_DEPTH) {
    problems.push(problemAt(where, key || '(root)', `nesting deeper than ${MAX_DEPTH} levels (a cycle?)`));
    return { kind: 'scalar', where, value: null, text: '' };
  }
  if (value === null) return { kind: 'scalar', where, value: null, text: '' };
  switch (typeof value) {
    case 'string':
      return { kind: 'scalar', where, value, text: value };
    case 'number':
    case 'boolean':
    case 'bigint':
      return { kind: 'scalar', where, value, text: String(value) };
    case 'object': {
      if (Array.isArray(value)) {
        return { kind: 'seq', where, items: value.map((v, i) => fromObject(v, file, `${key}[${i}]`, problems, depth + 1)) };
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        problems.push(problemAt(where, key || '(root)', `expected a plain object, array, string, number or boolean, found ${(value as object).constructor?.name ?? 'an object'}`));
        return { kind: 'scalar', where, value: null, text: '' };
      }
      const entries: MapEntry[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        entries.push({ key: k, keyWhere: where, value: fromObject(v, file, key ? `${key}.${k}` : k, problems, depth + 1) });
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
