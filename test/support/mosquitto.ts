/**
 * `await using broker = await startMosquitto()`: a real Mosquitto (Debian `mosquitto`,
 * 2.0) on a free 127.0.0.1 port with a throwaway config, for the MQTT 5.0 tests the
 * embedded aedes broker cannot serve (it speaks 3.1.1 only), and for ACLs and passwords.
 * Ready once it answers an MQTT CONNECT with a CONNACK; its output is kept in `log()` and
 * printed when it fails to start. `mosquittoForSuite()` starts one per test file.
 *
 * Recipe (usp-notes §9.1): the temp folder is chmod 755, because run as root mosquitto
 * drops to user `mosquitto` and must still read its config, password and ACL files; 2.0
 * refuses anonymous clients once a `listener` is configured, so `allow_anonymous` is
 * written explicitly; no persistence, so nothing outlives the test.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { findBinary, freePort, missing, readyServer, startProcess, tempDir, type StartedServer } from './servers/common.js';

const BINARY = findBinary(['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/local/bin/mosquitto']);
const PASSWD = findBinary(['/usr/bin/mosquitto_passwd', '/usr/local/bin/mosquitto_passwd']);
/** Why Mosquitto tests skip, or undefined when Mosquitto is installed. */
export const mosquittoMissing: string | undefined = BINARY ? undefined : missing('Mosquitto', 'mosquitto');

export interface MosquittoOptions {
  /**
   * Accounts (username → password) written with `mosquitto_passwd`. Mosquitto's tool
   * refuses usernames containing `:` (usp-notes §9.1), so USP EndpointIDs cannot be
   * usernames here. Given accounts turn anonymous access off unless `allowAnonymous`.
   */
  users?: Record<string, string>;
  /** Default: true without `users`, false with them. */
  allowAnonymous?: boolean;
  /**
   * ACL file lines, e.g. `['pattern read usp/v1/agent/%c/#', 'topic write usp/v1/controller/#']`.
   * Mosquitto grants a denied SUBSCRIBE and simply never delivers (usp-notes §9.1).
   */
  acl?: readonly string[];
  /** A given port (a reconnect test starts a broker where clients already knock); default a free one. */
  port?: number;
  /**
   * Also an MQTT-over-TLS listener (`tlsUrl`, mqtts://) with this server certificate and
   * key (PEM); with `websockets` also a WebSocket-over-TLS one (`wssUrl`). `ca` is what
   * client certificates must chain to when `requireCertificate` is true (mutual TLS).
   */
  tls?: { cert: string; key: string; ca: string; requireCertificate?: boolean } | undefined;
  /** Also an MQTT-over-WebSocket listener (`wsUrl`, ws://, any path). */
  websockets?: boolean;
}

export interface StartedMosquitto extends StartedServer {
  /** `mqtt://127.0.0.1:PORT`, what mqtt.js `connect` takes. */
  readonly url: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `mqtts://127.0.0.1:PORT` with `tls`. */
  readonly tlsUrl?: string;
  /** `ws://127.0.0.1:PORT` with `websockets`. */
  readonly wsUrl?: string;
  /** `wss://127.0.0.1:PORT` with `tls` and `websockets`. */
  readonly wssUrl?: string;
}

/** MQTT 3.1.1 CONNECT (clean session, keepalive 10 s, client id `probe`): enough to be answered. */
const CONNECT_PROBE = Buffer.from([0x10, 0x11, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x0a, 0x00, 0x05, 0x70, 0x72, 0x6f, 0x62, 0x65]);

/** True once the broker answers a CONNECT with a CONNACK (packet type 2), whatever its return code. */
function answersConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 500);
    sock.once('connect', () => sock.write(CONNECT_PROBE));
    sock.once('data', (d: Buffer) => done(d[0] === 0x20));
    sock.once('error', () => done(false));
    sock.once('close', () => done(false));
  });
}

export async function startMosquitto(opts: MosquittoOptions = {}): Promise<StartedMosquitto> {
  if (!BINARY) throw new Error(mosquittoMissing);
  const tmp = tempDir('mosquitto');
  chmodSync(tmp.dir, 0o755);
  const port = opts.port ?? (await freePort());
  const users = Object.entries(opts.users ?? {});
  const lines = [`listener ${port} 127.0.0.1`, `allow_anonymous ${opts.allowAnonymous ?? users.length === 0}`, 'persistence false', 'log_dest stdout', 'log_type all'];
  if (users.length > 0) {
    if (!PASSWD) {
      tmp.remove();
      throw new Error(missing('mosquitto_passwd', 'mosquitto'));
    }
    const file = join(tmp.dir, 'passwd');
    writeFileSync(file, '', { mode: 0o644 });
    for (const [user, password] of users) {
      if (user.includes(':')) {
        tmp.remove();
        throw new Error(`startMosquitto: username "${user}" contains ":", which mosquitto_passwd refuses; pick another username`);
      }
      const r = spawnSync(PASSWD, ['-b', file, user, password], { encoding: 'utf8' });
      if (r.status !== 0) {
        tmp.remove();
        throw new Error(`mosquitto_passwd failed for user "${user}": ${r.stderr || r.stdout}`);
      }
    }
    chmodSync(file, 0o644);
    lines.push(`password_file ${file}`);
  }
  if (opts.acl) {
    const file = join(tmp.dir, 'acl');
    writeFileSync(file, `${opts.acl.join('\n')}\n`, { mode: 0o644 });
    lines.push(`acl_file ${file}`);
  }
  const urls: { tlsUrl?: string; wsUrl?: string; wssUrl?: string } = {};
  let tlsLines: string[] = [];
  if (opts.tls) {
    const file = (name: string, pem: string): string => {
      const path = join(tmp.dir, name);
      writeFileSync(path, pem, { mode: 0o644 });
      return path;
    };
    tlsLines = [`cafile ${file('ca.pem', opts.tls.ca)}`, `certfile ${file('server.pem', opts.tls.cert)}`, `keyfile ${file('server.key', opts.tls.key)}`, `require_certificate ${opts.tls.requireCertificate === true}`];
    const tlsPort = await freePort();
    lines.push(`listener ${tlsPort} 127.0.0.1`, ...tlsLines);
    urls.tlsUrl = `mqtts://127.0.0.1:${tlsPort}`;
  }
  if (opts.websockets) {
    // Debian's 2.0.11 hands websockets listeners to libwebsockets, which binds an interface
    // name, not an address (mosquitto issue #3045): `lo` keeps it on loopback. It also
    // starts only beside a plain listener (issue #2284), which the first listener is.
    const wsPort = await freePort();
    lines.push(`listener ${wsPort} lo`, 'protocol websockets');
    urls.wsUrl = `ws://127.0.0.1:${wsPort}`;
    if (opts.tls) {
      const wssPort = await freePort();
      lines.push(`listener ${wssPort} lo`, 'protocol websockets', ...tlsLines);
      urls.wssUrl = `wss://127.0.0.1:${wssPort}`;
    }
  }
  const conf = join(tmp.dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`, { mode: 0o644 });
  const proc = startProcess(BINARY, ['-c', conf], tmp.dir);
  return readyServer('Mosquitto', proc, tmp, proc.output, () => answersConnect(port), { url: `mqtt://127.0.0.1:${port}`, host: '127.0.0.1' as const, port, ...urls }, 15_000);
}

/**
 * One Mosquitto for the calling test file or `describe` block: started in `beforeAll`,
 * stopped in `afterAll`. Returns a getter for it (valid inside the tests). Pair it with
 * `describe.skipIf(mosquittoMissing)`.
 */
export function mosquittoForSuite(opts: MosquittoOptions = {}): () => StartedMosquitto {
  let broker: StartedMosquitto | undefined;
  beforeAll(async () => {
    broker = await startMosquitto(opts);
  }, 30_000);
  afterAll(async () => {
    await broker?.stop();
  });
  return () => {
    if (!broker) throw new Error('Mosquitto is not started (mosquittoForSuite() must be called inside describe)');
    return broker;
  };
}
