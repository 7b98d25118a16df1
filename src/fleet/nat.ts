/**
 * The NAT wake-up paths of a fleet (TR-069 Annex G: UDP Connection Request and STUN;
 * Annex K: XMPP): the leaves they publish in every CPE's tree, and the glue between a
 * CPE's tree and the tree-agnostic STUN binder and XMPP agent. Leaf names are the same
 * under `Device.` (TR-181) and `InternetGatewayDevice.` (TR-098) for Annex G; XMPP
 * lives in `Device.XMPP.` (TR-181 only; a TR-098 profile gets the same names under
 * its root).
 * @module
 */
import type { ParameterTree } from '../datamodel/index.js';
import { ConfigError } from '../errors/index.js';
import type { LeafDef, Profile, XsdType } from '../profile/index.js';
import type { StunConfig, StunMapping } from '../stun/index.js';

type LeafSpec = readonly [name: string, type: XsdType, value: string, writable: boolean];

/** `ManagementServer.` leaves of Annex G (TR-181 / TR-098 names, their defaults). */
const UDP_STUN_LEAVES: readonly LeafSpec[] = [
  ['UDPConnectionRequestAddress', 'xsd:string', '', false],
  ['UDPConnectionRequestAddressNotificationLimit', 'xsd:unsignedInt', '0', true],
  ['STUNEnable', 'xsd:boolean', 'false', true],
  ['STUNServerAddress', 'xsd:string', '', true],
  ['STUNServerPort', 'xsd:unsignedInt', '3478', true],
  ['STUNUsername', 'xsd:string', '', true],
  ['STUNPassword', 'xsd:string', '', true],
  // -1: no maximum (TR-181 ManagementServer.STUNMaximumKeepAlivePeriod).
  ['STUNMaximumKeepAlivePeriod', 'xsd:int', '-1', true],
  ['STUNMinimumKeepAlivePeriod', 'xsd:unsignedInt', '30', true],
  ['NATDetected', 'xsd:boolean', 'false', false],
];

/** Annex K leaves: `ManagementServer.ConnReq*` and one `XMPP.Connection.1`. */
const XMPP_LEAVES: readonly LeafSpec[] = [
  ['ManagementServer.ConnReqXMPPConnection', 'xsd:string', '', true],
  ['ManagementServer.ConnReqJabberID', 'xsd:string', '', false],
  ['ManagementServer.ConnReqAllowedJabberIDs', 'xsd:string', '', true],
  ['XMPP.ConnectionNumberOfEntries', 'xsd:unsignedInt', '1', false],
  ['XMPP.Connection.1.Enable', 'xsd:boolean', 'false', true],
  ['XMPP.Connection.1.Username', 'xsd:string', '', true],
  ['XMPP.Connection.1.Password', 'xsd:string', '', true],
  ['XMPP.Connection.1.Domain', 'xsd:string', '', true],
  ['XMPP.Connection.1.Resource', 'xsd:string', '', true],
  ['XMPP.Connection.1.JabberID', 'xsd:string', '', false],
  ['XMPP.Connection.1.Status', 'xsd:string', 'Disabled', false],
];

/** The full path of a `ManagementServer` leaf of `profile`'s model. */
export function msLeaf(profile: Pick<Profile, 'root'>, name: string): string {
  return `${profile.root}.ManagementServer.${name}`;
}

function withLeaves(profile: Profile, specs: readonly LeafSpec[], prefix: string): Profile {
  const have = new Set(profile.parameters.map((p) => p.path));
  const added: LeafDef[] = [];
  for (const [name, type, value, writable] of specs) {
    const path = `${profile.root}.${prefix}${name}`;
    if (!have.has(path)) added.push({ path, type, value, writable });
  }
  return added.length === 0 ? profile : { ...profile, parameters: [...profile.parameters, ...added] };
}

/** `profile` with the Annex G leaves it lacks added (a profile's own definition wins). */
export function withUdpLeaves(profile: Profile): Profile {
  return withLeaves(profile, UDP_STUN_LEAVES, 'ManagementServer.');
}

/** `profile` with the Annex K leaves it lacks added. */
export function withXmppLeaves(profile: Profile): Profile {
  return withLeaves(profile, XMPP_LEAVES, '');
}

/** `host:port` as UDPConnectionRequestAddress holds it (IPv6 bracketed). */
export function formatMapping(m: StunMapping): string {
  return `${m.address.includes(':') ? `[${m.address}]` : m.address}:${m.port}`;
}

/** Splits `host:port` / `[v6]:port`; throws a ConfigError naming `what`. */
export function parseHostPort(s: string, what: string, defaultPort?: number): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s) ?? /^([^:[\]\s]+)(?::(\d{1,5}))?$/.exec(s);
  const port = m?.[2] !== undefined ? Number(m[2]) : defaultPort;
  if (!m || port === undefined || !(port >= 1 && port <= 65535)) {
    throw new ConfigError(`invalid ${what} ${JSON.stringify(s)}: expected host:port or [ipv6]:port${defaultPort !== undefined ? ` (port defaults to ${defaultPort})` : ''}, e.g. 127.0.0.1:3478`);
  }
  return { host: m[1]!, port };
}

/**
 * A CPE's STUN settings read from its tree now (TR-111 Part 2), or undefined while
 * `STUNEnable` is false. An empty `STUNServerAddress` means the ACS's host (Annex G).
 */
export function stunConfigOf(params: ParameterTree, profile: Pick<Profile, 'root'>, acsHost: string): StunConfig | undefined {
  const v = (name: string): string => params.getValue(msLeaf(profile, name)) ?? '';
  const enable = v('STUNEnable');
  if (enable !== 'true' && enable !== '1') return undefined;
  const port = Number(v('STUNServerPort') || '3478');
  const min = Number(v('STUNMinimumKeepAlivePeriod') || '30');
  const max = Number(v('STUNMaximumKeepAlivePeriod') || '-1');
  // Keep-alive within [min, max]: the minimum, unless a maximum below it is set.
  let keepAliveS = min > 0 ? min : 30;
  if (max > 0 && max < keepAliveS) keepAliveS = max;
  return {
    host: v('STUNServerAddress') || acsHost,
    port: port >= 1 && port <= 65535 ? port : 3478,
    username: v('STUNUsername'),
    password: v('STUNPassword'),
    keepAliveS,
  };
}

/** The STUN leaves whose change re-runs a CPE's Binding Request at once. */
export const STUN_CONFIG_LEAVES = ['STUNEnable', 'STUNServerAddress', 'STUNServerPort', 'STUNUsername', 'STUNPassword', 'STUNMinimumKeepAlivePeriod', 'STUNMaximumKeepAlivePeriod'] as const;

/** Stamps `{cpe_id}` and `{i}` in an XMPP username pattern. */
export function stampXmppName(pattern: string, id: string, index: number): string {
  return pattern.replaceAll('{cpe_id}', id).replaceAll('{i}', String(index));
}
