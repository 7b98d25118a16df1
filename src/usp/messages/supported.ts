/**
 * GetSupportedDM and GetSupportedProtocol (TR-369 §"GetSupportedDM", notes §4.6–4.7):
 * answered from the Template in `{i}` notation, whatever rows a tree has.
 * @module
 */
import type { XsdType } from '../../profile/types.js';
import { USP_ERR, UspError } from '../errors.js';
import { parsePath, supportedModel, supportedTarget, type SupportedObject, type SupportedParam } from '../paths.js';
import type {
  GetSupportedDM,
  GetSupportedDMResp,
  GetSupportedProtocolResp,
  ParamValueType,
  RequestedObjectResult,
  SupportedObjectResult,
  ValueChangeType,
} from '../types.js';
import { toUspError, type HandlerContext } from './common.js';

/** USP versions this Agent speaks (obuspa answers the same list; records are stamped 1.3). */
export const AGENT_SUPPORTED_PROTOCOL_VERSIONS = '1.0,1.1,1.2,1.3';

/** data_model_inst_uri for a TR-181 `Device.` model [verify: notes §4.6]. */
const TR181_URI = 'urn:broadband-forum-org:tr-181-2-19-0-usp';

const VALUE_TYPES: Readonly<Record<XsdType, ParamValueType>> = {
  'xsd:string': 'PARAM_STRING',
  'xsd:int': 'PARAM_INT',
  'xsd:unsignedInt': 'PARAM_UNSIGNED_INT',
  'xsd:boolean': 'PARAM_BOOLEAN',
  'xsd:dateTime': 'PARAM_DATE_TIME',
  'xsd:base64': 'PARAM_BASE_64',
  'xsd:long': 'PARAM_LONG',
  'xsd:unsignedLong': 'PARAM_UNSIGNED_LONG',
};

/**
 * Generator kinds that move on every tick (counters, uptime, clocks): the Agent will
 * not send ValueChange for them (WILL_IGNORE), a Controller should not subscribe.
 */
const FAST_GENERATORS: ReadonlySet<string> = new Set(['counter', 'uptime', 'wallclock']);

/** True for a generator kind GetSupportedDM reports as VALUE_CHANGE_WILL_IGNORE: subscriptions ignore its ticks (subscriptions.ts). */
export function ignoresValueChange(generatorType: string): boolean {
  return FAST_GENERATORS.has(generatorType);
}

const fastParams = new WeakMap<HandlerContext['template'], ReadonlySet<string>>();

/** `{i}` paths of the parameters a fast generator drives in some row. */
function fastParamPaths(template: HandlerContext['template']): ReadonlySet<string> {
  let out = fastParams.get(template);
  if (out) return out;
  const model = supportedModel(template);
  const set = new Set<string>();
  for (const [path, def] of template.generators) {
    if (!FAST_GENERATORS.has(def.type)) continue;
    let sup = '';
    const segs = path.split('.');
    const leaf = segs.pop() as string;
    for (const seg of segs) sup += model.tables.has(sup) && /^\d+$/.test(seg) ? '{i}.' : `${seg}.`;
    set.add(sup + leaf);
  }
  fastParams.set(template, (out = set));
  return out;
}

function valueChange(p: SupportedParam, objPath: string, fast: ReadonlySet<string>): ValueChangeType {
  return p.generated && fast.has(objPath + p.name) ? 'VALUE_CHANGE_WILL_IGNORE' : 'VALUE_CHANGE_ALLOWED';
}

function describe(ctx: HandlerContext, o: SupportedObject, req: GetSupportedDM, full: boolean): SupportedObjectResult {
  const fast = fastParamPaths(ctx.template);
  const under = (p: string): boolean => {
    const rest = p.startsWith(o.path) ? p.slice(o.path.length) : undefined;
    return rest !== undefined && rest !== '' && !rest.slice(0, -1).includes('.');
  };
  const nameOf = (p: string): string => p.slice(o.path.length);
  return {
    supported_obj_path: o.path,
    access: o.multiInstance && o.creatable ? 'OBJ_ADD_DELETE' : 'OBJ_READ_ONLY',
    is_multi_instance: o.multiInstance,
    supported_commands:
      full && req.return_commands
        ? (ctx.supportedCommands ?? [])
            .filter((c) => under(c.path))
            .map((c) => ({ command_name: nameOf(c.path), input_arg_names: [...c.input], output_arg_names: [...c.output], command_type: c.type }))
        : [],
    supported_events: full && req.return_events ? (ctx.supportedEvents ?? []).filter((e) => under(e.path)).map((e) => ({ event_name: nameOf(e.path), arg_names: [...e.args] })) : [],
    supported_params:
      full && req.return_params
        ? [...o.params.values()].map((p) => ({
            param_name: p.name,
            access: p.writable ? 'PARAM_READ_WRITE' : 'PARAM_READ_ONLY',
            value_type: VALUE_TYPES[p.type],
            value_change: valueChange(p, o.path, fast),
          }))
        : [],
    divergent_paths: [],
    unique_key_sets: full && req.return_unique_key_sets && o.multiInstance ? o.uniqueKeys.map((k) => ({ key_names: [k] })) : [],
  };
}

function supportedOne(ctx: HandlerContext, requested: string, req: GetSupportedDM): RequestedObjectResult {
  const out: RequestedObjectResult = { req_obj_path: requested, err_code: 0, err_msg: '', data_model_inst_uri: '', supported_objs: [] };
  try {
    const path = parsePath(requested);
    if (path.end !== 'object') throw new UspError(USP_ERR.INVALID_PATH, `'${requested}' is not an object path; GetSupportedDM takes e.g. 'Device.IP.Interface.{i}.'`);
    const model = supportedModel(ctx.template);
    const { object } = supportedTarget(model, path);
    out.data_model_inst_uri = object.path.startsWith('Device.') ? TR181_URI : '';
    out.supported_objs.push(describe(ctx, object, req, true));
    if (req.first_level_only) {
      // The direct children, bare (no params, commands or events).
      for (const c of object.children) out.supported_objs.push(describe(ctx, c, req, false));
    } else {
      for (const o of model.objects.values()) if (o !== object && o.path.startsWith(object.path)) out.supported_objs.push(describe(ctx, o, req, true));
    }
  } catch (e) {
    const err = toUspError(e, requested);
    return { ...out, err_code: err.errCode, err_msg: err.message, supported_objs: [] };
  }
  return out;
}

/** Answers a GetSupportedDM. */
export function handleGetSupportedDM(ctx: HandlerContext, req: GetSupportedDM): GetSupportedDMResp {
  return { req_obj_results: req.obj_paths.map((p) => supportedOne(ctx, p, req)) };
}

/** Answers a GetSupportedProtocol. */
export function handleGetSupportedProtocol(): GetSupportedProtocolResp {
  return { agent_supported_protocol_versions: AGENT_SUPPORTED_PROTOCOL_VERSIONS };
}
