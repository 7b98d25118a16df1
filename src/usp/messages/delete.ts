/**
 * Delete and GetInstances (TR-369 §"Delete", §"GetInstances"; notes §4.4, §4.5).
 * @module
 */
import { USP_ERR, UspError } from '../errors.js';
import type { CurrInstance, Delete, DeletedObjectResult, DeleteResp, GetInstances, GetInstancesRequestedPathResult, GetInstancesResp, UnaffectedPathError } from '../types.js';
import { resolveEach, rowsBelow, supportedRowOf, toUspError, uniqueKeysOf, type HandlerContext } from './common.js';
import type { Resolution } from '../paths.js';

interface DeletePlan {
  requested: string;
  rows: string[];
  refused: UnaffectedPathError[];
}

function planDelete(ctx: HandlerContext, requested: string): DeletePlan {
  const { path, groups } = resolveEach(ctx, requested, true);
  const plan: DeletePlan = { requested, rows: [], refused: [] };
  for (const res of groups) {
    if (path.end !== 'object' || res.target.atTable || !res.target.object.multiInstance) {
      throw new UspError(USP_ERR.NOT_A_TABLE, `'${requested}' is not an instance of a multi-instance object; Delete takes e.g. 'Device.IP.Interface.2.' or a search such as 'Device.IP.Interface.[Enable==false].'`);
    }
    // R-DEL.2a: a valid path that resolves to nothing is a success with no affected paths.
    if (res.target.object.creatable) plan.rows.push(...res.objects);
    else {
      const why = `'${res.target.path}' rows are managed by the device; a Controller cannot delete them`;
      plan.refused.push(...res.objects.map((unaffected_path) => ({ unaffected_path, err_code: USP_ERR.OBJECT_NOT_DELETABLE, err_msg: why })));
    }
  }
  return plan;
}

/**
 * Answers a Delete.
 * @throws {@link UspError} when allow_partial is false and a path or row failed: nothing is deleted.
 */
export function handleDelete(ctx: HandlerContext, req: Delete): DeleteResp {
  const plans: (DeletePlan | { requested: string; error: UspError })[] = req.obj_paths.map((requested) => {
    try {
      return planDelete(ctx, requested);
    } catch (e) {
      return { requested, error: toUspError(e, requested) };
    }
  });
  if (!req.allow_partial) {
    for (const p of plans) {
      if ('error' in p) throw new UspError(p.error.errCode, `Delete with allow_partial=false failed, nothing was deleted: ${p.error.message}`, [{ param_path: p.requested, err_code: p.error.errCode, err_msg: p.error.message }]);
      const first = p.refused[0];
      if (first) throw new UspError(first.err_code, `Delete with allow_partial=false failed, nothing was deleted: ${first.err_msg}`, p.refused.map((r) => ({ param_path: r.unaffected_path, err_code: r.err_code, err_msg: r.err_msg })));
    }
  }
  const deleted_obj_results: DeletedObjectResult[] = plans.map((p) => {
    if ('error' in p) return { requested_path: p.requested, oper_status: { oper_status: 'oper_failure', oper_failure: { err_code: p.error.errCode, err_msg: p.error.message } } };
    const affected: string[] = [];
    for (const row of p.rows) {
      // An earlier path of this message may have deleted it (or its parent) already.
      if (!ctx.tree.has(row)) continue;
      // Nested rows go with their parent and are affected too.
      affected.push(...rowsBelow(ctx.tree, ctx.template, row));
      ctx.tree.deleteObject(row, 'usp');
    }
    return { requested_path: p.requested, oper_status: { oper_status: 'oper_success', oper_success: { affected_paths: affected, unaffected_path_errs: p.refused } } };
  });
  return { deleted_obj_results };
}

/** How many instance numbers the object path holds (`Device.WiFi.AccessPoint.1.AC.2.` → 2). */
function instanceDepth(ctx: HandlerContext, objPath: string): number {
  return (supportedRowOf(ctx.template, objPath)?.path.match(/\{i\}/g) ?? []).length;
}

function instancesOne(ctx: HandlerContext, requested: string, firstLevelOnly: boolean): GetInstancesRequestedPathResult {
  const out: GetInstancesRequestedPathResult = { requested_path: requested, err_code: 0, err_msg: '', curr_insts: [] };
  const seen = new Set<string>();
  const add = (row: string): void => {
    if (seen.has(row)) return;
    seen.add(row);
    out.curr_insts.push({ instantiated_obj_path: row, unique_keys: uniqueKeysOf(ctx.tree, row, supportedRowOf(ctx.template, row)) } satisfies CurrInstance);
  };
  try {
    const { path, groups } = resolveEach(ctx, requested, true);
    if (path.end !== 'object') {
      throw new UspError(USP_ERR.NOT_A_TABLE, `'${requested}' is not an object path; GetInstances takes e.g. 'Device.IP.Interface.' or 'Device.'`);
    }
    for (const res of groups) addInstances(ctx, requested, res, firstLevelOnly, add);
  } catch (e) {
    const err = toUspError(e, requested);
    return { ...out, err_code: err.errCode, err_msg: err.message, curr_insts: [] };
  }
  return out;
}

/** Adds the instances that one group of a GetInstances path reaches. */
function addInstances(ctx: HandlerContext, requested: string, res: Resolution, firstLevelOnly: boolean, add: (row: string) => void): void {
  // TR-369 GetInstances takes any object: a single-instance one (`Device.LocalAgent.`)
  // answers with the instances of the tables below it (obuspa does the same, so a
  // Controller can map the whole model with `Device.`): with first_level_only the rows
  // of the first table level reached, else every row at any depth.
  const single = !res.target.atTable && !res.target.object.multiInstance;
  if (!res.search && res.objects.length === 0) throw new UspError(USP_ERR.INVALID_PATH, `'${requested}' is not in the instantiated data model of this Agent`);
  for (const obj of res.objects) {
    if (firstLevelOnly && single) {
      const depth = instanceDepth(ctx, obj);
      for (const row of rowsBelow(ctx.tree, ctx.template, obj)) if (instanceDepth(ctx, row) === depth + 1) add(row);
    } else if (firstLevelOnly) {
      if (res.target.atTable) for (const n of ctx.tree.getNames(obj, true)) add(n.name);
      else add(obj);
    } else {
      for (const row of rowsBelow(ctx.tree, ctx.template, obj)) add(row);
    }
  }
}

/** Answers a GetInstances. */
export function handleGetInstances(ctx: HandlerContext, req: GetInstances): GetInstancesResp {
  return { req_path_results: req.obj_paths.map((p) => instancesOne(ctx, p, req.first_level_only)) };
}
