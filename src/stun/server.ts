/**
 * A small STUN server for tests (the fake ACS embeds one): it answers Binding Requests
 * with the address it saw (or one a test maps it to, to play a NAT) and records every
 * request with its TR-111 attributes, so a test can assert what binding a CPE published.
 * @module
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { CpeSimError } from '../errors/index.js';
import { bindingErrorResponse, bindingResponse, readBindingRequest } from './codec.js';

/** One Binding Request the server answered. */
export interface StunBindingRecord {
  /** ms since the epoch. */
  time: number;
  /** Where the request came from. */
  from: { address: string; port: number };
  /** The address the response reported (after `mapAddress`). */
  mapped: { address: string; port: number };
  username: string | undefined;
  /** The request carried TR-111's CONNECTION-REQUEST-BINDING: the CPE listens for UDP CRs on this binding. */
  connectionRequestBinding: boolean;
  /** The request carried BINDING-CHANGE. */
  bindingChange: boolean;
  integrity: 'none' | 'ok' | 'bad';
  /** `ok`, or `401` when `users` refused it. */
  answer: 'ok' | '401';
}

/** Options of {@link startStunServer}. */
export interface StunServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (the OS picks). */
  port?: number;
  /** Plays a NAT: the address each response reports (default: the request's source). */
  mapAddress?: (from: { address: string; port: number }) => { address: string; port: number };
  /**
   * STUN credentials (username → password). When given, a request without a known
   * USERNAME and a valid MESSAGE-INTEGRITY gets 401 Unauthorized.
   */
  users?: Record<string, string>;
  /** Requests kept (oldest dropped first); default 1000. */
  maxRecords?: number;
}

/** A running STUN server. */
export interface StunServer extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  /** Binding Requests seen, oldest first. */
  readonly bindings: readonly StunBindingRecord[];
  /** The latest binding per USERNAME (a CPE's STUNUsername). */
  latest(username: string): StunBindingRecord | undefined;
  /** Resolves with the first recorded (or next) binding matching `pred`. */
  waitForBinding(pred: (b: StunBindingRecord) => boolean, timeoutMs?: number): Promise<StunBindingRecord>;
  close(): Promise<void>;
}

/**
 * Starts a STUN server on a UDP socket.
 * @example
 * await using stun = await startStunServer({ mapAddress: () => ({ address: '198.51.100.7', port: 40000 }) });
 * // CPEs with STUNServerAddress=127.0.0.1, STUNServerPort=stun.port …
 * await stun.waitForBinding((b) => b.connectionRequestBinding);
 */
export async function startStunServer(opts: StunServerOptions = {}): Promise<StunServer> {
  const host = opts.host ?? '127.0.0.1';
  const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
  const records: StunBindingRecord[] = [];
  const max = opts.maxRecords ?? 1000;
  const waiters = new Set<{ pred: (b: StunBindingRecord) => boolean; resolve: (b: StunBindingRecord) => void }>();
  const users = opts.users;

  socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    const req = readBindingRequest(msg, (u) => (users && u !== undefined ? users[u] : undefined));
    if (!req) return;
    const from = { address: rinfo.address, port: rinfo.port };
    const mapped = opts.mapAddress ? opts.mapAddress(from) : from;
    const refuse = users !== undefined && req.integrity !== 'ok';
    const rec: StunBindingRecord = {
      time: Date.now(),
      from,
      mapped,
      username: req.username,
      connectionRequestBinding: req.connectionRequestBinding,
      bindingChange: req.bindingChange,
      integrity: req.integrity,
      answer: refuse ? '401' : 'ok',
    };
    records.push(rec);
    if (records.length > max) records.splice(0, records.length - max);
    const reply = refuse ? bindingErrorResponse(req.transaction, 401, 'Unauthorized') : bindingResponse(req.transaction, mapped.address, mapped.port);
    socket.send(reply, rinfo.port, rinfo.address);
    for (const w of [...waiters]) {
      if (w.pred(rec)) {
        waiters.delete(w);
        w.resolve(rec);
      }
    }
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => reject(new CpeSimError('CPESIM_LISTEN_FAILED', `STUN server cannot bind ${host}:${opts.port ?? 0}: ${err.message}`, { cause: err })));
    socket.bind({ address: host, port: opts.port ?? 0 }, () => resolve());
  });
  socket.on('error', () => undefined);
  let closing: Promise<void> | undefined;

  const server: StunServer = {
    host,
    port: socket.address().port,
    get bindings() {
      return records.slice();
    },
    latest(username) {
      for (let i = records.length - 1; i >= 0; i--) if (records[i]!.username === username) return records[i];
      return undefined;
    },
    waitForBinding(pred, timeoutMs = 5000) {
      const hit = records.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = {
          pred,
          resolve: (b: StunBindingRecord) => {
            clearTimeout(t);
            resolve(b);
          },
        };
        const t = setTimeout(() => {
          waiters.delete(w);
          reject(new CpeSimError('CPESIM_TIMEOUT', `no matching STUN Binding Request within ${timeoutMs} ms (${records.length} seen)`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    close() {
      closing ??= new Promise<void>((resolve) => socket.close(() => resolve()));
      return closing;
    },
    [Symbol.asyncDispose]() {
      return server.close();
    },
  };
  return server;
}
