/** Loopback ports and tiny HTTP "ACS"es for tests of what a broken ACS does. */
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';

/** A loopback port nobody listens on now (bound by the OS, read, closed). */
export async function unusedPort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  await new Promise((r) => s.close(r));
  if (a === null || typeof a === 'string') throw new Error('no address');
  return a.port;
}

/** An HTTP server on 127.0.0.1 (OS-picked port) and its URL with path `/acs`. */
export async function listenHttp(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('no address');
  return { server, url: `http://127.0.0.1:${a.port}/acs` };
}
