/**
 * The Connection Request listener (TR-069 §3.2.2): one HTTP server per process,
 * exact-path routing per CPE, Basic/Digest auth, per-CPE throttle; and beside it the
 * UDP Connection Request listener of Annex G (HMAC-signed datagrams, same throttle).
 * @module
 */

// ---- Listener ----
export { createCrListener, parseAdvertiseHost } from './listener.js';
export type { CrListener, CrListenerOptions, CrListenerStats } from './listener.js';
export type * from './types.js';

// ---- UDP Connection Request (TR-069 Annex G) ----
export { createUdpCrListener } from './udp-listener.js';
export type { UdpCrEndpoint, UdpCrEvent, UdpCrListener, UdpCrListenerOptions, UdpCrStats } from './udp-listener.js';
export { buildUdpCr, parseUdpCr, udpCrSignature, verifyUdpCr, MAX_UDP_CR_BYTES, UDP_CR_REASONS } from './udp-message.js';
export type { UdpCrFields, UdpCrMessage, UdpCrParse, UdpCrReason } from './udp-message.js';

// ---- Pure pieces (exported for the fake ACS, benches and users' own tests) ----
export { parseBindAddr, urlHost } from './bindaddr.js';
export type { BindAddr } from './bindaddr.js';
export { authorizeCr, basicChallenge, digestChallenge } from './auth.js';
export type { CrAuthOutcome, CrAuthRequest } from './auth.js';
export { NonceStore } from './nonce.js';
export type { NonceStoreOptions, NonceVerdict } from './nonce.js';
export { NcWindow, NC_WINDOW } from './ncwindow.js';
export type { NcVerdict } from './ncwindow.js';
export { CrThrottle } from './throttle.js';
export type { ThrottleVerdict } from './throttle.js';
