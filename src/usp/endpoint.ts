/**
 * USP Endpoint IDs (TR-369 §2.2.2, usp-notes §2). An Agent of the `os` authority
 * scheme is `os::<OUI>-<SerialNumber>`, both read from the CPE's tree through the
 * profile's `deviceIdPaths` (the source of CWMP's DeviceId).
 * @module
 */
import type { ParameterTree } from '../datamodel/index.js';
import { ConfigError } from '../errors/index.js';
import type { Profile } from '../profile/index.js';

/**
 * `spec`: `os::<OUI>-<Serial>`, each part percent-encoded as TR-369 §2.2.2 asks (what
 * obuspa does). `cpe-labs`: `os::<OUI><Serial>`, no hyphen and no encoding, as the seed
 * builds it, so Controllers written against the seed keep finding their Agents.
 */
export type EndpointIdFormat = 'spec' | 'cpe-labs';

/** TR-369: an instance-id is at most 50 characters. */
export const MAX_INSTANCE_ID = 50;

/**
 * Percent-encodes every byte (UTF-8) outside the instance-id alphabet
 * (`A-Z a-z 0-9 - . _`), `%` included, with upper-case hex (TR-369 §2.2.2).
 * @example encodeInstanceIdPart('SN 1/2') // 'SN%201%2F2'
 */
export function encodeInstanceIdPart(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9._-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The `os` Endpoint ID of OUI `oui` and serial number `serial`.
 * @throws ConfigError when the OUI or serial is empty, or the spec form's instance-id exceeds 50 characters.
 * @example osEndpointId('00256D', 'SN-1') // 'os::00256D-SN-1'
 */
export function osEndpointId(oui: string, serial: string, format: EndpointIdFormat = 'spec'): string {
  if (oui === '' || serial === '') throw new ConfigError(`USP endpoint id: the OUI and serial number must be non-empty (got OUI ${JSON.stringify(oui)}, serial ${JSON.stringify(serial)})`);
  if (format === 'cpe-labs') return `os::${oui}${serial}`;
  if (format !== 'spec') throw new ConfigError(`USP endpoint id format must be "spec" or "cpe-labs", got ${JSON.stringify(format)}`);
  const instance = `${encodeInstanceIdPart(oui)}-${encodeInstanceIdPart(serial)}`;
  if (instance.length > MAX_INSTANCE_ID) {
    throw new ConfigError(`USP endpoint id os::${instance}: TR-369 allows at most ${MAX_INSTANCE_ID} characters after "os::", got ${instance.length} (OUI ${JSON.stringify(oui)}, serial ${JSON.stringify(serial)})`);
  }
  return `os::${instance}`;
}

/**
 * The Endpoint ID of the CPE whose tree is `tree`: OUI and serial number read now
 * from `profile.deviceIdPaths`.
 * @throws ConfigError when a deviceIdPaths leaf is missing or empty.
 */
export function endpointIdOf(tree: ParameterTree, profile: Pick<Profile, 'deviceIdPaths'>, format: EndpointIdFormat = 'spec'): string {
  const { oui: ouiPath, serialNumber: serialPath } = profile.deviceIdPaths;
  const oui = tree.getValue(ouiPath);
  const serial = tree.getValue(serialPath);
  if (oui === undefined || serial === undefined) {
    throw new ConfigError(`USP endpoint id: deviceIdPaths ${oui === undefined ? `oui ${ouiPath}` : `serialNumber ${serialPath}`} is not a leaf of the tree`);
  }
  return osEndpointId(oui, serial, format);
}
