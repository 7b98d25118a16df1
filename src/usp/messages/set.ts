/**
 * Set (TR-369 §"Set", notes §4.2). Each obj_path is planned first (every row checked,
 * the commit hook consulted) and written only when no row failed, so a search path
 * is all-or-nothing without undoing writes [R-SET.2a/b], and allow_partial=false
 * plans every object before writing any.
 * @module
 */
import { USP_ERR, UspError, type UspParamErr } from '../errors.js';
import type { ParameterError, SetResp, UpdatedInstanceFailure, UpdatedObjectResult, UspSet } from '../types.js';
import { checkWrite, resolveEach, toUspError, type HandlerContext } from './common.js';

interface InstancePlan {
  obj: string;
  writes: Map<string, string>;
  optionalErrs: ParameterError[];
}

type ObjectPlan =
  | { requested: string; ok: true; instances: InstancePlan[] }
  | { requested: string; ok: false; err_code: number; err_msg: string; failures: UpdatedInstanceFailure[] };

/** Param errors of a refusing hook, relative to the object when they lie in it. */
function relativeParamErrs(err: UspError, obj: string): ParameterError[] {
  return err.paramErrs.map((p) => ({ param: p.param_path.startsWith(obj) ? p.param_path.slice(obj.length) : p.param_path, err_code: p.err_code, err_msg: p.err_msg }));
}

function planObject(ctx: HandlerContext, requested: string, settings: readonly { param: string; value: string; required: boolean }[]): ObjectPlan {
  try {
    const { path, groups } = resolveEach(ctx, requested, true);
    if (path.end !== 'object' || groups.some((g) => g.target.atTable)) {
      throw new UspError(USP_ERR.INVALID_PATH, `'${requested}' is not an object or instance path; Set takes e.g. 'Device.IP.Interface.1.' with the parameters in param_settings`);
    }
    const res = { search: groups.some((g) => g.search), objects: groups.flatMap((g) => g.objects) };
    if (!res.search && res.objects.length === 0) throw new UspError(USP_ERR.OBJECT_DOES_NOT_EXIST, `'${requested}' does not exist in this Agent's instantiated data model`);
    // One setting per parameter: a repeated name is written once, with its last value.
    const bySetting = new Map<string, { value: string; required: boolean }>();
    for (const s of settings) bySetting.set(s.param, { value: s.value, required: s.required || (bySetting.get(s.param)?.required ?? false) });
    const instances: InstancePlan[] = [];
    const failures: UpdatedInstanceFailure[] = [];
    let code: number = USP_ERR.REQUIRED_PARAM_FAILED;
    let message = '';
    for (const obj of res.objects) {
      const writes = new Map<string, string>();
      const optionalErrs: ParameterError[] = [];
      const requiredErrs: ParameterError[] = [];
      for (const [param, s] of bySetting) {
        const err = checkWrite(ctx.tree, obj, param, s.value);
        if (err) (s.required ? requiredErrs : optionalErrs).push(err);
        else writes.set(param, s.value);
      }
      if (requiredErrs.length > 0) {
        failures.push({ affected_path: obj, param_errs: requiredErrs });
        message ||= `required parameter failed on '${obj}': ${requiredErrs.map((e) => e.err_msg).join('; ')}`;
        continue;
      }
      if (ctx.beforeCommit && writes.size > 0) {
        try {
          ctx.beforeCommit({ kind: 'set', objPath: obj, params: Object.fromEntries(writes), controllerId: ctx.controllerId }, ctx.tree);
        } catch (e) {
          const err = toUspError(e, obj);
          failures.push({ affected_path: obj, param_errs: relativeParamErrs(err, obj) });
          if (!message) {
            code = err.errCode;
            message = err.message;
          }
          continue;
        }
      }
      instances.push({ obj, writes, optionalErrs });
    }
    if (failures.length > 0) return { requested, ok: false, err_code: code, err_msg: message, failures };
    return { requested, ok: true, instances };
  } catch (e) {
    const err = toUspError(e, requested);
    return { requested, ok: false, err_code: err.errCode, err_msg: err.message, failures: [] };
  }
}

function apply(ctx: HandlerContext, plan: Extract<ObjectPlan, { ok: true }>): UpdatedObjectResult {
  const updated_inst_results = plan.instances.map((inst) => {
    if (inst.writes.size > 0) ctx.tree.setValues([...inst.writes].map(([p, value]) => ({ name: inst.obj + p, value })), 'usp');
    // R-SET: updated_params lists every parameter written, unchanged values included.
    const updated_params: Record<string, string> = {};
    for (const p of inst.writes.keys()) {
      const leaf = ctx.tree.get(inst.obj + p);
      // A secret (hidden: true) is not echoed back, as Get does not read it back.
      updated_params[p] = leaf && !leaf.hidden ? leaf.value : '';
    }
    return { affected_path: inst.obj, param_errs: inst.optionalErrs, updated_params };
  });
  return { requested_path: plan.requested, oper_status: { oper_status: 'oper_success', oper_success: { updated_inst_results } } };
}

function failed(plan: Extract<ObjectPlan, { ok: false }>): UpdatedObjectResult {
  return {
    requested_path: plan.requested,
    oper_status: { oper_status: 'oper_failure', oper_failure: { err_code: plan.err_code, err_msg: plan.err_msg, updated_inst_failures: plan.failures } },
  };
}

/**
 * Answers a Set.
 * @throws {@link UspError} when allow_partial is false and an object failed (nothing is
 *   written); its paramErrs name every failing parameter by full path.
 */
export function handleSet(ctx: HandlerContext, req: UspSet): SetResp {
  if (req.allow_partial) {
    return {
      updated_obj_results: req.update_objs.map((u) => {
        const plan = planObject(ctx, u.obj_path, u.param_settings);
        return plan.ok ? apply(ctx, plan) : failed(plan);
      }),
    };
  }
  const plans = req.update_objs.map((u) => planObject(ctx, u.obj_path, u.param_settings));
  const bad = plans.filter((p): p is Extract<ObjectPlan, { ok: false }> => !p.ok);
  if (bad.length > 0) {
    const paramErrs: UspParamErr[] = bad.flatMap((p) =>
      p.failures.length === 0
        ? [{ param_path: p.requested, err_code: p.err_code, err_msg: p.err_msg }]
        : p.failures.flatMap((f) => f.param_errs.map((e) => ({ param_path: f.affected_path + e.param, err_code: e.err_code, err_msg: e.err_msg }))),
    );
    const first = bad[0] as Extract<ObjectPlan, { ok: false }>;
    throw new UspError(first.err_code, `Set with allow_partial=false failed, nothing was written: ${first.err_msg}`, paramErrs);
  }
  return { updated_obj_results: plans.map((p) => apply(ctx, p as Extract<ObjectPlan, { ok: true }>)) };
}
