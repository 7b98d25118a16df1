/**
 * Namespace URIs of a CWMP SOAP envelope (cwmp-notes §1.5) and the mapping
 * between CWMP protocol versions and cwmp namespaces.
 * @module
 */
import { CpeSimError } from '../errors/index.js';
import type { CwmpNamespace, CwmpVersion } from './types.js';

/** SOAP 1.1 envelope namespace. CWMP is SOAP 1.1 only (TR-069 §3.5). */
export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
/** SOAP 1.1 encoding namespace (arrayType). */
export const SOAP_ENC_NS = 'http://schemas.xmlsoap.org/soap/encoding/';
/** XML Schema datatypes (`xsd:string` …). */
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
/** XML Schema instance (`xsi:type`). */
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/**
 * The cwmp namespace each protocol version uses. There is no cwmp-1-3 or cwmp-1-4
 * namespace: cwmp-1-3.xsd and cwmp-1-4.xsd both target `urn:dslforum-org:cwmp-1-2`
 * (cwmp-notes §1.5), and GenieACS rejects `cwmp-1-4` with HTTP 400.
 */
export const NAMESPACE_BY_VERSION: Readonly<Record<CwmpVersion, CwmpNamespace>> = Object.freeze({
  '1.0': 'urn:dslforum-org:cwmp-1-0',
  '1.1': 'urn:dslforum-org:cwmp-1-1',
  '1.2': 'urn:dslforum-org:cwmp-1-2',
  '1.3': 'urn:dslforum-org:cwmp-1-2',
  '1.4': 'urn:dslforum-org:cwmp-1-2',
});

/** The namespace used when the caller names none: cwmp-1-2 (GenieACS rejects cwmp-1-4). */
export const DEFAULT_NAMESPACE: CwmpNamespace = 'urn:dslforum-org:cwmp-1-2';

const VERSION_BY_NAMESPACE: Readonly<Record<CwmpNamespace, CwmpVersion>> = {
  'urn:dslforum-org:cwmp-1-0': '1.0',
  'urn:dslforum-org:cwmp-1-1': '1.1',
  'urn:dslforum-org:cwmp-1-2': '1.2',
};

/** True for the three cwmp namespace URIs that exist (1-0, 1-1, 1-2). */
export function isCwmpNamespace(uri: string | undefined): uri is CwmpNamespace {
  return uri !== undefined && Object.prototype.hasOwnProperty.call(VERSION_BY_NAMESPACE, uri);
}

/**
 * The lowest CWMP version a namespace stands for: cwmp-1-0 → `1.0`, cwmp-1-1 → `1.1`,
 * cwmp-1-2 → `1.2` (1.3 and 1.4 share cwmp-1-2 and are told apart by SOAP headers).
 *
 * @example versionOfNamespace('urn:dslforum-org:cwmp-1-0') // '1.0'
 */
export function versionOfNamespace(ns: CwmpNamespace): CwmpVersion {
  if (!isCwmpNamespace(ns)) {
    throw new CpeSimError('CPESIM_CWMP_NAMESPACE', `unknown cwmp namespace ${JSON.stringify(ns)}: expected urn:dslforum-org:cwmp-1-0, -1-1 or -1-2`);
  }
  return VERSION_BY_NAMESPACE[ns];
}
