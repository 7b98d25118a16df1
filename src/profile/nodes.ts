/**
 * One neutral tree for both inputs of the loader: a YAML document (every node keeps its
 * file, line and column) and a plain JS object (nodes only know the source name). The
 * validator works on this tree only, so both inputs get exactly the same rules.
 *
 * A node keeps its position as one offset into its text, not as a `{file, line, col}`
 * object: a 4 MiB profile has about a million nodes, and the loader's memory should be a
 * small multiple of the text (issue 20). `where` is computed when a problem needs it.
 * @module
 */
import type { LineCounter } from 'yaml';
import type { ProfileProblem } from '../errors/index.js';

/** Where a node is: always the file; line/col (1-based) when it came from text. */
export interface Where {
  file: string;
  line?: number;
  col?: number;
}

/** The text nodes come from: its file name and, for YAML text, its line starts. */
export class Source {
  constructor(
    readonly file: string,
    private readonly lines?: LineCounter,
  ) {}

  /** The position of `offset` (−1: the file alone, as for a JS object). */
  where(offset: number): Where {
    if (offset < 0 || this.lines === undefined) return { file: this.file };
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, col };
  }
}

abstract class NodeBase {
  constructor(
    readonly src: Source,
    /** Offset of the node in its text; −1 when it has none. */
    readonly at: number,
  ) {}

  get where(): Where {
    return this.src.where(this.at);
  }
}

/**
 * A mapping's entries, four slots each: key, key offset, value, value offset. A scalar value
 * whose text is its own `String()` (a string, `3`, `true`) or a null is stored as itself, not
 * as a {@link ScalarNode}: a profile is mostly such rows (`{path: X, value: Y, writable:
 * true}`), and a `MapEntry` and a `ScalarNode` per entry were 104 of the ~130 bytes a tree
 * held per byte of such a row (issue 20). {@link MapNode.entries} builds the objects when
 * the validator reads the mapping.
 */
export type MapSlots = Array<string | number | boolean | null | PNode>;

export class MapNode extends NodeBase {
  get kind(): 'map' {
    return 'map';
  }
  constructor(
    src: Source,
    at: number,
    /** See {@link MapSlots}; settable (value slots only) while the YAML parse resolves an alias that stands there. */
    readonly slots: MapSlots,
  ) {
    super(src, at);
  }

  get size(): number {
    return this.slots.length / 4;
  }

  /** The entries, as objects made for this read (the validator reads each mapping about once). */
  get entries(): MapEntry[] {
    const { slots, src } = this;
    const out = new Array<MapEntry>(slots.length / 4);
    for (let i = 0, j = 0; i < slots.length; i += 4, j++) out[j] = new MapEntry(slots[i] as string, slots[i + 1] as number, slotNode(src, slots[i + 2]!, slots[i + 3] as number));
    return out;
  }
}

/** A map's value slot as a node. */
function slotNode(src: Source, v: MapSlots[number], at: number): PNode {
  if (v === null) return nullAt(src, at);
  if (typeof v === 'object') return v;
  return new ScalarNode(src, at, v, typeof v === 'string' ? v : String(v));
}

/** The slot a scalar takes in a mapping: itself, unless its text says more than `String(value)` (`0x10`, `1_000`, `True`). */
export function slotOf(n: PNode): MapSlots[number] {
  if (n.kind !== 'scalar') return n;
  const v = n.value;
  if (v === null || typeof v === 'string') return v;
  if ((typeof v === 'number' || typeof v === 'boolean') && String(v) === n.text) return v;
  return n;
}

/** Appends one entry to `slots`. */
export function pushEntry(slots: MapSlots, key: string, keyAt: number, value: PNode): void {
  slots.push(key, keyAt, slotOf(value), value.at);
}

export class SeqNode extends NodeBase {
  /**
   * Whether `items` may be reached another way (an anchored list, or an alias's copy of
   * one): only a list that is not shared may have its read items released (see
   * {@link releaseItem}).
   */
  shared = false;
  get kind(): 'seq' {
    return 'seq';
  }
  constructor(src: Source, at: number, readonly items: PNode[]) {
    super(src, at);
  }
}

/**
 * Drops item `i` of a list the validator has read, so a large profile's tree shrinks while
 * the validated profile grows (issue 20: the two together were the peak of a load).
 */
export function releaseItem(list: SeqNode, i: number, released: PNode): void {
  if (!list.shared) list.items[i] = released;
}

/**
 * `s` as one flat string. V8 keeps a string built piece by piece (the yaml library's
 * double-quoted values, one character at a time; template keys such as
 * `parameters[12].path`) as a rope of concatenations: ~28 bytes per piece (a 57-character
 * value held 1.5 KB). Reading a character flattens the rope in place, and the GC then
 * drops its nodes.
 */
export function flat(s: string): string {
  if (s.length > 12) s.charCodeAt(0);
  return s;
}

export class ScalarNode extends NodeBase {
  get kind(): 'scalar' {
    return 'scalar';
  }
  constructor(
    src: Source,
    at: number,
    readonly value: string | number | boolean | bigint | null,
    /** The value as text; for non-strings the source text, so `value: 0x10` stays "0x10". */
    readonly text: string,
  ) {
    super(src, at);
  }
}

export type PNode = MapNode | SeqNode | ScalarNode;

export class MapEntry {
  constructor(
    readonly key: string,
    readonly keyAt: number,
    readonly value: PNode,
  ) {}

  get keyWhere(): Where {
    return this.value.src.where(this.keyAt);
  }
}

/** A null scalar: what an empty node, or a node refused by a limit, becomes. */
export function nullAt(src: Source, at: number): ScalarNode {
  return new ScalarNode(src, at, null, '');
}

/** The same node at another position (an alias's copy of its anchor's node); children are shared. */
export function relocate(n: PNode, at: number): PNode {
  switch (n.kind) {
    case 'map':
      return new MapNode(n.src, at, n.slots);
    case 'seq': {
      const copy = new SeqNode(n.src, at, n.items);
      copy.shared = n.shared = true;
      return copy;
    }
    case 'scalar':
      return new ScalarNode(n.src, at, n.value, n.text);
  }
}

/** Records a problem at `where`. */
export function problemAt(where: Where, key: string, message: string): ProfileProblem {
  const p: ProfileProblem = { file: where.file, key, message };
  if (where.line !== undefined) {
    p.line = where.line;
    p.col = where.col ?? 1;
  }
  return p;
}

/** Deepest nesting of mappings and lists (also through aliases). */
export const MAX_DEPTH = 64;

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

export const DEFAULT_LIMITS: ParseLimits = { maxValueBytes: DEFAULT_MAX_VALUE_BYTES };

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
export function tooLong(s: string, max: number): number | undefined {
  if (s.length * 3 <= max) return undefined;
  const n = Buffer.byteLength(s, 'utf8');
  return n > max ? n : undefined;
}

export function valueTooLong(where: Where, key: string, bytes: number, limits: ParseLimits): ProfileProblem {
  return problemAt(
    where,
    key,
    `a value of ${formatBytes(bytes)} is longer than the ${formatBytes(limits.maxValueBytes, true)} limit for one value (every value rides along in Informs); raise it with --max-value-size or the loader option maxValueBytes`,
  );
}

/**
 * Converts a plain JS value (what `JSON.parse` or a test fixture produces). Keys whose
 * value is `undefined` are treated as absent, as with JSON.
 */
export function fromObject(value: unknown, file: string, key: string, problems: ProfileProblem[], depth = 0, limits: ParseLimits = DEFAULT_LIMITS): PNode {
  return objectNode(new Source(file), value, key, problems, depth, limits);
}

function objectNode(src: Source, value: unknown, key: string, problems: ProfileProblem[], depth: number, limits: ParseLimits): PNode {
  const where: Where = { file: src.file };
  if (depth > MAX_DEPTH) {
    problems.push(problemAt(where, key || '(root)', `nesting deeper than ${MAX_DEPTH} levels (a cycle?)`));
    return nullAt(src, -1);
  }
  if (value === null) return nullAt(src, -1);
  switch (typeof value) {
    case 'string': {
      const bytes = tooLong(value, limits.maxValueBytes);
      if (bytes !== undefined) {
        problems.push(valueTooLong(where, key || '(root)', bytes, limits));
        return nullAt(src, -1);
      }
      return new ScalarNode(src, -1, value, value);
    }
    case 'number':
    case 'boolean':
    case 'bigint':
      return new ScalarNode(src, -1, value, String(value));
    case 'object': {
      if (Array.isArray(value)) {
        return new SeqNode(src, -1, value.map((v, i) => objectNode(src, v, `${key}[${i}]`, problems, depth + 1, limits)));
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        problems.push(problemAt(where, key || '(root)', `expected a plain object, array, string, number or boolean, found ${(value as object).constructor?.name ?? 'an object'}`));
        return nullAt(src, -1);
      }
      const slots: MapSlots = [];
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        pushEntry(slots, k, -1, objectNode(src, v, key ? `${key}.${k}` : k, problems, depth + 1, limits));
      }
      return new MapNode(src, -1, slots);
    }
    default:
      problems.push(problemAt(where, key || '(root)', `expected a plain object, array, string, number or boolean, found ${typeof value}`));
      return nullAt(src, -1);
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
