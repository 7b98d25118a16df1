/**
 * The CWMP session runner (TR-069 §3.7.1–3.7.2, notes §1.1): Inform → InformResponse
 * → CPE requests → empty POST → ACS requests answered one per POST → an empty
 * 204/200 ends the session. Any HTTP error, non-8005 fault, malformed envelope,
 * timeout or protocol violation makes the session fail (`SessionFailure`); the
 * caller keeps the events and schedules the retry.
 * @module
 */
import { CwmpFault, isCwmpFault } from '../errors/index.js';
import type { CpeRequest, CpeResponse, CwmpMessage, CwmpNamespace, Envelope, Inform } from '../cwmp/index.js';
import { CPE_RPC_METHODS, CwmpDecodeError, decodeEnvelope, encodeEnvelope, faultFromError, NAMESPACE_BY_VERSION, summarize } from '../cwmp/index.js';
import type { Logger } from '../log/index.js';
import { SessionAuth } from './auth.js';
import type { AcsCredentials } from './auth.js';
import { CookieJar } from './cookies.js';
import { isAcsRequest } from './rpc.js';
import { createTransport, Http10Transport, TransportError } from './transport.js';
import type { AcsTls, SessionTransport, TransportKind, TransportResponse } from './transport.js';
import { names } from './behaviour.js';
import type { Behaviour } from './behaviour.js';
import type { SessionRecord } from './transcript.js';

/** Versions announced in the Inform (CWMP 1.4 §3.7.4 `SupportedCWMPVersions`). */
export const SUPPORTED_CWMP_VERSIONS = '1.0,1.1,1.2,1.3,1.4';

/**
 * The namespace of the Inform: cwmp-1-2 carries 1.2–1.4 (there is no cwmp-1-3/1-4
 * namespace, and GenieACS rejects cwmp-1-4 with 400).
 */
export const INFORM_NAMESPACE: CwmpNamespace = NAMESPACE_BY_VERSION['1.2'];

/** TR-069 §3.4.5: a CPE follows at most this many redirects in one session. */
export const MAX_REDIRECTS = 5;

/** How often an ACS 8005 (Retry request) is honoured for one CPE request before the session fails. */
export const MAX_8005_RETRIES = 3;

/** The session failed; `message` says why (it becomes `SessionRecord.error`). */
export class SessionFailure extends Error {
  override name = 'SessionFailure';
}

/** What the runner needs from its CPE. */
export interface SessionDeps {
  url: URL;
  transport: TransportKind;
  /** TLS towards an `https:` ACS (private CA, client certificate, skip-verify). */
  tls?: AcsTls | undefined;
  /** Injected misbehaviour (./behaviour.ts); absent: a model citizen. */
  behaviour?: Behaviour | undefined;
  /** Per-request limit, real ms. */
  timeoutMs: number;
  signal: AbortSignal;
  /** Simulated clock. */
  now(): number;
  credentials(): AcsCredentials | undefined;
  record: SessionRecord;
  keepXml: boolean;
  /** false: only entries carrying an ACS request keep their decoded `message`. */
  keepAllMessages: boolean;
  logger: Logger;
  /** A fresh cwmp:ID for a CPE request. */
  nextId(): string;
  inform: Inform;
  /** Called once the InformResponse arrived; returns the CPE requests to send. */
  onInformResponse(env: Envelope): CpeRequest[];
  /** A CPE request got its response (TransferCompleteResponse delivers `7`/`M Download`). */
  onCpeRequestAnswered(req: CpeRequest, res: CwmpMessage): void;
  /** Executes an ACS request; throws CwmpFault. */
  handleRequest(msg: CwmpMessage): CpeResponse;
}

type PostKind = 'request' | 'response' | 'empty';

/** Runs one session to its end. Resolves on success; rejects with SessionFailure. */
export async function runSession(d: SessionDeps): Promise<void> {
  const path = `${d.url.pathname}${d.url.search}`;
  // Mutable: a redirect of the Inform moves the rest of the session to another URL.
  const ctx: PostCtx = { d, transport: transportFor(d, d.url), jar: new CookieJar(d.now), auth: new SessionAuth(path, d.credentials), path, url: d.url, redirects: 0 };
  let closedForcefully = false;
  if (d.behaviour?.http10 === true) quirk(d, 'HTTP/1.0 without keep-alive: a new TCP connection for every message');
  try {
    const exchange = (kind: PostKind, msg: CwmpMessage | null, xml: string | undefined): Promise<Envelope | InvalidAcsRequest | null> => post(ctx, kind, msg, xml);
    /** Responses to our own requests (Inform, TransferComplete…) are never ACS requests. */
    const request = async (msg: CwmpMessage, xml: string): Promise<Envelope | null> => {
      const res = await exchange('request', msg, xml);
      if (res instanceof InvalidAcsRequest) throw new SessionFailure(`malformed SOAP from the ACS: ${res.why}`);
      return res;
    };

    // 1. Inform (TR-069 §3.7.1.1): always the first message, in cwmp-1-2.
    const informXml = encodeEnvelope(d.inform, { header: { id: d.nextId(), supportedCwmpVersions: SUPPORTED_CWMP_VERSIONS }, namespace: INFORM_NAMESPACE });
    let env: Envelope | null = await request(d.inform, informXml);
    if (env === null) throw new SessionFailure('ACS answered the Inform with an empty response instead of InformResponse');
    if (env.body.name === 'Fault') throw new SessionFailure(`ACS answered the Inform with fault ${describeFault(env.body)}`);
    if (env.body.name !== 'InformResponse') throw new SessionFailure(`ACS answered the Inform with ${env.body.name} instead of InformResponse`);
    // §3.7.4 / notes §1.5: the rest of the session speaks the namespace the ACS chose.
    const ns = env.namespace;
    const requests = d.onInformResponse(env);
    const b = d.behaviour;
    if (b?.earlyEmptyPost === true && requests.length > 0) {
      quirk(d, `early empty POST: ${requests.map((r) => r.name).join(', ')} held back`);
      requests.length = 0;
    }
    let hold = env.header.holdRequests === true;
    let last: 'request' | 'response' | 'empty' = 'response';
    let sentEmpty = false;
    let retries8005 = 0;
    /** Set when the ACS request in `env` could not be decoded: it is answered with this fault. */
    let invalidRequest: CwmpFault | undefined;

    for (;;) {
      if (d.signal.aborted) throw new SessionFailure('session aborted: CPE closed');
      let got: Envelope | InvalidAcsRequest | null;
      if (last === 'request' && env !== null) {
        // An ACS request rides on an HTTP response; the answer goes in the next POST (§3.7.2).
        await misbehaveBeforeAnswer(d, env.body.name);
        const answer = invalidRequest !== undefined ? faultFromError(invalidRequest) : answerRequest(d, env.body);
        invalidRequest = undefined;
        const header = env.header.id !== undefined ? { id: env.header.id } : {};
        got = await exchange('response', answer, encodeEnvelope(answer, { header, namespace: ns }));
      } else {
        if (last === 'empty' && sentEmpty) return; // §3.7.1.4: both sides are done
        const next = requests[0];
        if (hold && next !== undefined && b?.ignoreHoldRequests === true) {
          quirk(d, `HoldRequests ignored: sent ${next.name}`);
          hold = false;
        }
        if (!sentEmpty && !hold && next !== undefined) {
          // §3.7.1.2: CPE requests only while the ACS's last response carried none,
          // HoldRequests is not true and no empty POST was sent yet.
          const res = await request(next, encodeEnvelope(next, { header: { id: d.nextId() }, namespace: ns }));
          if (res === null) throw new SessionFailure(`ACS answered ${next.name} with an empty response`);
          if (res.body.name === 'Fault') {
            // §3.7.1.2 / A.5: 8005 = retry the request (not the Inform); bounded so a broken ACS cannot loop us.
            if (res.body.detail.faultCode === 8005 && retries8005 < MAX_8005_RETRIES) {
              retries8005++;
              hold = res.header.holdRequests === true;
              continue;
            }
            throw new SessionFailure(`ACS answered ${next.name} with fault ${describeFault(res.body)}`);
          }
          if (res.body.name !== `${next.name}Response`) throw new SessionFailure(`ACS answered ${next.name} with ${res.body.name}`);
          retries8005 = 0;
          requests.shift();
          d.onCpeRequestAnswered(next, res.body);
          hold = res.header.holdRequests === true;
          env = res;
          last = 'response';
          continue;
        }
        got = await exchange('empty', null, undefined);
        sentEmpty = true;
      }
      // Classify what the ACS sent in this HTTP response.
      if (got instanceof InvalidAcsRequest) {
        // A.5 9003: a known RPC with arguments we cannot read gets a fault, and the session goes on.
        invalidRequest = new CwmpFault(9003, `Invalid arguments: ${got.why}`);
        env = got.envelope;
        last = 'request';
        hold = env.header.holdRequests === true;
        continue;
      }
      env = got;
      if (env === null) {
        last = 'empty';
        hold = false;
      } else if (env.body.name === 'Fault') {
        throw new SessionFailure(`ACS sent fault ${describeFault(env.body)}`);
      } else if (isAcsRequest(env.body) || !env.body.name.endsWith('Response')) {
        last = 'request';
        hold = env.header.holdRequests === true;
      } else {
        throw new SessionFailure(`protocol violation: ACS sent ${env.body.name} where a request or an empty response was expected`);
      }
    }
  } catch (err) {
    if (err instanceof TransportError && err.kind === 'aborted') closedForcefully = true;
    if (d.signal.aborted) {
      closedForcefully = true;
      throw new SessionFailure('session aborted: CPE closed', { cause: err });
    }
    if (err instanceof SessionFailure) throw err;
    if (err instanceof TransportError) throw new SessionFailure(err.message, { cause: err });
    throw new SessionFailure(`internal error: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  } finally {
    await ctx.transport.close(closedForcefully || d.signal.aborted);
  }
}

/**
 * The session's HTTP connection towards `url`: the configured transport, or with the
 * `http10` quirk an HTTP/1.0 one that opens a TCP connection per message.
 */
function transportFor(d: SessionDeps, url: URL): SessionTransport {
  return d.behaviour?.http10 === true ? new Http10Transport(url, d.tls) : createTransport(d.transport, url, d.tls);
}

/** Records a quirk that fired in this session (SessionRecord.quirks) and logs it. */
function quirk(d: SessionDeps, text: string): void {
  (d.record.quirks ??= []).push(text);
  d.logger.debug('quirk', { session: d.record.id, quirk: text });
}

/** Real-time wait that ends early (rejecting) when the CPE closes. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new SessionFailure('session aborted: CPE closed'));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new SessionFailure('session aborted: CPE closed'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** `delay` and `neverAnswer` of an ACS request `rpc`. */
async function misbehaveBeforeAnswer(d: SessionDeps, rpc: string): Promise<void> {
  const b = d.behaviour;
  if (b === undefined) return;
  if (names(b.neverAnswer, rpc)) {
    quirk(d, `never answered ${rpc}`);
    // The ACS waits in vain; the CPE gives up after its own ACS timeout (or at close()).
    await wait(d.timeoutMs, d.signal);
    throw new SessionFailure(`quirk: never answered ${rpc} (gave up after ${d.timeoutMs} ms)`);
  }
  if (b.delay !== undefined && (b.delay.rpc === undefined || names(b.delay.rpc, rpc))) {
    quirk(d, `answered ${rpc} after ${b.delay.ms} ms`);
    await wait(b.delay.ms, d.signal);
  }
}

function answerRequest(d: SessionDeps, msg: CwmpMessage): CpeResponse {
  const f = d.behaviour?.fault;
  if (f !== undefined && names(f.rpc, msg.name)) {
    quirk(d, `answered ${msg.name} with fault ${f.code}`);
    return faultFromError(new CwmpFault(f.code, f.string));
  }
  try {
    return d.handleRequest(msg);
  } catch (err) {
    if (isCwmpFault(err)) return faultFromError(err);
    // A bug or an unexpected tree error must not crash the session: A.5 9002 Internal error.
    d.logger.error('RPC handler failed', { rpc: msg.name, error: err instanceof Error ? err.message : String(err) });
    return faultFromError(new CwmpFault(9002, 'Internal error'));
  }
}

function describeFault(f: { detail: { faultCode: number; faultString: string } }): string {
  return `${f.detail.faultCode} ${f.detail.faultString}`;
}

interface PostCtx {
  d: SessionDeps;
  transport: SessionTransport;
  jar: CookieJar;
  auth: SessionAuth;
  path: string;
  /** Where the session's POSTs go (the ACS URL, or where a redirect sent it). */
  url: URL;
  /** Redirects followed so far in this session. */
  redirects: number;
}

/**
 * TR-069 §3.4.5: the ACS may answer the Inform with 302 or 307; the CPE re-sends it to
 * the Location and uses that URL for the rest of the session (not for later sessions),
 * following at most {@link MAX_REDIRECTS} hops. Moves `c` to the new URL.
 */
async function followRedirect(c: PostCtx, res: TransportResponse): Promise<void> {
  const loc = res.headers.get('location')?.[0];
  c.d.record.entries.push({ dir: 'acs->cpe', time: c.d.now(), status: res.status, summary: `HTTP ${res.status} redirect to ${loc ?? '(no Location)'}` });
  if (loc === undefined || loc === '') throw new SessionFailure(`HTTP ${res.status} redirect without a Location header`);
  if (++c.redirects > MAX_REDIRECTS) throw new SessionFailure(`more than ${MAX_REDIRECTS} HTTP redirects in one session (TR-069 §3.4.5); last Location ${loc}`);
  let next: URL;
  try {
    next = new URL(loc, c.url);
  } catch {
    throw new SessionFailure(`HTTP ${res.status} redirect to an invalid Location ${JSON.stringify(loc)}`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new SessionFailure(`HTTP ${res.status} redirect to a ${next.protocol} URL (expected http: or https:)`);
  await c.transport.close();
  c.transport = transportFor(c.d, next);
  c.url = next;
  c.path = `${next.pathname}${next.search}`;
  // A new server: it challenges afresh.
  c.auth = new SessionAuth(c.path, c.d.credentials);
  c.d.logger.info('acs redirect', { status: res.status, location: next.href, hop: c.redirects });
}

/**
 * One POST (with at most one authenticated retry after a 401 challenge), recorded in
 * the transcript. Returns the decoded envelope, null for an empty response, or an
 * InvalidAcsRequest when a known ACS RPC arrived with arguments that do not decode.
 */
async function post(c: PostCtx, kind: PostKind, msg: CwmpMessage | null, xml: string | undefined): Promise<Envelope | InvalidAcsRequest | null> {
  const { d } = c;
  const rec = d.record;
  const b = d.behaviour;
  const sending = msg?.name ?? 'empty';
  if (b !== undefined) {
    if (names(b.closeBefore, sending)) {
      quirk(d, `closed the connection instead of sending ${sending}`);
      await c.transport.close(true);
      throw new SessionFailure(`quirk: closed the connection before sending ${sending}`);
    }
    if (xml !== undefined && names(b.wrongId, sending)) {
      quirk(d, `wrong cwmp:ID on ${sending}`);
      xml = xml.replace(/(<cwmp:ID\b[^>]*>)([^<]*)(<\/cwmp:ID>)/, '$1$2-wrong$3');
    }
    if (xml !== undefined && names(b.malformedXml, sending)) {
      quirk(d, `malformed XML for ${sending}`);
      xml = xml.slice(0, Math.floor(xml.length / 2));
    }
  }
  rec.entries.push({
    dir: 'cpe->acs',
    time: d.now(),
    summary: summarize(msg),
    ...(msg !== null && d.keepAllMessages ? { message: msg } : {}),
    ...(d.keepXml && xml !== undefined ? { xml } : {}),
  });
  let res: TransportResponse | undefined;
  for (let attempt = 0; ; attempt++) {
    const headers: Record<string, string> = {};
    if (kind !== 'empty') {
      headers['content-type'] = 'text/xml; charset="utf-8"';
      // notes §1.2: SOAPAction "" on CPE requests (SOAP 1.1), present with no value on
      // responses/faults, absent on the empty POST.
      headers['soapaction'] = kind === 'request' ? '""' : '';
    }
    const cookie = c.jar.header(c.path);
    if (cookie !== undefined) {
      if (b?.dropCookies === true) {
        if (!rec.quirks?.includes('cookies dropped')) quirk(d, 'cookies dropped');
      } else headers['cookie'] = cookie;
    }
    const authorization = c.auth.authorization('POST');
    if (authorization !== undefined) headers['authorization'] = authorization;
    if (names(b?.closeAfter, sending)) {
      quirk(d, `closed the connection right after sending ${sending}`);
      const sent = c.transport.post({ headers, ...(xml !== undefined ? { body: xml } : {}), timeoutMs: d.timeoutMs, signal: d.signal });
      sent.catch(() => undefined);
      // Until the answer starts to arrive (so the message surely left; the answer is then
      // ignored), at most 1 s for an ACS that does not answer at all.
      await Promise.race([sent, wait(1000, d.signal)]).catch(() => undefined);
      await c.transport.close(true);
      throw new SessionFailure(`quirk: closed the connection after sending ${sending}`);
    }
    res = await c.transport.post({ headers, ...(xml !== undefined ? { body: xml } : {}), timeoutMs: d.timeoutMs, signal: d.signal });
    // Body bytes on the wire, for the admin metrics (headers are not counted).
    rec.bytesSent = (rec.bytesSent ?? 0) + (xml === undefined ? 0 : Buffer.byteLength(xml));
    rec.bytesReceived = (rec.bytesReceived ?? 0) + Buffer.byteLength(res.body);
    c.jar.store(res.headers.get('set-cookie'), c.path);
    if ((res.status === 302 || res.status === 307) && msg?.name === 'Inform') {
      await followRedirect(c, res);
      attempt = -1;
      continue;
    }
    if (res.status !== 401) break;
    const challenges = res.headers.get('www-authenticate') ?? [];
    rec.entries.push({ dir: 'acs->cpe', time: d.now(), status: 401, summary: `HTTP 401 ${challenges.map((v) => v.split(/\s/)[0]).join(',') || '(no challenge)'}` });
    // §3.4.4 / notes §1.1: one 401 is part of authentication; a 401 to the authenticated retry is a failure.
    if (attempt > 0) throw new SessionFailure(`ACS rejected our ${c.auth.schemeName ?? ''} credentials (401 to the authenticated retry)`);
    try {
      c.auth.challenge(challenges);
    } catch (err) {
      throw new SessionFailure(err instanceof Error ? err.message : String(err));
    }
    if (b?.reconnectAfter401 === true) {
      // Some CPEs (FritzBox) answer a challenge on a new TCP connection: an ACS that ties
      // its Digest nonce or session to the connection breaks on them.
      quirk(d, 'new TCP connection for the authenticated retry');
      await c.transport.close();
      c.transport = transportFor(d, c.url);
    }
  }
  const body = res.body;
  const empty = body.trim() === '';
  if (res.status === 204 || (res.status === 200 && empty)) {
    rec.entries.push({ dir: 'acs->cpe', time: d.now(), status: res.status, summary: '(empty)' });
    return null;
  }
  if (res.status !== 200) {
    rec.entries.push({ dir: 'acs->cpe', time: d.now(), status: res.status, summary: `HTTP ${res.status}`, ...(d.keepXml && !empty ? { xml: body } : {}) });
    // §3.7.1.4: 4xx/5xx end the session unsuccessfully; so does a redirect of anything
    // but the Inform (§3.4.5 allows them only there).
    // The ACS's own words (an error page, a stack trace) are what a user needs to see
    // why it refused; one bounded line of them goes into the failure.
    const said = empty ? '' : `: ${bodyExcerpt(body)}`;
    throw new SessionFailure(res.status >= 300 && res.status < 400 ? `HTTP ${res.status} redirect of ${msg?.name ?? 'an empty POST'} (TR-069 §3.4.5: only the Inform may be redirected)` : `HTTP ${res.status} from the ACS${said}`);
  }
  let env: Envelope;
  try {
    env = decodeEnvelope(body);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    // Where an ACS request may arrive, a known RPC whose arguments do not decode is answered with 9003.
    const invalid = kind !== 'request' && err instanceof CwmpDecodeError ? invalidAcsRequest(body, err) : undefined;
    rec.entries.push({
      dir: 'acs->cpe',
      time: d.now(),
      status: res.status,
      summary: invalid ? `${invalid.rpc} with invalid arguments: ${why}` : `malformed SOAP: ${why}`,
      ...(invalid ? { message: invalid.envelope.body } : {}),
      ...(d.keepXml ? { xml: body } : {}),
    });
    if (invalid) return invalid;
    throw new SessionFailure(`malformed SOAP from the ACS: ${why}`);
  }
  rec.entries.push({
    dir: 'acs->cpe',
    time: d.now(),
    status: res.status,
    summary: summarize(env.body),
    ...(d.keepAllMessages || isAcsRequest(env.body) ? { message: env.body } : {}),
    ...(d.keepXml ? { xml: body } : {}),
  });
  return env;
}

/** A well-formed envelope holding a known ACS request whose arguments could not be decoded. */
class InvalidAcsRequest {
  constructor(
    readonly rpc: string,
    /** Header and namespace as sent; the body is the RPC as `Unknown`. */
    readonly envelope: Envelope,
    readonly why: string,
  ) {}
}

const ACS_RPC_NAMES: ReadonlySet<string> = new Set(CPE_RPC_METHODS);

/**
 * The decode error lies inside a known RPC element (`Envelope/Body/<RPC>/…`): the
 * envelope, header and RPC name are fine, only the arguments are not (e.g. a missing
 * `ParameterNames`, DelaySeconds "abc"). Reads the header and namespace with the codec
 * itself, by renaming the RPC element so it decodes as an unmodelled RPC.
 */
function invalidAcsRequest(xml: string, err: CwmpDecodeError): InvalidAcsRequest | undefined {
  const m = /^Envelope\/Body\/([A-Za-z]+)(?:\/|$)/.exec(err.where ?? '');
  const rpc = m?.[1];
  if (rpc === undefined || !ACS_RPC_NAMES.has(rpc)) return undefined;
  const renamed = xml.replace(new RegExp(`(<\\/?(?:[A-Za-z_][\\w.-]*:)?)${rpc}(?=[\\s/>])`, 'g'), `$1CpeSimInvalid${rpc}`);
  try {
    const env = decodeEnvelope(renamed);
    if (env.body.name !== 'Unknown') return undefined;
    return new InvalidAcsRequest(rpc, { header: env.header, namespace: env.namespace, body: { ...env.body, method: rpc } }, err.message);
  } catch {
    return undefined;
  }
}

/** Longest part of an ACS error body quoted in a session failure. */
const BODY_EXCERPT_CHARS = 200;

/** One line of an HTTP error body: tags dropped, whitespace collapsed, at most {@link BODY_EXCERPT_CHARS}. */
export function bodyExcerpt(body: string): string {
  const text = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim() || body.replace(/\s+/g, ' ').trim();
  return JSON.stringify(text.length > BODY_EXCERPT_CHARS ? `${text.slice(0, BODY_EXCERPT_CHARS)}…` : text);
}
