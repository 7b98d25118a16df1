/**
 * The ACS side of the UDP Connection Request (TR-069 Annex G), sending what GenieACS
 * sends (lib/connection-request.ts `udpConnectionRequest`): three copies of one
 * datagram with the same `id`, `ts` in seconds, a 16-hex-digit `cn`, the lower-case
 * hex HMAC-SHA1 `sig`, and a Host header; from a fresh UDP socket (or a given source
 * port, which GenieACS sets to its STUN port so the datagram passes the NAT).
 * @module
 */
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { buildUdpCr } from '../cr/index.js';
import { CpeSimError } from '../errors/index.js';

/** Options of {@link sendUdpConnectionRequest}. */
export interface UdpCrOptions {
  username?: string;
  password?: string;
  /** Copies of the datagram (default 3, as GenieACS and FreeACS send). */
  copies?: number;
  /** Source port to send from (default: any). */
  sourcePort?: number;
  /** Override the message fields (tests of replay and clock checks). */
  ts?: number;
  id?: string | number;
  cn?: string;
}

/** What was sent. */
export interface UdpCrSent {
  host: string;
  port: number;
  /** The message id every copy carried. */
  id: string;
  ts: number;
  datagrams: number;
  /** The datagram, as text. */
  message: string;
}

/** Splits `host:port` / `[v6]:port` (the form of UDPConnectionRequestAddress). */
export function parseUdpAddress(address: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(address) ?? /^([^:[\]]+):(\d{1,5})$/.exec(address);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) {
    throw new CpeSimError('CPESIM_CR_INVALID_URL', `invalid UDP Connection Request address ${JSON.stringify(address)}: expected host:port or [ipv6]:port, as UDPConnectionRequestAddress holds it`);
  }
  return { host: m[1]!, port };
}

/**
 * Sends a UDP Connection Request to `address` (`host:port`).
 * @example
 * await sendUdpConnectionRequest(cpe.params.getValue('Device.ManagementServer.UDPConnectionRequestAddress')!, { username: 'cr', password: 'pw' });
 */
export async function sendUdpConnectionRequest(address: string, opts: UdpCrOptions = {}): Promise<UdpCrSent> {
  const { host, port } = parseUdpAddress(address);
  const copies = opts.copies ?? 3;
  if (!Number.isSafeInteger(copies) || copies < 1) throw new CpeSimError('CPESIM_CR_FAILED', `UDP CR copies must be a whole number >= 1, got ${String(opts.copies)}`);
  const ts = opts.ts ?? Math.trunc(Date.now() / 1000);
  const id = String(opts.id ?? Math.trunc(Math.random() * 4294967295));
  const msg = buildUdpCr({ host, port, username: opts.username ?? '', password: opts.password ?? '', ts, id, ...(opts.cn !== undefined ? { cn: opts.cn } : {}) });
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  try {
    if (opts.sourcePort !== undefined) {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ port: opts.sourcePort!, exclusive: true }, () => {
          socket.off('error', reject);
          resolve();
        });
      });
    }
    for (let i = 0; i < copies; i++) {
      await new Promise<void>((resolve, reject) => socket.send(msg, port, host, (err) => (err ? reject(err) : resolve())));
    }
  } catch (err) {
    throw new CpeSimError('CPESIM_CR_FAILED', `UDP Connection Request to ${address} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    socket.close();
  }
  return { host, port, id, ts, datagrams: copies, message: msg.toString('utf8') };
}
