/**
 * Parsing of the listener's `bindAddr` (`host:port`, `[v6]:port`, `:port`) and the
 * host rules of published Connection Request URLs. Pure.
 * @module
 */
import { isIP, isIPv6 } from 'node:net';
import { ConfigError } from '../errors/index.js';

/** A parsed bind address. */
export interface BindAddr {
  /** Host to bind; `''` = all interfaces. IPv6 literals without brackets. */
  host: string;
  /** 0 = the OS picks. */
  port: number;
  /** True for `''`, `0.0.0.0` and `::` (the seed's "unspecified" bind). */
  unspecified: boolean;
}

const EXPECTED = 'expected host:port, [ipv6]:port or :port (port 0-65535; 0 lets the OS pick)';
// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens.
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * Parses a bind address.
 * @throws ConfigError naming the input and the expected form.
 * @example
 * parseBindAddr('127.0.0.1:0');   // { host: '127.0.0.1', port: 0, unspecified: false }
 * parseBindAddr('[::1]:7547');    // { host: '::1', port: 7547, unspecified: false }
 * parseBindAddr(':7547');         // { host: '', port: 7547, unspecified: true }
 */
export function parseBindAddr(input: string): BindAddr {
  const bad = (why: string): ConfigError => new ConfigError(`invalid CR bind address ${JSON.stringify(input)}: ${why}; ${EXPECTED}`);
  let host: string;
  let portText: string;
  const v6 = /^\[([^\]]*)\]:([^:]*)$/.exec(input);
  if (v6) {
    host = v6[1]!;
    portText = v6[2]!;
    if (!isIPv6(host)) throw bad(`${JSON.stringify(host)} is not an IPv6 literal`);
  } else {
    const colon = input.lastIndexOf(':');
    if (colon < 0) throw bad('no port');
    host = input.slice(0, colon);
    portText = input.slice(colon + 1);
    if (host.includes(':')) throw bad('an IPv6 literal must be bracketed');
    if (host !== '' && isIP(host) !== 4 && !HOSTNAME.test(host)) throw bad(`${JSON.stringify(host)} is not an IPv4 address or host name`);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw bad(`port ${JSON.stringify(portText)} is not a number 0-65535`);
  const unspecified = host === '' || host === '0.0.0.0' || (isIPv6(host) && /^[0:]+$/.test(host));
  return { host, port: Number(portText), unspecified };
}

/** Host as it appears in a URL authority: IPv6 literals bracketed (RFC 3986 §3.2.2). */
export function urlHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isIPv6(bare) ? `[${bare}]` : bare;
}
