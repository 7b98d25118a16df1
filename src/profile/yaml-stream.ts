/**
 * YAML text → the loader's neutral tree ({@link PNode}), in memory proportional to the
 * text (issue 20).
 *
 * `parseAllDocuments` first builds the whole document's syntax tree (CST: ~45 bytes of
 * heap per byte of profile) and then the whole Document AST next to it: a 4 MiB profile
 * peaked at ~70× its size. Here the yaml library's own `Lexer` and `Parser` are driven
 * one token at a time, and every few hundred tokens the items that a mapping or list
 * (block or flow) on the parser's stack has finished (all but its last two: the parser only ever
 * touches those) are cut out of the CST and composed by the library's `Composer` as a
 * small document of their own. That batch becomes tree nodes at once and its CST and
 * AST are dropped, so neither is ever held for more than ~64 items. The yaml library
 * still does all the YAML: tokens, indentation, scalars, every syntax error.
 *
 * What the cut changes, and how it is put back:
 * - Duplicate keys across batches of one mapping: checked here with the library's rule
 *   (same scalar value) and reported with its code and message.
 * - Aliases: an alias may name an anchor composed in another batch, even one the
 *   parser finished *after* it (an anchor on an enclosing key). Every alias is resolved
 *   once the whole document is converted: the last anchor of that name before it in the
 *   text, as YAML says. An alias shares its anchor's nodes (no copy), and the nodes it
 *   adds are counted against {@link MAX_ALIAS_NODES}, in document order.
 * - Flow collections (so a JSON profile, one flow mapping): the parser turns a flow
 *   sequence's bare keys into values when it closes; that is done for each batch here. A
 *   batch gets its own closing bracket, and the comma that starts the first item left
 *   over is taken out (the composer refuses a leading comma) or, when there is none,
 *   reported as the composer reports a missing one.
 * @module
 */
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, Parser, type CST, type Document, type Node as YamlNode, type ParsedNode, type YAMLError, type YAMLMap, type YAMLSeq } from 'yaml';
import type { ProfileProblem } from '../errors/index.js';
import { DEFAULT_LIMITS, flat, MAX_ALIAS_NODES, MAX_DEPTH, MapNode, nullAt, problemAt, relocate, ScalarNode, SeqNode, slotOf, Source, tooLong, valueTooLong, type MapSlots, type ParseLimits, type PNode } from './nodes.js';
import { yamlErrorOffset } from './yaml-position.js';

/**
 * YAML 1.2 core schema (yes/no stay strings), duplicate keys are errors. No `<<` merge
 * keys: a profile has no use for them, and merging is a second way to expand a
 * document. `keepSourceTokens` links a composed collection to its CST token, which is
 * how the items cut out of it earlier are found again.
 */
const OPTIONS = { prettyErrors: false, uniqueKeys: true, merge: false, keepSourceTokens: true } as const;

/** Finished items of one block collection composed together. */
const BATCH = 64;
/** ...or fewer, once they span this much text (a few items that each hold a big flow collection). */
const BATCH_BYTES = 256 * 1024;
/** Lexical tokens between two looks at the parser's stack. */
const CHECK_EVERY = 256;
/** Short strings (keys, types, booleans) are kept once: a profile repeats them on every row. */
const INTERN_MAX_LENGTH = 24;
const INTERN_MAX_ENTRIES = 20_000;

/** A collection whose finished items are cut out and composed in batches. */
type CutToken = CST.BlockMap | CST.BlockSequence | CST.FlowCollection;

/** The items already cut out of one block collection, as tree nodes. */
interface Cut {
  /** Offset of the collection in the text (the token's offset is moved as items are cut). */
  start: number;
  seq: PNode[];
  map: MapSlots;
  /**
   * Keys of the mapping so far, by the yaml library's equality (type and value), with the
   * batch each came in: a repeat inside one batch is the composer's to report.
   */
  keys: Map<string, number> | undefined;
  batches: number;
}

/** Where a converted node is stored, so an alias standing there can be replaced. */
type Holder = { items: Array<PNode | MapSlots[number]>; index: number } | undefined;

interface Alias {
  name: string;
  at: number;
  depth: number;
  holder: Holder;
}

interface Anchor {
  start: number;
  end: number;
  node: PNode;
}

/**
 * Parses one YAML (or JSON) text; only its first document is the profile. YAML syntax
 * errors are returned as problems with their position; the tree is `undefined` when the
 * text does not parse, and `null` for an empty document.
 */
export function parseYamlText(text: string, file: string, limits: ParseLimits = DEFAULT_LIMITS): { tree: PNode | null | undefined; problems: ProfileProblem[] } {
  return new StreamParse(text, file, limits).run();
}

class StreamParse {
  private readonly lines = new LineCounter();
  private readonly src: Source;
  private readonly problems: ProfileProblem[] = [];
  private readonly yamlErrors: YAMLError[] = [];
  private readonly cuts = new Map<CutToken, Cut>();
  private readonly directives: CST.Directive[] = [];
  private readonly anchors = new Map<string, Anchor[]>();
  private readonly aliases: Alias[] = [];
  private readonly interned = new Map<string, string>();
  /** Past the first document: items are cut and dropped, never composed. */
  private discarding = false;

  constructor(
    private readonly text: string,
    file: string,
    private readonly limits: ParseLimits,
  ) {
    this.src = new Source(file, this.lines);
  }

  run(): { tree: PNode | null | undefined; problems: ProfileProblem[] } {
    const parser = new Parser(this.lines.addNewLine);
    this.lines.addNewLine(0);
    const main = new Composer(OPTIONS);
    let first: CST.Document | undefined;
    // Every top-level token goes to the composer as `parseAllDocuments` would send it,
    // up to the second document: the seed's decoder (yaml.v3) reads one document and
    // never looks past it, so a trailing `---` or a second document (notes, an old copy)
    // must not make a seed profile fail here.
    const atTop = (token: CST.Token): boolean => {
      if (token.type === 'document') {
        if (first) return true;
        first = token;
        this.discarding = true;
      } else if (token.type === 'directive' && !first) this.directives.push(token);
      for (const _ of main.next(token));
      return false;
    };
    let n = 0;
    let stopped = false;
    lexing: for (const lexeme of new Lexer().lex(this.text, false)) {
      for (const token of parser.next(lexeme)) {
        if (atTop(token)) {
          stopped = true;
          break lexing;
        }
      }
      if (++n === CHECK_EVERY) {
        n = 0;
        this.cutFinishedItems(parser.stack, parser.offset);
      }
    }
    if (!stopped) for (const token of parser.end()) if (atTop(token)) break;
    const doc = [...main.end()][0];
    if (doc === undefined) {
      const problems = main.streamInfo().errors.slice(0, 1).map((e) => this.syntaxProblem(e, ''));
      return { tree: problems.length > 0 ? undefined : null, problems };
    }
    this.yamlErrors.push(...doc.errors);
    const tree = doc.contents === null ? null : this.convert(doc.contents as ParsedNode, 0, 0, undefined);
    const syntax = this.syntaxProblems();
    if (syntax.length > 0) return { tree: undefined, problems: syntax };
    // A bomb is refused alone: what the validator would say about its nulls is noise.
    if (!this.resolveAliases()) return { tree: undefined, problems: this.problems };
    return { tree, problems: this.problems };
  }

  /**
   * Cuts the finished items out of every collection on the parser's stack that has many,
   * or a long text since the last cut (`offset`: the parser's position).
   */
  private cutFinishedItems(stack: readonly CST.Token[], offset: number): void {
    let depth = 0;
    for (const token of stack) {
      // A flow collection that has its closing bracket is no longer added to (the parser only waits for what follows it).
      const open = token.type === 'block-map' || token.type === 'block-seq' || (token.type === 'flow-collection' && token.end.length === 0);
      if (open && (token.items.length >= BATCH + 2 || (token.items.length > 2 && offset - token.offset > BATCH_BYTES))) this.cut(token, depth);
      if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') depth++;
    }
  }

  private cut(token: CutToken, depth: number): void {
    // The parser reads and writes only the last item, and the one before it (a comment
    // indented under it joins that item); everything before is final.
    const items = token.items.splice(0, token.items.length - 2);
    if (this.discarding) return;
    if (token.type === 'flow-collection') return this.cutFlow(token, items as CST.FlowCollection['items'], depth);
    this.composeBatch(token, { ...token, items } as CutToken, depth);
  }

  /**
   * A flow collection's finished items, cut out as a block collection's are (so a JSON
   * profile, one flow mapping, streams too). Three things the parser or composer would do
   * with the whole collection are done here: the flow-sequence fix-up the parser applies
   * when the collection closes, a closing bracket for the batch, and the comma that now
   * starts the first item left: the composer takes a leading comma as an error, so it is
   * removed, and a missing one is reported as the composer would.
   */
  private cutFlow(token: CST.FlowCollection, items: CST.FlowCollection['items'], depth: number): void {
    const seq = token.start.type === 'flow-seq-start';
    if (seq) fixFlowSeqItems(items);
    const next = token.items[0]!;
    const nextAt = itemOffset(next) ?? token.offset;
    const comma = next.start.findIndex((t) => t.type === 'comma');
    if (comma >= 0) next.start = next.start.filter((_, i) => i !== comma);
    else if (next.key || next.value || next.sep) {
      this.yamlErrors.push({ code: 'MISSING_CHAR', message: `Missing , between flow ${seq ? 'sequence' : 'map'} items`, pos: [nextAt, nextAt + 1] } as YAMLError);
    }
    const end: CST.SourceToken = { type: seq ? 'flow-seq-end' : 'flow-map-end', offset: nextAt, indent: token.indent, source: seq ? ']' : '}' };
    this.composeBatch(token, { ...token, items, end: [end] }, depth);
  }

  /** Composes `alone` (a copy of `token` holding the items cut out) and converts it into `token`'s {@link Cut}. */
  private composeBatch(token: CutToken, alone: CutToken, depth: number): void {
    let cut = this.cuts.get(token);
    if (!cut) {
      const map = token.type === 'block-map' || (token.type === 'flow-collection' && token.start.type === 'flow-map-start');
      cut = { start: token.offset, seq: [], map: [], keys: map ? new Map() : undefined, batches: 0 };
      this.cuts.set(token, cut);
    }
    const composer = new Composer(OPTIONS);
    for (const d of this.directives) for (const _ of composer.next(d));
    for (const _ of composer.next({ type: 'document', offset: token.offset, start: [], value: alone, end: [] }));
    const doc = [...composer.end()][0] as Document.Parsed;
    for (const e of doc.errors) {
      // The batch's own document has no `---` line after the replayed directives; the real one is checked by the main composer.
      if (e.code === 'MISSING_CHAR' && e.message.startsWith('Missing directives-end')) continue;
      this.yamlErrors.push(e);
    }
    const node = doc.contents as YAMLMap.Parsed | YAMLSeq.Parsed;
    // Where the composer's item checks continue: it reports a misplaced item at the end of
    // the one before (a flow collection's first item is looked for after its bracket).
    token.offset = token.type === 'flow-collection' ? node.range[1] - 1 - token.start.source.length : node.range[1];
    if (isMap(node)) this.convertPairs(node, depth, cut.map, cut.keys, cut.batches++);
    else this.convertItems(node, depth, cut.seq);
  }

  /** Converts one composed node (`depth`: its nesting level; `fallbackAt`: the position of an empty node). */
  private convert(node: ParsedNode | null, depth: number, fallbackAt: number, holder: Holder): PNode {
    if (node === null) return nullAt(this.src, fallbackAt);
    const at = node.range[0];
    if (depth > MAX_DEPTH) {
      this.problems.push(problemAt(this.src.where(at), '(yaml)', `nesting deeper than ${MAX_DEPTH} levels (recursive alias?)`));
      return nullAt(this.src, fallbackAt);
    }
    if (isAlias(node)) {
      // A null until every anchor is known (resolveAliases).
      this.aliases.push({ name: node.source, at, depth, holder });
      return nullAt(this.src, at);
    }
    let out: PNode;
    if (isScalar(node)) out = this.scalar(node, at);
    else if (isSeq(node)) {
      const cut = this.cuts.get(node.srcToken as CutToken);
      if (cut) this.cuts.delete(node.srcToken as CutToken);
      out = new SeqNode(this.src, cut?.start ?? at, this.convertItems(node, depth, cut?.seq));
    } else if (isMap(node)) {
      const cut = this.cuts.get(node.srcToken as CutToken);
      if (cut) this.cuts.delete(node.srcToken as CutToken);
      out = new MapNode(this.src, cut?.start ?? at, this.convertPairs(node, depth, cut?.map, cut?.keys, cut?.batches ?? 0));
    } else {
      this.problems.push(problemAt(this.src.where(at), '(yaml)', 'unsupported YAML node'));
      return nullAt(this.src, at);
    }
    if (node.anchor) this.addAnchor(node.anchor, out.at, node.range[1], out);
    return out;
  }

  /**
   * `into`: the items cut out earlier, or undefined for a list composed whole, which gets
   * an array of its exact size (a pushed array keeps room for 17 items: 150 bytes for a
   * row of four).
   */
  private convertItems(node: YAMLSeq.Parsed, depth: number, into: PNode[] | undefined): PNode[] {
    const at = node.range[0];
    const out = into ?? new Array<PNode>(node.items.length);
    let i = into ? into.length : 0;
    for (const item of node.items) {
      out[i] = this.convert(item, depth + 1, at, { items: out, index: i });
      i++;
    }
    return out;
  }

  /** `into`: as for {@link convertItems}; `keys`: check duplicates against the earlier batches too (the mapping was composed in batches; this is batch number `batch`). */
  private convertPairs(node: YAMLMap.Parsed, depth: number, into: MapSlots | undefined, keys: Map<string, number> | undefined, batch: number): MapSlots {
    const out: MapSlots = into ?? new Array<MapSlots[number]>(node.items.length * 4);
    let i = into ? into.length : 0;
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = pair.key as ParsedNode | null;
      const keyAt = k?.range[0] ?? node.range[0];
      if (!isScalar(k) || (k.value !== null && typeof k.value === 'object')) {
        this.problems.push(problemAt(this.src.where(keyAt), '(yaml)', 'expected a plain scalar mapping key, found a complex key'));
        continue;
      }
      if (keys) {
        const id = `${typeof k.value}:${String(k.value)}`;
        const seen = keys.get(id);
        if (seen === undefined) keys.set(id, batch);
        else if (seen < batch) {
          this.yamlErrors.push({ code: 'DUPLICATE_KEY', message: 'Map keys must be unique', pos: [keyAt, keyAt + 1] } as YAMLError);
          // A third one in this batch is the composer's to report.
          keys.set(id, batch);
        }
      }
      const key = this.intern(typeof k.value === 'string' ? k.value : this.text.slice(k.range[0], k.range[1]));
      if (k.anchor) this.addAnchor(k.anchor, keyAt, k.range[1], this.scalar(k, keyAt));
      out[i] = key;
      out[i + 1] = keyAt;
      const value = this.convert(pair.value as ParsedNode | null, depth + 1, keyAt, { items: out, index: i + 2 });
      out[i + 2] = slotOf(value);
      out[i + 3] = value.at;
      i += 4;
    }
    // A complex key was skipped (reported): no holes.
    if (!into && i < out.length) out.length = i;
    return out;
  }

  private scalar(node: { value: unknown; range: [number, number, number] }, at: number): ScalarNode {
    const v = node.value;
    let value: string | number | boolean | bigint | null;
    if (v === null || v === undefined) value = null;
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') value = v;
    else value = String(v as { toString(): string });
    if (typeof value === 'string') {
      const bytes = tooLong(value, this.limits.maxValueBytes);
      if (bytes !== undefined) {
        this.problems.push(valueTooLong(this.src.where(at), '(yaml)', bytes, this.limits));
        return nullAt(this.src, at);
      }
      value = this.intern(flat(value));
      return new ScalarNode(this.src, at, value, value);
    }
    // Non-string scalars keep their source text, so `value: 0x10` stays "0x10", not "16".
    return new ScalarNode(this.src, at, value, value === null ? '' : this.intern(this.text.slice(node.range[0], node.range[1])));
  }

  private intern(s: string): string {
    if (s.length > INTERN_MAX_LENGTH) return s;
    const known = this.interned.get(s);
    if (known !== undefined) return known;
    if (this.interned.size < INTERN_MAX_ENTRIES) this.interned.set(s, s);
    return s;
  }

  private addAnchor(name: string, start: number, end: number, node: PNode): void {
    if (node.kind === 'seq') node.shared = true;
    const list = this.anchors.get(name);
    if (list) list.push({ start, end, node });
    else this.anchors.set(name, [{ start, end, node }]);
  }

  /**
   * Puts each alias's anchor in its place, in document order, counting the nodes each
   * adds. The yaml library's own guard (`maxAliasCount`) only works in `toJS()`, which
   * this loader does not use (it keeps line:col), so the same idea is applied here: one
   * budget per document, and the first alias past it is reported where it stands.
   * Nothing else expands: merge keys are off and `objects:` instances are bounded by the
   * validator. False when the budget ran out (the problem is recorded).
   */
  private resolveAliases(): boolean {
    const aliases = this.aliases.sort((a, b) => a.at - b.at);
    let budget = MAX_ALIAS_NODES;
    for (const alias of aliases) {
      const where = this.src.where(alias.at);
      // The last anchor of that name before the alias (YAML 1.2 §3.2.2.2).
      let anchor: Anchor | undefined;
      for (const a of this.anchors.get(alias.name) ?? []) if (a.start < alias.at && (anchor === undefined || a.start > anchor.start)) anchor = a;
      if (!anchor) {
        this.problems.push(problemAt(where, '(yaml)', `alias *${alias.name} has no anchor`));
        continue;
      }
      if (alias.at < anchor.end) {
        this.problems.push(problemAt(where, '(yaml)', `nesting deeper than ${MAX_DEPTH} levels (recursive alias?)`));
        continue;
      }
      const counted = countNodes(anchor.node, alias.depth, budget + 1);
      if (counted === 'too deep') {
        this.problems.push(problemAt(where, '(yaml)', `nesting deeper than ${MAX_DEPTH} levels (recursive alias?)`));
        continue;
      }
      budget -= counted;
      if (budget < 0) {
        this.problems.push(problemAt(where, '(yaml)', `aliases expand this document to more than ${MAX_ALIAS_NODES.toLocaleString('en-US')} extra nodes (an alias bomb?); a profile can reuse a block by alias, but not nest aliases of aliases this deep`));
        return false;
      }
      const copy = relocate(anchor.node, alias.at);
      const h = alias.holder;
      if (h) h.items[h.index] = copy;
    }
    return true;
  }

  /**
   * YAML errors of all the batches, in text order. After the first real syntax error the
   * YAML tokenizer reports every later token of the broken construct as an error of its
   * own (one unquoted `{i}` in a flow mapping gave 35 "Unexpected scalar" lines over four
   * lines of the file). Report that first error and count the rest; duplicate keys stay
   * independent problems, each listed.
   */
  private syntaxProblems(): ProfileProblem[] {
    const errors = this.yamlErrors.sort((a, b) => a.pos[0] - b.pos[0]);
    const problems: ProfileProblem[] = [];
    let first: ProfileProblem | undefined;
    let followUps = 0;
    for (const e of errors) {
      if (e.code !== 'DUPLICATE_KEY') {
        if (first) {
          followUps++;
          continue;
        }
        const at = yamlErrorOffset(this.text, e.message, e.pos[0]);
        first = this.syntaxProblem(e, at.note, at.offset);
        problems.push(first);
      } else problems.push(this.syntaxProblem(e, ''));
    }
    if (first && followUps > 0) {
      first.message += ` (${followUps} further syntax error${followUps === 1 ? '' : 's'} after it not listed: they usually follow from this one; a value with "{", "[", "," or ": " in a flow mapping needs quotes)`;
    }
    return problems;
  }

  private syntaxProblem(e: YAMLError, note: string, offset = e.pos[0]): ProfileProblem {
    return problemAt(this.src.where(offset), '(yaml)', `YAML syntax error (${e.code}): ${e.message.split('\n')[0] ?? ''}${note}`);
  }
}

/**
 * Nodes in `node`'s tree as aliases expand it, up to `cap`; 'too deep' past
 * {@link MAX_DEPTH} levels counted from `depth`.
 */
function countNodes(node: PNode, depth: number, cap: number): number | 'too deep' {
  let count = 0;
  let tooDeep = false;
  const walk = (n: PNode, d: number): void => {
    if (d > MAX_DEPTH) tooDeep = true;
    if (tooDeep || ++count >= cap) return;
    if (n.kind === 'seq') for (const it of n.items) walk(it, d + 1);
    else if (n.kind === 'map') {
      for (let i = 2; i < n.slots.length; i += 4) {
        const v = n.slots[i]!;
        // A scalar stored as itself is one node too.
        if (v !== null && typeof v === 'object') walk(v, d + 1);
        else if (d + 1 > MAX_DEPTH) tooDeep = true;
        else if (++count >= cap) return;
      }
    }
  };
  walk(node, depth);
  return tooDeep ? 'too deep' : count;
}

/**
 * What the yaml parser does to a flow sequence's items when it closes (its
 * `fixFlowSeqItems`, not exported): an item it first took for a key with no `:` after it is
 * a plain value.
 */
function fixFlowSeqItems(items: CST.FlowCollection['items']): void {
  for (const it of items) {
    if (!it.sep || it.value || it.start.some((t) => t.type === 'explicit-key-ind') || it.sep.some((t) => t.type === 'map-value-ind')) continue;
    const item = it as { start: CST.SourceToken[]; key?: CST.Token | null; sep?: CST.SourceToken[]; value?: CST.Token };
    const sep = it.sep;
    if (it.key) item.value = it.key;
    delete item.key;
    const v = item.value;
    if (v && (v.type === 'alias' || v.type === 'scalar' || v.type === 'single-quoted-scalar' || v.type === 'double-quoted-scalar' || v.type === 'flow-collection')) {
      if (v.end) v.end.push(...sep);
      else v.end = sep;
    } else item.start.push(...sep);
    delete item.sep;
  }
}

/** Offset of the first token of a collection item. */
function itemOffset(it: CST.CollectionItem): number | undefined {
  return it.start[0]?.offset ?? it.key?.offset ?? it.sep?.[0]?.offset ?? it.value?.offset;
}
