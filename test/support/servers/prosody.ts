/**
 * `await using xmpp = await startProsody({ users: { 'cpe-1': 'pw' } })`: a real Prosody
 * (Debian `prosody`) on a free 127.0.0.1 port with a throwaway config and data folder
 * (no system dirs: pid file, data and log live in the temp folder, so it runs as any
 * user, root included with `run_as_root`), plain-text SASL allowed on loopback, the
 * accounts written before start. Ready once it answers a stream header with its features.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { findBinary, freePort, logOf, missing, readyServer, startProcess, tempDir, type StartedServer } from './common.js';

const BINARY = findBinary(['/usr/bin/prosody', '/usr/local/bin/prosody']);
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

/** Prosody's datamanager file-name encoding: every non-alphanumeric byte as %xx. */
function pathEncode(s: string): string {
  return Buffer.from(s, 'utf8')
    .toString('latin1')
    .replace(/[^A-Za-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const lua = (s: string): string => JSON.stringify(s);

/** Sends a stream header; true once the server answers with stream features. */
function answersStream(port: number, domain: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    const done = (ok: boolean): void => {
      clearTimeout(t);
      sock.destroy();
      resolve(ok);
    };
    const t = setTimeout(() => done(false), 1000);
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write(`<?xml version='1.0'?><stream:stream to='${domain}' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>`));
    sock.on('data', (d) => {
      got += d.toString();
      if (got.includes('stream:features')) done(true);
    });
  });
}

export async function startProsody(opts: ProsodyOptions = {}): Promise<StartedProsody> {
  if (!BINARY) throw new Error(prosodyMissing);
  const domain = opts.domain ?? 'localhost';
  const users = { ...(opts.users ?? {}) };
  const tmp = tempDir('prosody');
  const port = opts.port ?? (await freePort());
  const data = join(tmp.dir, 'data');
  const accounts = join(data, pathEncode(domain), 'accounts');
  mkdirSync(accounts, { recursive: true });
  for (const [user, password] of Object.entries(users)) {
    // internal_plain storage: one Lua file per account.
    writeFileSync(join(accounts, `${pathEncode(user)}.dat`), `return {\n\t["password"] = ${lua(password)};\n};\n`);
  }
  const logFile = join(tmp.dir, 'prosody.log');
  const config = join(tmp.dir, 'prosody.cfg.lua');
  writeFileSync(
    config,
    [
      `pidfile = ${lua(join(tmp.dir, 'prosody.pid'))}`,
      `data_path = ${lua(data)}`,
      // CI runs as root: stay root instead of switching to a "prosody" user that cannot read the temp folder.
      'run_as_root = true',
      `log = { debug = ${lua(logFile)} }`,
      'modules_enabled = { "roster"; "saslauth"; "disco"; "ping"; "posix" }',
      'modules_disabled = { "s2s" }',
      `c2s_ports = { ${port} }`,
      'c2s_interfaces = { "127.0.0.1" }',
      's2s_ports = {}',
      'http_ports = {}',
      'https_ports = {}',
      // Loopback only: no certificates, PLAIN over the bare stream.
      'c2s_require_encryption = false',
      'allow_unencrypted_plain_auth = true',
      'authentication = "internal_plain"',
      'storage = "internal"',
      'limits = { c2s = { rate = "100mb/s" } }',
      `VirtualHost ${lua(domain)}`,
      '',
    ].join('\n'),
  );
  const proc = startProcess(BINARY, ['--config', config, '-F'], tmp.dir);
  const fields = { service: `xmpp://127.0.0.1:${port}`, host: '127.0.0.1' as const, port, domain, users };
  return readyServer('Prosody', proc, tmp, logOf(proc, logFile), () => answersStream(port, domain), fields);
}
