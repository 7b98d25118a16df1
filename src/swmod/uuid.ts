/**
 * Deployment-unit UUIDs (ref §8.5): when ChangeDUState's InstallOpStruct carries no
 * UUID, the CPE derives one from the app so that the same app gets the same UUID on
 * every CPE and every run (TR-157 §A.2.2 lets the CPE generate it).
 * @module
 */
import { createHash } from 'node:crypto';

/** RFC 4122 Appendix C: the URL namespace. */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** RFC 4122 §4.1: `8-4-4-4-12` hexadecimal digits (any version and variant, any case). */
export const UUID_SHAPE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function bytesOf(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

/** RFC 4122 §4.3: name-based UUID, version 5 (SHA-1), lower-case. */
export function uuidV5(namespace: string, name: string): string {
  const h = createHash('sha1').update(bytesOf(namespace)).update(name, 'utf8').digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50; // version 5
  h[8] = (h[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * ref §8.5: v5 UUID in the URL namespace over `urn:cpe-labs:app:<vendor>/<name>`.
 * @example deploymentUnitUuid('example', 'demo-app') // 'ffa0fa99-1cfe-5af6-bc87-bf35c54d5d81'
 */
export function deploymentUnitUuid(vendor: string, name: string): string {
  return uuidV5(URL_NAMESPACE, `urn:cpe-labs:app:${vendor}/${name}`);
}
