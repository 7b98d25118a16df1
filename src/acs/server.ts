/**
 * The node:http shell around {@link AcsCore}: reads bodies with a size limit, gives
 * each TCP connection an id (Digest nonce scope), writes the core's answer, destroys
 * sockets on request. Any CPE in any process can reach it.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { CpeSimError } from '../errors/index.js';
import type { AcsCore, CoreResponse } from './core.js';
import { FILES_PREFIX, type FileServer } from './files.js';

export interface AcsHttpServer {
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

/** HTTPS material of the server; `ca` set: a client certificate signed by it is required (mutual TLS). */
export interface AcsServerTls {
  key: string | Buffer;
  cert: string | Buffer;
  ca?: string | Buffer;
}

/** Starts the server (HTTPS with `tls`); rejects with code `CPESIM_ADDRESS_IN_USE` when the port is taken. */
export async function startAcsServer(core: AcsCore, host: string, port: number, files?: FileServer, tls?: AcsServerTls): Promise<AcsHttpServer> {
  const sockets = new Set<Socket>();
  /** Per connection: its id (Digest nonce scope) and peer address, read once (a getpeername call each time otherwise). */
  const conns = new WeakMap<Socket, { id: number; remoteAddress: string | undefined }>();
  let nextId = 1;

  const write = (res: ServerResponse, r: CoreResponse): void => {
    if (res.destroyed || res.writableEnded) return;
    if (r.destroy) {
      res.socket?.destroy();
      return;
    }
    const body = Buffer.from(r.body, 'utf8');
    const headers: Record<string, string | number> = { ...r.headers };
    // RFC 9110 §8.6: a 204 carries no Content-Length body; everything else says how long it is.
    if (r.status !== 204) headers['content-length'] = body.length;
    res.writeHead(r.status, headers);
    res.end(r.status === 204 ? undefined : body);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    // The file server streams its own bodies (uploads and images can be large).
    if (files && target.startsWith(FILES_PREFIX)) {
      files.handle(req, res);
      return;
    }
    const early = core.precheck(method, target);
    if (early) {
      // Do not buffer a body we will not use; close so the unread rest cannot confuse the next request.
      early.headers['connection'] = 'close';
      write(res, early);
      req.resume();
      return;
    }
    const limit = core.bodyLimit;
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > limit) {
      write(res, { status: 413, headers: { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }, body: `Request body larger than ${limit} bytes\n` });
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      if (tooBig) return;
      size += c.length;
      if (size > limit) {
        tooBig = true;
        chunks.length = 0;
        write(res, { status: 413, headers: { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }, body: `Request body larger than ${limit} bytes\n` });
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => {
      /* client went away; nothing to answer */
    });
    req.on('end', () => {
      if (tooBig) return;
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const conn = conns.get(req.socket);
      const remoteAddress = conn ? conn.remoteAddress : req.socket.remoteAddress;
      void core
        .handle({
          method,
          target,
          headers,
          body: Buffer.concat(chunks),
          ...(conn ? { connectionId: conn.id } : {}),
          httpVersion: req.httpVersion,
          ...(remoteAddress !== undefined ? { remoteAddress } : {}),
          ...(tls?.ca !== undefined ? { clientCertificate: peerSubject(req.socket as TLSSocket) } : {}),
        })
        .then((r) => write(res, r))
        .catch(() => res.socket?.destroy());
    });
  };

  // With mutual TLS the handshake itself refuses a CPE without a certificate from `ca`
  // (rejectUnauthorized), as an ACS authenticating devices by certificate does.
  const server: Server = tls
    ? createHttpsServer({ keepAliveTimeout: 30_000, key: tls.key, cert: tls.cert, ...(tls.ca !== undefined ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}) }, onRequest)
    : createServer({ keepAliveTimeout: 30_000 }, onRequest);
  // An HTTPS request's socket is the TLSSocket, not the TCP one 'connection' reports.
  server.on(tls ? 'secureConnection' : 'connection', (s: Socket) => {
    sockets.add(s);
    conns.set(s, { id: nextId++, remoteAddress: s.remoteAddress });
    s.on('close', () => sockets.delete(s));
  });
  // A malformed request line or header: node answers 400 itself when we let it; never crash.
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(
        e.code === 'EADDRINUSE'
          ? new CpeSimError('CPESIM_ADDRESS_IN_USE', `fake ACS cannot listen on ${host}:${port}: address already in use`, { cause: e })
          : new CpeSimError('CPESIM_LISTEN_FAILED', `fake ACS cannot listen on ${host}:${port}: ${e.message}`, { cause: e }),
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  const addr = server.address();
  const boundPort = typeof addr === 'object' && addr ? addr.port : port;

  let closing: Promise<void> | undefined;
  return {
    port: boundPort,
    host,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}

/** The subject CN of the client certificate the CPE presented (mutual TLS). */
function peerSubject(s: TLSSocket): string | undefined {
  const cn = s.getPeerCertificate?.()?.subject?.CN;
  return Array.isArray(cn) ? cn.join(',') : cn;
}
