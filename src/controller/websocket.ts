/**
 * The Controller's WebSocket MTP (TR-369 mtp/websocket, notes §6.2): a `ws` server on
 * loopback that agents dial with `?eid=<their EID>` and subprotocol `v1.usp`. One
 * binary message = one Record; answers go back on the socket the agent dialled.
 * @module
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ControllerCore, Route } from './core.js';
import type { ControllerTlsServerOptions } from './types.js';

/** WebSocket close codes used here (RFC 6455 §7.4.1). */
const CLOSE_PROTOCOL_ERROR = 1002;
const CLOSE_UNSUPPORTED_DATA = 1003;

export class ControllerWebSocket {
  private readonly sockets = new Set<WebSocket>();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  /** Starts the server; with `o.tls` over TLS (`wss://`, R-WS.3: agents then check its certificate). */
  static async start(core: ControllerCore, o: { host?: string; port?: number; path?: string; tls?: ControllerTlsServerOptions } = {}): Promise<ControllerWebSocket> {
    const host = o.host ?? '127.0.0.1';
    const path = o.path ?? '/usp';
    const answer426 = (_req: unknown, res: ServerResponse): void => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('USP WebSocket endpoint: upgrade with Sec-WebSocket-Protocol v1.usp\n');
    };
    const t = o.tls;
    const requireCert = t?.requireCertificate === true;
    const http: Server = t
      ? createHttpsServer({ cert: t.cert, key: t.key, ...(t.ca !== undefined ? { ca: t.ca } : {}), requestCert: requireCert, rejectUnauthorized: requireCert }, answer426)
      : createServer(answer426);
    // An agent failing the handshake (it does not trust us, or we it) is its problem, not a crash.
    http.on('tlsClientError', () => undefined);
    const wss = new WebSocketServer({
      server: http,
      path,
      // R-WS.9/.10: the session exists only with v1.usp; `false` still opens the socket (notes §6.2), closed below.
      handleProtocols: (set) => (set.has('v1.usp') ? 'v1.usp' : false),
    });
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(o.port ?? 0, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    const port = (http.address() as { port: number }).port;
    const self = new ControllerWebSocket(http, wss, `${t ? 'wss' : 'ws'}://${host.includes(':') ? `[${host}]` : host}:${port}${path}`);
    wss.on('error', () => undefined);
    wss.on('connection', (ws, req) => {
      // A malformed frame closes that socket (ws does it); it must not crash the Controller.
      ws.on('error', () => undefined);
      self.sockets.add(ws);
      ws.once('close', () => self.sockets.delete(ws));
      if (ws.protocol !== 'v1.usp') {
        ws.close(CLOSE_PROTOCOL_ERROR, 'subprotocol v1.usp required');
        return;
      }
      const eid = new URL(req.url ?? '/', 'http://x').searchParams.get('eid') ?? undefined;
      // Closing counts as gone: a close handshake in progress takes no more records.
      const isOpen = (): boolean => ws.readyState === ws.OPEN;
      const route: Route = {
        mtp: 'websocket',
        get open() {
          return isOpen();
        },
        send: (bytes) =>
          new Promise<void>((resolve, reject) => {
            if (!isOpen()) {
              reject(new Error(`the WebSocket of ${eid ?? 'the agent'} is closed`));
              return;
            }
            ws.send(bytes, { binary: true }, (err) => (err ? reject(err) : resolve()));
          }),
      };
      ws.on('message', (data, isBinary) => {
        // R-WS.16: records travel in binary messages; a text frame ends the session.
        if (!isBinary) {
          ws.close(CLOSE_UNSUPPORTED_DATA, 'USP records travel in binary frames');
          return;
        }
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        core.receive(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), { mtp: 'websocket', route });
      });
    });
    return self;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const ws of this.sockets) ws.terminate();
      await new Promise<void>((r) => this.wss.close(() => r()));
      this.http.closeAllConnections();
      await new Promise<void>((r) => this.http.close(() => r()));
    })();
    return this.closing;
  }
}
