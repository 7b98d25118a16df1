/**
 * `Template`: a Profile compiled once per fleet into an immutable object tree that
 * every CPE's `ParameterTree` shares. Leaf definitions are interned in the tree's
 * nodes; children are kept sorted (tree order), so partial-path and NextLevel
 * queries walk a subtree directly instead of scanning every path.
 * @module
 */
import { ProfileError, type ProfileProblem, type SourcePosition } from '../errors/index.js';
import { compileSerialPattern, hasPlaceholders, serialPatternProblems, type SerialStamper } from '../profile/index.js';
import type { DataModelRoot, GeneratorDef, LeafDef, PlaceholderInput, Profile, TableDef, XsdType } from '../profile/types.js';

/** A leaf definition as the template holds it. @internal */
export interface LeafShape {
  readonly kind: 'leaf';
  /** Last path segment. */
  readonly name: string;
  /** Full path for a static leaf; path relative to the row for a table-row leaf. */
  readonly rel: string;
  readonly type: XsdType;
  /** Default value as written in the profile (may hold `{i}` and per-CPE placeholders). */
  readonly value: string;
  readonly writable: boolean;
  /** The value must go through `stampPlaceholders` per CPE. */
  readonly stamped: boolean;
  /** This is `deviceIdPaths.serialNumber`: the value goes through `stampSerial` instead. */
  readonly serial: boolean;
  /** A generator drives this leaf (for a table-row leaf: in at least one row). */
  readonly generated: boolean;
  /** `hidden: true` in the profile: GetParameterValues answers "" (TR-181 secrets). */
  readonly hidden: boolean;
}

/** A single-instance object (`Device.`, `Device.DeviceInfo.`, or a sub-object of a row). @internal */
export interface ObjectShape {
  readonly kind: 'object';
  readonly name: string;
  /** Ends with '.'; full path for static objects, row-relative inside a table row. */
  readonly rel: string;
  readonly children: readonly Shape[];
}

/** The shape of one row of a table: descendants' `rel` are relative to the row path. @internal */
export interface RowShape {
  readonly row: ObjectShape;
  /** Row-relative path → shape (objects end with '.'; nested tables too). */
  readonly rowIndex: ReadonlyMap<string, Shape>;
}

/**
 * A multi-instance table (`Device.Hosts.Host.`); its rows live in each tree. A table
 * may sit in a concrete row of another table (`Device.WiFi.AccessPoint.1.AssociatedDevice.`,
 * ref. 3.3); rows 1..N may carry extra leaves of their own (groups, ref. 3.5). @internal
 */
export interface TableShape extends RowShape {
  readonly kind: 'table';
  readonly name: string;
  /** Relative to its container: the full path for a top-level table, row-relative inside a row. Ends with '.'. */
  readonly rel: string;
  /** Full path, ends with '.'. */
  readonly path: string;
  readonly def: TableDef;
  /** Rows 1..initialRows exist in an untouched tree. */
  readonly initialRows: number;
  /** Initial rows with extra leaves or nested tables: their own shape (the template's leaves plus the extras). */
  readonly rowsWithExtras: ReadonlyMap<number, RowShape>;
  /** The rows of other tables this table lies in, outermost first. */
  readonly enclosing: readonly { table: TableShape; instance: number }[];
  /**
   * Set on a table nested in a row made at run time: the table of an initial row it was
   * modelled on (see {@link Template.rowShape}).
   */
  readonly origin?: TableShape;
}

/** @internal */
export type Shape = LeafShape | ObjectShape | TableShape;

interface MutableObject {
  kind: 'object';
  name: string;
  rel: string;
  children: Shape[];
}

/**
 * Tree order of sibling names: instance numbers numerically and before names,
 * names by code unit (stable and locale-independent).
 */
export function compareSegments(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn && Number(a) !== Number(b)) return Number(a) - Number(b);
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortTree(node: MutableObject): void {
  node.children.sort((x, y) => compareSegments(x.name, y.name));
  for (const c of node.children) if (c.kind === 'object') sortTree(c as MutableObject);
}

// Ref. 3.1: any run of letters, digits, '_' and '-' (`01`, `X_EXAMPLE-Vendor`).
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Builds a subtree from leaf paths relative to `base` (`''` for the static tree).
 * Intermediate objects are created on the way; a name used both as object and leaf
 * is reported.
 */
class ShapeBuilder {
  readonly root: MutableObject;
  readonly index = new Map<string, Shape>();
  /** Key and position of the definition being added, for problem reports. */
  private where: { key: string; source?: SourcePosition | undefined } = { key: '' };
  constructor(
    rootName: string,
    rootRel: string,
    private readonly problems: ProfileProblem[],
  ) {
    this.root = { kind: 'object', name: rootName, rel: rootRel, children: [] };
    this.index.set(rootRel, this.root);
  }

  /** Sets what the next problems are reported against. */
  at(key: string, source: SourcePosition | undefined): this {
    this.where = { key, source };
    return this;
  }

  private report(message: string): void {
    const { key, source } = this.where;
    this.problems.push(source ? { key, message, file: source.file, line: source.line, col: source.col } : { key, message });
  }

  /** Walks/creates the objects for `segments` below the root; undefined on a conflict. */
  private objectAt(segments: readonly string[], fullForMessage: string): MutableObject | undefined {
    let node = this.root;
    let rel = this.root.rel;
    for (const seg of segments) {
      rel += `${seg}.`;
      const existing = this.index.get(rel);
      if (existing === undefined) {
        const conflicting = this.index.get(rel.slice(0, -1));
        if (conflicting !== undefined) {
          this.report(`'${fullForMessage}' needs an object '${rel}' but '${rel.slice(0, -1)}' is a leaf`);
          return undefined;
        }
        const created: MutableObject = { kind: 'object', name: seg, rel, children: [] };
        node.children.push(created);
        this.index.set(rel, created);
        node = created;
      } else if (existing.kind === 'object') {
        node = existing as MutableObject;
      } else {
        this.report(`'${fullForMessage}' lies below the multi-instance table '${rel}'; declare it in that table's parameters`);
        return undefined;
      }
    }
    return node;
  }

  private segmentsOf(rel: string, full: string): string[] | undefined {
    const parts = rel.split('.');
    if (parts.some((p) => !SEGMENT.test(p))) {
      this.report(`'${full}' is not a valid parameter path (expected dot-separated names or instance numbers)`);
      return undefined;
    }
    return parts;
  }

  addLeaf(relPath: string, full: string, make: (name: string, rel: string) => LeafShape): void {
    const segments = this.segmentsOf(relPath, full);
    if (!segments) return;
    const name = segments.pop() as string;
    const parent = this.objectAt(segments, full);
    if (!parent) return;
    const rel = parent.rel + name;
    if (this.index.has(rel) || this.index.has(`${rel}.`)) {
      this.report(`'${full}' is declared twice or also used as an object`);
      return;
    }
    const leaf = make(name, rel);
    parent.children.push(leaf);
    this.index.set(rel, leaf);
  }

  /** Puts an existing shape (a template row leaf) at its own `rel`. */
  addShared(shape: LeafShape): void {
    this.addLeaf(shape.rel, shape.rel, () => shape);
  }

  addTable(relPath: string, full: string, make: (name: string, rel: string) => TableShape): void {
    const segments = this.segmentsOf(relPath, full);
    if (!segments) return;
    const name = segments.pop() as string;
    const parent = this.objectAt(segments, full);
    if (!parent) return;
    const rel = `${parent.rel}${name}.`;
    if (this.index.has(rel) || this.index.has(rel.slice(0, -1))) {
      this.report(`table '${full}' is declared twice or its path is also used by other parameters`);
      return;
    }
    const table = make(name, rel);
    parent.children.push(table);
    this.index.set(rel, table);
  }
}

/** A table while the template is built. */
interface TableBuild {
  shape: TableShape;
  /** Builders of the initial rows that have extras, created on first use. */
  rows: Map<number, ShapeBuilder>;
}

/** How many row paths a template shares among its trees ({@link Template.internPath}): ~1 MB at most. */
const MAX_INTERNED_PATHS = 10_000;

/**
 * A profile compiled for fast queries. Immutable and shared by every CPE of a fleet;
 * per-CPE state lives in the `ParameterTree` overlay.
 *
 * @example
 * const template = Template.compile(await loadProfile('tr181-digest'));
 * const tree = createParameterTree(template, { index: 1, id: 'cpe-1' });
 */
export class Template {
  /** The profile this template was compiled from. */
  readonly profile: Profile;
  /** The management root (`Device`, `InternetGatewayDevice`, …): first segment of deviceIdPaths.manufacturer. */
  readonly root: DataModelRoot;
  /** Every top-level object, in tree order. */
  readonly roots: readonly string[];
  /** Number of leaves of an untouched tree (static leaves plus the initial table rows). */
  readonly leafCount: number;
  /** Paths of the multi-instance tables (ending with '.'), in tree order. */
  readonly tablePaths: readonly string[];
  /** @internal The unnamed top object (rel ''): its children are the root objects. */
  readonly rootShape: ObjectShape;
  /** @internal Every static node by full path (objects and tables end with '.'), nodes inside table rows excluded. */
  readonly index: ReadonlyMap<string, Shape>;
  /** @internal Every table (nested ones included), longest path first, to resolve row paths. */
  readonly tables: readonly TableShape[];
  /**
   * Every generator by the full path of the leaf it drives (profile §6; inline ones
   * already expanded per row by the loader). Rows added by AddObject have none.
   */
  readonly generators: ReadonlyMap<string, GeneratorDef>;
  /**
   * @internal Leaves whose Notification attribute is 1 (passive) in a tree that no
   * SetParameterAttributes touched: ref 3.7, the profile's `periodicInformPaths`, at
   * start-up and again after a factory reset. Kept here, once, rather than written into
   * the attributes of every tree (issue 21: a Map and two entries per CPE).
   */
  readonly passiveAtStart: ReadonlySet<string>;
  /** @internal The profile's `fleet.serialPattern`, checked once here, stamped on every serial read. */
  readonly serialStamper: SerialStamper;

  /** Row shapes of rows made at run time that carry nested tables, per table and instance. */
  private readonly dynamicRows = new Map<TableShape, Map<number, RowShape>>();
  /** {@link nestedTemplates} per source table. */
  private readonly nestedCache = new Map<TableShape, readonly TableShape[]>();
  /** {@link internPath}'s strings, at most {@link MAX_INTERNED_PATHS}. */
  private readonly interned = new Map<string, string>();

  /**
   * True for a template compiled by {@link Template.fragment}: an app's data model that a
   * tree grafts in (ref §8.4). Its values are never stamped.
   */
  readonly isFragment: boolean;

  /**
   * @internal One string per row path for every tree of this template: the keys of a
   * tree's overlay (values, attributes) inside table rows are made by joining a row's
   * base and a leaf's name, so without this each of 10,000 trees kept its own copy of
   * `Device.LocalAgent.MTP.1.MQTT.ResponseTopicConfigured` (issue 21). Bounded: past
   * {@link MAX_INTERNED_PATHS} distinct paths (rows numbered differently in each tree)
   * a path is returned as given.
   */
  internPath(path: string): string {
    const known = this.interned.get(path);
    if (known !== undefined) return known;
    if (this.interned.size < MAX_INTERNED_PATHS) this.interned.set(path, path);
    return path;
  }

  private constructor(profile: Profile, fragment = false) {
    this.profile = profile;
    this.isFragment = fragment;
    this.root = profile.root;
    const problems: ProfileProblem[] = [];
    const builder = new ShapeBuilder('', '', problems);
    const serialPath = profile.deviceIdPaths.serialNumber;
    const pools = profile.fleet.pools ?? {};
    const problemAt = (key: string, source: SourcePosition | undefined, message: string): void => {
      problems.push(source ? { key, message, file: source.file, line: source.line, col: source.col } : { key, message });
    };

    const leafShape = (def: LeafDef, name: string, rel: string, serial: boolean): LeafShape => ({
      kind: 'leaf',
      name,
      rel,
      type: def.type,
      value: def.value,
      writable: def.writable,
      // `{i}` is replaced before stamping; check what remains. An app's values are
      // taken literally (ref §8.4: placeholders are not substituted in a manifest).
      stamped: !fragment && hasPlaceholders(def.value.replaceAll('{i}', '1'), pools),
      serial,
      generated: false,
      hidden: def.hidden === true,
    });

    // Tables first (outer before inner), so leaves and inner tables find their container.
    const builds: TableBuild[] = [];
    const innermost = (path: string): TableBuild | undefined => {
      let best: TableBuild | undefined;
      for (const b of builds) if (path.startsWith(b.shape.path) && path !== b.shape.path && (!best || b.shape.path.length > best.shape.path.length)) best = b;
      return best;
    };
    /** The builder that holds `path` and the path relative to it; undefined (reported) when `path` is in no initial row. */
    const containerOf = (path: string, key: string, source: SourcePosition | undefined): { builder: ShapeBuilder; rel: string; outer?: { table: TableShape; instance: number } } | undefined => {
      const t = innermost(path);
      if (!t) return { builder, rel: path };
      const rest = path.slice(t.shape.path.length);
      const seg = rest.split('.', 1)[0] ?? '';
      const n = /^[1-9]\d{0,9}$/.test(seg) ? Number(seg) : 0;
      if (n < 1 || n > t.shape.initialRows || rest.length === seg.length) {
        problemAt(key, source, `'${path}' lies below the multi-instance table '${t.shape.path}' but not in one of its rows 1…${t.shape.initialRows}; declare it in that table's parameters, or with a group on an existing row`);
        return undefined;
      }
      let rb = t.rows.get(n);
      if (!rb) {
        rb = new ShapeBuilder('', '', problems);
        for (const s of t.shape.rowIndex.values()) if (s.kind === 'leaf') rb.addShared(s);
        t.rows.set(n, rb);
      }
      return { builder: rb, rel: rest.slice(seg.length + 1), outer: { table: t.shape, instance: n } };
    };

    const tableDefs = [...profile.objects].sort((a, b) => a.path.length - b.path.length);
    for (const def of tableDefs) {
      const path = def.path.endsWith('.') ? def.path : `${def.path}.`;
      const at = containerOf(path, 'objects', def.source);
      if (!at) continue;
      const rowBuilder = new ShapeBuilder('', '', problems);
      for (const p of def.parameters) {
        rowBuilder.at(`objects[${def.path}].parameters`, p.source ?? def.source).addLeaf(p.path, `${path}{i}.${p.path}`, (name, rel) => leafShape(p, name, rel, false));
      }
      sortTree(rowBuilder.root);
      const rowIndex = new Map<string, Shape>();
      for (const [k, v] of rowBuilder.index) if (k !== '') rowIndex.set(k, v);
      const outerChain = at.outer ? [...at.outer.table.enclosing, at.outer] : [];
      at.builder.at('objects', def.source).addTable(at.rel.slice(0, -1), path, (name, rel) => {
        const t: TableShape = { kind: 'table', name, rel, path, def, row: rowBuilder.root, rowIndex, initialRows: def.instances, rowsWithExtras: new Map(), enclosing: outerChain };
        builds.push({ shape: t, rows: new Map() });
        return t;
      });
    }

    for (const def of profile.parameters) {
      const at = containerOf(def.path, 'parameters', def.source);
      if (!at) continue;
      at.builder.at('parameters', def.source).addLeaf(at.rel, def.path, (name, rel) => leafShape(def, name, rel, def.path === serialPath));
    }
    // A loaded profile was checked already; a hand-built Profile is caught here rather
    // than at the first Inform that reads the serial number.
    for (const msg of serialPatternProblems(profile.fleet.serialPattern, pools)) problemAt('fleet.serialPattern', undefined, msg);
    if (builder.root.children.length === 0 && problems.length === 0) problemAt('parameters', undefined, 'the profile has no leaves');
    if (problems.length > 0) throw new ProfileError(problems, profile.source);

    // Rows with extras get their own (sorted) shape; the map is filled in place before freezing.
    for (const b of builds) {
      const extras = b.shape.rowsWithExtras as Map<number, RowShape>;
      for (const [n, rb] of b.rows) {
        sortTree(rb.root);
        const rowIndex = new Map<string, Shape>();
        for (const [k, v] of rb.index) if (k !== '') rowIndex.set(k, v);
        extras.set(n, { row: rb.root, rowIndex });
      }
    }

    this.serialStamper = compileSerialPattern(profile.fleet.serialPattern, pools);
    sortTree(builder.root);
    const index = builder.index;
    index.delete('');
    this.rootShape = builder.root;
    this.roots = builder.root.children.map((c) => c.name);
    this.index = index;
    this.tables = builds.map((b) => b.shape).sort((a, b) => b.path.length - a.path.length);
    this.tablePaths = this.tables.map((t) => t.path).sort(comparePaths);
    let count = 0;
    for (const s of index.values()) if (s.kind === 'leaf') count++;
    const leavesOf = (r: RowShape): number => [...r.rowIndex.values()].filter((s) => s.kind === 'leaf').length;
    for (const t of this.tables) {
      const plain = leavesOf(t);
      count += (t.initialRows - t.rowsWithExtras.size) * plain;
      for (const r of t.rowsWithExtras.values()) count += leavesOf(r);
    }
    const generators = new Map<string, GeneratorDef>();
    for (const g of profile.generators) {
      const found = this.resolve(g.path);
      const initial = found?.row === undefined || found.row.instance <= found.row.table.initialRows;
      // The loader checked these; a hand-built Profile is caught here, not at the first read.
      if (!found || found.shape.kind !== 'leaf' || !initial) problemAt('generators', g.source, `generator path '${g.path}' is not a leaf of the profile`);
      else if (generators.has(g.path)) problemAt('generators', g.source, `two generators drive '${g.path}'`);
      else {
        generators.set(g.path, g);
        (found.shape as { generated: boolean }).generated = true;
      }
    }
    if (problems.length > 0) throw new ProfileError(problems, profile.source);
    this.generators = generators;
    this.leafCount = count;
    const pip = profile.periodicInformPaths;
    this.passiveAtStart = new Set(pip === undefined ? [] : [pip.interval, pip.enable, pip.time].filter((p): p is string => p !== undefined && index.get(p)?.kind === 'leaf'));
    Object.freeze(this);
  }

  /**
   * Compiles a validated profile. Throws `ProfileError` for a structure the tree
   * cannot hold (a name used as leaf and object, a leaf below a table outside its rows).
   */
  static compile(profile: Profile): Template {
    return new Template(profile);
  }

  /**
   * Compiles a subtree that is not a device: an app manifest's leaves, tables and
   * generators (ref §8.4), for {@link ParameterTree.graft}. Paths are full paths
   * (`Device.X_EXAMPLE_Probe.Enable`); values are taken literally (no placeholders).
   * @throws {ProfileError} for a structure a tree cannot hold.
   * @example
   * const app = Template.fragment(parseManifest(text, url), url);
   * tree.graft(app, 'ffa0fa99-1cfe-5af6-bc87-bf35c54d5d81');
   */
  static fragment(defs: { parameters: Profile['parameters']; objects: Profile['objects']; generators: Profile['generators']; roots: Profile['roots'] }, source: string): Template {
    const root = defs.roots[0] ?? '';
    const profile: Profile = {
      source,
      root,
      roots: defs.roots,
      // No leaf of a fragment is a device identity: '' matches no path.
      deviceIdPaths: { manufacturer: '', oui: '', productClass: '', serialNumber: '' },
      parameters: defs.parameters,
      objects: defs.objects,
      informParameters: {},
      generators: defs.generators,
      fleet: { count: 1, offset: 0, serialPattern: '{base}', pools: {} },
      connectionRequest: { scheme: '', realm: '', throttleWindowMs: 0 },
      transfer: { defaultDelayMs: 0, faults: {} },
      eventSchedule: { rebootDelayMs: 0, factoryResetDelayMs: 0, bootDelayMs: 0, bootRampMs: 0 },
      diagnostics: [],
      faults: {},
    };
    return new Template(profile, true);
  }

  /** The serial number of the CPE `ctx` from the serial leaf's declared value (ref. 5.2). */
  stampSerial(base: string, ctx: PlaceholderInput | number): string {
    return this.serialStamper(base, typeof ctx === 'number' ? { index: ctx, id: `cpe-${ctx}` } : ctx);
  }

  /** True when an untouched tree has this leaf (static leaves and the initial table rows). */
  hasLeaf(path: string): boolean {
    const found = this.resolve(path);
    if (!found || found.shape.kind !== 'leaf') return false;
    return found.row === undefined || found.row.instance <= found.row.table.initialRows;
  }

  /** The type of a leaf; for table-row leaves any instance number answers. */
  leafType(path: string): XsdType | undefined {
    const found = this.resolve(path);
    return found?.shape.kind === 'leaf' ? found.shape.type : undefined;
  }

  /**
   * @internal The shape of row `instance` of `table`: its own when it has extras. A row
   * made at run time (past the initial rows) also has, empty, every table the profile
   * nests directly in an initial row (`Device.LocalAgent.Controller.1.MTP.` makes a new
   * `Controller.2.` have `MTP.` too): TR-181 gives every row of a table the same
   * sub-tables, while a profile can only declare them in rows that exist at start.
   * Group leaves of initial rows stay theirs. One shape per (table, instance), shared by
   * every tree, so per-tree row state can key on it.
   */
  rowShape(table: TableShape, instance: number): RowShape {
    const own = table.rowsWithExtras.get(instance);
    if (own) return own;
    if (instance <= table.initialRows) return table;
    const nested = this.nestedTemplates(table);
    if (nested.length === 0) return table;
    let rows = this.dynamicRows.get(table);
    if (!rows) this.dynamicRows.set(table, (rows = new Map()));
    let shape = rows.get(instance);
    if (!shape) {
      const rowPath = `${table.path}${instance}.`;
      const enclosing = [...table.enclosing, { table, instance }];
      const tables: TableShape[] = nested.map((t) => ({ ...t, path: `${rowPath}${t.rel}`, initialRows: 0, rowsWithExtras: new Map(), enclosing, origin: t.origin ?? t }));
      const children = [...table.row.children, ...tables].sort((x, y) => compareSegments(x.name, y.name));
      const rowIndex = new Map(table.rowIndex);
      for (const t of tables) rowIndex.set(t.rel, t);
      shape = { row: { ...table.row, children }, rowIndex };
      rows.set(instance, shape);
    }
    return shape;
  }

  /** Tables nested directly in the initial rows of `table` (or of the table it was modelled on), first declaration of each name. */
  private nestedTemplates(table: TableShape): readonly TableShape[] {
    const source = table.origin ?? table;
    let found = this.nestedCache.get(source);
    if (!found) {
      const byName = new Map<string, TableShape>();
      for (const r of [...source.rowsWithExtras.keys()].sort((a, b) => a - b).map((n) => source.rowsWithExtras.get(n) as RowShape)) {
        for (const [rel, shape] of r.rowIndex) if (shape.kind === 'table' && rel.indexOf('.') === rel.length - 1 && !byName.has(rel) && !table.rowIndex.has(rel)) byName.set(rel, shape);
      }
      found = [...byName.values()];
      this.nestedCache.set(source, found);
    }
    return found;
  }

  /**
   * @internal Finds the shape of `path` regardless of which rows a tree has. For paths
   * below a table, `row` says which table and instance (the innermost); `shape` is then
   * the row shape itself (path = row) or a row-relative node.
   */
  resolve(path: string): { shape: Shape; row?: { table: TableShape; instance: number; base: string } } | undefined {
    const direct = this.index.get(path);
    if (direct !== undefined) return { shape: direct };
    for (const table of this.tables) {
      if (!path.startsWith(table.path) || path === table.path) continue;
      const rest = path.slice(table.path.length);
      const dot = rest.indexOf('.');
      if (dot <= 0) return undefined;
      const num = rest.slice(0, dot);
      if (!/^[1-9]\d{0,9}$/.test(num)) return undefined;
      const instance = Number(num);
      const base = table.path + num + '.';
      const relPath = rest.slice(dot + 1);
      return this.resolveInRow(table, instance, relPath);
    }
    return undefined;
  }

  /** `resolve` below row `instance` of `table`; `relPath` is relative to the row. */
  private resolveInRow(table: TableShape, instance: number, relPath: string): { shape: Shape; row: { table: TableShape; instance: number; base: string } } | undefined {
    const row = { table, instance, base: `${table.path}${instance}.` };
    const shape = this.rowShape(table, instance);
    if (relPath === '') return { shape: shape.row, row };
    const found = shape.rowIndex.get(relPath);
    if (found) return { shape: found, row };
    if (instance <= table.initialRows) return undefined;
    // A table nested in a row made at run time is in no static index: continue in it.
    for (const [rel, nested] of shape.rowIndex) {
      if (nested.kind !== 'table' || !relPath.startsWith(rel)) continue;
      const rest = relPath.slice(rel.length);
      const dot = rest.indexOf('.');
      const num = rest.slice(0, dot);
      if (dot <= 0 || !/^[1-9]\d{0,9}$/.test(num)) return undefined;
      return this.resolveInRow(nested, Number(num), rest.slice(dot + 1));
    }
    return undefined;
  }
}

function comparePaths(a: string, b: string): number {
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const c = compareSegments(as[i] as string, bs[i] as string);
    if (c !== 0) return c;
  }
  return as.length - bs.length;
}
