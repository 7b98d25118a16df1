/**
 * `--help` texts, generated from the option tables so flags, env vars and config
 * keys can never drift apart from what the parser accepts.
 * @module
 */
import { ACS_OPTIONS } from './acs.js';
import { shippedProfileNames } from '../profile/index.js';
import { configKeyOf, envKeyOf, OPTIONS } from './options.js';

function wrap(text: string, indent: number, width = 100): string {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && line.length + 1 + w.length > width - indent) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}

/** Help of the simulator command. */
export function simHelp(version: string): string {
  const out: string[] = [
    `cpe-sim ${version}: simulate a fleet of TR-069 (CWMP) CPEs against an ACS.`,
    '',
    'Usage:',
    '  cpe-sim --profile PATH [--acs-url URL] [--cr-bind-addr HOST:PORT --cr-publish-path PARAM] [options]',
    '  cpe-sim acs [--port 7547] [--host 127.0.0.1] [--auth basic|digest --username U --password P] [--verbose]',
    '  cpe-sim --help | --version',
    '',
    'Options (flag / environment variable / config-file key; precedence: flag > env > config file > default):',
  ];
  for (const o of OPTIONS) {
    const dflt = o.default !== undefined ? ` (default ${o.default})` : '';
    const values = o.values ? ` One of: ${o.values.join(', ')}.` : '';
    out.push(`  --${o.flag} ${o.arg}`);
    out.push(`      env ${envKeyOf(o.flag)}${o.noConfig ? '' : `, config ${configKeyOf(o.flag)}`}`);
    out.push(wrap(`${o.description}${values}${dflt}`, 6));
  }
  out.push('  -h, --help      Show this help.', '  -V, --version   Print the version.', '');
  // Read from the package, so the list is what this installation really ships.
  out.push('Shipped profiles (give them by name: --profile tr181-digest):', wrap(shippedProfileNames().join(', ') || '(none found)', 2), '');
  out.push(
    'Lifetime:',
    wrap(
      'With --cr-bind-addr, or with periodicInformPaths configured and enabled in the profile, cpe-sim stays up (daemon mode) until SIGINT/SIGTERM, then closes the listener and in-flight sessions and exits 0. Otherwise it runs the bootstrap sessions and exits: 0 when every CPE delivered 0 BOOTSTRAP, 1 when one could not (after 3 failed attempts).',
      2,
    ),
    '',
    'Exit codes: 0 ok; 1 a bootstrap could not be delivered, or an unexpected error; 2 bad input (flags, env, config file, profile, address in use); 130/143 interrupted before the bootstraps finished.',
    '',
    'Examples:',
    '  cpe-sim --profile tr181-digest',
    '  cpe-sim --profile tr181-digest --acs-url http://127.0.0.1:7547/cwmp --cr-bind-addr 127.0.0.1:0 \\',
    '          --cr-publish-path Device.ManagementServer.ConnectionRequestURL',
    '',
    'Docs: docs/cli.md',
  );
  return out.join('\n') + '\n';
}

/** Help of `cpe-sim acs`. */
export function acsHelp(version: string): string {
  const out: string[] = [
    `cpe-sim ${version} acs: run the fake ACS standalone; prints one line per CWMP message until SIGINT/SIGTERM.`,
    '',
    'Usage: cpe-sim acs [options]',
    '',
    'Options:',
  ];
  for (const o of ACS_OPTIONS) {
    const dflt = o.default !== undefined ? ` (default ${o.default})` : '';
    out.push(`  --${o.flag}${o.arg ? ` ${o.arg}` : ''}`);
    out.push(wrap(`${o.description}${dflt}`, 6));
  }
  out.push('  -h, --help      Show this help.', '', 'Example: cpe-sim acs --port 7547 --auth digest --username acs --password secret --verbose', '');
  return out.join('\n') + '\n';
}
