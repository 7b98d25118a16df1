/**
 * `await using xmpp = await startProsody({ users: { 'cpe-1': 'pw' } })`: a real Prosody
 * (Debian `prosody`) on a free 127.0.0.1 port with a throwaway config and data folder
 * (no system dirs: pid file, data and log live in the temp folder, so it runs as any
 * user, root included with `run_as_root`), plain-text SASL allowed on loopback, the
 * accounts written before start. Ready once it answers a stream header with its features.
 */
import { createRequire } from 'node:module';
import { findBinary, freePort, logOf, missing, readyServer, startProcess, tempDir, type StartedServer } from './common.js';

// The config and accounts come from one CommonJS module the Jest suites share.
const files = createRequire(import.meta.url)('./prosody-files.cjs') as {
  PROSODY_BINARIES: string[];
  writeProsodyFiles(o: { dir: string; port: number; domain: string; users: Record<string, string>; logLevel?: 'debug' | 'error' }): { config: string; logFile: string };
  answersStream(port: number, domain: string): Promise<boolean>;
};

const BINARY = findBinary(files.PROSODY_BINARIES);
/** Why Prosody tests skip, or undefined when Prosody is installed. */
export const prosodyMissing: string | undefined = BINARY ? undefined : missing('Prosody', 'prosody');

export interface ProsodyOptions {
  /** Accounts (local part → password) created before start. */
  users?: Record<string, string>;
  /** Default `localhost`. */
  domain?: string;
  /** A given port (a test of reconnects starts a server where clients already knock); default a free one. */
  port?: number;
}

export interface StartedProsody extends StartedServer {
  /** `xmpp://127.0.0.1:PORT`, the `service` of @xmpp/client. */
  readonly service: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly domain: string;
  readonly users: Readonly<Record<string, string>>;
}

export async function startProsody(opts: ProsodyOptions = {}): Promise<StartedProsody> {
  if (!BINARY) throw new Error(prosodyMissing);
  const domain = opts.domain ?? 'localhost';
  const users = { ...(opts.users ?? {}) };
  const tmp = tempDir('prosody');
  const port = opts.port ?? (await freePort());
  const { config, logFile } = files.writeProsodyFiles({ dir: tmp.dir, port, domain, users });
  const proc = startProcess(BINARY, ['--config', config, '-F'], tmp.dir);
  const fields = { service: `xmpp://127.0.0.1:${port}`, host: '127.0.0.1' as const, port, domain, users };
  return readyServer('Prosody', proc, tmp, logOf(proc, logFile), () => files.answersStream(port, domain), fields);
}
