/**
 * `await using stun = await startCoturn()`: a real coturn (Debian `coturn`) as a plain
 * STUN server on a free 127.0.0.1 UDP port, with no config file, no TLS, no TURN; ready
 * once it answers a Binding Request. Its log is printed when it fails to start and kept
 * in `log()` for a failing test to show.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll } from 'vitest';
import { join } from 'node:path';
import { bindingRequest, readBindingResponse } from '../../../src/stun/index.js';
import { findBinary, freePort, logOf, missing, readyServer, startProcess, tempDir, type StartedServer } from './common.js';

const BINARY = findBinary(['/usr/bin/turnserver', '/usr/local/bin/turnserver']);
/** Why coturn tests skip, or undefined when coturn is installed. */
export const coturnMissing: string | undefined = BINARY ? undefined : missing('coturn (turnserver)', 'coturn');

export interface StartedCoturn extends StartedServer {
  readonly host: '127.0.0.1';
  readonly port: number;
}

/** One Binding Request from a throwaway socket; true when answered. */
async function answers(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  try {
    const { bytes, id } = bindingRequest();
    const got = new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 300);
      s.on('message', (m) => {
        const r = readBindingResponse(m);
        if (r?.id === id) {
          clearTimeout(t);
          resolve(true);
        }
      });
    });
    s.send(bytes, port, '127.0.0.1');
    return await got;
  } finally {
    s.close();
  }
}

export async function startCoturn(): Promise<StartedCoturn> {
  if (!BINARY) throw new Error(coturnMissing);
  // A free UDP port can still clash (coturn also binds TCP on it, and the port after it
  // for RFC 5780); when it does, coturn logs "Address already in use": try another port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCoturnOnce();
    } catch (err) {
      if (attempt >= 3 || !/Address already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function startCoturnOnce(): Promise<StartedCoturn> {
  const tmp = tempDir('coturn');
  const port = await freePort('udp');
  const alt = await freePort('udp');
  const logFile = join(tmp.dir, 'turnserver.log');
  const proc = startProcess(
    BINARY!,
    [
      '-n', // no config file
      '--listening-ip=127.0.0.1',
      `--listening-port=${port}`,
      `--alt-listening-port=${alt}`,
      '--stun-only',
      '--no-tcp',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--no-auth',
      `--pidfile=${join(tmp.dir, 'turnserver.pid')}`,
      `--log-file=${logFile}`,
      '--simple-log',
      '--verbose',
    ],
    tmp.dir,
  );
  return readyServer('coturn', proc, tmp, logOf(proc, logFile), () => answers(port), { host: '127.0.0.1' as const, port }, 10_000);
}

/**
 * One coturn for the calling `describe` block: started in `beforeAll`, stopped in
 * `afterAll`. Returns a getter for it (valid inside the tests).
 */
export function coturnForSuite(): () => StartedCoturn {
  let coturn: StartedCoturn | undefined;
  beforeAll(async () => {
    coturn = await startCoturn();
  }, 45_000);
  afterAll(async () => {
    await coturn?.stop();
  });
  return () => {
    if (!coturn) throw new Error('coturn is not started (coturnForSuite() must be called inside describe)');
    return coturn;
  };
}
