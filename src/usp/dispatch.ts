/**
 * The request dispatcher (seam 2 of usp-contract.md): one request Msg in, the
 * response or Error Msg out. Dispatches on the body oneof, never on msg_type
 * [R-MSG.10]; anything a handler throws becomes an Error Msg (a UspError keeps its
 * code, anything else is 7003), so bad input never crashes the agent.
 * @module
 */
import type { ParameterTree, Template } from '../datamodel/index.js';
import { uspErrorToMsg } from './codec.js';
import { USP_ERR, UspError } from './errors.js';
import { handleAdd } from './messages/add.js';
import { toUspError, type UspObjectChange, type UspSupportedCommand, type UspSupportedEvent } from './messages/common.js';
import { handleDelete, handleGetInstances } from './messages/delete.js';
import { handleGet } from './messages/get.js';
import { handleSet } from './messages/set.js';
import { handleGetSupportedDM, handleGetSupportedProtocol } from './messages/supported.js';
import type { MsgType, Operate, OperateResp, UspMsg, UspResponse } from './types.js';

export type { UspObjectChange, UspSupportedCommand, UspSupportedEvent };

/** What {@link handleRequest} works on: one Agent's tree and its hooks. */
export interface UspRequestContext {
  tree: ParameterTree;
  template: Template;
  /** from_id of the request (the Controller's EndpointID). */
  controllerId: string;
  /** Operate handler (usp-notify). Undefined => Error 7001 for Operate. Resolves undefined when send_resp is false. */
  operate?: ((req: Operate, controllerId: string) => Promise<OperateResp | undefined>) | undefined;
  /**
   * Called once per object instance an Add or Set commits. `'add'`: the row exists
   * with the request's parameters applied; `'set'`: before the values are written.
   * Throwing (a {@link UspError}) refuses that object: the row is deleted again or
   * nothing is written on it, and the object fails with the error's code.
   */
  beforeCommit?: ((change: UspObjectChange, tree: ParameterTree) => void) | undefined;
  /** Commands the Agent can run, listed by GetSupportedDM. */
  supportedCommands?: readonly UspSupportedCommand[] | undefined;
  /** Events the Agent can send, listed by GetSupportedDM. */
  supportedEvents?: readonly UspSupportedEvent[] | undefined;
}

const RESP_TYPE: Readonly<Record<string, MsgType>> = {
  get_resp: 'GET_RESP',
  set_resp: 'SET_RESP',
  add_resp: 'ADD_RESP',
  delete_resp: 'DELETE_RESP',
  get_instances_resp: 'GET_INSTANCES_RESP',
  get_supported_dm_resp: 'GET_SUPPORTED_DM_RESP',
  get_supported_protocol_resp: 'GET_SUPPORTED_PROTO_RESP',
  operate_resp: 'OPERATE_RESP',
};

const REQ_TYPES = ['get', 'set', 'add', 'delete', 'get_instances', 'get_supported_dm', 'get_supported_protocol', 'operate', 'notify', 'register', 'deregister'] as const;

async function answer(ctx: UspRequestContext, msg: UspMsg): Promise<UspResponse | undefined> {
  const req = msg.body.request;
  // A hand-built Msg may set the member without naming it; decoded ones always name it.
  const kind = req?.req_type ?? REQ_TYPES.find((k) => req?.[k] !== undefined);
  switch (kind) {
    case 'get':
      return { resp_type: 'get_resp', get_resp: handleGet(ctx, req!.get!) };
    case 'set':
      return { resp_type: 'set_resp', set_resp: handleSet(ctx, req!.set!) };
    case 'add':
      return { resp_type: 'add_resp', add_resp: handleAdd(ctx, req!.add!) };
    case 'delete':
      return { resp_type: 'delete_resp', delete_resp: handleDelete(ctx, req!.delete!) };
    case 'get_instances':
      return { resp_type: 'get_instances_resp', get_instances_resp: handleGetInstances(ctx, req!.get_instances!) };
    case 'get_supported_dm':
      return { resp_type: 'get_supported_dm_resp', get_supported_dm_resp: handleGetSupportedDM(ctx, req!.get_supported_dm!) };
    case 'get_supported_protocol':
      return { resp_type: 'get_supported_protocol_resp', get_supported_protocol_resp: handleGetSupportedProtocol() };
    case 'operate': {
      if (!ctx.operate) throw new UspError(USP_ERR.NOT_SUPPORTED, 'Operate is not supported by this Agent');
      const resp = await ctx.operate(req!.operate!, ctx.controllerId);
      return resp === undefined ? undefined : { resp_type: 'operate_resp', operate_resp: resp };
    }
    case 'register':
    case 'deregister':
      // notes §4.10: only a USP Broker takes these; a CPE Agent refuses them.
      throw new UspError(USP_ERR.NOT_SUPPORTED, `${kind === 'register' ? 'Register' : 'Deregister'} is for USP Services talking to a USP Broker; this Agent does not support it`);
    case 'notify':
      throw new UspError(USP_ERR.NOT_SUPPORTED, 'an Agent does not accept Notify requests');
    default:
      throw new UspError(USP_ERR.NOT_SUPPORTED, 'unknown or empty request type (this Agent speaks USP 1.0-1.3)');
  }
}

/**
 * Answers one request Msg: the response or Error Msg to send back (with the
 * request's msg_id, R-MSG.9), or undefined when there is nothing to send (the Msg is
 * a response or error, which the agent settles itself, or an Operate with
 * send_resp=false). Never rejects.
 * @example
 * const reply = await handleRequest({ tree, template, controllerId: rec.from_id }, decodeMsg(payload));
 * if (reply) publish(encodeRecord(wrapMsg(reply, myId, rec.from_id)));
 */
export async function handleRequest(ctx: UspRequestContext, msg: UspMsg): Promise<UspMsg | undefined> {
  const msg_id = msg.header.msg_id;
  const body = msg.body.msg_body ?? (msg.body.request ? 'request' : msg.body.response ? 'response' : msg.body.error ? 'error' : undefined);
  if (body === 'response' || body === 'error') return undefined;
  try {
    if (body !== 'request') throw new UspError(USP_ERR.NOT_SUPPORTED, 'the Msg body holds no request, response or error');
    const response = await answer(ctx, msg);
    if (!response) return undefined;
    return { header: { msg_id, msg_type: RESP_TYPE[response.resp_type ?? ''] ?? 'ERROR' }, body: { msg_body: 'response', response } };
  } catch (e) {
    return uspErrorToMsg(msg_id, toUspError(e, 'request'));
  }
}
