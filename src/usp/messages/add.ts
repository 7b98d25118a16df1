/**
 * Add (TR-369 §"Add", notes §4.3). The Agent picks the instance number, applies the
 * parameters, assigns the unique keys the Controller left out (Alias `cpe-<n>` by the
 * TR-181 convention), then judges key uniqueness on the whole row (7025) and lets the
 * commit hook refuse it. A failed row is deleted again; allow_partial=false deletes
 * every row the message created and answers an Error.
 * @module
 */
import { USP_ERR, UspError, isUspError } from '../errors.js';
import { rowsOf, supportedModel, type SupportedModel, type SupportedObject } from '../paths.js';
import type { Add, AddResp, CreatedObjectResult, ParameterError } from '../types.js';
import { resolveEach, toUspError, uniqueKeysOf, valueError, type HandlerContext } from './common.js';

/**
 * Checks a setting against the supported row (rows created by Add have the table's plain
 * row shape). `param` may name a parameter of a single-instance sub-object of the row
 * (`MQTT.Topic`), as TR-369's param_settings allow.
 */
function checkSetting(model: SupportedModel, row: SupportedObject, table: string, param: string, value: string): ParameterError | undefined {
  const dot = param.lastIndexOf('.');
  const owner = dot < 0 ? row : model.objects.get(`${row.path}${param.slice(0, dot + 1)}`);
  const p = owner?.multiInstance === true && owner !== row ? undefined : owner?.params.get(param.slice(dot + 1));
  const at = `${table}{i}.${param}`;
  if (!p) return { param, err_code: USP_ERR.UNSUPPORTED_PARAM, err_msg: `'${at}' is not a parameter of this Agent` };
  if (!p.writable) return { param, err_code: USP_ERR.PARAM_READ_ONLY, err_msg: `'${at}' is read-only` };
  return valueError(p.type, param, value, at);
}

/** Gives the new row a value for every unique key the Controller did not set, unique in its table. */
function assignKeys(ctx: HandlerContext, table: string, rowPath: string, instance: number, row: SupportedObject, given: ReadonlyMap<string, string>): void {
  const others = rowsOf(ctx.tree, table).filter((r) => r !== rowPath);
  for (const k of row.uniqueKeys) {
    if (given.has(k)) continue;
    const cur = ctx.tree.getValue(rowPath + k);
    if (cur === undefined) continue;
    const clash = others.some((r) => ctx.tree.getValue(r + k) === cur);
    if (k !== 'Alias' && cur !== '' && !clash) continue;
    const numeric = row.params.get(k)?.type !== 'xsd:string';
    let value = numeric ? String(instance) : `cpe-${instance}`;
    for (let extra = 1; others.some((r) => ctx.tree.getValue(r + k) === value); extra++) value = numeric ? String(instance + extra * 1000) : `cpe-${instance}-${extra}`;
    ctx.tree.setInternal(rowPath + k, value);
  }
}

function checkKeys(ctx: HandlerContext, table: string, rowPath: string, row: SupportedObject): void {
  const others = rowsOf(ctx.tree, table).filter((r) => r !== rowPath);
  for (const k of row.uniqueKeys) {
    const v = ctx.tree.getValue(rowPath + k);
    const twin = v === undefined ? undefined : others.find((r) => ctx.tree.getValue(r + k) === v);
    if (twin) throw new UspError(USP_ERR.UNIQUE_KEY_CONFLICT, `unique key ${k}=${JSON.stringify(v)} is already used by '${twin}'`, [{ param_path: rowPath + k, err_code: USP_ERR.UNIQUE_KEY_CONFLICT, err_msg: `already used by '${twin}'` }]);
  }
}

/** Creates one row in `table`; deletes it again and rethrows when anything fails. */
function createRow(
  ctx: HandlerContext,
  table: string,
  row: SupportedObject,
  requested: ReadonlyMap<string, string>,
  required: ReadonlySet<string>,
  optionalErrs: readonly ParameterError[],
): CreatedObjectResult['oper_status'] {
  const instance = ctx.tree.addObject(table, 'usp');
  const rowPath = `${table}${instance}.`;
  const paramErrs = [...optionalErrs];
  try {
    // The supported model is the union of every row's leaves, so a parameter the profile
    // gives to some rows only (a group) passes the check yet is absent from a new row. Like
    // any other failed setting (TR-369 R-ADD.4): optional => a param_err of a success,
    // required => the object fails.
    const writes = new Map(requested);
    for (const p of requested.keys()) {
      if (ctx.tree.has(rowPath + p)) continue;
      writes.delete(p);
      const err_msg = `'${rowPath}${p}' is not a parameter of a new row (the profile gives it to some rows only)`;
      if (required.has(p)) throw new UspError(USP_ERR.UNSUPPORTED_PARAM, `required parameter failed: ${err_msg}`, [{ param_path: rowPath + p, err_code: USP_ERR.UNSUPPORTED_PARAM, err_msg }]);
      paramErrs.push({ param: p, err_code: USP_ERR.UNSUPPORTED_PARAM, err_msg });
    }
    if (writes.size > 0) ctx.tree.setValues([...writes].map(([p, value]) => ({ name: rowPath + p, value })), 'usp');
    assignKeys(ctx, table, rowPath, instance, row, writes);
    checkKeys(ctx, table, rowPath, row);
    ctx.beforeCommit?.({ kind: 'add', objPath: rowPath, params: Object.fromEntries(writes), controllerId: ctx.controllerId }, ctx.tree);
  } catch (e) {
    ctx.tree.deleteObject(rowPath, 'usp');
    if (isUspError(e)) throw e;
    // Checked against the supported model, yet the new row refused a write: a parameter
    // some rows carry (a profile group) that a new row does not have.
    throw new UspError(USP_ERR.OBJECT_NOT_CREATED, `'${rowPath}' could not be set up and was removed again: ${toUspError(e, rowPath).message}`, [], { cause: e });
  }
  return { oper_status: 'oper_success', oper_success: { instantiated_path: rowPath, param_errs: paramErrs, unique_keys: uniqueKeysOf(ctx.tree, rowPath, row) } };
}

/**
 * Answers an Add.
 * @throws {@link UspError} when allow_partial is false and any object failed; every
 *   row the message had created is deleted again.
 */
export function handleAdd(ctx: HandlerContext, req: Add): AddResp {
  const results: CreatedObjectResult[] = [];
  const fail = (requested_path: string, e: unknown): void => {
    const err = toUspError(e, requested_path);
    if (!req.allow_partial) {
      // R-ADD.1/.2a: all or nothing.
      for (const r of results) if (r.oper_status.oper_success) ctx.tree.deleteObject(r.oper_status.oper_success.instantiated_path, 'usp');
      throw new UspError(err.errCode, `Add with allow_partial=false failed, nothing was created: ${err.message}`, err.paramErrs.length > 0 ? err.paramErrs : [{ param_path: requested_path, err_code: err.errCode, err_msg: err.message }]);
    }
    results.push({ requested_path, oper_status: { oper_status: 'oper_failure', oper_failure: { err_code: err.errCode, err_msg: err.message } } });
  };
  for (const co of req.create_objs) {
    // One plan per kind of table the path reaches (a followed reference may reach several).
    const model = supportedModel(ctx.template);
    const plans: { tables: readonly string[]; row: SupportedObject; writes: Map<string, string>; optionalErrs: ParameterError[]; requiredParams: Set<string> }[] = [];
    try {
      const { path, groups } = resolveEach(ctx, co.obj_path, true);
      for (const res of groups) {
        if (path.end !== 'object' || !res.target.atTable) throw new UspError(USP_ERR.NOT_A_TABLE, `'${co.obj_path}' is not a multi-instance object; Add takes a table path such as 'Device.IP.Interface.'`);
        const row = res.target.object;
        if (!row.creatable) throw new UspError(USP_ERR.OBJECT_NOT_CREATABLE, `'${res.target.path}' rows are managed by the device; a Controller cannot create them`);
        if (!res.search && res.objects.length === 0) throw new UspError(USP_ERR.OBJECT_DOES_NOT_EXIST, `'${co.obj_path}' does not exist in this Agent's instantiated data model`);
        const plan = { tables: res.objects, row, writes: new Map<string, string>(), optionalErrs: [] as ParameterError[], requiredParams: new Set<string>() };
        const required: ParameterError[] = [];
        for (const s of co.param_settings) {
          const err = checkSetting(model, row, res.target.path, s.param, s.value);
          // Unique keys given by the Controller count as required (TR-369 R-ADD).
          const mustSucceed = s.required || row.uniqueKeys.includes(s.param);
          if (err) (mustSucceed ? required : plan.optionalErrs).push(err);
          else {
            plan.writes.set(s.param, s.value);
            if (mustSucceed) plan.requiredParams.add(s.param);
          }
        }
        const firstRequired = required[0];
        if (firstRequired) {
          throw new UspError(firstRequired.err_code, `required parameter failed: ${firstRequired.err_msg}`, required.map((e) => ({ param_path: `${co.obj_path}${e.param}`, err_code: e.err_code, err_msg: e.err_msg })));
        }
        plans.push(plan);
      }
    } catch (e) {
      fail(co.obj_path, e);
      continue;
    }
    for (const plan of plans) {
      for (const table of plan.tables) {
        try {
          results.push({ requested_path: co.obj_path, oper_status: createRow(ctx, table, plan.row, plan.writes, plan.requiredParams, plan.optionalErrs) });
        } catch (e) {
          fail(co.obj_path, e);
        }
      }
    }
  }
  return { created_obj_results: results };
}
