/**
 * TypeScript shapes of the USP Record and Msg (TR-369 1.3), field for field as the
 * protobuf schema names them (snake_case, notes §1.1–1.3).
 *
 * Conventions (contract seam 1): enums are their NAME strings; maps are
 * `Record<string, string>`; uint64 are decimal strings; bytes are `Uint8Array`;
 * a oneof is its optional member fields plus a field named after the oneof that
 * names the member that is set. {@link decodeMsg} returns these shapes complete
 * (every scalar, array and map present, proto3 defaults filled in, sub-messages
 * outside a oneof present); {@link encodeMsg} accepts any {@link UspInput} of them
 * (anything may be left out and takes its proto3 default).
 * @module
 */

/** A string→string protobuf map. */
export type UspMap = Record<string, string>;

/**
 * What the encoder accepts for a type `T`: every field optional (proto3 defaults
 * apply), recursively.
 */
export type UspInput<T> = T extends Uint8Array
  ? T
  : T extends readonly (infer U)[]
    ? readonly UspInput<U>[]
    : T extends object
      ? { [K in keyof T]?: UspInput<T[K]> | undefined }
      : T;

// ---- Record (package usp_record) -------------------------------------------

/** Record.payload_security. */
export type PayloadSecurity = 'PLAINTEXT' | 'TLS12';
/** SessionContextRecord payload segmentation state. */
export type PayloadSarState = 'NONE' | 'BEGIN' | 'INPROCESS' | 'COMPLETE';

/** The Record that carries one Msg outside an E2E session. */
export interface NoSessionContextRecord {
  payload: Uint8Array;
}
/** E2E session context (unsupported by cpe-sim: answered with `disconnect` 7106). */
export interface SessionContextRecord {
  session_id: string;
  sequence_id: string;
  expected_id: string;
  retransmit_id: string;
  payload_sar_state: PayloadSarState;
  payloadrec_sar_state: PayloadSarState;
  payload: Uint8Array[];
}
/** Sent first on a WebSocket session [R-MTP.6]. */
export type WebSocketConnectRecord = Record<string, never>;
/** Sent to each Controller after subscribing on MQTT. */
export interface MqttConnectRecord {
  version: 'V3_1_1' | 'V5';
  subscribed_topic: string;
}
/** STOMP equivalent of {@link MqttConnectRecord}. */
export interface StompConnectRecord {
  version: 'V1_2';
  subscribed_destination: string;
}
/** Precedes dropping an MTP [R-MTP.7]; reason_code is a 71xx code. */
export interface DisconnectRecord {
  reason: string;
  reason_code: number;
}
/** Unix-domain-socket connect record. */
export type UdsConnectRecord = Record<string, never>;

/** Name of the member set in `Record.record_type`. */
export type RecordTypeName =
  | 'no_session_context'
  | 'session_context'
  | 'websocket_connect'
  | 'mqtt_connect'
  | 'stomp_connect'
  | 'disconnect'
  | 'uds_connect';

/** The outer USP Record, the MTP payload (notes §1.1). */
export interface UspRecord {
  version: string;
  to_id: string;
  from_id: string;
  payload_security: PayloadSecurity;
  mac_signature: Uint8Array;
  sender_cert: Uint8Array;
  record_type?: RecordTypeName;
  no_session_context?: NoSessionContextRecord;
  session_context?: SessionContextRecord;
  websocket_connect?: WebSocketConnectRecord;
  mqtt_connect?: MqttConnectRecord;
  stomp_connect?: StompConnectRecord;
  disconnect?: DisconnectRecord;
  uds_connect?: UdsConnectRecord;
}

// ---- Msg (package usp) -----------------------------------------------------

/** Header.msg_type. Informational: the body oneof decides [R-MSG.10]. */
export type MsgType =
  | 'ERROR'
  | 'GET'
  | 'GET_RESP'
  | 'NOTIFY'
  | 'SET'
  | 'SET_RESP'
  | 'OPERATE'
  | 'OPERATE_RESP'
  | 'ADD'
  | 'ADD_RESP'
  | 'DELETE'
  | 'DELETE_RESP'
  | 'GET_SUPPORTED_DM'
  | 'GET_SUPPORTED_DM_RESP'
  | 'GET_INSTANCES'
  | 'GET_INSTANCES_RESP'
  | 'NOTIFY_RESP'
  | 'GET_SUPPORTED_PROTO'
  | 'GET_SUPPORTED_PROTO_RESP'
  | 'REGISTER'
  | 'REGISTER_RESP'
  | 'DEREGISTER'
  | 'DEREGISTER_RESP';

/** Msg header. */
export interface UspHeader {
  msg_id: string;
  msg_type: MsgType;
}

/** Msg body: exactly one of request, response, error. */
export interface UspBody {
  msg_body?: 'request' | 'response' | 'error';
  request?: UspRequest;
  response?: UspResponse;
  error?: UspErrorBody;
}

/** One USP Message (notes §1.2). */
export interface UspMsg {
  header: UspHeader;
  body: UspBody;
}

/** Name of the member set in `Request.req_type`. */
export type RequestTypeName =
  | 'get'
  | 'get_supported_dm'
  | 'get_instances'
  | 'set'
  | 'add'
  | 'delete'
  | 'operate'
  | 'notify'
  | 'get_supported_protocol'
  | 'register'
  | 'deregister';

/** Request oneof. */
export interface UspRequest {
  req_type?: RequestTypeName;
  get?: Get;
  get_supported_dm?: GetSupportedDM;
  get_instances?: GetInstances;
  set?: UspSet;
  add?: Add;
  delete?: Delete;
  operate?: Operate;
  notify?: Notify;
  get_supported_protocol?: GetSupportedProtocol;
  register?: Register;
  deregister?: Deregister;
}

/** Name of the member set in `Response.resp_type`. */
export type ResponseTypeName = `${RequestTypeName}_resp`;

/** Response oneof. */
export interface UspResponse {
  resp_type?: ResponseTypeName;
  get_resp?: GetResp;
  get_supported_dm_resp?: GetSupportedDMResp;
  get_instances_resp?: GetInstancesResp;
  set_resp?: SetResp;
  add_resp?: AddResp;
  delete_resp?: DeleteResp;
  operate_resp?: OperateResp;
  notify_resp?: NotifyResp;
  get_supported_protocol_resp?: GetSupportedProtocolResp;
  register_resp?: RegisterResp;
  deregister_resp?: DeregisterResp;
}

/** One per-parameter error inside an Error message. */
export interface UspParamError {
  param_path: string;
  err_code: number;
  err_msg: string;
}

/** The Error body (err_code fixed32, notes §1.2). */
export interface UspErrorBody {
  err_code: number;
  err_msg: string;
  param_errs: UspParamError[];
}

// ---- Get ---------------------------------------------------------------------

/** Get request. max_depth 0 = whole subtree. */
export interface Get {
  param_paths: string[];
  max_depth: number;
}
/** One object (or parameter's parent) resolved from a requested path. */
export interface ResolvedPathResult {
  resolved_path: string;
  result_params: UspMap;
}
/** Get result for one requested path; errors live here, not in an Error Msg. */
export interface GetRequestedPathResult {
  requested_path: string;
  err_code: number;
  err_msg: string;
  resolved_path_results: ResolvedPathResult[];
}
/** Get response. */
export interface GetResp {
  req_path_results: GetRequestedPathResult[];
}

// ---- GetSupportedDM ----------------------------------------------------------

/** GetSupportedDM request. */
export interface GetSupportedDM {
  obj_paths: string[];
  first_level_only: boolean;
  return_commands: boolean;
  return_events: boolean;
  return_params: boolean;
  return_unique_key_sets: boolean;
}
/** Object access in the supported model. */
export type ObjAccessType = 'OBJ_READ_ONLY' | 'OBJ_ADD_DELETE' | 'OBJ_ADD_ONLY' | 'OBJ_DELETE_ONLY';
/** Parameter access in the supported model. */
export type ParamAccessType = 'PARAM_READ_ONLY' | 'PARAM_READ_WRITE' | 'PARAM_WRITE_ONLY';
/** Parameter base type in the supported model. */
export type ParamValueType =
  | 'PARAM_UNKNOWN'
  | 'PARAM_BASE_64'
  | 'PARAM_BOOLEAN'
  | 'PARAM_DATE_TIME'
  | 'PARAM_DECIMAL'
  | 'PARAM_HEX_BINARY'
  | 'PARAM_INT'
  | 'PARAM_LONG'
  | 'PARAM_STRING'
  | 'PARAM_UNSIGNED_INT'
  | 'PARAM_UNSIGNED_LONG';
/** Whether the Agent will notify value changes of a parameter. */
export type ValueChangeType = 'VALUE_CHANGE_UNKNOWN' | 'VALUE_CHANGE_ALLOWED' | 'VALUE_CHANGE_WILL_IGNORE';
/** Command execution type. */
export type CmdType = 'CMD_UNKNOWN' | 'CMD_SYNC' | 'CMD_ASYNC';

/** One supported parameter (name relative to its object). */
export interface SupportedParamResult {
  param_name: string;
  access: ParamAccessType;
  value_type: ParamValueType;
  value_change: ValueChangeType;
}
/** One supported command (`Name()`). */
export interface SupportedCommandResult {
  command_name: string;
  input_arg_names: string[];
  output_arg_names: string[];
  command_type: CmdType;
}
/** One supported event (`Name!`). */
export interface SupportedEventResult {
  event_name: string;
  arg_names: string[];
}
/** One unique-key set of a table. */
export interface SupportedUniqueKeySet {
  key_names: string[];
}
/** One object of the supported model, in `{i}` notation. */
export interface SupportedObjectResult {
  supported_obj_path: string;
  access: ObjAccessType;
  is_multi_instance: boolean;
  supported_commands: SupportedCommandResult[];
  supported_events: SupportedEventResult[];
  supported_params: SupportedParamResult[];
  divergent_paths: string[];
  unique_key_sets: SupportedUniqueKeySet[];
}
/** GetSupportedDM result for one requested object path. */
export interface RequestedObjectResult {
  req_obj_path: string;
  err_code: number;
  err_msg: string;
  data_model_inst_uri: string;
  supported_objs: SupportedObjectResult[];
}
/** GetSupportedDM response. */
export interface GetSupportedDMResp {
  req_obj_results: RequestedObjectResult[];
}

// ---- GetInstances ------------------------------------------------------------

/** GetInstances request. */
export interface GetInstances {
  obj_paths: string[];
  first_level_only: boolean;
}
/** One existing row with its unique keys. */
export interface CurrInstance {
  instantiated_obj_path: string;
  unique_keys: UspMap;
}
/** GetInstances result for one requested path. */
export interface GetInstancesRequestedPathResult {
  requested_path: string;
  err_code: number;
  err_msg: string;
  curr_insts: CurrInstance[];
}
/** GetInstances response. */
export interface GetInstancesResp {
  req_path_results: GetInstancesRequestedPathResult[];
}

// ---- GetSupportedProtocol ----------------------------------------------------

/** GetSupportedProtocol request (comma list of the Controller's versions). */
export interface GetSupportedProtocol {
  controller_supported_protocol_versions: string;
}
/** GetSupportedProtocol response (comma list of the Agent's versions). */
export interface GetSupportedProtocolResp {
  agent_supported_protocol_versions: string;
}

// ---- Set / Add shared --------------------------------------------------------

/** One parameter to write (Set) or initialise (Add). */
export interface ParamSetting {
  param: string;
  value: string;
  required: boolean;
}
/** A per-parameter error in SetResp/AddResp (name relative to the object). */
export interface ParameterError {
  param: string;
  err_code: number;
  err_msg: string;
}

// ---- Set -----------------------------------------------------------------------

/** One object (path or search) to update. */
export interface UpdateObject {
  obj_path: string;
  param_settings: ParamSetting[];
}
/** Set request (named `UspSet`: `Set` would shadow the global). */
export interface UspSet {
  allow_partial: boolean;
  update_objs: UpdateObject[];
}
/** A row that failed in a failed Set object. */
export interface UpdatedInstanceFailure {
  affected_path: string;
  param_errs: ParameterError[];
}
/** A row that was updated. */
export interface UpdatedInstanceResult {
  affected_path: string;
  param_errs: ParameterError[];
  updated_params: UspMap;
}
/** Set outcome for one object. */
export interface SetOperationStatus {
  oper_status?: 'oper_failure' | 'oper_success';
  oper_failure?: { err_code: number; err_msg: string; updated_inst_failures: UpdatedInstanceFailure[] };
  oper_success?: { updated_inst_results: UpdatedInstanceResult[] };
}
/** Set result for one requested obj_path. */
export interface UpdatedObjectResult {
  requested_path: string;
  oper_status: SetOperationStatus;
}
/** Set response. */
export interface SetResp {
  updated_obj_results: UpdatedObjectResult[];
}

// ---- Add -----------------------------------------------------------------------

/** One table (path or search) to add a row to. */
export interface CreateObject {
  obj_path: string;
  param_settings: ParamSetting[];
}
/** Add request. */
export interface Add {
  allow_partial: boolean;
  create_objs: CreateObject[];
}
/** Add outcome for one table. */
export interface AddOperationStatus {
  oper_status?: 'oper_failure' | 'oper_success';
  oper_failure?: { err_code: number; err_msg: string };
  oper_success?: { instantiated_path: string; param_errs: ParameterError[]; unique_keys: UspMap };
}
/** Add result for one created object. */
export interface CreatedObjectResult {
  requested_path: string;
  oper_status: AddOperationStatus;
}
/** Add response. */
export interface AddResp {
  created_obj_results: CreatedObjectResult[];
}

// ---- Delete --------------------------------------------------------------------

/** Delete request. */
export interface Delete {
  allow_partial: boolean;
  obj_paths: string[];
}
/** A row that exists but could not be deleted. */
export interface UnaffectedPathError {
  unaffected_path: string;
  err_code: number;
  err_msg: string;
}
/** Delete outcome for one requested path. */
export interface DeleteOperationStatus {
  oper_status?: 'oper_failure' | 'oper_success';
  oper_failure?: { err_code: number; err_msg: string };
  oper_success?: { affected_paths: string[]; unaffected_path_errs: UnaffectedPathError[] };
}
/** Delete result for one requested path. */
export interface DeletedObjectResult {
  requested_path: string;
  oper_status: DeleteOperationStatus;
}
/** Delete response. */
export interface DeleteResp {
  deleted_obj_results: DeletedObjectResult[];
}

// ---- Operate -------------------------------------------------------------------

/** Operate request. */
export interface Operate {
  command: string;
  command_key: string;
  send_resp: boolean;
  input_args: UspMap;
}
/** A command's failure (err_code fixed32). */
export interface CommandFailure {
  err_code: number;
  err_msg: string;
}
/** A command's output arguments. */
export interface OutputArgs {
  output_args: UspMap;
}
/** Outcome of one executed command. */
export interface OperationResult {
  executed_command: string;
  operation_resp?: 'req_obj_path' | 'req_output_args' | 'cmd_failure';
  req_obj_path?: string;
  req_output_args?: OutputArgs;
  cmd_failure?: CommandFailure;
}
/** Operate response. */
export interface OperateResp {
  operation_results: OperationResult[];
}

// ---- Notify --------------------------------------------------------------------

/** Notify.Event (the map is `params`, notes §1.3 trap). */
export interface NotifyEvent {
  obj_path: string;
  event_name: string;
  params: UspMap;
}
/** Notify.ValueChange. */
export interface NotifyValueChange {
  param_path: string;
  param_value: string;
}
/** Notify.ObjectCreation. */
export interface NotifyObjectCreation {
  obj_path: string;
  unique_keys: UspMap;
}
/** Notify.ObjectDeletion. */
export interface NotifyObjectDeletion {
  obj_path: string;
}
/** Notify.OperationComplete. */
export interface NotifyOperationComplete {
  obj_path: string;
  command_name: string;
  command_key: string;
  operation_resp?: 'req_output_args' | 'cmd_failure';
  req_output_args?: OutputArgs;
  cmd_failure?: CommandFailure;
}
/** Notify.OnBoardRequest. */
export interface NotifyOnBoardRequest {
  oui: string;
  product_class: string;
  serial_number: string;
  agent_supported_protocol_versions: string;
}
/** Notify request (Agent → Controller). */
export interface Notify {
  subscription_id: string;
  send_resp: boolean;
  notification?: 'event' | 'value_change' | 'obj_creation' | 'obj_deletion' | 'oper_complete' | 'on_board_req';
  event?: NotifyEvent;
  value_change?: NotifyValueChange;
  obj_creation?: NotifyObjectCreation;
  obj_deletion?: NotifyObjectDeletion;
  oper_complete?: NotifyOperationComplete;
  on_board_req?: NotifyOnBoardRequest;
}
/** NotifyResp (matched on msg_id, not on subscription_id [R-NOT.9]). */
export interface NotifyResp {
  subscription_id: string;
}

// ---- Register / Deregister (USP Services; a CPE Agent answers 7001) -------------

/** Register request. */
export interface Register {
  allow_partial: boolean;
  reg_paths: { path: string }[];
}
/** Register response. */
export interface RegisterResp {
  registered_path_results: {
    requested_path: string;
    oper_status: {
      oper_status?: 'oper_failure' | 'oper_success';
      oper_failure?: { err_code: number; err_msg: string };
      oper_success?: { registered_path: string };
    };
  }[];
}
/** Deregister request. */
export interface Deregister {
  paths: string[];
}
/** Deregister response. */
export interface DeregisterResp {
  deregistered_path_results: {
    requested_path: string;
    oper_status: {
      oper_status?: 'oper_failure' | 'oper_success';
      oper_failure?: { err_code: number; err_msg: string };
      oper_success?: { deregistered_path: string[] };
    };
  }[];
}
