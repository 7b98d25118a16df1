/**
 * The fake ACS's file server (`acs.files`, issue 15): firmware images and other files
 * for Download, a sink for Upload, on the ACS's own port under `/files/`. Every file
 * can demand Basic or Digest auth and can misbehave on purpose (a status, a stall, a
 * connection cut halfway) so each TR-069 transfer fault can be provoked for real.
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { CpeSimError } from '../errors/index.js';
import { AcsAuthenticator } from './auth.js';
import type { AcsAuthOptions } from './types.js';

/** URL prefix of the file server on the ACS's port. */
export const FILES_PREFIX = '/files/';

/** A generated firmware image (streamed, never allocated whole). */
export interface GeneratedImage {
  /** Total size in bytes, header included; default 4096. */
  size?: number;
  /** Written as `cpe-labs-firmware-version: <version>`; absent or `corrupt`: no version line. */
  version?: string;
  /** Add `cpe-labs-firmware-sha256:` with the payload's real digest, or with this (wrong) hex on purpose. */
  checksum?: boolean | string;
  /** No header at all: random-looking bytes a CPE cannot recognise (the seed answers 9010). */
  corrupt?: boolean;
}

/** What a file is made of. */
export type FileContent = Buffer | string | { image: GeneratedImage } | { path: string };

/** How a file misbehaves. */
export interface FileBehaviour {
  /** Answer with this HTTP status (and a short text body) instead of the file. */
  status?: number;
  /** `headers`: never answer; `body`: send the head and half the body, then stop sending (the socket stays open). */
  stall?: 'headers' | 'body';
  /** Send the full Content-Length but only this many body bytes, then destroy the connection. */
  cutAfterBytes?: number;
  /** Answer 302 with this Location. */
  redirectTo?: string;
  /** Send the file with this 2xx status instead of 200 (e.g. 203), to test clients that must accept any 2xx. */
  okStatus?: number;
}

/** Options of one served file. */
export interface ServeOptions {
  /** Auth for this file; default: the server-wide {@link AcsFiles.auth}. `null`: none, even if one is set server-wide. */
  auth?: AcsAuthOptions | null;
  behaviour?: FileBehaviour;
}

/** An upload received (PUT). */
export interface FileUpload {
  name: string;
  body: Buffer;
  contentType: string | undefined;
  /** User that authenticated, when auth was demanded. */
  username?: string;
  time: number;
}

/** One request the file server answered. */
export interface FileRequestRecord {
  method: string;
  name: string;
  status: number;
  /** Body bytes written (GET) or received (PUT). */
  bytes: number;
  time: number;
  remoteAddress?: string;
}

/** `acs.files`: a real HTTP file server on the ACS's port. */
export interface AcsFiles {
  /** `http://127.0.0.1:PORT/files/` */
  readonly baseUrl: string;
  /** The URL of `name` (path segments are percent-encoded); `{ tls: true }`: on the HTTPS port (after {@link listenTls}). */
  url(name: string, opts?: { tls?: boolean }): string;
  /**
   * Also serves the files over HTTPS with this key and certificate (PEM), on 127.0.0.1 and
   * an OS-picked port unless given; resolves with the HTTPS base URL. Closed with the ACS.
   */
  listenTls(opts: { key: string | Buffer; cert: string | Buffer; host?: string; port?: number }): Promise<string>;
  /**
   * Serves `content` as `name`; returns its URL.
   * @example acs.files.serve('fw-7.2.1.img', { image: { version: '7.2.1', size: 1 << 20 } })
   */
  serve(name: string, content: FileContent, opts?: ServeOptions): string;
  /** Changes how `name` misbehaves (`null`: back to normal). */
  behave(name: string, b: FileBehaviour | null): void;
  /** Stops serving `name` (then 404). */
  remove(name: string): void;
  /** Serves every file under `dir` (recursively) by its relative path; returns the names. */
  serveDirectory(dir: string, opts?: ServeOptions): Promise<string[]>;
  /** Server-wide auth for downloads and uploads (`null`: none). Per-file `auth` wins. */
  auth(a: AcsAuthOptions | null): void;
  /** Uploads received, oldest first. */
  readonly uploads: readonly FileUpload[];
  /** Requests answered, oldest first (bounded to the last 10,000). */
  readonly requests: readonly FileRequestRecord[];
  /** Resolves with the first upload to `name` (already received ones count). */
  waitForUpload(name: string, opts?: { timeoutMs?: number }): Promise<FileUpload>;
}

/** The bytes of a generated image's header. */
function imageHeader(img: GeneratedImage, payloadSha256: () => string): Buffer {
  if (img.corrupt) return Buffer.alloc(0);
  const lines: string[] = [];
  if (img.version !== undefined) lines.push(`cpe-labs-firmware-version: ${img.version}`);
  if (img.checksum !== undefined && img.checksum !== false) lines.push(`cpe-labs-firmware-sha256: ${typeof img.checksum === 'string' ? img.checksum : payloadSha256()}`);
  return Buffer.from(`${lines.join('\n')}\n\n`, 'latin1');
}

const BLOCK = 65_536;
/** One 64 KiB pattern block shared by every generated payload (bytes that are not text). */
const PATTERN: Buffer = (() => {
  const b = Buffer.alloc(BLOCK);
  let x = 0x9e3779b9;
  for (let i = 0; i < BLOCK; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  // Never a newline pair: the payload must not look like a header end.
  for (let i = 0; i < BLOCK; i++) if (b[i] === 0x0a) b[i] = 0x0b;
  return b;
})();

/** A generated image: its header and a payload of `size - header` pattern bytes. */
class ImageSource {
  readonly header: Buffer;
  readonly size: number;
  constructor(img: GeneratedImage) {
    const size = img.size ?? 4096;
    if (!Number.isSafeInteger(size) || size < 0) throw new CpeSimError('CPESIM_FILES_INVALID', `image size must be a non-negative integer, got ${size}`);
    let payloadLength = 0;
    const sha = (): string => {
      const h = createHash('sha256');
      for (let left = payloadLength; left > 0; left -= BLOCK) h.update(left >= BLOCK ? PATTERN : PATTERN.subarray(0, left));
      return h.digest('hex');
    };
    // The header's length does not depend on the digest (64 hex digits), so size it first.
    const probe = imageHeader(img, () => '0'.repeat(64));
    payloadLength = Math.max(0, size - probe.length);
    this.header = imageHeader(img, sha);
    this.size = Math.max(size, this.header.length);
  }
  /** The bytes in [start, end). */
  *chunks(start = 0, end = this.size): Generator<Buffer> {
    let pos = start;
    while (pos < end) {
      if (pos < this.header.length) {
        const c = this.header.subarray(pos, Math.min(this.header.length, end));
        pos += c.length;
        yield c;
        continue;
      }
      const off = (pos - this.header.length) % BLOCK;
      const n = Math.min(BLOCK - off, end - pos);
      yield PATTERN.subarray(off, off + n);
      pos += n;
    }
  }
}

interface Entry {
  content: Buffer | ImageSource | { path: string; size: number };
  auth: AcsAuthOptions | null | undefined;
  authenticator: AcsAuthenticator | undefined;
  behaviour: FileBehaviour | undefined;
}

const MAX_UPLOAD_BYTES = 16 * 1024 * 1024;
const MAX_RECORDS = 10_000;

/** The file server behind `acs.files`; the ACS's HTTP server hands it every `/files/` request. */
export class FileServer implements AcsFiles {
  private readonly entries = new Map<string, Entry>();
  private defaultAuth: AcsAuthOptions | null = null;
  private defaultAuthenticator: AcsAuthenticator | undefined;
  private readonly uploadList: FileUpload[] = [];
  private readonly records: FileRequestRecord[] = [];
  private readonly uploadWaiters = new Set<{ name: string; resolve: (u: FileUpload) => void }>();
  private origin = '';
  private tlsOrigin: string | undefined;
  private tlsServer: HttpsServer | undefined;
  private readonly tlsSockets = new Set<Socket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Set once the ACS listens. */
  setOrigin(origin: string): void {
    this.origin = origin;
  }

  get baseUrl(): string {
    return `${this.origin}${FILES_PREFIX}`;
  }

  get uploads(): readonly FileUpload[] {
    return this.uploadList;
  }

  get requests(): readonly FileRequestRecord[] {
    return this.records;
  }

  url(name: string, opts: { tls?: boolean } = {}): string {
    let base = this.baseUrl;
    if (opts.tls) {
      if (this.tlsOrigin === undefined) throw new CpeSimError('CPESIM_FILES_INVALID', 'acs.files.url(name, { tls: true }) needs acs.files.listenTls({ key, cert }) first');
      base = `${this.tlsOrigin}${FILES_PREFIX}`;
    }
    return `${base}${name.split('/').map(encodeURIComponent).join('/')}`;
  }

  async listenTls(opts: { key: string | Buffer; cert: string | Buffer; host?: string; port?: number }): Promise<string> {
    if (this.tlsServer) throw new CpeSimError('CPESIM_FILES_INVALID', 'acs.files.listenTls() was called already');
    const host = opts.host ?? '127.0.0.1';
    const server = createHttpsServer({ key: opts.key, cert: opts.cert }, (req, res) => {
      if (!(req.url ?? '').startsWith(FILES_PREFIX)) {
        res.writeHead(404, { 'content-length': 0 });
        res.end();
        return;
      }
      this.handle(req, res);
    });
    server.on('secureConnection', (s: Socket) => {
      this.tlsSockets.add(s);
      s.on('close', () => this.tlsSockets.delete(s));
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', (e) => reject(new CpeSimError('CPESIM_LISTEN_FAILED', `acs.files cannot listen for HTTPS on ${host}:${opts.port ?? 0}: ${e.message}`, { cause: e })));
      server.listen(opts.port ?? 0, host, () => resolveListen());
    });
    this.tlsServer = server;
    const a = server.address();
    const port = typeof a === 'object' && a ? a.port : 0;
    this.tlsOrigin = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    return `${this.tlsOrigin}${FILES_PREFIX}`;
  }

  /** Closes the HTTPS server, if any (the HTTP side closes with the ACS). */
  async close(): Promise<void> {
    const s = this.tlsServer;
    if (!s) return;
    this.tlsServer = undefined;
    await new Promise<void>((r) => {
      s.close(() => r());
      for (const sock of this.tlsSockets) sock.destroy();
    });
  }

  serve(name: string, content: FileContent, opts: ServeOptions = {}): string {
    checkName(name);
    let c: Entry['content'];
    if (Buffer.isBuffer(content)) c = content;
    else if (typeof content === 'string') c = Buffer.from(content, 'utf8');
    else if ('image' in content) c = new ImageSource(content.image);
    else {
      let size: number;
      try {
        size = statSync(content.path).size;
      } catch (err) {
        throw new CpeSimError('CPESIM_FILES_INVALID', `cannot serve ${JSON.stringify(content.path)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      c = { path: content.path, size };
    }
    const auth = opts.auth;
    this.entries.set(name, { content: c, auth, authenticator: auth ? new AcsAuthenticator({ ...auth, nonceScope: 'any' }, this.now) : undefined, behaviour: opts.behaviour });
    return this.url(name);
  }

  behave(name: string, b: FileBehaviour | null): void {
    const e = this.entries.get(name);
    if (!e) throw new CpeSimError('CPESIM_FILES_UNKNOWN', `acs.files has no file ${JSON.stringify(name)}; serve() it first`);
    e.behaviour = b ?? undefined;
  }

  remove(name: string): void {
    this.entries.delete(name);
  }

  async serveDirectory(dir: string, opts: ServeOptions = {}): Promise<string[]> {
    const root = resolve(dir);
    let list: string[];
    try {
      list = (await readdir(root, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
    } catch (err) {
      throw new CpeSimError('CPESIM_FILES_INVALID', `cannot serve directory ${JSON.stringify(dir)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const names: string[] = [];
    for (const file of list.sort()) {
      const name = relative(root, file).split(sep).join('/');
      this.serve(name, { path: file }, opts);
      names.push(name);
    }
    return names;
  }

  auth(a: AcsAuthOptions | null): void {
    this.defaultAuth = a;
    this.defaultAuthenticator = a ? new AcsAuthenticator({ ...a, nonceScope: 'any' }, this.now) : undefined;
  }

  waitForUpload(name: string, opts: { timeoutMs?: number } = {}): Promise<FileUpload> {
    const hit = this.uploadList.find((u) => u.name === name);
    if (hit) return Promise.resolve(hit);
    const timeoutMs = opts.timeoutMs ?? 5000;
    return new Promise<FileUpload>((resolveUpload, reject) => {
      const w = {
        name,
        resolve: (u: FileUpload): void => {
          clearTimeout(timer);
          resolveUpload(u);
        },
      };
      const timer = setTimeout(() => {
        this.uploadWaiters.delete(w);
        reject(new CpeSimError('CPESIM_ACS_WAIT_TIMEOUT', `no upload to ${JSON.stringify(name)} within ${timeoutMs} ms (${this.uploadList.length} uploads received)`));
      }, timeoutMs);
      timer.unref();
      this.uploadWaiters.add(w);
    });
  }

  private record(r: FileRequestRecord): void {
    if (this.records.length >= MAX_RECORDS) this.records.shift();
    this.records.push(r);
  }

  /** Handles one `/files/…` request on the ACS's node:http server. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const remoteAddress = req.socket.remoteAddress;
    let name: string;
    try {
      name = decodeURIComponent(target.slice(FILES_PREFIX.length).split('?')[0] ?? '');
    } catch {
      name = '';
    }
    const done = (status: number, bytes: number): void => this.record({ method, name, status, bytes, time: this.now(), ...(remoteAddress !== undefined ? { remoteAddress } : {}) });
    const text = (status: number, body: string, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
      res.end(body);
      done(status, 0);
    };
    req.on('error', () => undefined);
    const entry = this.entries.get(name);
    // Auth first, as a real server does: no hint whether the file exists.
    const authn = entry ? (entry.auth === null ? undefined : (entry.authenticator ?? this.defaultAuthenticator)) : this.defaultAuthenticator;
    let username: string | undefined;
    if (authn) {
      const header = req.headers['authorization'];
      const out = authn.check(Array.isArray(header) ? header[0] : header, method, target, undefined);
      if (!out.ok) {
        req.resume();
        return text(401, 'Unauthorized\n', { 'www-authenticate': out.challenge });
      }
      username = out.username;
    }
    if (method === 'PUT' || method === 'POST') return this.receive(req, res, name, username, done);
    if (method !== 'GET' && method !== 'HEAD') {
      req.resume();
      return text(405, 'Method Not Allowed\n', { allow: 'GET, HEAD, PUT' });
    }
    req.resume();
    if (!entry) return text(404, `No such file: ${name}\n`);
    const b = entry.behaviour;
    if (b?.redirectTo !== undefined) return text(302, 'Found\n', { location: b.redirectTo });
    if (b?.status !== undefined) return text(b.status, `Status ${b.status} by acs.files.behave()\n`);
    if (b?.stall === 'headers') return; // never answer; the socket closes with the ACS
    const c = entry.content;
    const size = Buffer.isBuffer(c) ? c.length : c.size;
    const ok = b?.okStatus ?? 200;
    res.writeHead(ok, { 'content-type': 'application/octet-stream', 'content-length': size });
    if (method === 'HEAD') {
      res.end();
      return done(ok, 0);
    }
    const limit = b?.stall === 'body' ? Math.floor(size / 2) : b?.cutAfterBytes !== undefined ? Math.min(size, b.cutAfterBytes) : size;
    const after = (sent: number): void => {
      done(ok, sent);
      if (limit < size) {
        if (b?.stall === 'body') return; // keep the socket open, silent
        res.socket?.destroy();
        return;
      }
      res.end();
    };
    this.stream(res, c, limit, after);
  }

  /** Writes the first `limit` bytes with back-pressure, then calls `after`. */
  private stream(res: ServerResponse, c: Entry['content'], limit: number, after: (sent: number) => void): void {
    if (Buffer.isBuffer(c)) {
      res.write(c.subarray(0, limit), () => after(limit));
      return;
    }
    if (c instanceof ImageSource) {
      const it = c.chunks(0, limit);
      let sent = 0;
      const pump = (): void => {
        for (;;) {
          const n = it.next();
          if (n.done) return after(sent);
          sent += n.value.length;
          if (!res.write(n.value)) {
            res.once('drain', pump);
            return;
          }
        }
      };
      res.on('close', () => res.off('drain', pump));
      pump();
      return;
    }
    if (limit === 0) return after(0);
    const rs = createReadStream(c.path, { start: 0, end: limit - 1 });
    let sent = 0;
    rs.on('data', (d) => (sent += d.length));
    rs.on('error', () => res.socket?.destroy());
    rs.on('end', () => after(sent));
    rs.pipe(res, { end: false });
    res.on('close', () => rs.destroy());
  }

  private receive(req: IncomingMessage, res: ServerResponse, name: string, username: string | undefined, done: (status: number, bytes: number) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_UPLOAD_BYTES) {
        if (!tooBig) {
          tooBig = true;
          res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
          res.end(`Upload larger than ${MAX_UPLOAD_BYTES} bytes\n`);
          done(413, size);
        }
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (tooBig) return;
      const ct = req.headers['content-type'];
      const up: FileUpload = { name, body: Buffer.concat(chunks), contentType: ct, time: this.now(), ...(username !== undefined ? { username } : {}) };
      this.uploadList.push(up);
      for (const w of [...this.uploadWaiters]) {
        if (w.name === name) {
          this.uploadWaiters.delete(w);
          w.resolve(up);
        }
      }
      res.writeHead(201, { 'content-length': 0 });
      res.end();
      done(201, size);
    });
  }
}

function checkName(name: string): void {
  if (name === '' || name.startsWith('/') || name.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new CpeSimError('CPESIM_FILES_INVALID', `file name ${JSON.stringify(name)} must be a relative path like "fw/gw-7.2.1.img" (no empty, "." or ".." segments)`);
  }
}
