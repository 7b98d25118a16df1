/**
 * The CWMP layer: typed TR-069 messages, the SOAP 1.1 codec, events and faults.
 * Pure: no I/O, no timers.
 * @module
 */

// ---- Types ------------------------------------------------------------------
export type * from './types.js';

// ---- Codec --------------------------------------------------------------------
export { encodeEnvelope } from './encode.js';
export { decodeEnvelope } from './decode.js';
export { CwmpDecodeError, CwmpEncodeError } from './errors.js';
export {
  NAMESPACE_BY_VERSION,
  DEFAULT_NAMESPACE,
  versionOfNamespace,
  isCwmpNamespace,
  SOAP_ENV_NS,
  SOAP_ENC_NS,
  XSD_NS,
  XSI_NS,
} from './namespaces.js';

// ---- Events -------------------------------------------------------------------
export { EVENT, isValidEventCode, eventPolicy } from './events.js';
export type { EventPolicy, EventDeliveredBy } from './events.js';

// ---- Faults -------------------------------------------------------------------
export { faultFromError, errorFromFault, soapFaultCode } from './faults.js';

// ---- Inform helpers -----------------------------------------------------------
export { formatDateTime, UNKNOWN_TIME, forcedInformParameters, CPE_RPC_METHODS } from './inform.js';

// ---- Transcripts --------------------------------------------------------------
export { summarize } from './summarize.js';
