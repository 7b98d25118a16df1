// "ACS"es that a new user's tests meet when the ACS under test is broken.
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';

export const servers: Server[] = [];

async function listen(s: Server): Promise<string> {
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  if (a === null || typeof a === 'string') throw new Error('no address');
  return `http://127.0.0.1:${a.port}/acs`;
}

/** Answers every POST with HTTP 500 and an error text. */
export function answering500(): Promise<string> {
  return listen(createServer((req, res) => req.resume().on('end', () => res.writeHead(500).end('acs: database is down'))));
}

/** Accepts the request and never answers. */
export function silent(): Promise<string> {
  return listen(createServer(() => undefined));
}

/** A loopback URL nobody listens on. */
export async function closedPort(): Promise<string> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  await new Promise((r) => s.close(r));
  if (a === null || typeof a === 'string') throw new Error('no address');
  return `http://127.0.0.1:${a.port}/acs`;
}

export async function closeServers(): Promise<void> {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
}
