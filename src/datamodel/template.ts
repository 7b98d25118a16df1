/**
 * `Template`: a Profile compiled once per fleet into an immutable object tree that
 * every CPE's `ParameterTree` shares. Leaf definitions are interned in the tree's
 * nodes; children are kept sorted (tree order), so partial-path and NextLevel
 * queries walk a subtree directly instead of scanning every path.
 * @module
 */
import { ProfileError, type ProfileProblem, type SourcePosition } from '../errors/index.js';
import { compileSerialPattern, hasPlaceholders, serialPatternProblems } from '../profile/index.js';
import type { DataModelRoot, GeneratorDef, LeafDef, Profile, TableDef, XsdType } from '../profile/types.js';

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
  /** This is `deviceIdPaths.serialNumber`: the value goes through `stampSerial` too. */
  readonly serial: boolean;
  /** A generator drives this leaf (for a table-row leaf: in at least one row). */
  readonly generated: boolean;
}

/** A single-instance object (`Device.`, `Device.DeviceInfo.`, or a sub-object of a row). @internal */
export interface ObjectShape {
  readonly kind: 'object';
  readonly name: string;
  /** Ends with '.'; full path for static objects, row-relative inside a table row. */
  readonly rel: string;
  readonly children: readonly Shape[];
}

/** A multi-instance table (`Device.Hosts.Host.`); its rows live in each tree. @internal */
export interface TableShape {
  readonly kind: 'table';
  readonly name: string;
  /** Full path, ends with '.'. */
  readonly rel: string;
  readonly def: TableDef;
  /** The shape of one row: `rel` of its descendants are relative to the row path. */
  readonly row: ObjectShape;
  /** Row-relative path → shape, for lookups below a row. */
  readonly rowIndex: ReadonlyMap<string, LeafShape | ObjectShape>;
  /** Rows 1..initialRows exist in an untouched tree. */
  readonly initialRows: number;
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
  if (an && bn) return Number(a) - Number(b);
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortTree(node: MutableObject): void {
  node.children.sort((x, y) => compareSegments(x.name, y.name));
  for (const c of node.children) if (c.kind === 'object') sortTree(c as MutableObject);
}

const SEGMENT = /^[A-Za-z_][A-Za-z0-9_-]*$|^[1-9]\d*$/;

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

/**
 * A profile compiled for fast queries. Immutable and shared by every CPE of a fleet;
 * per-CPE state lives in the `ParameterTree` overlay.
 *
 * @example
 * const template = Template.compile(await loadProfile('fixtures/profiles/tr181.yaml'));
 * const tree = createParameterTree(template, { index: 1, id: 'cpe-1' });
 */
export class Template {
  /** The profile this template was compiled from. */
  readonly profile: Profile;
  /** `Device` or `InternetGatewayDevice`. */
  readonly root: DataModelRoot;
  /** Number of leaves of an untouched tree (static leaves plus the initial table rows). */
  readonly leafCount: number;
  /** Paths of the multi-instance tables (ending with '.'), in tree order. */
  readonly tablePaths: readonly string[];
  /** @internal The root object `Device.`. */
  readonly rootShape: ObjectShape;
  /** @internal Every static node by full path (objects and tables end with '.'). */
  readonly index: ReadonlyMap<string, Shape>;
  /** @internal Tables, longest path first, to resolve row paths. */
  readonly tables: readonly TableShape[];
  /**
   * Every generator by the full path of the leaf it drives (profile §6; inline ones
   * already expanded per row by the loader). Rows added by AddObject have none.
   */
  readonly generators: ReadonlyMap<string, GeneratorDef>;
  /** @internal The profile's `fleet.serialPattern`, checked once here, stamped on every serial read. */
  readonly stampSerial: (base: string, index: number) => string;

  private constructor(profile: Profile) {
    this.profile = profile;
    this.root = profile.root;
    const problems: ProfileProblem[] = [];
    const rootRel = `${profile.root}.`;
    const builder = new ShapeBuilder(profile.root, rootRel, problems);
    const serialPath = profile.deviceIdPaths.serialNumber;
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
      // `{i}` is replaced before stamping; check what remains.
      stamped: hasPlaceholders(def.value.replaceAll('{i}', '1')),
      serial,
      generated: false,
    });

    // Tables first (outer before inner), so a static leaf below a table is reported as such.
    const tables: TableShape[] = [];
    const tableDefs = [...profile.objects].sort((a, b) => a.path.length - b.path.length);
    for (const def of tableDefs) {
      const path = def.path.endsWith('.') ? def.path : `${def.path}.`;
      if (!path.startsWith(rootRel)) {
        problemAt('objects', def.source, `table '${def.path}' is not below the root object '${rootRel}'`);
        continue;
      }
      const outer = tables.find((t) => path.startsWith(t.rel) && path !== t.rel);
      if (outer) {
        problemAt('objects', def.source, `table '${def.path}' lies inside the rows of table '${outer.rel}'; nested tables are not supported`);
        continue;
      }
      const rowBuilder = new ShapeBuilder('', '', problems);
      for (const p of def.parameters) {
        rowBuilder.at(`objects[${def.path}].parameters`, p.source ?? def.source).addLeaf(p.path, `${path}{i}.${p.path}`, (name, rel) => leafShape(p, name, rel, false));
      }
      sortTree(rowBuilder.root);
      const rowIndex = new Map<string, LeafShape | ObjectShape>();
      for (const [k, v] of rowBuilder.index) if (k !== '' && v.kind !== 'table') rowIndex.set(k, v);
      builder.at('objects', def.source).addTable(path.slice(rootRel.length, -1), path, (name, rel) => {
        const t: TableShape = { kind: 'table', name, rel, def, row: rowBuilder.root, rowIndex, initialRows: def.instances };
        tables.push(t);
        return t;
      });
    }

    for (const def of profile.parameters) {
      if (!def.path.startsWith(rootRel)) {
        problemAt('parameters', def.source, `'${def.path}' is not below the root object '${rootRel}'`);
        continue;
      }
      builder.at('parameters', def.source).addLeaf(def.path.slice(rootRel.length), def.path, (name, rel) => leafShape(def, name, rel, def.path === serialPath));
    }
    // A loaded profile was checked already; a hand-built Profile is caught here rather
    // than at the first Inform that reads the serial number.
    for (const msg of serialPatternProblems(profile.fleet.serialPattern)) problemAt('fleet.serialPattern', undefined, msg);
    if (problems.length > 0) throw new ProfileError(problems, profile.source);

    this.stampSerial = compileSerialPattern(profile.fleet.serialPattern);
    sortTree(builder.root);
    this.rootShape = builder.root;
    this.index = builder.index;
    this.tables = [...tables].sort((a, b) => b.rel.length - a.rel.length);
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
    this.tablePaths = [...builder.index.values()].filter((s): s is TableShape => s.kind === 'table').map((t) => t.rel).sort(comparePaths);
    let count = profile.parameters.length;
    for (const t of tables) count += t.initialRows * [...t.rowIndex.values()].filter((s) => s.kind === 'leaf').length;
    this.leafCount = count;
    Object.freeze(this);
  }

  /**
   * Compiles a validated profile. Throws `ProfileError` for a structure the tree
   * cannot hold (a name used as leaf and object, a leaf below a table, nested tables).
   */
  static compile(profile: Profile): Template {
    return new Template(profile);
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
   * @internal Finds the shape of `path` regardless of which rows a tree has. For paths
   * below a table, `row` says which table and instance; `shape` is then the row
   * shape itself (path = row) or a row-relative node.
   */
  resolve(path: string): { shape: Shape; row?: { table: TableShape; instance: number; base: string } } | undefined {
    const direct = this.index.get(path);
    if (direct !== undefined) return { shape: direct };
    for (const table of this.tables) {
      if (!path.startsWith(table.rel)) continue;
      const rest = path.slice(table.rel.length);
      const dot = rest.indexOf('.');
      if (dot <= 0) return undefined;
      const num = rest.slice(0, dot);
      if (!/^[1-9]\d{0,9}$/.test(num)) return undefined;
      const instance = Number(num);
      const base = table.rel + num + '.';
      const relPath = rest.slice(dot + 1);
      const row = { table, instance, base };
      if (relPath === '') return { shape: table.row, row };
      const shape = table.rowIndex.get(relPath);
      return shape ? { shape, row } : undefined;
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
