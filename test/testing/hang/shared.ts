// "ACS"es that a new user's tests meet when the ACS under test is broken.
import type { Server } from 'node:http';
import { listenHttp, unusedPort } from '../../support/ports.js';

const servers: Server[] = [];

async function listen(handler: Parameters<typeof listenHttp>[0]): Promise<string> {
  const { server, url } = await listenHttp(handler);
  servers.push(server);
  return url;
}

/** Answers every POST with HTTP 500 and an error text. */
export function answering500(): Promise<string> {
  return listen((req, res) => req.resume().on('end', () => res.writeHead(500).end('acs: database is down')));
}

/** Accepts the request and never answers. */
export function silent(): Promise<string> {
  return listen(() => undefined);
}

/** A loopback URL nobody listens on. */
export async function closedPort(): Promise<string> {
  return `http://127.0.0.1:${await unusedPort()}/acs`;
}

export async function closeServers(): Promise<void> {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
}
