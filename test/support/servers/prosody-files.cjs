// The files a throwaway Prosody runs from: accounts and a config that keeps everything
// (pid, data, log) in one temporary folder. Plain CommonJS so that the TypeScript helper
// (prosody.ts, Vitest), the Jest suites (test/jest, CommonJS, no TS transform) and the
// bench (bench/cases/xmpp-sessions.mjs) all write the same server.
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const { connect } = require('node:net');
const { join } = require('node:path');

/** Prosody's datamanager file-name encoding: every non-alphanumeric byte as %xx. */
function pathEncode(s) {
  return Buffer.from(s, 'utf8')
    .toString('latin1')
    .replace(/[^A-Za-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const lua = (s) => JSON.stringify(s);

/**
 * Writes the accounts (internal_plain: one Lua file each) and the config into `dir`.
 * @param {{ dir: string, port: number, domain: string, users: Record<string, string>, logLevel?: 'debug' | 'error' }} o
 * @returns {{ config: string, logFile: string }}
 */
function writeProsodyFiles({ dir, port, domain, users, logLevel = 'debug' }) {
  const data = join(dir, 'data');
  const accounts = join(data, pathEncode(domain), 'accounts');
  mkdirSync(accounts, { recursive: true });
  for (const [user, password] of Object.entries(users)) writeFileSync(join(accounts, `${pathEncode(user)}.dat`), `return {\n\t["password"] = ${lua(password)};\n};\n`);
  const logFile = join(dir, 'prosody.log');
  const config = join(dir, 'prosody.cfg.lua');
  writeFileSync(
    config,
    [
      `pidfile = ${lua(join(dir, 'prosody.pid'))}`,
      `data_path = ${lua(data)}`,
      // CI runs as root: stay root instead of switching to a "prosody" user that cannot read the temp folder.
      'run_as_root = true',
      `log = { ${logLevel} = ${lua(logFile)} }`,
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
  return { config, logFile };
}

/**
 * Sends a stream header; true once the server answers with its stream features (ready
 * for logins, which an open port alone does not say).
 * @param {number} port
 * @param {string} domain
 * @returns {Promise<boolean>}
 */
function answersStream(port, domain) {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    const done = (ok) => {
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

/** Where Debian (or a local build) puts the binary. */
const PROSODY_BINARIES = ['/usr/bin/prosody', '/usr/local/bin/prosody'];

module.exports = { pathEncode, writeProsodyFiles, answersStream, PROSODY_BINARIES };
