import type { CwmpMessage } from './types.js';

/**
 * The messages whose SOAP body is the bare element, with no child: decode and encode
 * both read this one list, so a message added here is handled the same on both sides.
 */
export const EMPTY_BODY_MESSAGES = [
  'TransferCompleteResponse',
  'AutonomousTransferCompleteResponse',
  'DUStateChangeCompleteResponse',
  'AutonomousDUStateChangeCompleteResponse',
  'ChangeDUStateResponse',
  'GetQueuedTransfers',
  'GetAllQueuedTransfers',
  'ScheduleDownloadResponse',
  'CancelTransferResponse',
  'GetRPCMethods',
  'SetParameterAttributesResponse',
  'RebootResponse',
  'FactoryReset',
  'FactoryResetResponse',
  'ScheduleInformResponse',
] as const;

/** A message from {@link EMPTY_BODY_MESSAGES}. */
export type EmptyBodyMessage = Extract<CwmpMessage, { name: (typeof EMPTY_BODY_MESSAGES)[number] }>;

const EMPTY_BODY = new Set<string>(EMPTY_BODY_MESSAGES);

/** True when a message of this element name has no body content (see {@link EMPTY_BODY_MESSAGES}). */
export function isEmptyBodyName(name: string): name is EmptyBodyMessage['name'] {
  return EMPTY_BODY.has(name);
}

/** Narrows a message to one with no body content. */
export function hasEmptyBody(m: CwmpMessage): m is EmptyBodyMessage {
  return EMPTY_BODY.has(m.name);
}
