/**
 * `Controller.{i}.TransferCompletePolicy.ResultTypeFilter` (TR-181 2.19): which
 * `Device.LocalAgent.TransferComplete!` events a Controller wants, by outcome.
 * `Success` keeps the transfers that ended with FaultCode 0, `Failure` the others,
 * `Both` (the default) every one. The filter is read from the recipient's row when
 * the event fires, so a Set applies to the next transfer.
 * @module
 */
import type { ParameterTree } from '../datamodel/index.js';
import type { UspMap } from './types.js';
import type { WriteRefusal } from './subscriptions.js';

/** The event the policy filters. */
export const TRANSFER_COMPLETE_EVENT = 'Device.LocalAgent.TransferComplete!';

/** ResultTypeFilter values (TR-181 2.19). */
export const RESULT_TYPE_FILTERS = ['Success', 'Failure', 'Both'] as const;
/** One of {@link RESULT_TYPE_FILTERS}. */
export type ResultTypeFilter = (typeof RESULT_TYPE_FILTERS)[number];

/** The leaf below a Controller row (`Device.LocalAgent.Controller.1.` + this). */
export const RESULT_TYPE_FILTER_LEAF = 'TransferCompletePolicy.ResultTypeFilter';

/**
 * Should the Controller row `recipient` (`Device.LocalAgent.Controller.1`, as a
 * Subscription's Recipient holds it) be told of this event? Events other than
 * TransferComplete! always pass. A missing leaf or an unknown value (a CWMP write is
 * not checked) counts as `Both`.
 */
export function eventWanted(tree: ParameterTree, recipient: string, eventPath: string, params: UspMap): boolean {
  if (eventPath !== TRANSFER_COMPLETE_EVENT) return true;
  const row = recipient.endsWith('.') ? recipient : `${recipient}.`;
  const filter = tree.getValue(`${row}${RESULT_TYPE_FILTER_LEAF}`);
  // TR-181 TransferComplete!: FaultCode 0 is a successful transfer.
  const succeeded = (params.FaultCode ?? '0') === '0';
  if (filter === 'Success') return succeeded;
  if (filter === 'Failure') return !succeeded;
  return true;
}

/** Checks a Controller's write to ResultTypeFilter before it applies. Undefined = allowed. */
export function checkResultTypeFilterWrite(path: string, value: string): WriteRefusal | undefined {
  if (!path.endsWith(`.${RESULT_TYPE_FILTER_LEAF}`)) return undefined;
  if ((RESULT_TYPE_FILTERS as readonly string[]).includes(value)) return undefined;
  return { err_code: 7012, err_msg: `${path}: ${JSON.stringify(value)} is not a ResultTypeFilter (expected one of ${RESULT_TYPE_FILTERS.join(', ')})` };
}
