/**
 * Test helpers for the CPE integration tests: a raw `node:http` ACS that answers
 * with hand-written XML strings (never our encoder), a TR-181 test profile, and a
 * CPE factory with a compressed clock. Not a test file itself.
 */
import { createServer } from 'node:http';
import type { Rng } from '../../src/random/index.js';
import { afterEach, beforeEach, describe } from 'vitest';
import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { Scheduler, createClock } from '../../src/clock/index.js';
import type { Clock } from '../../src/clock/index.js';
import { Template } from '../../src/datamodel/index.js';
import { profileFromObject } from '../../src/profile/index.js';
import { Cpe } from '../../src/cpe/index.js';
import type { CpeOptions, TransportKind } from '../../src/cpe/index.js';

/** The socket transports every transport-sensitive suite runs over (fetch has its own tests). */
export const TRANSPORTS: readonly TransportKind[] = ['http', 'undici'];

/** Declares `suite` once per socket transport; the CPEs of its beds use that transport. */
export function describeOverTransports(title: string, suite: () => void): void {
  describe.each(TRANSPORTS)(`${title} over %s`, (transport) => {
    beforeEach(() => {
      TestBed.transport = transport;
    });
    afterEach(() => {
      TestBed.transport = 'http';
    });
    suite();
  });
}
import { decodeEnvelope } from '../../src/cwmp/index.js';
import { CwmpFault } from '../../src/errors/index.js';
import type { Envelope } from '../../src/cwmp/index.js';

/** One HTTP request the raw ACS received. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** [name, value, name, value, …] exactly as sent. */
  rawHeaders: string[];
  body: string;
  /** 1, 2, … per TCP connection. */
  conn: number;
  /** `inform`, `transfer-complete`, `get-rpc-methods`, `empty`, `response` (anything else). */
  kind: 'inform' | 'transfer-complete' | 'get-rpc-methods' | 'empty' | 'response';
  /** cwmp:ID of the body, if any. */
  id: string | undefined;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string;
  /** Destroy the socket without answering. */
  destroy?: boolean;
  /** Never answer (the CPE's timeout fires). */
  hang?: boolean;
  /** Send the status line, headers and `body`, then never finish the response. */
  stallBody?: boolean;
}

export type AcsHandler = (req: SeenRequest, acs: RawAcs) => Reply | Promise<Reply>;

export function kindOf(body: string): SeenRequest['kind'] {
  if (body.trim() === '') return 'empty';
  if (/<(\w+:)?Inform[\s>]/.test(body)) return 'inform';
  if (/<(\w+:)?TransferComplete[\s>]/.test(body)) return 'transfer-complete';
  if (/<(\w+:)?GetRPCMethods[\s/>]/.test(body)) return 'get-rpc-methods';
  return 'response';
}

/** A raw HTTP ACS for tests. */
export class RawAcs {
  readonly requests: SeenRequest[] = [];
  private server!: Server;
  private conns = 0;
  private readonly sockets = new Set<Socket>();
  url = '';
  handler: AcsHandler;

  private constructor(handler: AcsHandler) {
    this.handler = handler;
  }

  static async start(handler: AcsHandler, path = '/acs'): Promise<RawAcs> {
    const acs = new RawAcs(handler);
    const ids = new WeakMap<Socket, number>();
    acs.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const seen: SeenRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body,
          conn: ids.get(req.socket) ?? 0,
          kind: kindOf(body),
          id: /<(?:\w+:)?ID[^>]*>([^<]*)</.exec(body)?.[1],
        };
        acs.requests.push(seen);
        void Promise.resolve(acs.handler(seen, acs)).then((r) => acs.reply(res, r, req.socket));
      });
    });
    acs.server.keepAliveTimeout = 5000;
    acs.server.on('connection', (s: Socket) => {
      ids.set(s, ++acs.conns);
      acs.sockets.add(s);
      s.on('close', () => acs.sockets.delete(s));
    });
    await new Promise<void>((r) => acs.server.listen(0, '127.0.0.1', r));
    const { port } = acs.server.address() as AddressInfo;
    acs.url = `http://127.0.0.1:${port}${path}`;
    return acs;
  }

  private reply(res: ServerResponse, r: Reply, socket: Socket): void {
    if (r.destroy) {
      socket.destroy();
      return;
    }
    if (r.hang) return;
    const status = r.status ?? (r.body === undefined || r.body === '' ? 204 : 200);
    const headers: Record<string, string | string[]> = { ...(r.headers ?? {}) };
    if (r.body !== undefined && r.body !== '' && !('content-type' in headers)) headers['content-type'] = 'text/xml; charset="utf-8"';
    res.writeHead(status, headers);
    if (r.stallBody) {
      res.write(r.body ?? '');
      return;
    }
    res.end(r.body ?? '');
  }

  /** TCP connections currently open to the ACS. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** Requests of kind `inform`, decoded. */
  informs(): Envelope[] {
    return this.requests.filter((r) => r.kind === 'inform').map((r) => decodeEnvelope(r.body));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

// ---- raw XML ---------------------------------------------------------------------

export type NsVersion = '1-0' | '1-1' | '1-2';

/** A hand-written envelope (soap-env/cwmp prefixes, GenieACS style). */
export function envelope(body: string, opts: { id?: string | undefined; ns?: NsVersion; header?: string } = {}): string {
  const ns = opts.ns ?? '1-2';
  const id = opts.id !== undefined ? `<cwmp:ID soap-env:mustUnderstand="1">${opts.id}</cwmp:ID>` : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" ` +
    `xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-${ns}">` +
    `<soap-env:Header>${id}${opts.header ?? ''}</soap-env:Header><soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`
  );
}

export const informResponse = (id: string | undefined, ns: NsVersion = '1-2', header = ''): string =>
  envelope('<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>', { id, ns, header });

export const fault = (code: number, text: string, id?: string): string =>
  envelope(
    `<soap-env:Fault><faultcode>Client</faultcode><faultstring>CWMP fault</faultstring><detail><cwmp:Fault><FaultCode>${code}</FaultCode><FaultString>${text}</FaultString></cwmp:Fault></detail></soap-env:Fault>`,
    { id },
  );

export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/cwmp/${name}`, import.meta.url), 'utf8');
}

/**
 * The Download fixture pointed at a loopback URL: the CPE really fetches it, and tests
 * must never reach beyond 127.0.0.1. The default (port 1: nothing listens) fails fast
 * with 9015, enough for tests about events and sessions, not about the file.
 */
export function downloadFixture(url = 'http://127.0.0.1:1/fw.bin'): string {
  return fixture('acs/download.xml').replace('http://files.example/fw.bin?v=2&amp;sig=ab', url.replace(/&/g, '&amp;'));
}

/**
 * A well-behaved ACS: InformResponse to each Inform, TransferCompleteResponse /
 * GetRPCMethodsResponse to CPE requests, then the queued raw RPC envelopes one by one
 * (in reply to the empty POST and to each CPE response), then 204.
 */
export function queueAcs(opts: { ns?: NsVersion; rpcs?: string[]; cookie?: string } = {}): AcsHandler & { rpcs: string[] } {
  const rpcs = opts.rpcs ?? [];
  const handler = (req: SeenRequest): Reply => {
    const ns = opts.ns ?? '1-2';
    const headers: Record<string, string> = opts.cookie ? { 'set-cookie': opts.cookie } : {};
    switch (req.kind) {
      case 'inform':
        return { body: informResponse(req.id, ns), headers };
      case 'transfer-complete':
        return { body: envelope('<cwmp:TransferCompleteResponse/>', { id: req.id, ns }) };
      case 'get-rpc-methods':
        return {
          body: envelope('<cwmp:GetRPCMethodsResponse><MethodList soap-enc:arrayType="xsd:string[2]"><string>Inform</string><string>TransferComplete</string></MethodList></cwmp:GetRPCMethodsResponse>', { id: req.id, ns }),
        };
      default: {
        const next = rpcs.shift();
        return next === undefined ? { status: 204 } : { body: next };
      }
    }
  };
  return Object.assign(handler, { rpcs });
}

// ---- profile and CPE ------------------------------------------------------------

export function testProfileObject(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    deviceIdPaths: {
      manufacturer: 'Device.DeviceInfo.Manufacturer',
      oui: 'Device.DeviceInfo.ManufacturerOUI',
      productClass: 'Device.DeviceInfo.ProductClass',
      serialNumber: 'Device.DeviceInfo.SerialNumber',
    },
    parameters: [
      { path: 'Device.RootDataModelVersion', value: '2.17' },
      { path: 'Device.DeviceInfo.Manufacturer', value: 'SimCo' },
      { path: 'Device.DeviceInfo.ManufacturerOUI', value: '00D09E' },
      { path: 'Device.DeviceInfo.ProductClass', value: 'SimRouter' },
      { path: 'Device.DeviceInfo.SerialNumber', value: 'SIM{cpe:6}' },
      { path: 'Device.DeviceInfo.HardwareVersion', value: 'HW1' },
      { path: 'Device.DeviceInfo.SoftwareVersion', value: '1.0.3' },
      { path: 'Device.DeviceInfo.ProvisioningCode', value: '', writable: true },
      { path: 'Device.DeviceInfo.UpTime', type: 'xsd:unsignedInt', value: '3600' },
      { path: 'Device.ManagementServer.URL', value: '', writable: true },
      { path: 'Device.ManagementServer.Username', value: '', writable: true },
      { path: 'Device.ManagementServer.Password', value: '', writable: true },
      { path: 'Device.ManagementServer.ParameterKey', value: '' },
      { path: 'Device.ManagementServer.ConnectionRequestURL', value: '' },
      { path: 'Device.ManagementServer.PeriodicInformEnable', type: 'xsd:boolean', value: 'false', writable: true },
      { path: 'Device.ManagementServer.PeriodicInformInterval', type: 'xsd:unsignedInt', value: '60', writable: true },
      { path: 'Device.ManagementServer.CWMPRetryMinimumWaitInterval', type: 'xsd:unsignedInt', value: '5', writable: true },
      { path: 'Device.ManagementServer.CWMPRetryIntervalMultiplier', type: 'xsd:unsignedInt', value: '2000', writable: true },
      { path: 'Device.WiFi.SSID.1.SSID', value: 'sim-{cpe}', writable: true },
    ],
    objects: [
      {
        path: 'Device.Hosts.Host',
        instances: 2,
        parameters: [
          { path: 'HostName', value: 'host-{i}', writable: true },
          { path: 'Active', type: 'xsd:boolean', value: 'true' },
        ],
      },
    ],
    periodicInformPaths: { interval: 'Device.ManagementServer.PeriodicInformInterval', enable: 'Device.ManagementServer.PeriodicInformEnable' },
    informParameters: { bootstrap: ['Device.DeviceInfo.UpTime'], periodic: ['Device.WiFi.SSID.1.SSID'] },
    ...extra,
  };
}

/**
 * The periodic-inform jitter the CPE draws next from `rng` for an interval of
 * `periodMs` (ref. 4.3 item 3): `Int63n(2·span + 1) − span` ns, span = 10 % of the
 * interval, rounded to the scheduler's whole milliseconds.
 */
export function jitterMs(rng: Rng, periodMs: number): number {
  const span = BigInt(Math.trunc(periodMs * 1e6 * 0.1));
  return Math.round(Number(rng.int63n(2n * span + 1n) - span) / 1e6);
}

export function testTemplate(extra: Record<string, unknown> = {}): Template {
  return Template.compile(profileFromObject(testProfileObject(extra), '<test>'));
}

/**
 * A clock whose time stands still except when a timer fires: it then jumps to the
 * timer's due time. Sessions take zero simulated time, so gaps between sessions are
 * exactly the scheduled waits.
 */
export function virtualClock(start = Date.UTC(2025, 2, 1, 10, 0, 0)): Clock {
  let t = start;
  return {
    speed: Infinity,
    now: () => t,
    setTimer: (fn, ms) => {
      const due = t + Math.max(0, ms);
      const h = setTimeout(() => {
        t = Math.max(t, due);
        fn();
      }, 1);
      h.unref();
      return h;
    },
    clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
  };
}

/** A clock that moves only when the test calls `advance(ms)`; due timers then fire. */
export function manualClock(start = Date.UTC(2025, 2, 1, 10, 0, 0)): Clock & { advance(ms: number): void } {
  let t = start;
  const timers = new Set<{ due: number; fn: () => void }>();
  return {
    speed: 0,
    now: () => t,
    setTimer: (fn, ms) => {
      const h = { due: t + Math.max(0, ms), fn };
      timers.add(h);
      return h;
    },
    clearTimer: (h) => {
      timers.delete(h as { due: number; fn: () => void });
    },
    advance(ms: number) {
      t += ms;
      for (const h of [...timers].sort((a, b) => a.due - b.due)) {
        if (h.due <= t && timers.has(h)) {
          timers.delete(h);
          h.fn();
        }
      }
    },
  };
}

/** Everything a test creates, closed by `cleanup()`. */
export class TestBed {
  /** The HTTP transport CPEs of the next beds use unless a test names one (suites run once per transport). */
  static transport: TransportKind = 'http';
  private readonly closers: Array<() => Promise<void> | void> = [];
  readonly scheduler: Scheduler;

  constructor(clock: number | Clock = 0.001) {
    this.scheduler = new Scheduler(typeof clock === 'number' ? createClock({ timeScale: clock }) : clock);
    this.closers.push(() => this.scheduler.close());
  }

  async acs(handler: AcsHandler, path?: string): Promise<RawAcs> {
    const acs = await RawAcs.start(handler, path);
    this.closers.push(() => acs.close());
    return acs;
  }

  cpe(url: string, opts: Partial<CpeOptions> & { profile?: Record<string, unknown> } = {}): Cpe {
    const { profile, acs, ...rest } = opts;
    const cpe = new Cpe({
      id: 'cpe-1',
      index: 1,
      template: testTemplate(profile),
      acs: acs === 'none' ? 'none' : { transport: TestBed.transport, ...(acs ?? { url, timeoutMs: 2000 }) },
      scheduler: this.scheduler,
      transcript: { keepXml: true },
      retry: { random: () => 0 },
      ...rest,
    });
    this.closers.unshift(() => cpe.close());
    return cpe;
  }

  async cleanup(): Promise<void> {
    for (const c of this.closers.splice(0)) await c();
  }
}

/** The TR-069 code of the CwmpFault `f` throws; undefined when it does not throw (other errors rethrown). */
export function faultCodeOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CwmpFault) return e.faultCode;
    throw e;
  }
  return undefined;
}

/** Header value exactly as sent (undefined when absent). */
export function rawHeader(req: SeenRequest, name: string): string | undefined {
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === name) return req.rawHeaders[i + 1];
  return undefined;
}
