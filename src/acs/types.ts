/**
 * Public types of the fake ACS. The ACS is a test double: it speaks CWMP as a
 * server to any CPE (ours, another simulator, a real device) and records what it
 * saw, so tests can script RPCs and assert on the transcript.
 * @module
 */
import type { Logger } from '../log/index.js';
import type { UdpCrOptions, UdpCrSent } from './udp-cr.js';
import type { AcsFiles } from './files.js';
import type { AutonomousDuStateChangeRecord, ChangeDuStateOptions, DownloadOptions, DuStateChangeCompleteRecord, TransferCompleteRecord, UploadOptions, WaitForDuStateChangeOptions, WaitForTransferOptions } from './transfers.js';
import type { StunServer, StunServerOptions } from '../stun/index.js';
import type { XmppAccount, XmppCrResult } from '../xmpp/index.js';
import type {
  AcsRequest,
  CpeResponse,
  CwmpMessage,
  CwmpNamespace,
  DeviceIdStruct,
  EventStruct,
  ParameterValueStruct,
} from '../cwmp/index.js';

/** HTTP authentication the ACS demands from CPEs (TR-069 §3.4.4). */
export interface AcsAuthOptions {
  /** `digest` is what TR-069 requires over plain HTTP; `basic` is for testing a CPE's Basic path. */
  scheme: 'basic' | 'digest';
  username: string;
  password: string;
  /** Realm of the challenge; default `cpe-sim-acs`. */
  realm?: string;
  /**
   * Digest only. `connection` (default): a nonce is valid only on the TCP connection
   * that received the challenge (TR-069 §3.4.4: "SHOULD issue a new nonce per TCP
   * connection"; GenieACS does the same). `any`: a nonce is valid on any connection
   * until it expires. In msw mode there is no connection, so `connection` acts as `any`.
   */
  nonceScope?: 'connection' | 'any';
  /** Digest only: a nonce older than this gets `stale=true`. Default 300_000 ms. */
  nonceLifetimeMs?: number;
}

/** Options of {@link createFakeAcs}. */
export interface FakeAcsOptions {
  /** Address to bind; default `127.0.0.1`. */
  host?: string;
  /**
   * Serve HTTPS: `true` makes a self-signed certificate for 127.0.0.1/::1/localhost
   * (read it from {@link FakeAcs.certificate} to trust it), or give `{ key, cert }`
   * (PEM). `clientCa` (PEM) demands a client certificate signed by it (mutual TLS): the
   * handshake fails without one, and each session records the certificate's CN.
   */
  tls?: true | { key: string | Buffer; cert: string | Buffer; clientCa?: string | Buffer } | { clientCa: string | Buffer };
  /** Port; default 0 (the OS picks one). */
  port?: number;
  /** The CWMP endpoint path; default `/cwmp`. Other paths get 404. */
  path?: string;
  /** Challenge CPEs with Basic or Digest. Absent: no authentication. */
  auth?: AcsAuthOptions;
  /**
   * CWMP version the ACS speaks; default `1.2`. The InformResponse uses the lower of
   * the CPE's namespace and this version's namespace (TR-069 §3.7.4). With `1.4`, a CPE
   * that sends `SupportedCWMPVersions` gets `UseCWMPVersion` = the highest common version.
   */
  cwmpVersion?: '1.0' | '1.2' | '1.4';
  /** Sessions kept in `sessions` (ring, oldest dropped); default 1000. `informs` keeps as many. */
  maxSessions?: number;
  /**
   * Play a loaded ACS: while `maxOpenSessions` sessions are open (an ACS at its concurrency
   * limit, like GenieACS's `MAX_CONCURRENT_REQUESTS`), or once `maxSessionsPerSecond`
   * sessions started in the current second of the ACS's clock (a rate limit), a new Inform
   * is answered `503` with `Retry-After: retryAfter` seconds (default 5) and no session. The
   * CPE then retries with the TR-069 §3.2.1.1 back-off. A per-device {@link AcsBehaviour}
   * takes precedence. At least one of the two limits is required.
   */
  throttle?: AcsThrottle;
  /** Keep the raw XML of every message in the transcript; default false. */
  keepXml?: boolean;
  /** Largest accepted request body (after decompression); default 1 MiB. Larger → 413. */
  maxBodyBytes?: number;
  /**
   * What a new Inform does while the same device still has an open session.
   * `supersede` (default): the old session ends as failed ("superseded"), its
   * unanswered RPC goes back to the head of the queue, the new session starts.
   * `reject`: 400 "CPE already in session" (GenieACS behaviour) until the old session
   * ends or has been idle for `sessionTimeoutMs`.
   */
  concurrentInform?: 'supersede' | 'reject';
  /** An open session idle this long is closed as failed (timed out); default 30_000 ms (GenieACS default). */
  sessionTimeoutMs?: number;
  logger?: Logger;
  /** Called for every message in or out (live printing; see {@link formatAcsLine}). */
  onMessage?: (line: AcsTranscriptLine) => void;
  /** Time source for records and nonce expiry; default `Date.now`. */
  now?: () => number;
  /**
   * An embedded STUN server (TR-111 Part 2) beside the ACS, recording every Binding
   * Request (`acs.stun.bindings`). `true`: on the ACS host, an OS-picked UDP port.
   */
  stun?: boolean | StunServerOptions;
  /** The ACS's XMPP account, for {@link FakeAcs.xmppConnectionRequest} (logged in on first use). */
  xmpp?: XmppAccount;
}

/** Direction of a recorded message. */
export type AcsDirection = 'cpe->acs' | 'acs->cpe';

/** One message of a session transcript. */
export interface AcsMessageRecord {
  dir: AcsDirection;
  /** ms since the epoch. */
  time: number;
  /** For `acs->cpe`: the HTTP status the ACS answered with. */
  status?: number;
  /** One line, e.g. `Inform [1 BOOT] retry=0`, `(empty)`, `204`. */
  summary: string;
  /** The parsed message; `null` for an empty POST or an empty (204) response; absent when the body did not parse. */
  message?: CwmpMessage | null;
  /** Raw XML (only with `keepXml`). */
  xml?: string;
  /**
   * For `cpe->acs` over a socket: which TCP connection carried it (1, 2, … per ACS) and
   * the HTTP version of its request line. A CPE with keep-alive sends a whole session on
   * one connection; an HTTP/1.0 box (`http10` behaviour) opens one per message.
   */
  connectionId?: number;
  httpVersion?: string;
}

/** One CWMP session as the ACS saw it. */
export interface AcsSession {
  /** 1, 2, 3… in order of the Informs. */
  readonly id: number;
  readonly deviceId: DeviceIdStruct;
  readonly serial: string;
  /** The cwmp namespace of the CPE's Inform. */
  readonly namespace: CwmpNamespace;
  /** The id parsed from the last path segment of the ConnectionRequestURL in the Inform, if any (e.g. `cpe-3`). */
  readonly crId?: string;
  readonly events: readonly EventStruct[];
  readonly startedAt: number;
  /** Set when the session ended (204, fault, drop, timeout, supersede, close). */
  endedAt?: number;
  /** True when it ended with the ACS's 204 after a full exchange. */
  ok: boolean;
  /** Why it ended badly. */
  error?: string;
  /** Every message in both directions. */
  readonly messages: AcsMessageRecord[];
  /** Address of the CPE (node:http mode). */
  readonly remoteAddress?: string;
  /** Subject CN of the client certificate the CPE presented (`tls.clientCa`: mutual TLS). */
  readonly clientCertificate?: string;
}

/** One recorded Inform. */
export interface AcsInform {
  sessionId: number;
  deviceId: DeviceIdStruct;
  serial: string;
  events: EventStruct[];
  parameters: ParameterValueStruct[];
  retryCount: number;
  /** Parsed from ConnectionRequestURL (last path segment), if present. */
  crId?: string;
  time: number;
}

/** A line for live printing (the CLI's `cpe-sim acs`). */
export interface AcsTranscriptLine extends AcsMessageRecord {
  /** Session id; absent for requests rejected before a session existed. */
  sessionId?: number;
  /** Serial number of the device, or `?` when unknown. */
  cpe: string;
}

/** The fake ACS's load limits (see {@link FakeAcsOptions.throttle}). */
export interface AcsThrottle {
  maxOpenSessions?: number;
  maxSessionsPerSecond?: number;
  /** Seconds, sent as `Retry-After`; default 5. */
  retryAfter?: number;
}

/** Behaviour scripted for the next Inform(s) of a device, to test CPE retry logic. */
export interface AcsBehaviour {
  /** Wait this long before answering the Inform (applies before any of the others). */
  informResponseDelayMs?: number;
  /** Answer the Inform with this SOAP fault (HTTP 200, TR-069 §3.4.1); no session is opened. */
  fault?: { code: number; string?: string };
  /** Destroy the socket instead of answering (msw mode: a network error). */
  dropConnection?: boolean;
  /** Answer the Inform with this HTTP status and no body, e.g. 503. */
  httpStatus?: number;
  /** Add `Retry-After` (seconds) to an `httpStatus` answer. */
  retryAfter?: number;
  /** Apply once, then forget. Default false: applies to every Inform until replaced. */
  once?: boolean;
}

/** RPC names an ACS can send (TR-069 Table A.3 as modelled here), e.g. `'GetParameterValues'`. */
export type AcsRpcName = AcsRequest['name'];

/** What {@link FakeAcs.rpc} resolves with for a request `R`: its `…Response`, or a Fault. */
export type RpcResponse<R extends AcsRequest = AcsRequest> = Extract<CpeResponse, { name: `${R['name']}Response` | 'Fault' }>;

/** Options of {@link FakeAcs.rpc}. */
export interface RpcOptions {
  /** Reject when no answer came within this many ms; default: wait until close(). */
  timeoutMs?: number;
}

/** Options of {@link FakeAcs.waitForInform}. */
export interface WaitForInformOptions {
  /** Default 5000 ms. */
  timeoutMs?: number;
  /** Only Informs recorded at or after this time (ms since epoch) count; default 0 = any recorded Inform. */
  since?: number;
}

/** Result of a Connection Request. */
export interface CrResult {
  /** Final HTTP status (200/204 success; 401 bad credentials; 503 throttled/busy). */
  status: number;
  /** `Retry-After` of the final response, in seconds, when present. */
  retryAfter?: number;
  /** Headers of the final response, lower-case names. */
  headers: Record<string, string>;
  /** HTTP requests sent (1 = no challenge; 2 = challenge + answer; 3 = stale retry). */
  attempts: number;
  url: string;
  /** Scheme used for the final request, when credentials were sent. */
  scheme?: 'basic' | 'digest';
  /** Digest only: nc of the final request (e.g. 1, or 2 when the client reused a nonce). */
  nc?: number;
}

/** Options of a Connection Request. */
export interface CrOptions {
  username?: string;
  password?: string;
  /** Overall limit for all attempts; default 2000 ms (GenieACS default). */
  timeoutMs?: number;
}

/** The fake ACS. `await using acs = await createFakeAcs()` closes it at scope end. */
export interface FakeAcs extends AsyncDisposable {
  /** `http://127.0.0.1:PORT/cwmp` (`https://` with `tls`). */
  readonly url: string;
  /** The server certificate (PEM) with `tls`: what a CPE must trust (`ca`). */
  readonly certificate: string | undefined;
  readonly port: number;
  /** Recorded sessions, oldest first (bounded by `maxSessions`). */
  readonly sessions: readonly AcsSession[];
  /** Recorded Informs, oldest first. */
  readonly informs: readonly AcsInform[];
  /** Maps a key (e.g. `cpe-3`) to a serial number, for `enqueue`/`rpc`/`waitForInform`/`behave`. */
  alias(key: string, serialNumber: string): void;
  /**
   * The serial number a key refers to, or `undefined`: an alias (a fleet registers
   * `cpe-N` for each CPE), a serial, `OUI-ProductClass-Serial`, `OUI-Serial`, or the
   * id from a ConnectionRequestURL (`cpe-3` of `…/cr/cpe-3`) of a device that has
   * informed. The same keys `enqueue`/`rpc`/`waitForInform`/`behave` accept.
   *
   * @example
   * ```ts
   * acs.resolve('cpe-1'); // 'HGW-0001' in a fleet, even a single-CPE one (CR URL `/cr`)
   * ```
   */
  resolve(key: string): string | undefined;
  /** Queues an RPC for the device's next (or current) session; fire and forget. */
  enqueue(cpe: string, req: AcsRequest): void;
  /**
   * Queues an RPC and resolves with the CPE's response or Fault, typed by the request:
   * `rpc(cpe, { name: 'GetParameterValues', … })` resolves with a
   * `GetParameterValuesResponse | Fault` (the ACS checks the name on the wire).
   * On timeout the error says why: no CPE matches the key, its session stayed open
   * without a POST to answer, or it opened no session.
   */
  rpc<R extends AcsRequest>(cpe: string, req: R, opts?: RpcOptions): Promise<RpcResponse<R>>;
  /** Resolves with a matching recorded Inform (see `since`) or the next one. */
  waitForInform(match: { cpe?: string; event?: string }, opts?: WaitForInformOptions): Promise<AcsInform>;
  /** Sends a real HTTP Connection Request (GET, Digest/Basic as challenged). */
  connectionRequest(url: string, opts?: CrOptions): Promise<CrResult>;
  /**
   * Sends a UDP Connection Request (TR-069 Annex G) to a CPE's `UDPConnectionRequestAddress`
   * (`host:port`), exactly as GenieACS does: three datagrams with one id, signed with
   * HMAC-SHA1 over ts+id+un+cn. UDP has no reply: the promise resolves once sent.
   * @example
   * await acs.udpConnectionRequest(fleet.cpe(2).params.getValue('Device.ManagementServer.UDPConnectionRequestAddress')!, { username: 'cr-cpe-2', password: 'secret' });
   * await acs.waitForInform({ cpe: 'cpe-2', event: '6 CONNECTION REQUEST' });
   */
  udpConnectionRequest(address: string, opts?: UdpCrOptions): Promise<UdpCrSent>;
  /**
   * Sends an XMPP Connection Request (TR-069 Annex K) to a CPE's `ConnReqJabberID`
   * through the `xmpp` account's server, and reads the answer as GenieACS does.
   * @throws ConfigError when the ACS was created without `xmpp`.
   * @example
   * const r = await acs.xmppConnectionRequest('cpe-1@localhost/cwmp', { username: 'cr-cpe-1', password: 'secret' });
   * r.outcome; // 'result' | 'not-authorized' | 'service-unavailable'
   */
  xmppConnectionRequest(jid: string, opts?: { username?: string; password?: string; timeoutMs?: number }): Promise<XmppCrResult>;
  /** The embedded STUN server (`stun` option), or undefined. */
  readonly stun: StunServer | undefined;
  /** Scripts the answer to the next Inform(s) of `cpe` (or every CPE with `'*'`); `null` removes it. */
  behave(cpe: string, b: AcsBehaviour | null): void;
  /**
   * Sets (or with `null` lifts) the `throttle` of {@link FakeAcsOptions} at run time, e.g.
   * after a fleet booted: `acs.setThrottle({ maxOpenSessions: 20, retryAfter: 5 })`.
   * @throws ConfigError on a bad value, naming it.
   */
  setThrottle(throttle: AcsThrottle | null): void;
  /** Forgets recorded sessions and Informs (queues and behaviours stay). */
  clear(): void;
  /**
   * The file server on the ACS's port (`http://host:port/files/…`): images and files for
   * Download, a sink for Upload, with auth and misbehaviours. See docs/fake-acs.md.
   */
  readonly files: AcsFiles;
  /**
   * Queues a Download for the device's next (or current) session and resolves with the
   * CommandKey used and the CPE's answer (DownloadResponse or Fault).
   * @example
   * const { commandKey } = await acs.download('cpe-1', { url: acs.files.serve('fw.img', { image: { version: '7.2.1' } }) });
   */
  download(cpe: string, opts: DownloadOptions): Promise<{ commandKey: string; response: CpeResponse }>;
  /**
   * Queues an Upload (default FileType `1 Vendor Configuration File`) for the device's next
   * session; resolves with the CommandKey and the UploadResponse or Fault.
   * @example await acs.upload('cpe-1', { url: acs.files.url('up/cpe-1.cfg') }); const up = await acs.files.waitForUpload('up/cpe-1.cfg');
   */
  upload(cpe: string, opts: UploadOptions): Promise<{ commandKey: string; response: CpeResponse }>;
  /** The TransferCompletes received (from one device, or all), oldest first. */
  transferCompletes(cpe?: string): TransferCompleteRecord[];
  /** Resolves with the first TransferComplete from `cpe` (matching `commandKey`), received already or later. */
  waitForTransferComplete(cpe: string, opts?: WaitForTransferOptions): Promise<TransferCompleteRecord>;
  /**
   * Queues a ChangeDUState (TR-069 A.4.1.14) for `cpe`: install, update or uninstall
   * deployment units (TR-157), run in order by the CPE, reported later by one
   * DUStateChangeComplete. Resolves with the CommandKey and the CPE's answer (an empty
   * ChangeDUStateResponse, or a Fault).
   * @example
   * acs.files.serve('demo-app.yaml', manifestText);
   * await acs.changeDuState('cpe-1', { operations: [{ op: 'install', url: acs.files.url('demo-app.yaml') }] });
   * const done = await acs.waitForDuStateChangeComplete('cpe-1');
   */
  changeDuState(cpe: string, opts: ChangeDuStateOptions): Promise<{ commandKey: string; response: CpeResponse }>;
  /** The DUStateChangeCompletes received (from one device, or all), oldest first. */
  duStateChangeCompletes(cpe?: string): DuStateChangeCompleteRecord[];
  /** Resolves with the first DUStateChangeComplete from `cpe` (matching `commandKey`), received already or later. */
  waitForDuStateChangeComplete(cpe: string, opts?: WaitForDuStateChangeOptions): Promise<DuStateChangeCompleteRecord>;
  /** The AutonomousDUStateChangeCompletes received (from one device, or all), oldest first; the ACS answers each with an empty response. */
  autonomousDuStateChanges(cpe?: string): AutonomousDuStateChangeRecord[];
  /** Resolves with the first AutonomousDUStateChangeComplete from `cpe`, received already or later (default 30 s). */
  waitForAutonomousDuStateChange(cpe: string, opts?: { timeoutMs?: number }): Promise<AutonomousDuStateChangeRecord>;
  /** Idempotent: closes the server and all sockets, rejects pending rpc/wait promises. */
  close(): Promise<void>;
}

export type { AcsRequest, CpeResponse };
