/**
 * XMPP Connection Requests (TR-069 Annex K): the CPE's session ({@link XmppAgent}),
 * the ACS's sender ({@link XmppCrSender}) and the pure Annex K rules. Uses
 * `@xmpp/client`, loaded on first use (it is ESM-only).
 * @module
 */
export { XmppAgent } from './agent.js';
export type { XmppAgentOptions, XmppAgentStatus, XmppCrEvent } from './agent.js';
export { XmppCrSender } from './sender.js';
export type { XmppAccount, XmppCrResult } from './sender.js';
export { decideXmppCr, jidAllowed, XMPP_CONN_REQ_NS } from './conn-req.js';
export type { XmppCrAnswer, XmppCrReason, XmppCrRequest } from './conn-req.js';
