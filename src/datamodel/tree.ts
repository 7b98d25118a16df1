/**
 * The per-CPE `ParameterTree`: a copy-on-write overlay over the shared `Template`.
 * An untouched tree holds only its template, its placeholder context and four
 * empty slots; values are computed from the template on read (placeholders stamped
 * lazily), and only what differs is stored: written values, changed row sets,
 * changed attributes.
 * @module
 */
import { CPE_FAULT_STRINGS, CwmpFault, type SetParameterValuesFaultEntry } from '../errors/index.js';
import { withListener, withoutListener, type ListenerList } from '../listeners/index.js';
import { stampPlaceholders } from '../profile/index.js';
import type { GeneratorDef, PlaceholderContext, PlaceholderInput } from '../profile/types.js';
import { checkValue, normalizeValue } from './check.js';
import { generatedValueAt, stepsEachTick, TickDraws, type GeneratedValue, type GeneratorClock } from './generators.js';
import { compareSegments, type LeafShape, type RowShape, type Shape, type TableShape, type Template } from './template.js';
import type {
  ChangeOrigin,
  GraftInfo,
  NotificationLevel,
  ParameterAttributes,
  ParameterChange,
  ParameterInfo,
  ParameterTree,
  ParameterValue,
  SetAttributesEntry,
  SetValueEntry,
  StructureChange,
} from './types.js';

/**
 * A subtree attached to one tree at run time (an installed app's data model, ref §8.4):
 * the nodes of `template` below `roots`, which the tree's own template lacks.
 */
interface Graft {
  readonly id: string;
  readonly template: Template;
  /** Attached nodes, full paths (objects and tables end with '.'), sorted. */
  readonly roots: readonly string[];
  /** Simulated ms it was attached: its generators tick from here (ref §6.3). */
  readonly since: number | undefined;
}

/** A node of one tree: a template shape placed at `base` (a row path, or '' for static nodes). */
interface NodeRef {
  shape: Shape;
  /** Prefix of `shape.rel`: the row path for nodes inside a row, '' otherwise. */
  base: string;
  /** Set for a row and every node inside it. */
  row?: { table: TableShape; instance: number } | undefined;
  /** Set for a node of a grafted subtree. */
  graft?: Graft | undefined;
}

/** `Device.X.` → `Device.`, `Device.X.Y` → `Device.X.`, `Top.` → ''. */
function parentPath(path: string): string {
  const trimmed = path.endsWith('.') ? path.slice(0, -1) : path;
  const i = trimmed.lastIndexOf('.');
  return i < 0 ? '' : trimmed.slice(0, i + 1);
}

function lastSegment(path: string): string {
  const trimmed = path.endsWith('.') ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf('.') + 1);
}

/** Rows of one table in one tree, once they differ from the template's 1..N. */
interface TableState {
  /** Existing instance numbers, ascending. */
  rows: number[];
  /** Next instance number AddObject hands out: never reuses a number in the tree's life. */
  next: number;
}

interface Attributes {
  notification: NotificationLevel;
  accessList: readonly string[];
}

const NO_ONE: readonly string[] = Object.freeze([]);
const DEFAULT_ATTRIBUTES: Attributes = Object.freeze({ notification: 0, accessList: NO_ONE });
/** What the template's `passiveAtStart` leaves read until an ACS sets them. */
const PASSIVE_ATTRIBUTES: Attributes = Object.freeze({ notification: 1, accessList: NO_ONE });

/** Suffix of the leaf that counts a sibling table's rows (TR-106 §3.2.2). */
const ENTRY_COUNT = 'NumberOfEntries';

function fault(code: number, detail: string): CwmpFault {
  return new CwmpFault(code, `${CPE_FAULT_STRINGS[code] ?? 'Fault'}: ${detail}`);
}

/** The xsi:type's local name: ACSes may bind the XML Schema namespace to any prefix. */
function localType(t: string): string {
  const i = t.indexOf(':');
  return i < 0 ? t : t.slice(i + 1);
}

class OverlayTree implements ParameterTree {
  // Overlay slots stay undefined until first needed: an untouched tree is a few words.
  private values: Map<string, string> | undefined;
  private attrs: Map<string, Attributes> | undefined;
  private tableStates: Map<TableShape, TableState> | undefined;
  private listeners: ListenerList<ParameterChange> | undefined;
  private structureListeners: ListenerList<StructureChange> | undefined;
  /**
   * Generated leaves that moved off their default base: an ACS or device write after the
   * generators started (value at that tick), and the last value read of the kinds that
   * step tick by tick (a cursor, so the next read replays only the ticks since).
   */
  private generated: Map<string, GeneratedValue> | undefined;
  /** Simulated ms of the last factory reset: generators continue from the profile values from then on. */
  private resetAt: number | undefined;
  /** Subtrees attached at run time (installed apps), in attach order. */
  private graftList: Graft[] | undefined;
  /** Leaves the device computes on read ({@link ParameterTree.derive}). */
  private derived: Map<string, () => string> | undefined;

  constructor(
    private readonly template: Template,
    private readonly ctx: PlaceholderContext,
    private readonly gens: GeneratorClock | undefined,
  ) {}

  get root(): string {
    return this.template.root;
  }

  get overlaySize(): number {
    return (this.values?.size ?? 0) + (this.attrs?.size ?? 0) + (this.tableStates?.size ?? 0) + (this.generated?.size ?? 0) + (this.graftList?.length ?? 0);
  }

  // ---- structure -------------------------------------------------------------

  private rowsOf(table: TableShape): readonly number[] {
    const state = this.tableStates?.get(table);
    if (state) return state.rows;
    return Array.from({ length: table.initialRows }, (_, k) => k + 1);
  }

  private rowExists(table: TableShape, instance: number): boolean {
    const state = this.tableStates?.get(table);
    return state ? state.rows.includes(instance) : instance <= table.initialRows;
  }

  /** A row exists when it and every row it lies in (nested tables) exist in this tree. */
  private rowChainExists(table: TableShape, instance: number): boolean {
    for (const e of table.enclosing) if (!this.rowExists(e.table, e.instance)) return false;
    return this.rowExists(table, instance);
  }

  private pathOf(ref: NodeRef): string {
    return ref.base + ref.shape.rel;
  }

  /** {@link pathOf} as an overlay key: row paths shared with the template's other trees. */
  private keyOf(ref: NodeRef): string {
    return ref.base === '' ? ref.shape.rel : (ref.graft?.template ?? this.template).internPath(ref.base + ref.shape.rel);
  }

  /** Finds an existing node of this tree (rows checked against this tree's row set). */
  private find(path: string): NodeRef | undefined {
    let found = this.template.resolve(path);
    let graft: Graft | undefined;
    if (!found && this.graftList) {
      graft = this.graftList.find((g) => g.roots.some((r) => path === r || (r.endsWith('.') && path.startsWith(r))));
      found = graft?.template.resolve(path);
    }
    if (!found) return undefined;
    if (!found.row) return { shape: found.shape, base: '', graft };
    const { table, instance, base } = found.row;
    if (!this.rowChainExists(table, instance)) return undefined;
    return { shape: found.shape, base, row: { table, instance }, graft };
  }

  private children(ref: NodeRef): NodeRef[] {
    const { shape } = ref;
    if (shape.kind === 'object') {
      const own: NodeRef[] = shape.children.map((c) => ({ shape: c, base: ref.base, row: ref.row, graft: ref.graft }));
      if (!this.graftList || ref.graft || ref.row) return own;
      // Grafted roots hang below static objects of the device's own tree (ref §8.4), in tree order.
      const at = this.pathOf(ref);
      const attached: NodeRef[] = [];
      for (const g of this.graftList) {
        for (const r of g.roots) {
          const found = parentPath(r) === at ? g.template.resolve(r) : undefined;
          if (found) attached.push({ shape: found.shape, base: '', graft: g });
        }
      }
      if (attached.length === 0) return own;
      return [...own, ...attached].sort((a, b) => compareSegments(a.shape.name, b.shape.name));
    }
    if (shape.kind === 'table') {
      const at = ref.base + shape.rel;
      const template = ref.graft?.template ?? this.template;
      return this.rowsOf(shape).map((n) => ({ shape: template.rowShape(shape, n).row, base: `${at}${n}.`, row: { table: shape, instance: n }, graft: ref.graft }));
    }
    return [];
  }

  /** Pre-order walk (tree order): the node itself, then its descendants. */
  private walk(ref: NodeRef, visit: (ref: NodeRef) => void): void {
    visit(ref);
    for (const c of this.children(ref)) this.walk(c, visit);
  }

  private leavesBelow(ref: NodeRef): NodeRef[] {
    const out: NodeRef[] = [];
    this.walk(ref, (r) => {
      if (r.shape.kind === 'leaf') out.push(r);
    });
    return out;
  }

  /** GetParameterNames Writable for objects: tables accept AddObject, rows DeleteObject. */
  private writableOf(ref: NodeRef): boolean {
    const { shape } = ref;
    if (shape.kind === 'leaf') return shape.writable;
    if (shape.kind === 'table') return true;
    return this.isRow(ref);
  }

  /** True for a table row itself (`Device.Hosts.Host.2.`): the only objects with an empty `rel` inside a row. */
  private isRow(ref: NodeRef): boolean {
    return ref.row !== undefined && ref.shape.kind === 'object' && ref.shape.rel === '';
  }

  private rootRef(): NodeRef {
    return { shape: this.template.rootShape, base: '' };
  }

  /** Resolves a name of GetParameterValues/GetParameterAttributes: '' = whole tree. */
  private leavesFor(name: string): NodeRef[] {
    if (name === '') return this.leavesBelow(this.rootRef());
    const ref = this.find(name);
    // A partial path must end with '.', a leaf name must not (TR-069 A.3.2.2).
    if (!ref || (ref.shape.kind === 'leaf') === name.endsWith('.')) {
      throw fault(9005, `'${name}' matches no parameter or object of this CPE`);
    }
    return ref.shape.kind === 'leaf' ? [ref] : this.leavesBelow(ref);
  }

  // ---- values ----------------------------------------------------------------

  private defaultValue(leaf: LeafShape, instance: number | undefined): string {
    let v = leaf.value;
    if (instance !== undefined) v = v.replaceAll('{i}', String(instance));
    // The serial pattern stamps the declared value itself (ref. 5.2: `{base}` is the raw value).
    if (leaf.serial) return this.template.stampSerial(v, this.ctx);
    if (leaf.stamped) v = stampPlaceholders(v, this.ctx, this.template.profile.fleet.pools);
    return v;
  }

  private valueOf(ref: NodeRef): string {
    const path = this.pathOf(ref);
    const leaf = ref.shape as LeafShape;
    const read = this.derived?.get(path);
    if (read) return read();
    const count = this.entryCount(path);
    if (count !== undefined) return String(count);
    const plain = this.values?.get(path) ?? this.defaultValue(leaf, ref.row?.instance);
    return leaf.generated ? this.generatedValue(ref, path, plain, leaf) : plain;
  }

  /** The generator definitions of the template `ref` comes from (the device's, or an app's). */
  private generatorsOf(ref: NodeRef): ReadonlyMap<string, GeneratorDef> {
    return (ref.graft?.template ?? this.template).generators;
  }

  derive(path: string, read: () => string): () => void {
    if (this.find(path)?.shape.kind !== 'leaf' || path.endsWith('.')) throw fault(9005, `'${path}' is not a parameter of this CPE, so it cannot be derived`);
    const map = (this.derived ??= new Map());
    map.set(path, read);
    return () => {
      if (map.get(path) === read) map.delete(path);
    };
  }

  // ---- generators (profile §6): computed on read ------------------------------------

  generator(path: string): GeneratorDef | undefined {
    if (this.gens === undefined) return undefined;
    const ref = this.find(path);
    if (!ref || ref.shape.kind !== 'leaf' || !ref.shape.generated) return undefined;
    return this.generatorsOf(ref).get(path);
  }

  nextGeneratorTick(path: string): number | undefined {
    const def = this.generator(path);
    if (!def || !this.gens) return undefined;
    return this.gens.tickTime(def.intervalMs, this.gens.ticksAt(def.intervalMs) + 1);
  }

  /**
   * Grid ticks before `ref`'s generators started: an app's generators are created at its
   * install (ref §6.3), so they count ticks (cycle position, uptime) from there; the
   * device's own count from the fleet's start.
   */
  private tickOffset(ref: NodeRef, intervalMs: number): number {
    const since = ref.graft?.since;
    return since === undefined || !this.gens ? 0 : this.gens.ticksAt(intervalMs, since);
  }

  /** The value a generated leaf shows now, continuing from its base (`plain` before the first tick). */
  private generatedValue(ref: NodeRef, path: string, plain: string, leaf: LeafShape): string {
    const gens = this.gens;
    const def = gens === undefined ? undefined : this.generatorsOf(ref).get(path);
    if (gens === undefined || def === undefined) return plain; // a row AddObject created: no generator
    const off = this.tickOffset(ref, def.intervalMs);
    const k = gens.ticksAt(def.intervalMs) - off;
    const resetAt = ref.graft ? undefined : this.resetAt;
    const base = this.generated?.get(path) ?? { tick: resetAt === undefined ? 0 : gens.ticksAt(def.intervalMs, resetAt), value: plain };
    if (k <= base.tick) return base.value;
    const since = ref.graft?.since;
    const clock = since === undefined ? gens : { createdAt: since, now: () => gens.now(), tickTime: (iv: number, n: number) => gens.tickTime(iv, n + off) };
    let value = generatedValueAt(def, base, k, { clock, draws: () => new TickDraws(this.ctx.seed, this.ctx.index, path) });
    // An enum writes as SetParameterValues would store it: `1` on a boolean reads `true`.
    if (def.type === 'enum' && leaf.type === 'xsd:boolean' && checkValue(leaf.type, value) === undefined) value = normalizeValue(leaf.type, value);
    if (stepsEachTick(def)) (this.generated ??= new Map()).set(path, { tick: k, value });
    return value;
  }

  /** A write to a generated leaf after the start is the base the generator continues from. */
  private rebase(ref: NodeRef, path: string, leaf: LeafShape, value: string): void {
    const def = leaf.generated && this.gens?.startedAt !== undefined ? this.generatorsOf(ref).get(path) : undefined;
    if (def && this.gens) (this.generated ??= new Map()).set(path, { tick: this.gens.ticksAt(def.intervalMs) - this.tickOffset(ref, def.intervalMs), value });
  }

  private toValue(ref: NodeRef): ParameterValue {
    return { name: this.pathOf(ref), value: this.valueOf(ref), type: (ref.shape as LeafShape).type };
  }

  get(path: string): (ParameterValue & { writable: boolean; hidden?: boolean }) | undefined {
    const ref = this.find(path);
    if (!ref || ref.shape.kind !== 'leaf' || path.endsWith('.')) return undefined;
    const v = { ...this.toValue(ref), writable: ref.shape.writable };
    return ref.shape.hidden ? { ...v, hidden: true } : v;
  }

  getValue(path: string): string | undefined {
    const ref = this.find(path);
    if (!ref || ref.shape.kind !== 'leaf') return undefined;
    return this.valueOf(ref);
  }

  has(path: string): boolean {
    const ref = this.find(path);
    return ref !== undefined && (ref.shape.kind === 'leaf') !== path.endsWith('.');
  }

  getValues(names: readonly string[]): ParameterValue[] {
    const out: ParameterValue[] = [];
    for (const name of names) for (const ref of this.leavesFor(name)) out.push(this.toValue(ref));
    return out;
  }

  getNames(path: string, nextLevel: boolean): ParameterInfo[] {
    if (path === '') {
      // TR-069 A.3.2.3: empty path with NextLevel true lists the top-level object(s);
      // a profile may have several (`DeviceID.` beside `InternetGatewayDevice.`, ref. 3.1).
      const tops = this.children(this.rootRef());
      if (nextLevel) return tops.map((c) => ({ name: this.pathOf(c), writable: false }));
      return tops.flatMap((c) => this.namesBelow(c));
    }
    const ref = this.find(path);
    if (!ref || (ref.shape.kind === 'leaf') === path.endsWith('.')) {
      throw fault(9005, `'${path}' matches no parameter or object of this CPE`);
    }
    if (ref.shape.kind === 'leaf') {
      // A.3.2.3: a parameter name (not a partial path) requires NextLevel false.
      if (nextLevel) throw fault(9003, `NextLevel must be false for the parameter name '${path}'`);
      return [{ name: path, writable: ref.shape.writable }];
    }
    if (nextLevel) return this.children(ref).map((c) => ({ name: this.pathOf(c), writable: this.writableOf(c) }));
    return this.namesBelow(ref);
  }

  private namesBelow(ref: NodeRef): ParameterInfo[] {
    const out: ParameterInfo[] = [];
    this.walk(ref, (r) => out.push({ name: this.pathOf(r), writable: this.writableOf(r) }));
    return out;
  }

  /**
   * Validates one write; returns the canonical value or a SetParameterValuesFault.
   * Check order follows the fault codes' specificity: name, writability, type, value.
   */
  private validate(entry: SetValueEntry, ignoreWritable: boolean): { ref: NodeRef; value: string } | SetParameterValuesFaultEntry {
    const bad = (code: number, detail: string): SetParameterValuesFaultEntry => ({
      parameterName: entry.name,
      faultCode: code,
      faultString: `${CPE_FAULT_STRINGS[code] ?? 'Fault'}: ${detail}`,
    });
    const ref = entry.name.endsWith('.') ? undefined : this.find(entry.name);
    if (!ref || ref.shape.kind !== 'leaf') return bad(9005, `'${entry.name}' is not a parameter of this CPE`);
    const leaf = ref.shape;
    if (!ignoreWritable && !leaf.writable) return bad(9008, `'${entry.name}' is read-only`);
    if (entry.type !== undefined && localType(entry.type) !== localType(leaf.type)) {
      return bad(9006, `'${entry.name}' is ${leaf.type}, not ${entry.type}`);
    }
    const why = checkValue(leaf.type, entry.value);
    if (why !== undefined) return bad(9007, why);
    return { ref, value: normalizeValue(leaf.type, entry.value) };
  }

  setValues(entries: readonly SetValueEntry[], origin: ChangeOrigin): void {
    const faults: SetParameterValuesFaultEntry[] = [];
    const writes: { ref: NodeRef; value: string }[] = [];
    const seen = new Set<string>();
    for (const entry of entries) {
      if (seen.has(entry.name)) {
        faults.push({
          parameterName: entry.name,
          faultCode: 9003,
          faultString: `${CPE_FAULT_STRINGS[9003]}: '${entry.name}' appears more than once in one SetParameterValues`,
        });
        continue;
      }
      seen.add(entry.name);
      const r = this.validate(entry, false);
      if ('faultCode' in r) faults.push(r);
      else writes.push(r);
    }
    // TR-069 A.3.2.1: all or nothing; the overall fault is 9003 with one entry per failing parameter.
    if (faults.length > 0) throw new CwmpFault(9003, CPE_FAULT_STRINGS[9003], faults);
    this.apply(writes, origin);
  }

  setInternal(path: string, value: string): void {
    const r = this.validate({ name: path, value }, true);
    if ('faultCode' in r) throw new CwmpFault(r.faultCode, r.faultString);
    this.apply([r], 'internal');
  }

  private apply(writes: readonly { ref: NodeRef; value: string }[], origin: ChangeOrigin): void {
    const changes: ParameterChange[] = [];
    for (const { ref, value } of writes) {
      const path = this.keyOf(ref);
      const oldValue = this.valueOf(ref);
      // Store only what differs from the template, so writing a default back frees the entry.
      if (value === this.defaultValue(ref.shape as LeafShape, ref.row?.instance)) this.values?.delete(path);
      else (this.values ??= new Map()).set(path, value);
      this.rebase(ref, path, ref.shape as LeafShape, value);
      if (oldValue !== value) changes.push({ path, oldValue, newValue: value, origin });
    }
    this.emit(changes);
  }

  private emit(changes: readonly ParameterChange[]): void {
    if (!this.listeners || changes.length === 0) return;
    for (const change of changes) notifyAll(this.listeners, change);
  }

  private emitStructure(change: StructureChange): void {
    if (this.structureListeners) notifyAll(this.structureListeners, change);
  }

  onStructure(listener: (change: StructureChange) => void): () => void {
    this.structureListeners = withListener(this.structureListeners, listener);
    return () => {
      this.structureListeners = withoutListener(this.structureListeners, listener);
    };
  }

  onChange(listener: (change: ParameterChange) => void): () => void {
    this.listeners = withListener(this.listeners, listener);
    return () => {
      this.listeners = withoutListener(this.listeners, listener);
    };
  }

  // ---- objects ---------------------------------------------------------------

  private stateOf(table: TableShape): TableState {
    let state = this.tableStates?.get(table);
    if (!state) {
      const rows = [...this.rowsOf(table)];
      state = { rows, next: table.initialRows + 1 };
      (this.tableStates ??= new Map()).set(table, state);
    }
    return state;
  }

  addObject(tablePath: string, origin: ChangeOrigin = 'internal'): number {
    const ref = this.find(tablePath);
    const shape = ref?.shape;
    if (!shape || shape.kind !== 'table' || !tablePath.endsWith('.')) {
      throw fault(9005, `'${tablePath}' is not a multi-instance object (expected a table path ending with '.', e.g. '${this.template.tablePaths[0] ?? `${this.root}.Hosts.Host.`}')`);
    }
    const state = this.stateOf(shape);
    const instance = state.next++;
    state.rows.push(instance); // `next` only grows, so rows stay ascending
    this.emitStructure({ kind: 'added', path: `${tablePath}${instance}.`, origin });
    this.syncEntryCount(tablePath, state.rows.length - 1);
    return instance;
  }

  deleteObject(instancePath: string, origin: ChangeOrigin = 'internal'): void {
    const ref = instancePath.endsWith('.') ? this.find(instancePath) : undefined;
    if (!ref?.row || !this.isRow(ref)) {
      throw fault(9005, `'${instancePath}' is not an existing instance of a multi-instance object (expected e.g. '${this.template.tablePaths[0] ?? `${this.root}.Hosts.Host.`}1.')`);
    }
    // The rows of nested tables go with it; listeners hear of them too (deepest first),
    // so an ObjectDeletion subscription on a nested table sees its rows vanish.
    const gone: string[] = [];
    if (this.structureListeners) this.walk(ref, (r) => {
      if (r !== ref && this.isRow(r)) gone.push(this.pathOf(r));
    });
    const state = this.stateOf(ref.row.table);
    state.rows.splice(state.rows.indexOf(ref.row.instance), 1);
    // Forget what the overlay held for the row (its number is never handed out again),
    // nested tables of the row included.
    for (const map of [this.values, this.attrs, this.generated]) {
      if (!map) continue;
      for (const key of map.keys()) if (key.startsWith(instancePath)) map.delete(key);
    }
    if (this.tableStates) for (const t of this.tableStates.keys()) if (t.path.startsWith(instancePath)) this.tableStates.delete(t);
    for (const p of gone.reverse()) this.emitStructure({ kind: 'deleted', path: p, origin });
    this.emitStructure({ kind: 'deleted', path: instancePath, origin });
    this.syncEntryCount(instancePath.slice(0, instancePath.length - String(ref.row.instance).length - 1), state.rows.length + 1);
  }

  /**
   * Ref. 3.6 / TR-106 §3.2.2: a `<Table>NumberOfEntries` leaf beside a table is the
   * number of rows the table has now, derived on read (so AddObject, DeleteObject, a
   * factory reset, rows the device or a USP Add made and tables in a grafted app all
   * agree with it, and no per-table bookkeeping can drift). Undefined for other leaves.
   */
  private entryCount(path: string): number | undefined {
    if (!path.endsWith(ENTRY_COUNT)) return undefined;
    const table = this.find(`${path.slice(0, -ENTRY_COUNT.length)}.`);
    return table?.shape.kind === 'table' ? this.rowsOf(table.shape).length : undefined;
  }

  /**
   * A row came or went: the table's counter (derived on read) changed from `before`
   * rows, which its `onChange` listeners hear as a device write (CWMP notification
   * attributes and USP ValueChange subscriptions on counters work as for any leaf).
   */
  private syncEntryCount(tablePath: string, before: number): void {
    const counter = `${tablePath.slice(0, -1)}${ENTRY_COUNT}`;
    if (this.find(counter)?.shape.kind !== 'leaf') return;
    const now = this.entryCount(counter);
    if (now === undefined || now === before) return;
    // A value written before is shadowed by the count: drop it rather than keep it stale.
    this.values?.delete(counter);
    this.emit([{ path: counter, oldValue: String(before), newValue: String(now), origin: 'internal' }]);
  }

  // ---- attributes ------------------------------------------------------------

  /** What `path` reads when no SetParameterAttributes touched it (or it was reset). */
  private initialAttributes(path: string): Attributes {
    return this.template.passiveAtStart.has(path) ? PASSIVE_ATTRIBUTES : DEFAULT_ATTRIBUTES;
  }

  private attributesOf(path: string): Attributes {
    return this.attrs?.get(path) ?? this.initialAttributes(path);
  }

  getAttributes(names: readonly string[]): ParameterAttributes[] {
    const out: ParameterAttributes[] = [];
    for (const name of names) {
      for (const ref of this.leavesFor(name)) {
        const path = this.pathOf(ref);
        const a = this.attributesOf(path);
        out.push({ name: path, notification: a.notification, accessList: a.accessList });
      }
    }
    return out;
  }

  setAttributes(entries: readonly SetAttributesEntry[]): void {
    // Validate everything first: SetParameterAttributes is all or none (TR-069 A.3.2.4).
    const targets: string[][] = [];
    for (const entry of entries) {
      if (entry.notificationChange && !(entry.notification === 0 || entry.notification === 1 || entry.notification === 2)) {
        throw fault(9003, `Notification ${String(entry.notification)} for '${entry.name}' is not supported (expected 0 off, 1 passive or 2 active)`);
      }
      targets.push(this.leavesFor(entry.name).map((r) => this.keyOf(r)));
    }
    entries.forEach((entry, k) => {
      for (const path of targets[k] ?? []) {
        const cur = this.attributesOf(path);
        const next: Attributes = {
          notification: entry.notificationChange ? entry.notification : cur.notification,
          accessList: !entry.accessListChange ? cur.accessList : entry.accessList.length === 0 ? NO_ONE : Object.freeze([...entry.accessList]),
        };
        // The overlay holds what differs from the leaf's initial attributes, so a leaf that
        // starts passive and is set to 0 keeps its 0 (and a reset brings its 1 back).
        // (Initial attributes never carry an access list.)
        const initial = this.initialAttributes(path);
        if (next.notification === initial.notification && next.accessList.length === 0) this.attrs?.delete(path);
        else (this.attrs ??= new Map()).set(path, next);
      }
    });
  }

  notifying(): { name: string; notification: 1 | 2 }[] {
    const out: { name: string; notification: 1 | 2 }[] = [];
    for (const name of this.template.passiveAtStart) if (!this.attrs?.has(name)) out.push({ name, notification: 1 });
    if (this.attrs) for (const [name, a] of this.attrs) if (a.notification !== 0) out.push({ name, notification: a.notification });
    return out;
  }

  // ---- grafts (installed apps' data models, ref §8.4) ---------------------------------

  graft(subtree: Template, id: string): string[] {
    if (this.graftList?.some((g) => g.id === id)) throw fault(9025, `a subtree with id '${id}' is already grafted`);
    const roots: string[] = [];
    // Walk the subtree from its top: where the device has a plain object, descend; where
    // it lacks the node, attach it; anything else (a leaf on either side, a table, a row,
    // another app's node) is a collision and nothing is attached.
    const visit = (shape: Shape): void => {
      const path = shape.kind === 'table' ? shape.path : shape.rel;
      const other = path.endsWith('.') ? path.slice(0, -1) : `${path}.`;
      const mine = this.find(path) ?? this.find(other);
      if (mine === undefined) {
        roots.push(path);
        return;
      }
      if (shape.kind === 'object' && mine.shape.kind === 'object' && !mine.row && !mine.graft && path.endsWith('.')) {
        for (const c of shape.children) visit(c);
        return;
      }
      throw fault(9025, `'${path}' of the app's data model collides with '${this.pathOf(mine)}' of this CPE's tree`);
    };
    for (const top of subtree.rootShape.children) visit(top);
    if (roots.length === 0) throw fault(9025, 'the app adds no node the tree lacks');
    roots.sort();
    (this.graftList ??= []).push({ id, template: subtree, roots, since: this.gens?.now() });
    return [...roots];
  }

  ungraft(id: string): boolean {
    const i = this.graftList?.findIndex((g) => g.id === id) ?? -1;
    if (i < 0 || !this.graftList) return false;
    const [g] = this.graftList.splice(i, 1) as [Graft];
    if (this.graftList.length === 0) this.graftList = undefined;
    const under = (key: string): boolean => g.roots.some((r) => key === r || (r.endsWith('.') && key.startsWith(r)));
    // Forget what the overlay held for the app's nodes: a reinstall starts from its manifest.
    for (const map of [this.values, this.attrs, this.generated]) {
      if (!map) continue;
      for (const key of map.keys()) if (under(key)) map.delete(key);
    }
    if (this.tableStates) for (const t of this.tableStates.keys()) if (under(t.path)) this.tableStates.delete(t);
    return true;
  }

  grafts(): GraftInfo[] {
    return (this.graftList ?? []).map((g) => ({ id: g.id, roots: [...g.roots] }));
  }

  reset(): void {
    this.values = undefined;
    this.attrs = undefined;
    this.tableStates = undefined;
    // ref §11: a factory reset rebuilds the tree as at start-up, installed apps forgotten.
    this.graftList = undefined;
    // Generators keep running from the profile values (uptime keeps counting: §6.2).
    this.generated = undefined;
    if (this.gens?.startedAt !== undefined) this.resetAt = this.gens.now();
    this.emitStructure({ kind: 'reset' });
  }
}

/** Calls every listener; the change is already applied, so a failing observer must not turn it into a fault for the caller: its error is rethrown asynchronously. */
function notifyAll<T>(listeners: ListenerList<T>, change: T): void {
  for (const listener of listeners) {
    try {
      listener(change);
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}

/**
 * Creates one CPE's parameter tree over a shared template. Nothing is copied: reads
 * fall through to the template (per-CPE placeholders such as `{cpe_id}` are stamped
 * on read with `ctx`), and only writes, row changes and attribute changes are stored.
 * With `generators` (one {@link GeneratorClock} per fleet), the leaves the profile's
 * generators drive read as their generator has moved them by the clock's current time
 * (profile format §6); without it they read as plain leaves.
 *
 * @example
 * const tree = createParameterTree(template, { index: 7, id: 'cpe-7' });
 * tree.getValue('Device.ManagementServer.ConnectionRequestUsername'); // 'cr-cpe-7'
 * tree.setValues([{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '60' }], 'acs');
 */
export function createParameterTree(template: Template, ctx: PlaceholderInput, generators?: GeneratorClock): ParameterTree {
  // The clock is kept even for a profile without generators: an installed app may bring some (ref §6.3).
  return new OverlayTree(template, { index: ctx.index, id: ctx.id, seed: ctx.seed ?? 0n }, generators);
}
