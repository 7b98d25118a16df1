/**
 * What the fake USP Controller's requests reject with: the agent's Error Msg as a
 * {@link UspErrorResponse} (a `UspError` carrying the TR-369 `errCode`), or a
 * {@link UspControllerError} when no answer came (timeout, no route, disconnect, close).
 * @module
 */
import { CpeSimError } from '../errors/index.js';
import { UspError, type UspErrorBody, type UspParamErr } from '../usp/index.js';

/** Codes of {@link UspControllerError}. */
export const USP_CONTROLLER_ERROR = {
  /** No response with the request's msg_id within the timeout. */
  TIMEOUT: 'CPESIM_USP_TIMEOUT',
  /** The agent is reachable on no MTP (never seen and no MQTT fallback topic, or its WebSocket closed). */
  NO_ROUTE: 'CPESIM_USP_NO_ROUTE',
  /** The agent sent a `disconnect` record while the request was pending. */
  DISCONNECTED: 'CPESIM_USP_DISCONNECTED',
  /** The answer's body does not fit the request (a GetResp for a Set …). */
  UNEXPECTED_RESPONSE: 'CPESIM_USP_UNEXPECTED_RESPONSE',
  /** The Controller was closed while the request was pending. */
  CLOSED: 'CPESIM_USP_CONTROLLER_CLOSED',
  /** Bad input to a Controller method (an empty path list …). */
  BAD_INPUT: 'CPESIM_USP_BAD_INPUT',
} as const;

/** A request of the fake Controller got no usable answer; `code` says why. */
export class UspControllerError extends CpeSimError {
  override name = 'UspControllerError';
  /** The agent the request was for. */
  readonly agentId: string | undefined;
  /** With `CPESIM_USP_DISCONNECTED`: the disconnect record's reason_code (e.g. 7106). */
  readonly reasonCode: number | undefined;
  constructor(code: (typeof USP_CONTROLLER_ERROR)[keyof typeof USP_CONTROLLER_ERROR], message: string, extra: { agentId?: string; reasonCode?: number } = {}) {
    super(code, message);
    this.agentId = extra.agentId;
    this.reasonCode = extra.reasonCode;
  }
}

/**
 * The agent answered a request with an Error Msg. A `UspError` (so `isUspError(e)` and
 * `e.errCode` work), plus the request's `msgId` and the `agentId`.
 * @example
 * await expect(ctl.get(eid, 'Device.Nope.')).rejects.toMatchObject({ errCode: 7026 });
 */
export class UspErrorResponse extends UspError {
  readonly agentId: string;
  readonly msgId: string;
  constructor(agentId: string, msgId: string, body: UspErrorBody) {
    const params = body.param_errs.map((p) => `\n  ${p.param_path}: ${p.err_code} ${p.err_msg}`).join('');
    super(body.err_code, `USP Error ${body.err_code} from ${agentId} (msg_id ${msgId}): ${body.err_msg}${params}`, body.param_errs as readonly UspParamErr[]);
    this.agentId = agentId;
    this.msgId = msgId;
  }
}

/** True for a {@link UspControllerError} (compares `name`: works across the ESM and CJS builds). */
export function isUspControllerError(e: unknown): e is UspControllerError {
  return e instanceof Error && e.name === 'UspControllerError';
}
