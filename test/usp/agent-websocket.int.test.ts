// The WebSocket MTP against a `ws` server in the test on 127.0.0.1 (the Controller
// side written here with ws + the codec only): subprotocol v1.usp, ?eid=,
// websocket_connect first, binary frames only, pings, silent cut vs orderly close.
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeMsg, decodeRecord, webSocketUrl, type UspRecord } from '../../src/usp/index.js';
import { CTL, getMsg, makeAgent, requestRecord } from './agent-harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

interface Session {
  ws: WebSocket;
  req: IncomingMessage;
  records: UspRecord[];
  pings: number;
  closed?: { code: number; reason: string };
}

async function controllerServer(opts: { protocol?: false; autoPong?: boolean } = {}): Promise<{ port: number; sessions: Session[] }> {
  const sessions: Session[] = [];
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    autoPong: opts.autoPong ?? true,
    handleProtocols: (set) => (opts.protocol === false ? false : set.has('v1.usp') ? 'v1.usp' : false),
  });
  wss.on('connection', (ws, req) => {
    const s: Session = { ws, req, records: [], pings: 0 };
    sessions.push(s);
    ws.on('message', (data, isBinary) => {
      if (isBinary) s.records.push(decodeRecord(new Uint8Array(data as Buffer)));
    });
    ws.on('ping', () => s.pings++);
    ws.on('close', (code, reason) => (s.closed = { code, reason: reason.toString() }));
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  cleanups.push(() => new Promise<void>((r) => { for (const c of wss.clients) c.terminate(); wss.close(() => r()); }));
  return { port: (wss.address() as { port: number }).port, sessions };
}

describe('WebSocket MTP', () => {
  it('builds the URL with ?eid= percent-encoded (R-WS.10b/c)', () => {
    expect(webSocketUrl({ host: '127.0.0.1', port: 9, path: '/usp', encrypted: false }, 'os::00256D-a%2Fb')).toBe('ws://127.0.0.1:9/usp?eid=os%3A%3A00256D-a%252Fb');
    expect(webSocketUrl({ host: '::1', port: 9, path: 'x', encrypted: true }, 'e')).toBe('wss://[::1]:9/x?eid=e');
  });

  it('dials out with v1.usp and ?eid=, sends websocket_connect first, answers a Get on the socket', async () => {
    const srv = await controllerServer();
    const fx = makeAgent({ websocket: { host: '127.0.0.1', port: srv.port, path: '/usp', encrypted: false } });
    cleanups.push(() => fx.agent.close());
    fx.agent.start();
    await expect.poll(() => srv.sessions[0]?.records.length ?? 0).toBe(1);
    const s = srv.sessions[0]!;
    expect(s.ws.protocol).toBe('v1.usp');
    expect(new URL(s.req.url!, 'http://x').searchParams.get('eid')).toBe(fx.eid);
    expect(s.records[0]).toMatchObject({ record_type: 'websocket_connect', to_id: CTL, from_id: fx.eid });
    expect(fx.tree.getValue('Device.LocalAgent.MTP.1.Status')).toBe('Up');
    s.ws.send(requestRecord(fx.eid, getMsg('w1', 'Device.DeviceInfo.SerialNumber')), { binary: true });
    await expect.poll(() => s.records.length).toBe(2);
    const msg = decodeMsg(s.records[1]!.no_session_context!.payload);
    expect(msg.header.msg_id).toBe('w1');
    expect(msg.body.response?.get_resp?.req_path_results[0]?.resolved_path_results[0]?.result_params).toEqual({ SerialNumber: 'USPT-1' });
  });

  it('closes with 1003 on a text frame and on an undecodable record (R-WS.16), then reconnects', async () => {
    const srv = await controllerServer();
    const fx = makeAgent({ websocket: { host: '127.0.0.1', port: srv.port, path: '/usp', encrypted: false } });
    cleanups.push(() => fx.agent.close());
    fx.agent.start();
    await expect.poll(() => srv.sessions.length).toBe(1);
    srv.sessions[0]!.ws.send('hello');
    await expect.poll(() => srv.sessions[0]!.closed?.code).toBe(1003);
    await expect.poll(() => srv.sessions.length).toBe(2);
    srv.sessions[1]!.ws.send(new Uint8Array([0xff, 0x01]), { binary: true });
    await expect.poll(() => srv.sessions[1]!.closed?.code).toBe(1003);
  });

  it('opens no session with a server that picks no subprotocol (R-WS.12)', async () => {
    const srv = await controllerServer({ protocol: false });
    const fx = makeAgent({ websocket: { host: '127.0.0.1', port: srv.port, path: '/usp', encrypted: false } });
    cleanups.push(() => fx.agent.close());
    fx.agent.start();
    // It keeps retrying (compressed back-off) and never sends a record.
    await expect.poll(() => srv.sessions.length).toBeGreaterThanOrEqual(2);
    expect(srv.sessions.every((s) => s.records.length === 0)).toBe(true);
    expect(fx.agent.online).toBe(false);
  });

  it('pings every KeepAliveInterval and ends a session whose peer stops answering', async () => {
    const srv = await controllerServer();
    const fx = makeAgent({ websocket: { host: '127.0.0.1', port: srv.port, path: '/usp', encrypted: false } });
    cleanups.push(() => fx.agent.close());
    fx.agent.start();
    // 30 s simulated = 30 ms real at 1000× compression.
    await expect.poll(() => srv.sessions[0]?.pings ?? 0).toBeGreaterThanOrEqual(3);
    expect(srv.sessions[0]!.closed).toBeUndefined();
    // A Controller that stops answering pings: after two missed pongs the agent drops the session and dials again.
    const mute = await controllerServer({ autoPong: false });
    const fx2 = makeAgent({ websocket: { host: '127.0.0.1', port: mute.port, path: '/usp', encrypted: false } });
    cleanups.push(() => fx2.agent.close());
    fx2.agent.start();
    await expect.poll(() => mute.sessions.length).toBeGreaterThanOrEqual(2);
    expect(mute.sessions[0]!.pings).toBe(2);
    expect(mute.sessions[0]!.closed?.code).toBe(1006);
  });

  it('cut() ends the session without a close frame or record; close() sends disconnect then closes with 1000', async () => {
    const srv = await controllerServer();
    const fx = makeAgent({ websocket: { host: '127.0.0.1', port: srv.port, path: '/usp', encrypted: false } });
    cleanups.push(() => fx.agent.close());
    fx.agent.start();
    await expect.poll(() => srv.sessions[0]?.records.length ?? 0).toBe(1);
    fx.agent.cut();
    await expect.poll(() => srv.sessions[0]!.closed?.code).toBe(1006);
    expect(srv.sessions[0]!.records.map((r) => r.record_type)).toEqual(['websocket_connect']);
    fx.agent.restart({ rebooted: false });
    await expect.poll(() => srv.sessions[1]?.records.length ?? 0).toBe(1);
    await fx.agent.close();
    await expect.poll(() => srv.sessions[1]!.closed?.code).toBe(1000);
    expect(srv.sessions[1]!.records.map((r) => r.record_type)).toEqual(['websocket_connect', 'disconnect']);
  });
});
