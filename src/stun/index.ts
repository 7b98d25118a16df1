/**
 * STUN for the UDP Connection Request (TR-069 Annex G, TR-111 Part 2): the CPE-side
 * Binding Request loop over the UDP CR socket, and a small recording STUN server for
 * the fake ACS. Messages are built and decoded with `@msimerson/stun`.
 * @module
 */

// ---- CPE side ----
export { StunTransactions, StunBinder } from './client.js';
export type { StunConfig, StunMapping, DatagramSend } from './client.js';

// ---- Server (fake ACS) ----
export { startStunServer } from './server.js';
export type { StunServer, StunServerOptions, StunBindingRecord } from './server.js';

// ---- Messages (pure) ----
export {
  bindingRequest,
  bindingResponse,
  bindingErrorResponse,
  readBindingRequest,
  readBindingResponse,
  CONNECTION_REQUEST_BINDING,
  CONNECTION_REQUEST_BINDING_VALUE,
  BINDING_CHANGE,
} from './codec.js';
export type { BindingRequestInfo, BindingRequestOptions, BindingResult } from './codec.js';
