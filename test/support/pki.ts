/**
 * A throwaway PKI made with the `openssl` command for TLS tests: a CA, a server
 * certificate for 127.0.0.1 signed by it, a client certificate signed by it (mutual TLS),
 * and a second, unrelated CA (what a wrongly configured client trusts). Undefined when
 * openssl is missing (the caller skips with {@link OPENSSL_MISSING}).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export { OPENSSL_MISSING } from './tls.js';

/** PEM texts of the test PKI. */
export interface TestPki {
  /** The CA that signed `server` and `client`. */
  ca: string;
  /** A CA that signed nothing here: trusting only it must fail. */
  otherCa: string;
  /** Server certificate and key, CN and subjectAltName IP:127.0.0.1. */
  server: { cert: string; key: string };
  /** Client certificate and key (CN `usp-agent`), for brokers that demand one. */
  client: { cert: string; key: string };
}

let cached: TestPki | null | undefined;

/** The test PKI (made once per process, valid one day). */
export function testPki(): TestPki | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-pki-'));
  const f = (n: string): string => join(dir, n);
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'ignore' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string): void => ssl('req', '-x509', ...ec, '-days', '1', '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', f(`${name}.key`), '-out', f(`${name}.pem`));
  const leaf = (name: string, cn: string, ext: string): void => {
    ssl('req', ...ec, '-subj', `/CN=${cn}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`));
    writeFileSync(f(`${name}.ext`), `${ext}\n`);
    ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('test-ca.pem'), '-CAkey', f('test-ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f(`${name}.ext`), '-out', f(`${name}.pem`));
  };
  try {
    ca('test-ca');
    ca('other-ca');
    leaf('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
    leaf('client', 'usp-agent', 'extendedKeyUsage=clientAuth');
    const read = (n: string): string => readFileSync(f(n), 'utf8');
    cached = {
      ca: read('test-ca.pem'),
      otherCa: read('other-ca.pem'),
      server: { cert: read('server.pem'), key: read('server.key') },
      client: { cert: read('client.pem'), key: read('client.key') },
    };
  } catch {
    cached = null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return cached ?? undefined;
}
