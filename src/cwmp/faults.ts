/**
 * TR-069 faults ↔ SOAP Fault bodies (TR-069 A.4, cwmp-notes §1.8).
 * @module
 */
import { CwmpFault } from '../errors/index.js';
import type { Fault } from './types.js';

// Client = the request was at fault; Server = the receiver could not do it
// (easycwmp fault table, cwmp-notes §1.8). Everything not listed is Server.
const CLIENT_CODES: ReadonlySet<number> = new Set([9003, 9005, 9006, 9007, 9008, 8003, 8006]);

/** SOAP faultcode for a TR-069 fault code. */
export function soapFaultCode(faultCode: number): 'Client' | 'Server' {
  return CLIENT_CODES.has(faultCode) ? 'Client' : 'Server';
}

/**
 * Turns a thrown {@link CwmpFault} into a SOAP Fault body: faultcode Client/Server by
 * code, faultstring `CWMP fault` (TR-069 A.4), the code and string in `cwmp:Fault`,
 * and one SetParameterValuesFault per failing parameter (only when there are any).
 *
 * @example faultFromError(new CwmpFault(9005)) // { name: 'Fault', faultcode: 'Client', faultstring: 'CWMP fault', detail: { faultCode: 9005, faultString: 'Invalid parameter name' } }
 */
export function faultFromError(err: CwmpFault): Fault {
  const f: Fault = {
    name: 'Fault',
    faultcode: soapFaultCode(err.faultCode),
    faultstring: 'CWMP fault',
    detail: { faultCode: err.faultCode, faultString: err.faultString },
  };
  if (err.setParameterValuesFaults.length > 0) {
    f.detail.setParameterValuesFault = err.setParameterValuesFaults.map((s) => ({ parameterName: s.parameterName, faultCode: s.faultCode, faultString: s.faultString }));
  }
  return f;
}

/** The {@link CwmpFault} a received SOAP Fault stands for (e.g. to throw from `acs.rpc()` or a CPE request). */
export function errorFromFault(f: Fault): CwmpFault {
  return new CwmpFault(f.detail.faultCode, f.detail.faultString, f.detail.setParameterValuesFault ?? []);
}
