/**
 * Certificates for HTTPS tests: a self-signed server certificate for the fake ACS and
 * client certificates for mutual TLS, made in-process with the `selfsigned` library
 * (no `openssl` binary needed; docs/decisions/002-libraries.md).
 * @module
 */
import { generate } from 'selfsigned';
import { CpeSimError } from '../errors/index.js';

/** A PEM private key and certificate. */
export interface PemPair {
  key: string;
  cert: string;
}

/** Options of {@link generateCertificate}. */
export interface GenerateCertificateOptions {
  /** Subject CN; default `127.0.0.1`. */
  commonName?: string;
  /** IP subjectAltNames; default `['127.0.0.1', '::1']` (a server certificate for loopback). */
  ips?: readonly string[];
  /** DNS subjectAltNames; default `['localhost']`. */
  dnsNames?: readonly string[];
  /** Sign with this CA instead of self-signing (client certificates for mutual TLS). */
  issuer?: PemPair;
  /** A CA certificate (basicConstraints cA), to sign others with. Default false. */
  isCa?: boolean;
  /** Validity in days from now; default 1. */
  days?: number;
}

/**
 * Makes an EC P-256 key and an X.509 certificate for it (self-signed unless `issuer`).
 * @example
 * const ca = await generateCertificate({ commonName: 'test CA', isCa: true });
 * const device = await generateCertificate({ commonName: 'cpe-1', issuer: ca });
 */
export async function generateCertificate(opts: GenerateCertificateOptions = {}): Promise<PemPair> {
  const days = opts.days ?? 1;
  if (!(days > 0)) throw new CpeSimError('CPESIM_CONFIG_INVALID', `generateCertificate: days must be > 0, got ${String(opts.days)}`);
  const now = new Date();
  const r = await generate([{ name: 'commonName', value: opts.commonName ?? '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + days * 86_400_000),
    ...(opts.issuer ? { ca: { key: opts.issuer.key, cert: opts.issuer.cert } } : {}),
    extensions: [
      { name: 'basicConstraints', cA: opts.isCa === true },
      opts.isCa === true ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true } : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      ...(opts.isCa === true ? [] : [{ name: 'extKeyUsage' as const, serverAuth: true, clientAuth: true }]),
      {
        name: 'subjectAltName',
        altNames: [...(opts.dnsNames ?? ['localhost']).map((value) => ({ type: 2 as const, value })), ...(opts.ips ?? ['127.0.0.1', '::1']).map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  return { key: r.private, cert: r.cert };
}
