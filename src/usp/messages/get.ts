/**
 * Get (TR-369 §"Get", notes §4.1): one RequestedPathResult per requested path, errors
 * inside it; the message itself always succeeds.
 * @module
 */
import { USP_ERR, UspError } from '../errors.js';
import type { Get, GetRequestedPathResult, GetResp, ResolvedPathResult } from '../types.js';
import { resolveEach, toUspError, type HandlerContext } from './common.js';

/** Tree order of object paths: a parent before its children, instance numbers numerically. */
function comparePaths(a: string, b: string): number {
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i] as string;
    const y = bs[i] as string;
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}

/** Depth of `obj` below `base`: 1 for `base` itself, +1 per object name (instance numbers add none). */
function depthBelow(base: string, obj: string): number {
  const rel = obj.slice(base.length);
  if (rel === '') return 1;
  return 1 + rel.slice(0, -1).split('.').filter((s) => !/^\d+$/.test(s)).length;
}

/** Every leaf below `obj`, grouped by the object that holds it, cut at `maxDepth` (0 = all). */
function objectResults(ctx: HandlerContext, obj: string, maxDepth: number): ResolvedPathResult[] {
  const byObject = new Map<string, Record<string, string>>();
  for (const v of ctx.tree.getValues([obj])) {
    const dot = v.name.lastIndexOf('.');
    const owner = v.name.slice(0, dot + 1);
    if (maxDepth > 0 && depthBelow(obj, owner) > maxDepth) continue;
    let params = byObject.get(owner);
    if (!params) byObject.set(owner, (params = {}));
    // TR-181 secrets (hidden: true) read back empty, as over CWMP.
    params[v.name.slice(dot + 1)] = ctx.tree.get(v.name)?.hidden ? '' : v.value;
  }
  // Objects in pre-order (an object before its sub-objects), whatever order the leaves came in.
  return [...byObject].sort(([a], [b]) => comparePaths(a, b)).map(([resolved_path, result_params]) => ({ resolved_path, result_params }));
}

function getOne(ctx: HandlerContext, text: string, maxDepth: number): GetRequestedPathResult {
  const out: GetRequestedPathResult = { requested_path: text, err_code: 0, err_msg: '', resolved_path_results: [] };
  try {
    const { path, groups } = resolveEach(ctx, text, false);
    if (path.end === 'command' || path.end === 'event') {
      throw new UspError(USP_ERR.INVALID_PATH, `'${text}' names a ${path.end}; Get reads parameters and objects`);
    }
    // No group at all: every followed reference led nowhere, which Get forgives (a search matching nothing).
    const res = { search: groups.length === 0 || groups.some((g) => g.search), objects: groups.flatMap((g) => g.objects) };
    // R-GET.0: a plain path must exist in the instantiated model; a search may match nothing.
    if (!res.search && res.objects.length === 0) throw new UspError(USP_ERR.INVALID_PATH, `'${text}' is not in the instantiated data model of this Agent`);
    for (const obj of res.objects) {
      if (path.end === 'param') {
        const leaf = ctx.tree.get(obj + path.leaf);
        if (!leaf) continue;
        out.resolved_path_results.push({ resolved_path: obj, result_params: { [path.leaf]: leaf.hidden ? '' : leaf.value } });
      } else {
        out.resolved_path_results.push(...objectResults(ctx, obj, maxDepth));
      }
    }
    if (path.end === 'param' && !res.search && out.resolved_path_results.length === 0) {
      throw new UspError(USP_ERR.INVALID_PATH, `'${text}' is not in the instantiated data model of this Agent`);
    }
  } catch (e) {
    const err = toUspError(e, text);
    return { ...out, err_code: err.errCode, err_msg: err.message, resolved_path_results: [] };
  }
  return out;
}

/** Answers a Get. */
export function handleGet(ctx: HandlerContext, req: Get): GetResp {
  return { req_path_results: req.param_paths.map((p) => getOne(ctx, p, req.max_depth)) };
}
