/** Test helpers for the CR listener integration tests (127.0.0.1 only). */
import { connect } from 'node:net';
import { Client } from 'undici';
import { createCrListener, type CrListener, type CrListenerOptions } from '../../src/cr/index.js';
import type { CrEndpoint, CrEndpointConfig, CrRequestEvent } from '../../src/cr/types.js';
import { createLogger, type Logger } from '../../src/log/index.js';
import {
  digestRspauth,
  formatDigestAuthorization,
  newCnonce,
  parseAuthHeader,
  toDigestChallenge,
  type DigestChallenge,
} from '../../src/httpauth/index.js';

export interface Harness {
  listener: CrListener;
  events: CrRequestEvent[];
  logLines: string[];
  clock: { now: () => number; advance(ms: number): void; set(ms: number): void };
  origin: string;
}

/** A listener on 127.0.0.1:0 with an injectable clock, captured logs and events. */
export async function startListener(over: Partial<CrListenerOptions> = {}): Promise<Harness> {
  let t = 1_700_000_000_000;
  const clock = { now: () => t, advance: (ms: number) => void (t += ms), set: (ms: number) => void (t = ms) };
  const logLines: string[] = [];
  const logger: Logger = createLogger({ level: 'debug', write: (l) => logLines.push(l) });
  const events: CrRequestEvent[] = [];
  const listener = createCrListener({ bindAddr: '127.0.0.1:0', mode: 'fleet', logger, now: clock.now, onRequest: (e) => events.push(e), ...over });
  await listener.listen();
  return { listener, events, logLines, clock, origin: `http://127.0.0.1:${listener.address.port}` };
}

/** An endpoint whose credentials and config can change, counting onRequest calls. */
export function endpoint(config: Partial<CrEndpointConfig> = {}, creds = { username: 'acs', password: 's3cret' }) {
  const state = { creds: { ...creds }, fired: 0 };
  const ep: CrEndpoint & { state: typeof state } = {
    config: { scheme: 'digest', realm: 'cpe-sim', throttleWindowMs: 0, ...config },
    credentials: () => state.creds,
    onRequest: () => void state.fired++,
    state,
  };
  return ep;
}

export interface DigestResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  challenges: DigestChallenge[];
}

/**
 * A Digest client over ONE undici Client (so keep-alive is observable): sends the
 * request unauthenticated, answers the challenge, keeps the nonce and counts nc.
 */
export class DigestClient {
  challenge: DigestChallenge | undefined;
  nc = 0;
  cnonce = newCnonce();
  lastRspauthOk: boolean | undefined;
  constructor(
    readonly client: Client,
    public username: string,
    public password: string,
  ) {}

  /** Sends one request with the current nonce (no retry). */
  async once(path: string, o: { nc?: number; uri?: string; method?: string } = {}): Promise<DigestResult> {
    const headers: Record<string, string> = {};
    let ncUsed = 0;
    if (this.challenge) {
      ncUsed = o.nc ?? ++this.nc;
      headers.authorization = formatDigestAuthorization({
        challenge: this.challenge,
        username: this.username,
        password: this.password,
        method: o.method ?? 'GET',
        uri: o.uri ?? path,
        nc: ncUsed,
        cnonce: this.cnonce,
      });
    }
    const res = await this.client.request({ method: 'GET', path, headers });
    await res.body.dump();
    const challenges: DigestChallenge[] = [];
    const www = res.headers['www-authenticate'];
    for (const v of www === undefined ? [] : Array.isArray(www) ? www : [www]) {
      const c = toDigestChallenge(parseAuthHeader(v));
      if (c) challenges.push(c);
    }
    if (res.statusCode === 200 && this.challenge) {
      const info = res.headers['authentication-info'];
      if (typeof info === 'string') {
        const p = parseAuthHeader(`X ${info}`).params;
        const want = digestRspauth({ username: this.username, realm: this.challenge.realm, password: this.password, method: 'GET', uri: o.uri ?? path, nonce: this.challenge.nonce, nc: p.get('nc') ?? '', cnonce: this.cnonce, qop: 'auth' });
        this.lastRspauthOk = p.get('rspauth') === want;
      }
    }
    return { status: res.statusCode, headers: res.headers, challenges };
  }

  /** What curl does: use the cached nonce, or get one first; re-auth once on stale. */
  async get(path: string): Promise<DigestResult> {
    let r = await this.once(path);
    for (let tries = 0; r.status === 401 && r.challenges[0] && tries < 2; tries++) {
      const c = r.challenges[0];
      if (this.challenge && !c.stale) break; // credentials rejected
      this.challenge = c;
      this.nc = 0;
      r = await this.once(path);
    }
    return r;
  }
}

/** Writes raw bytes to 127.0.0.1:port and collects everything until the server closes or `idleMs` passes. */
export function rawExchange(port: number, data: string | Buffer, o: { idleMs?: number; keepOpen?: boolean } = {}): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (closedByServer: boolean): void => {
      if (timer) clearTimeout(timer);
      sock.destroy();
      resolve({ text, closedByServer });
    };
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => finish(false), o.idleMs ?? 300);
    };
    sock.on('connect', () => {
      sock.write(data);
      arm();
    });
    sock.on('data', (d) => {
      text += d.toString('latin1');
      arm();
    });
    sock.on('end', () => finish(true));
    sock.on('error', (e) => (text ? finish(true) : reject(e)));
  });
}

/** Parses pipelined HTTP/1.1 responses' status codes from raw text. */
export function statuses(text: string): number[] {
  return [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
}
