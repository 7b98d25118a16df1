/**
 * The leaves of the NAT wake-up paths (TR-069 Annex G: UDP Connection Request and
 * STUN; Annex K: XMPP) that a fleet publishes in every CPE's tree when a path is
 * on. The names are the same under `Device.` (TR-181) and `InternetGatewayDevice.`
 * (TR-098): both models keep them in `ManagementServer`. Pure.
 * @module
 */
import type { LeafDef, Profile, XsdType } from '../profile/index.js';

/** `ManagementServer.` leaves of Annex G (TR-181 / TR-098 names, their defaults). */
const UDP_STUN_LEAVES: readonly [name: string, type: XsdType, value: string, writable: boolean][] = [
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

/** The full path of a `ManagementServer` leaf of `profile`'s model. */
export function msLeaf(profile: Pick<Profile, 'root'>, name: string): string {
  return `${profile.root}.ManagementServer.${name}`;
}

/**
 * `profile` with the Annex G leaves it lacks added (a profile that declares one keeps
 * its own definition and value).
 */
export function withUdpLeaves(profile: Profile): Profile {
  const have = new Set(profile.parameters.map((p) => p.path));
  const added: LeafDef[] = [];
  for (const [name, type, value, writable] of UDP_STUN_LEAVES) {
    const path = msLeaf(profile, name);
    if (!have.has(path)) added.push({ path, type, value, writable });
  }
  return added.length === 0 ? profile : { ...profile, parameters: [...profile.parameters, ...added] };
}
