/**
 * The error a Notify (or any Record the agent originates) is rejected with when it
 * could not be delivered, for the NotifRetry policy to decide (usp-contract seam 3).
 * @module
 */
import { CpeSimError } from '../errors/index.js';

/**
 * Why a delivery failed: `mtp-down` (no connection now), `no-route` (the Controller has
 * no destination on any MTP), `mtp-lost` (the connection dropped while waiting for the
 * NotifyResp), `timeout` (no NotifyResp in time), `error` (the Controller answered with
 * a USP Error), `closed` (the agent was closed).
 */
export type UspDeliveryFailure = 'mtp-down' | 'no-route' | 'mtp-lost' | 'timeout' | 'error' | 'closed';

/** A Record the agent sent (or meant to send) did not reach its Controller. Code `CPESIM_USP_DELIVERY`. */
export class UspDeliveryError extends CpeSimError {
  override name = 'UspDeliveryError';
  /** With `reason` `error`: the Controller's err_code. */
  readonly errCode: number | undefined;
  constructor(
    readonly reason: UspDeliveryFailure,
    message: string,
    errCode?: number,
  ) {
    super('CPESIM_USP_DELIVERY', message);
    this.errCode = errCode;
  }
}

/** True for a {@link UspDeliveryError} (by code: works across the ESM and CJS builds). */
export function isUspDeliveryError(e: unknown): e is UspDeliveryError {
  return e instanceof Error && (e as { code?: unknown }).code === 'CPESIM_USP_DELIVERY';
}
