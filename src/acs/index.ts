/**
 * The fake ACS: a scriptable CWMP server for tests (issue 5). Real node:http on
 * loopback by default, or in-process through msw (`cpe-sim/msw`), with the same
 * session logic either way. Also a real Connection Request client.
 * @see docs/fake-acs.md
 * @module
 */
import { AcsCore, attachCore } from './core.js';
import { ConnectionRequestClient } from './cr-client.js';
import { startAcsServer } from './server.js';
import type { AcsServerTls } from './server.js';
import { generateCertificate } from './tls.js';
import { sendUdpConnectionRequest } from './udp-cr.js';
import { FileServer } from './files.js';
import { transferHelpers } from './transfers.js';
import { ConfigError } from '../errors/index.js';
import { startStunServer, type StunServer } from '../stun/index.js';
import { XmppCrSender } from '../xmpp/index.js';
import type { AcsRequest, CrOptions, CrResult, FakeAcs, FakeAcsOptions, RpcOptions, RpcResponse } from './types.js';

// ---- Types -------------------------------------------------------------------------
export type {
  AcsAuthOptions,
  AcsBehaviour,
  AcsThrottle,
  AcsDirection,
  AcsInform,
  AcsMessageRecord,
  AcsSession,
  AcsTranscriptLine,
  CrOptions,
  CrResult,
  FakeAcs,
  FakeAcsOptions,
  RpcOptions,
  RpcResponse,
  AcsRpcName,
  WaitForInformOptions,
} from './types.js';

export type { AcsFiles, FileContent, FileBehaviour, ServeOptions, FileUpload, FileRequestRecord, GeneratedImage } from './files.js';
export type { DownloadOptions, UploadOptions, TransferCompleteRecord, WaitForTransferOptions, ChangeDuStateOptions, ChangeDuStateOperation, DuStateChangeCompleteRecord, WaitForDuStateChangeOptions, AutonomousDuStateChangeRecord } from './transfers.js';

// ---- Helpers -----------------------------------------------------------------------
export { formatAcsLine } from './format.js';
export { connectionRequest, ConnectionRequestClient, CR_ERROR } from './cr-client.js';
export type { CrClientOptions } from './cr-client.js';
export { ACS_ERROR, ACS_RPC_METHODS } from './core.js';
export { sendUdpConnectionRequest, parseUdpAddress } from './udp-cr.js';
export { generateCertificate } from './tls.js';
export type { GenerateCertificateOptions, PemPair } from './tls.js';
export type { UdpCrOptions, UdpCrSent } from './udp-cr.js';

/**
 * Starts a fake ACS on a real socket (127.0.0.1, OS-chosen port by default).
 * @example
 * await using acs = await createFakeAcs({ auth: { scheme: 'digest', username: 'cpe', password: 'pw' } });
 * // point a CPE at acs.url, then:
 * const inform = await acs.waitForInform({ cpe: 'cpe-1', event: '1 BOOT' });
 * const r = await acs.rpc('cpe-1', { name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.'] }, { timeoutMs: 5000 });
 */
/** The server's HTTPS material: given, or generated (self-signed) when only asked for. */
async function serverTls(t: FakeAcsOptions['tls']): Promise<AcsServerTls | undefined> {
  if (t === undefined) return undefined;
  const own = t !== true && 'key' in t ? { key: t.key, cert: t.cert } : await generateCertificate();
  const clientCa = t === true ? undefined : t.clientCa;
  return { ...own, ...(clientCa !== undefined ? { ca: clientCa } : {}) };
}

export async function createFakeAcs(opts: FakeAcsOptions = {}): Promise<FakeAcs> {
  const core = new AcsCore(opts);
  const host = opts.host ?? '127.0.0.1';
  const files = new FileServer(opts.now);
  const tls = await serverTls(opts.tls);
  const server = await startAcsServer(core, host, opts.port ?? 0, files, tls);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const scheme = tls ? 'https' : 'http';
  const url = `${scheme}://${urlHost}:${server.port}${core.path}`;
  files.setOrigin(`${scheme}://${urlHost}:${server.port}`);
  const crClients = new Set<ConnectionRequestClient>();
  let closing: Promise<void> | undefined;
  let stun: StunServer | undefined;
  if (opts.stun) {
    try {
      stun = await startStunServer({ host, ...(opts.stun === true ? {} : opts.stun) });
    } catch (err) {
      core.close();
      await server.close();
      throw err;
    }
  }
  let xmpp: XmppCrSender | undefined;

  const acs: FakeAcs = {
    url,
    port: server.port,
    certificate: tls === undefined ? undefined : String(tls.cert),
    get sessions() {
      return core.sessions;
    },
    get informs() {
      return core.informs;
    },
    alias: (key, serial) => core.alias(key, serial),
    resolve: (key) => core.resolve(key),
    enqueue: (cpe: string, req: AcsRequest) => {
      core.enqueue(cpe, req);
    },
    // The core checks the response's name against the request's (inSession), so the narrowing holds.
    rpc: <R extends AcsRequest>(cpe: string, req: R, o: RpcOptions = {}): Promise<RpcResponse<R>> => core.rpc(cpe, req, o.timeoutMs) as Promise<RpcResponse<R>>,
    waitForInform: (match, o) => core.waitForInform(match, o),
    connectionRequest: async (crUrl: string, o: CrOptions = {}): Promise<CrResult> => {
      // A fresh client per CR (GenieACS-like: no nonce reuse); tracked so close() aborts it.
      const c = new ConnectionRequestClient({ reuseNonce: false });
      crClients.add(c);
      try {
        return await c.send(crUrl, o);
      } finally {
        crClients.delete(c);
        await c.close();
      }
    },
    udpConnectionRequest: (address, o) => sendUdpConnectionRequest(address, o),
    xmppConnectionRequest: async (jid, o = {}) => {
      if (!opts.xmpp) throw new ConfigError('xmppConnectionRequest needs the fake ACS\'s XMPP account: createFakeAcs({ xmpp: { service, domain, username, password } })');
      xmpp ??= new XmppCrSender(opts.xmpp);
      return xmpp.send(jid, o, o.timeoutMs);
    },
    stun,
    behave: (cpe, b) => core.behave(cpe, b),
    setThrottle: (t) => core.setThrottle(t),
    files,
    ...transferHelpers(core),
    clear: () => core.clear(),
    close: () => {
      closing ??= (async () => {
        core.close();
        await Promise.all([server.close(), files.close(), ...[...crClients].map((c) => c.close()), stun?.close(), xmpp?.close()]);
      })();
      return closing;
    },
    [Symbol.asyncDispose]: () => acs.close(),
  };
  attachCore(acs, core);
  return acs;
}
