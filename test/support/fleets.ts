import { afterEach } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/index.js';

/**
 * `startFleet` for a test file whose fleets must all be closed after each test, even when
 * the test fails before it could close them. Call once at the top level of the file.
 */
export function startFleetsClosedAfterEach(): (opts: Parameters<typeof startFleet>[0]) => Promise<Fleet> {
  let fleets: Fleet[] = [];
  afterEach(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    fleets = [];
  });
  return async (opts) => {
    const f = await startFleet(opts);
    fleets.push(f);
    return f;
  };
}
