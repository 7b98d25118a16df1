/**
 * `cpe-sim acs`: the fake ACS as a standalone server, printing every CWMP message as
 * one line (`--verbose` adds the XML), until SIGINT/SIGTERM.
 * @module
 */
import { parseArgs } from 'node:util';
import { createFakeAcs, formatAcsLine, type FakeAcsOptions } from '../acs/index.js';
import { ConfigError } from '../errors/index.js';
import { createLogger, type LogFormat } from '../log/index.js';
import { parseArgsError } from './options.js';
import type { RunContext } from './run.js';

/** One option of `cpe-sim acs`. */
export interface AcsOptionSpec {
  readonly flag: string;
  readonly type: 'string' | 'boolean';
  readonly arg?: string;
  readonly default?: string;
  readonly description: string;
}

/** Options of `cpe-sim acs` (flags only: no env vars or config file). */
export const ACS_OPTIONS: readonly AcsOptionSpec[] = [
  { flag: 'port', type: 'string', arg: 'PORT', default: '7547', description: 'TCP port (0 lets the OS pick; the bound URL is printed).' },
  { flag: 'host', type: 'string', arg: 'HOST', default: '127.0.0.1', description: 'Address to bind.' },
  { flag: 'path', type: 'string', arg: 'PATH', default: '/cwmp', description: 'URL path of the CWMP endpoint; other paths get 404.' },
  { flag: 'auth', type: 'string', arg: 'basic|digest', description: 'Challenge CPEs with HTTP Basic or Digest (TR-069 §3.4.4). Needs --username and --password.' },
  { flag: 'username', type: 'string', arg: 'USER', description: 'Username CPEs must present (with --auth).' },
  { flag: 'password', type: 'string', arg: 'PASS', description: 'Password CPEs must present (with --auth; never printed).' },
  { flag: 'realm', type: 'string', arg: 'REALM', description: 'Realm of the challenge (with --auth; default cpe-sim-acs).' },
  { flag: 'cwmp-version', type: 'string', arg: '1.0|1.2|1.4', default: '1.2', description: 'CWMP version the ACS speaks.' },
  { flag: 'files', type: 'string', arg: 'DIR', description: 'Serve every file under DIR at http://HOST:PORT/files/<relative path> for Download (uploads are accepted there too).' },
  { flag: 'verbose', type: 'boolean', description: 'Print the XML of every message too.' },
  { flag: 'log-level', type: 'string', arg: 'LEVEL', default: 'info', description: 'debug, info, warn or error (logs go to stderr).' },
  { flag: 'log-format', type: 'string', arg: 'FORMAT', default: 'text', description: 'text or json.' },
];

/** Settings of `cpe-sim acs`. */
export interface AcsSettings {
  acs: FakeAcsOptions & { host: string; port: number };
  /** `--files DIR`: served under `/files/`. */
  files?: string;
  verbose: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  logFormat: LogFormat;
}

/** Parses `cpe-sim acs` flags. @throws ConfigError */
export function parseAcsArgs(argv: readonly string[]): { kind: 'help' } | { kind: 'run'; settings: AcsSettings } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const o of ACS_OPTIONS) options[o.flag] = { type: o.type };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (err) {
    throw parseArgsError(err, ['--help', ...ACS_OPTIONS.map((o) => `--${o.flag}`)]);
  }
  if (values.help === true) return { kind: 'help' };
  const str = (f: string): string | undefined => (typeof values[f] === 'string' ? (values[f] as string) : ACS_OPTIONS.find((o) => o.flag === f)?.default);

  const portText = str('port')!;
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new ConfigError(`--port: invalid value ${JSON.stringify(portText)}: expected a port number 0..65535`);
  const host = str('host')!;
  if (host === '') throw new ConfigError('--host: expected an address to bind, e.g. 127.0.0.1');
  const path = str('path')!;
  if (!path.startsWith('/')) throw new ConfigError(`--path: invalid value ${JSON.stringify(path)}: expected an absolute URL path such as /cwmp`);
  const version = str('cwmp-version')!;
  if (version !== '1.0' && version !== '1.2' && version !== '1.4') throw new ConfigError(`--cwmp-version: invalid value ${JSON.stringify(version)}: expected one of 1.0, 1.2, 1.4`);
  const logLevel = str('log-level')!;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new ConfigError(`--log-level: invalid value ${JSON.stringify(logLevel)}: expected one of debug, info, warn, error`);
  const logFormat = str('log-format')!;
  if (logFormat !== 'text' && logFormat !== 'json') throw new ConfigError(`--log-format: invalid value ${JSON.stringify(logFormat)}: expected one of text, json`);
  const verbose = values.verbose === true;

  const acs: AcsSettings['acs'] = { host, port: Number(portText), path, cwmpVersion: version, keepXml: verbose };
  const auth = str('auth');
  const username = str('username');
  const password = str('password');
  const realm = str('realm');
  if (auth !== undefined) {
    if (auth !== 'basic' && auth !== 'digest') throw new ConfigError(`--auth: invalid value ${JSON.stringify(auth)}: expected basic or digest`);
    if (username === undefined || password === undefined || username === '') throw new ConfigError(`--auth ${auth} needs --username and --password (the credentials CPEs must present)`);
    acs.auth = { scheme: auth, username, password, ...(realm !== undefined ? { realm } : {}) };
  } else {
    for (const f of ['username', 'password', 'realm']) {
      if (typeof values[f] === 'string') throw new ConfigError(`--${f} has no effect without --auth basic|digest`);
    }
  }
  const files = str('files');
  if (files !== undefined && files === '') throw new ConfigError('--files: expected a directory to serve, e.g. ./images');
  return { kind: 'run', settings: { acs, ...(files !== undefined ? { files } : {}), verbose, logLevel: logLevel as AcsSettings['logLevel'], logFormat } };
}

/** Runs the fake ACS until the stop signal; returns the exit code. */
export async function runAcs(s: AcsSettings, ctx: RunContext): Promise<number> {
  const logger = createLogger({ level: s.logLevel, format: s.logFormat, write: (line) => ctx.stderr(line + '\n') });
  const acs = await createFakeAcs({
    ...s.acs,
    logger,
    onMessage: (line) => ctx.stdout(formatAcsLine(line, { verbose: s.verbose }) + '\n'),
  });
  try {
    if (s.files !== undefined) {
      let names: string[];
      try {
        names = await acs.files.serveDirectory(s.files);
      } catch (err) {
        throw new ConfigError(`--files ${s.files}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      ctx.stdout(`serving ${names.length} file(s) from ${s.files} at ${acs.files.baseUrl}\n`);
      for (const n of names) ctx.stdout(`  ${acs.files.url(n)}\n`);
    }
    ctx.stdout(`fake ACS listening on ${acs.url}${s.acs.auth ? ` (${s.acs.auth.scheme} auth, user ${s.acs.auth.username})` : ''}; Ctrl-C to stop\n`);
    logger.info('fake ACS listening', { url: acs.url, auth: s.acs.auth?.scheme ?? 'none' });
    const sig = await ctx.stopped;
    logger.info('stopping', { signal: sig });
  } finally {
    await acs.close();
  }
  return 0;
}
