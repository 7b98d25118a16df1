/**
 * USP error codes (TR-369 §"Error Codes", notes §4.11) and the {@link UspError} class
 * every USP layer throws; the dispatcher turns one into an Error Msg or a per-path
 * error inside a response.
 * @module
 */
import { CpeSimError } from '../errors/index.js';

/** TR-369 error codes (Msg level 7000–7031, Record level 7100–7106). */
export const USP_ERR = {
  MESSAGE_FAILED: 7000,
  NOT_SUPPORTED: 7001,
  REQUEST_DENIED: 7002,
  INTERNAL_ERROR: 7003,
  INVALID_ARGUMENTS: 7004,
  RESOURCES_EXCEEDED: 7005,
  PERMISSION_DENIED: 7006,
  INVALID_CONFIGURATION: 7007,
  INVALID_PATH_SYNTAX: 7008,
  PARAM_ACTION_FAILED: 7009,
  UNSUPPORTED_PARAM: 7010,
  INVALID_TYPE: 7011,
  INVALID_VALUE: 7012,
  PARAM_READ_ONLY: 7013,
  VALUE_CONFLICT: 7014,
  CRUD_FAILURE: 7015,
  OBJECT_DOES_NOT_EXIST: 7016,
  OBJECT_NOT_CREATED: 7017,
  NOT_A_TABLE: 7018,
  OBJECT_NOT_CREATABLE: 7019,
  OBJECT_NOT_UPDATED: 7020,
  REQUIRED_PARAM_FAILED: 7021,
  COMMAND_FAILURE: 7022,
  COMMAND_CANCELLED: 7023,
  OBJECT_NOT_DELETABLE: 7024,
  UNIQUE_KEY_CONFLICT: 7025,
  INVALID_PATH: 7026,
  INVALID_COMMAND_ARGUMENTS: 7027,
  REGISTER_FAILURE: 7028,
  PATH_ALREADY_REGISTERED: 7029,
  DEREGISTER_FAILURE: 7030,
  PATH_PERMISSION_DENIED: 7031,
  RECORD_NOT_PARSED: 7100,
  SECURE_SESSION_REQUIRED: 7101,
  SECURE_SESSION_NOT_SUPPORTED: 7102,
  SEG_NOT_SUPPORTED: 7103,
  RECORD_FIELD_INVALID: 7104,
  SESSION_CONTEXT_TERMINATED: 7105,
  SESSION_CONTEXT_NOT_ALLOWED: 7106,
} as const;

/** One per-parameter error carried by a {@link UspError} (full paths, as in an Error Msg). */
export interface UspParamErr {
  param_path: string;
  err_code: number;
  err_msg: string;
}

/**
 * A USP failure with its TR-369 code (`errCode`, 7000–7999). Thrown by the codec
 * (7100 unparsable Record, 7004 unparsable Msg), the path parser (7008, 7026) and the
 * message handlers; {@link handleRequest} answers it as an Error Msg.
 */
export class UspError extends CpeSimError {
  override name = 'UspError';
  /** The TR-369 error code, e.g. 7026. */
  readonly errCode: number;
  /** Per-parameter errors, e.g. of a Set with allow_partial=false. */
  readonly paramErrs: readonly UspParamErr[];
  constructor(errCode: number, message: string, paramErrs: readonly UspParamErr[] = [], options?: { cause?: unknown }) {
    super('CPESIM_USP_ERROR', message, options);
    this.errCode = errCode;
    this.paramErrs = paramErrs;
  }
}

/** True for a {@link UspError} (compares `name`, so it works across the ESM and CJS builds). */
export function isUspError(e: unknown): e is UspError {
  return e instanceof Error && e.name === 'UspError';
}
