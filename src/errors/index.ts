/**
 * Error classes shared by every layer. Each carries a stable `code` that callers
 * can switch on (as undici does), and guards compare `name`/`code` rather than
 * `instanceof`, so they work across realms and across the ESM/CJS builds.
 * @module
 */

/** Registry symbol that brands our errors: works across realms and across the ESM and CJS builds. */
const BRAND = Symbol.for('cpe-sim.error');

/** Base class of every error cpe-sim throws on purpose. */
export class CpeSimError extends Error {
  override name = 'CpeSimError';
  /** @internal brand read by {@link isCpeSimError}. */
  readonly [BRAND] = true;
  /** Stable machine-readable code, e.g. `CPESIM_PROFILE_INVALID`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Where in a profile file a problem was found (1-based line and column). */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** One problem found while loading a profile. */
export interface ProfileProblem extends Partial<SourcePosition> {
  /** Dotted key path inside the document, e.g. `connectionRequest.realm` or `parameters[3].type`. */
  key: string;
  /** What was wrong and what was expected, as one sentence. */
  message: string;
}

/**
 * A profile failed validation. `problems` lists every problem found (not just the
 * first), each with file, line:col and key; `message` renders them all.
 */
export class ProfileError extends CpeSimError {
  override name = 'ProfileError';
  readonly problems: readonly ProfileProblem[];
  constructor(problems: readonly ProfileProblem[], source?: string) {
    super('CPESIM_PROFILE_INVALID', ProfileError.render(problems, source));
    this.problems = problems;
  }
  static formatProblem(p: ProfileProblem): string {
    const where = p.file ? `${p.file}${p.line ? `:${p.line}:${p.col ?? 1}` : ''}` : '<profile>';
    return `${where}: ${p.key}: ${p.message}`;
  }
  private static render(problems: readonly ProfileProblem[], source?: string): string {
    const head = `invalid profile${source ? ` ${source}` : ''}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    return [head, ...problems.map((p) => `  - ${ProfileError.formatProblem(p)}`)].join('\n');
  }
}

/** One per-parameter fault inside a SetParameterValues fault (TR-069 A.5.1). */
export interface SetParameterValuesFaultEntry {
  parameterName: string;
  faultCode: number;
  faultString: string;
}

/** Standard fault strings for CPE fault codes (TR-069 Table A.5, cwmp-1-2.xsd). */
export const CPE_FAULT_STRINGS: Readonly<Record<number, string>> = {
  9000: 'Method not supported',
  9001: 'Request denied',
  9002: 'Internal error',
  9003: 'Invalid arguments',
  9004: 'Resources exceeded',
  9005: 'Invalid parameter name',
  9006: 'Invalid parameter type',
  9007: 'Invalid parameter value',
  9008: 'Attempt to set a non-writable parameter',
  9009: 'Notification request rejected',
  9010: 'File transfer failure',
  9011: 'Upload failure',
  9012: 'File transfer server authentication failure',
  9013: 'Unsupported protocol for file transfer',
  9014: 'Download failure: unable to join multicast group',
  9015: 'Download failure: unable to contact file server',
  9016: 'Download failure: unable to access file',
  9017: 'Download failure: unable to complete download',
  9018: 'Download failure: file corrupted',
  9019: 'Download failure: file authentication failure',
  9020: 'Download failure: unable to complete download within specified time windows',
  9021: 'Cancelation of file transfer not permitted in current transfer state',
  // TR-069 Amendment 6 Table A.5: deployment-unit faults (ChangeDUState, TR-157).
  9022: 'Invalid UUID Format',
  9023: 'Unknown Execution Environment',
  9024: 'Disabled Execution Environment',
  9025: 'Deployment Unit to Execution Environment Mismatch',
  9026: 'Duplicate Deployment Unit',
  9027: 'System Resources Exceeded',
  9028: 'Unknown Deployment Unit',
  9029: 'Invalid Deployment Unit State',
  9030: 'Invalid Deployment Unit Update: Downgrade not permitted',
  9031: 'Invalid Deployment Unit Update: Version not specified',
  9032: 'Invalid Deployment Unit Update: Version already exists',
  8000: 'Method not supported',
  8001: 'Request denied',
  8002: 'Internal error',
  8003: 'Invalid arguments',
  8004: 'Resources exceeded',
  8005: 'Retry request',
  8006: 'ACS version incompatible with CPE',
};

/**
 * A TR-069 fault: thrown by RPC handlers and the data model, turned into a SOAP
 * `cwmp:Fault` by the session runner. `faultCode` is the TR-069 code (9000–9899
 * from a CPE, 8000–8899 from an ACS).
 */
export class CwmpFault extends CpeSimError {
  override name = 'CwmpFault';
  readonly faultCode: number;
  readonly faultString: string;
  readonly setParameterValuesFaults: readonly SetParameterValuesFaultEntry[];
  constructor(faultCode: number, faultString?: string, setParameterValuesFaults: readonly SetParameterValuesFaultEntry[] = []) {
    const text = faultString ?? CPE_FAULT_STRINGS[faultCode] ?? 'Fault';
    super(`CWMP_FAULT_${faultCode}`, `${faultCode} ${text}`);
    this.faultCode = faultCode;
    this.faultString = text;
    this.setParameterValuesFaults = setParameterValuesFaults;
  }
}

/** Bad CLI flags, environment variables or config file. */
export class ConfigError extends CpeSimError {
  override name = 'ConfigError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('CPESIM_CONFIG_INVALID', message, options);
  }
}

/** True for any error cpe-sim threw on purpose (works across realms and builds). */
export function isCpeSimError(e: unknown): e is CpeSimError {
  return typeof e === 'object' && e !== null && (e as { [BRAND]?: unknown })[BRAND] === true;
}
/** True for a {@link ProfileError}. */
export function isProfileError(e: unknown): e is ProfileError {
  return e instanceof Error && e.name === 'ProfileError';
}
/** True for a {@link CwmpFault}. */
export function isCwmpFault(e: unknown): e is CwmpFault {
  return e instanceof Error && e.name === 'CwmpFault';
}
/** True for a {@link ConfigError}. */
export function isConfigError(e: unknown): e is ConfigError {
  return e instanceof Error && e.name === 'ConfigError';
}
