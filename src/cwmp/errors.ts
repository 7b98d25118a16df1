/**
 * Errors of the CWMP codec.
 * @module
 */
import { CpeSimError } from '../errors/index.js';

/**
 * A SOAP envelope could not be decoded: not XML, not SOAP 1.1, or not a CWMP
 * message we can read. `message` says what was wrong and where (line:col for XML
 * syntax errors, an element path such as `Envelope/Body/GetParameterValues` for
 * structural ones). The receiver treats it as a protocol error (TR-069 §3.7.1.4:
 * malformed SOAP ends the session unsuccessfully).
 */
export class CwmpDecodeError extends CpeSimError {
  override name = 'CwmpDecodeError';
  /** Where the problem is: `line:col` or an element path; undefined when the whole input is at fault. */
  readonly where: string | undefined;
  constructor(message: string, where?: string, options?: { cause?: unknown }) {
    super('CPESIM_CWMP_MALFORMED', where ? `${message} (at ${where})` : message, options);
    this.where = where;
  }
}

/**
 * A typed message cannot be written as XML 1.0: a value holds a character XML 1.0
 * cannot carry even as a character reference (U+0000–U+001F other than TAB/LF/CR,
 * U+FFFE, U+FFFF, lone surrogates), a number is not an integer in range, or a name
 * is not an XML name. We reject rather than silently drop or replace characters,
 * because a peer would then see a value the CPE does not hold.
 */
export class CwmpEncodeError extends CpeSimError {
  override name = 'CwmpEncodeError';
  constructor(message: string) {
    super('CPESIM_CWMP_UNENCODABLE', message);
  }
}
