/**
 * A throwaway self-signed certificate for 127.0.0.1, made by the `openssl` command for
 * tests that need HTTPS. Undefined (the caller skips) when openssl is missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const OPENSSL_MISSING = 'openssl is not installed: apt-get install -y openssl';

let cached: { key: string; cert: string } | null | undefined;

/** `{ key, cert }` (PEM) for CN/SAN 127.0.0.1, valid one day; made once per process. */
export function selfSignedLoopbackCert(): { key: string; cert: string } | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    cached = { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } catch {
    cached = null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return cached ?? undefined;
}
