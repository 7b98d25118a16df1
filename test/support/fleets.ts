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

/**
 * For a test file that opens other things too (fake Controllers, brokers): returns `keep`,
 * which registers anything with a `close()` to be closed after each test, last opened
 * first, even when the test failed before it could close them. Call once at the top level.
 */
export function closedAfterEach(): <T extends { close(): Promise<unknown> }>(thing: T) => T {
  const open: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined);
  });
  return (thing) => {
    open.push(thing);
    return thing;
  };
}
