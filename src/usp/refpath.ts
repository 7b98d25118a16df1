/**
 * Reference paths of subscriptions, BootParameter rows and Operate commands, judged
 * against the tree *when an event happens* (usp-notes §5: wildcards are judged at event
 * time, so `Device.Hosts.Host.*.HostName` covers rows created later). A reference is a
 * parameter, object (`….`), command (`…()`) or event (`…!`) path whose instance
 * segments may be a number, `*` (any row of that level) or a search expression
 * `[…]` (rows matching it now).
 * @module
 */
import type { ParameterTree, Template } from '../datamodel/index.js';
import { followReference, parsePath, pickItems, refSegment, resolvePath } from './paths.js';

/**
 * Decides whether the row at `rowPath` (`Device.Hosts.Host.3.`) matches the search `[expr]`
 * now. The one {@link treeSearch} makes also carries its tree and template, with which
 * references in paths (`Interface+`, `LowerLayers#*+`) are followed at event time.
 */
export type SearchMatcher = ((rowPath: string, expr: string) => boolean) & { readonly tree?: ParameterTree; readonly template?: Template };

/**
 * The search matcher of one tree: does the row satisfy the expression now? Uses the
 * dispatcher's parser and typed comparison (paths.ts), so a subscription's `[expr]`
 * means what it means in a Get. A malformed expression matches nothing.
 */
export function treeSearch(tree: ParameterTree, template: Template): SearchMatcher {
  const match = (rowPath: string, expr: string): boolean => {
    const table = rowPath.slice(0, rowPath.slice(0, -1).lastIndexOf('.') + 1);
    try {
      return resolvePath(tree, template, parsePath(`${table}[${expr}].`)).objects.includes(rowPath);
    } catch {
      return false;
    }
  };
  return Object.assign(match, { tree, template });
}

/** True when the reference follows a reference parameter (`…Interface+.Name`, `…LowerLayers#2+.`). */
function followsReference(ref: string): boolean {
  return segmentsOf(ref).some((s) => refSegment(s) !== undefined);
}

/** Splits a path into segments, keeping a `[...]` search (which may contain dots in quoted values) whole. */
export function segmentsOf(path: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quoted = false;
  for (const ch of path) {
    if (ch === '"' && depth > 0) quoted = !quoted;
    else if (ch === '[' && !quoted) depth++;
    else if (ch === ']' && !quoted) depth--;
    if (ch === '.' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out;
}

const INSTANCE = /^[1-9]\d*$/;

function segmentMatches(ref: string, seg: string, prefix: string, search: SearchMatcher | undefined): boolean {
  if (ref === seg) return true;
  if (!INSTANCE.test(seg)) return false;
  if (ref === '*') return true;
  if (ref.startsWith('[') && ref.endsWith(']')) return search !== undefined && search(`${prefix}${seg}.`, ref.slice(1, -1));
  return false;
}

/**
 * True when the reference `ref` covers `target` (a concrete parameter, object,
 * command or event path): an object reference (ending with `.`) covers everything
 * below it; any other reference only the path it names, segment for segment.
 */
export function covers(ref: string, target: string, search?: SearchMatcher): boolean {
  // Reference following: what the reference names depends on values now, so expand it
  // over the tree (TR-369 §"Reference Following") and judge each concrete path.
  if (followsReference(ref)) return search?.tree !== undefined && expandRef(search.tree, ref, search).some((c) => covers(c, target, search));
  const r = segmentsOf(ref);
  const t = segmentsOf(target);
  const objectRef = ref.endsWith('.');
  if (objectRef ? t.length < r.length : t.length !== r.length) return false;
  // An object reference covers the object itself and below; a leaf reference covers no object path.
  if (!objectRef && target.endsWith('.')) return false;
  let prefix = '';
  for (let i = 0; i < r.length; i++) {
    if (!segmentMatches(r[i]!, t[i]!, prefix, search)) return false;
    prefix += `${t[i]!}.`;
  }
  return true;
}

/** True when the reference has a wildcard or search segment. */
export function isPattern(ref: string): boolean {
  return segmentsOf(ref).some((s) => s === '*' || s.startsWith('['));
}

/**
 * The concrete paths of the tree a reference names now: object references give object
 * paths (ending with `.`), parameter references leaf paths; commands and events give
 * the existing object that owns them followed by the name (`Device.X.1.Do()`).
 * Segments that match nothing give nothing (a search path that matches nothing is a
 * success with no results, R-MSG.4a).
 */
export function expandRef(tree: ParameterTree, ref: string, search?: SearchMatcher): string[] {
  const segs = segmentsOf(ref);
  const objectRef = ref.endsWith('.');
  const last = segs[segs.length - 1] ?? '';
  const named = !objectRef && (last.endsWith('()') || last.endsWith('!'));
  const objectSegs = named ? segs.slice(0, -1) : segs;
  let prefixes = [''];
  const leafEnd = objectRef || named ? objectSegs.length : objectSegs.length - 1;
  for (let i = 0; i < leafEnd; i++) {
    const seg = objectSegs[i]!;
    const next: string[] = [];
    const follow = refSegment(seg);
    for (const p of prefixes) {
      if (follow) {
        // A reference that leads nowhere (empty, no such item, no such object) adds nothing.
        const template = search?.template;
        for (const item of pickItems(tree.getValue(`${p}${follow.name}`) ?? '', follow.item)) {
          if (template) {
            const d = followReference(tree, template, item);
            if (d.kind === 'object' && !next.includes(d.path)) next.push(d.path);
          } else {
            const plain = item.endsWith('.') ? item : `${item}.`;
            if (item !== '' && tree.has(plain) && !next.includes(plain)) next.push(plain);
          }
        }
      } else if (seg === '*' || seg.startsWith('[')) {
        if (!tree.has(p)) continue;
        for (const child of tree.getNames(p, true)) {
          const n = child.name.slice(p.length, -1);
          if (!child.name.endsWith('.') || !INSTANCE.test(n)) continue;
          if (seg === '*' || (search !== undefined && search(child.name, seg.slice(1, -1)))) next.push(child.name);
        }
      } else if (tree.has(`${p}${seg}.`)) next.push(`${p}${seg}.`);
    }
    prefixes = next;
  }
  if (objectRef) return prefixes;
  if (named) return prefixes.map((p) => `${p}${last}`);
  return prefixes.map((p) => `${p}${last}`).filter((p) => tree.has(p));
}

/** Every leaf path of the tree a reference covers now (object references: every leaf below). */
export function leavesOf(tree: ParameterTree, ref: string, search?: SearchMatcher): string[] {
  if (!ref.endsWith('.')) return expandRef(tree, ref, search);
  const out: string[] = [];
  for (const obj of expandRef(tree, ref, search)) for (const v of tree.getNames(obj, false)) if (!v.name.endsWith('.')) out.push(v.name);
  return out;
}

/** The supported-model form of an instance path: instance numbers become `{i}` (`Device.X.3.Do()` → `Device.X.{i}.Do()`). */
export function supportedPath(path: string): string {
  return segmentsOf(path)
    .map((s) => (INSTANCE.test(s) ? '{i}' : s))
    .join('.')
    .concat(path.endsWith('.') ? '.' : '');
}

/** A comma-separated list parameter's items, trimmed, empties dropped (TR-106 list of strings). */
export function listItems(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
