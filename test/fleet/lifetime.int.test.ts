import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startFleet } from '../../src/fleet/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const PROFILE = `${root}fixtures/profiles/tr181-digest.yaml`;

describe('startFleet lifetime and options', () => {
  it('an open fleet keeps a plain script alive (no CR listener, ACS refusing), and close() lets it exit', async () => {
    // Only unref'd timers run here: without the fleet's own hold, Node would exit
    // during the retry back-off with the top-level await unsettled (exit 13).
    const script = `
      import { startFleet } from ${JSON.stringify(`${root}dist/index.mjs`)};
      import net from 'node:net';
      const srv = net.createServer();
      await new Promise((r) => srv.listen(0, '127.0.0.1', r));
      const port = srv.address().port;
      await new Promise((r) => srv.close(r));
      const fleet = await startFleet({ profile: ${JSON.stringify(PROFILE)}, count: 1, cr: false, acsUrl: 'http://127.0.0.1:' + port + '/cwmp', waitFor: 'none', timeScale: 0.001 });
      await new Promise((r) => setTimeout(r, 150).unref());
      console.log('alive retries=' + fleet.cpe(1).retryCount);
      await fleet.close();
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root, timeout: 15_000 });
    expect(stdout).toMatch(/^alive retries=[1-9]\d*$/m);
  });

  it('rejects unknown options and bad enum values, naming them', async () => {
    await expect(startFleet({ profile: PROFILE, cout: 3 } as never)).rejects.toThrow(/startFleet: unknown option "cout"; expected one of profile, count/);
    await expect(startFleet({ profile: PROFILE, waitFor: 'bootstrapped' } as never)).rejects.toThrow(/waitFor must be 'bootstrap' or 'none', got "bootstrapped"/);
    await expect(startFleet({ profile: PROFILE, cr: { port: 7547 } } as never)).rejects.toThrow(/startFleet: cr: unknown option "port"; expected one of bindAddr/);
  });
});
