/**
 * The fleet's TLS settings towards an `https:` ACS, turned into each CPE's
 * {@link AcsTls}: one trusted CA for all, and client certificates either shared or one
 * per CPE from a file-name pattern (`certs/{cpe_id}.pem`, `certs/{i}.key`), since real
 * ACSs authenticate devices by their certificate.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { AcsTls } from '../cpe/index.js';
import { ConfigError } from '../errors/index.js';
import type { Logger } from '../log/index.js';

/** `FleetOptions.acsTls`. PEM contents or file paths; a path given wins over nothing, content over path. */
export interface FleetAcsTls {
  /** Trusted CA certificate(s), PEM (e.g. the fake ACS's `certificate`). */
  ca?: string | Buffer;
  /** File holding the trusted CA certificate(s) (`--ca-cert-file`). */
  caFile?: string;
  /** Accept any server certificate (`--tls-skip-verify`); logged as a warning. Tests only. */
  skipVerify?: boolean;
  /** Client certificate and key (PEM) shared by every CPE. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /**
   * Client certificate / key files (`--tls-cert`, `--tls-key`). `{cpe_id}` and `{i}` in
   * the path are replaced per CPE (`certs/{cpe_id}.pem` → `certs/cpe-7.pem`).
   */
  certFile?: string;
  keyFile?: string;
}

const KEYS = new Set(['ca', 'caFile', 'skipVerify', 'cert', 'key', 'certFile', 'keyFile']);
const PER_CPE = /\{(?:cpe_id|i)\}/;

/** Checks `acsTls` before any socket opens; returns a per-CPE factory, or undefined without TLS settings. */
export function acsTlsFactory(t: FleetAcsTls | undefined, logger: Logger): ((id: string, index: number) => AcsTls) | undefined {
  return tlsFactory(t, logger, 'acsTls', 'the ACS');
}

/**
 * Checks the shape of TLS settings named `option` (`acsTls`, `usp.tls`) without reading
 * any file, naming what is wrong.
 * @throws ConfigError
 */
export function checkTlsShape(t: FleetAcsTls, option: string): void {
  if (typeof t !== 'object' || t === null) throw new ConfigError(`startFleet: ${option} must be an object, got ${t === null ? 'null' : typeof t}`);
  for (const k of Object.keys(t)) if (!KEYS.has(k)) throw new ConfigError(`startFleet: ${option}.${k} is not an option; expected one of ${[...KEYS].join(', ')}`);
  if (t.skipVerify !== undefined && typeof t.skipVerify !== 'boolean') throw new ConfigError(`startFleet: ${option}.skipVerify must be a boolean, got ${typeof t.skipVerify}`);
  const hasCert = t.cert !== undefined || t.certFile !== undefined;
  const hasKey = t.key !== undefined || t.keyFile !== undefined;
  if (hasCert !== hasKey) throw new ConfigError(`startFleet: ${option} needs both a client certificate and its key (got only the ${hasCert ? 'certificate' : 'key'}: set ${hasCert ? 'key/keyFile (--tls-key)' : 'cert/certFile (--tls-cert)'})`);
}

/**
 * The per-CPE TLS material of `option` (`acsTls` towards the ACS, `usp.tls` towards the
 * MQTT broker / USP Controller): the CA read once, client certificates per CPE from a
 * pattern. Undefined without settings.
 * @throws ConfigError on a bad shape or an unreadable / non-PEM file
 */
export function tlsFactory(t: FleetAcsTls | undefined, logger: Logger, option: string, peer: string): ((id: string, index: number) => AcsTls) | undefined {
  if (t === undefined) return undefined;
  checkTlsShape(t, option);
  const ca = t.ca ?? (t.caFile !== undefined ? readPem(t.caFile, `${option}.caFile (--ca-cert-file)`) : undefined);
  if (t.skipVerify === true) logger.warn(`TLS certificate verification of ${peer} is disabled (--tls-skip-verify): any server is trusted; never use this outside tests`);
  // One read per distinct path: a shared certificate costs one buffer for the whole fleet.
  const cache = new Map<string, Buffer>();
  const material = (pem: string | Buffer | undefined, file: string | undefined, what: string, id: string, index: number): string | Buffer | undefined => {
    if (pem !== undefined) return pem;
    if (file === undefined) return undefined;
    const path = file.replace(/\{cpe_id\}/g, id).replace(/\{i\}/g, String(index));
    let b = cache.get(path);
    if (b === undefined) {
      b = readPem(path, what);
      if (!PER_CPE.test(file)) cache.set(path, b);
    }
    return b;
  };
  return (id, index) => {
    const cert = material(t.cert, t.certFile, `${option}.certFile (--tls-cert)`, id, index);
    const key = material(t.key, t.keyFile, `${option}.keyFile (--tls-key)`, id, index);
    return {
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(t.skipVerify === true ? { rejectUnauthorized: false } : {}),
    };
  };
}

/** `FleetOptions.transfer`: every CPE's file-transfer client (CWMP Download/Upload, USP firmware and DU manifests). */
export interface FleetTransferOptions {
  /** Idle timeout in real ms for connecting, the response head and between chunks; default 30 000. */
  timeoutMs?: number;
  /**
   * CA certificate(s), PEM, that `https:` file servers must chain to (they replace Node's
   * store for these fetches). Not taken from `acsTls`: as the seed's `--ca-cert-file`,
   * the ACS's trust does not apply to file servers.
   */
  ca?: string | Buffer;
  /** File holding {@link ca}. */
  caFile?: string;
}

const TRANSFER_KEYS = new Set(['timeoutMs', 'ca', 'caFile']);

/**
 * Checks `transfer` and reads its CA file once for the whole fleet.
 * @throws ConfigError naming the option and what was expected.
 */
export function fleetTransferSettings(t: FleetTransferOptions | undefined): { timeoutMs?: number; ca?: string | Buffer } | undefined {
  if (t === undefined) return undefined;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) throw new ConfigError(`startFleet: transfer must be an object such as { timeoutMs: 60000, caFile: 'ca.pem' }, got ${JSON.stringify(t)}`);
  for (const k of Object.keys(t)) if (!TRANSFER_KEYS.has(k)) throw new ConfigError(`startFleet: transfer.${k} is not an option; expected one of ${[...TRANSFER_KEYS].join(', ')}`);
  if (t.timeoutMs !== undefined && !(typeof t.timeoutMs === 'number' && Number.isFinite(t.timeoutMs) && t.timeoutMs > 0)) {
    throw new ConfigError(`startFleet: transfer.timeoutMs must be a number of milliseconds > 0, got ${JSON.stringify(t.timeoutMs)}`);
  }
  if (t.ca !== undefined && !(typeof t.ca === 'string' || Buffer.isBuffer(t.ca))) throw new ConfigError(`startFleet: transfer.ca must be PEM text (string or Buffer), got ${typeof t.ca}`);
  if (t.caFile !== undefined && (typeof t.caFile !== 'string' || t.caFile === '')) throw new ConfigError(`startFleet: transfer.caFile must be a file path, got ${JSON.stringify(t.caFile)}`);
  const ca = t.ca ?? (t.caFile !== undefined ? readPem(t.caFile, 'transfer.caFile (--transfer-ca-file)') : undefined);
  return { ...(t.timeoutMs !== undefined ? { timeoutMs: t.timeoutMs } : {}), ...(ca !== undefined ? { ca } : {}) };
}

function readPem(path: string, what: string): Buffer {
  let b: Buffer;
  try {
    b = readFileSync(path);
  } catch (err) {
    throw new ConfigError(`${what}: cannot read ${JSON.stringify(path)} (${(err as NodeJS.ErrnoException).code ?? String(err)}); expected a PEM file`, { cause: err });
  }
  if (!b.includes('-----BEGIN ')) throw new ConfigError(`${what}: ${JSON.stringify(path)} is not PEM (no "-----BEGIN" line)`);
  return b;
}
