/**
 * The XMPP Connection Request of TR-069 Annex K, as pure decisions: which JIDs may
 * send one (`ConnReqAllowedJabberIDs`), and the answer to a `connectionRequest` IQ.
 * @module
 */
import { timingSafeEqual } from 'node:crypto';

/** Namespace of the `connectionRequest` element (cwmp-xmppConnReq-1-0.xsd). */
export const XMPP_CONN_REQ_NS = 'urn:broadband-forum-org:cwmp:xmppConnReq-1-0';

/**
 * The answer to a connectionRequest IQ (Annex K): `result`, or an error IQ whose
 * condition is `not-authorized` (wrong credentials; type auth) or
 * `service-unavailable` (a JID not allowed, or throttled; type cancel).
 */
export type XmppCrAnswer = 'result' | 'not-authorized' | 'service-unavailable';

/** Why a request was refused, for counters and logs. */
export type XmppCrReason = 'accepted' | 'jid-not-allowed' | 'wrong-credentials' | 'not-populated' | 'throttled' | 'malformed' | 'powered-off';

/** Splits a JID into bare and resource parts. */
function splitJid(jid: string): { bare: string; resource: string | undefined } {
  const slash = jid.indexOf('/');
  const bare = (slash < 0 ? jid : jid.slice(0, slash)).toLowerCase();
  return { bare, resource: slash < 0 ? undefined : jid.slice(slash + 1) };
}

/**
 * `ConnReqAllowedJabberIDs` (a comma-separated list): an empty list allows any JID; a
 * bare JID in it matches that account with any resource, a full JID only itself.
 * @example
 * jidAllowed('acs@example.com/genieacs', 'acs@example.com'); // true
 * jidAllowed('acs@example.com/a', 'acs@example.com/b');      // false
 */
export function jidAllowed(from: string, allowedList: string): boolean {
  const allowed = allowedList.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (allowed.length === 0) return true;
  const f = splitJid(from);
  return allowed.some((a) => {
    const p = splitJid(a);
    return p.bare === f.bare && (p.resource === undefined || p.resource === f.resource);
  });
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Inputs of {@link decideXmppCr}. */
export interface XmppCrRequest {
  from: string;
  allowedJabberIds: string;
  /** The CR credentials of the CPE, read now. */
  credentials: { username: string; password: string };
  /** What the IQ carried; undefined when the element lacks them. */
  given: { username: string; password: string } | undefined;
  /** Admits the request under the CPE's Connection Request throttle (called only for authentic requests). */
  admit: () => boolean;
  /** The box is dark (powered off, between a Reboot and its boot, uplink cut). */
  dark?: boolean;
}

/**
 * Annex K's checks in order (after the box being dark): allowed JID, then credentials (`ConnectionRequestUsername`
 * / `Password`), then the throttle shared with the other paths.
 */
export function decideXmppCr(r: XmppCrRequest): { answer: XmppCrAnswer; reason: XmppCrReason } {
  // A dark box has no session: the ACS gets what the server answers for an offline
  // resource (RFC 6121 §8.5.3.2.1: service-unavailable), which GenieACS reads as "offline".
  if (r.dark === true) return { answer: 'service-unavailable', reason: 'powered-off' };
  if (!jidAllowed(r.from, r.allowedJabberIds)) return { answer: 'service-unavailable', reason: 'jid-not-allowed' };
  if (!r.given) return { answer: 'not-authorized', reason: 'malformed' };
  // An empty username is "not populated": fail closed, as the HTTP listener does.
  if (r.credentials.username === '') return { answer: 'not-authorized', reason: 'not-populated' };
  const okUser = same(r.given.username, r.credentials.username);
  const okPass = same(r.given.password, r.credentials.password);
  if (!okUser || !okPass) return { answer: 'not-authorized', reason: 'wrong-credentials' };
  if (!r.admit()) return { answer: 'service-unavailable', reason: 'throttled' };
  return { answer: 'result', reason: 'accepted' };
}
