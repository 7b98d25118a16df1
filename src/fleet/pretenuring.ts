/**
 * One process-wide V8 setting that large fleets need: allocation-site pretenuring off.
 *
 * V8 watches each object or array literal in the code and, when most of the objects
 * it made survived one young-generation collection, allocates that literal's objects
 * straight in the old generation from then on. It judges from the few hundred objects
 * made since the previous collection. In a boot storm that collection falls while the
 * first sessions are all still running, so literals that only ever make per-session
 * objects (ours and Node's own in `node:http`, `node:events`, streams) look
 * long-lived. From then on their objects land in the old generation as garbage that
 * also keeps the young objects they point to (sockets, requests, buffers) alive past
 * every young collection, until the next full one. Whether it happens depends on
 * where that first collection falls: the same in-process 20,000-CPE boot promoted
 * ~200 MB in most runs and 0.5–1 GB in about one in four, and a 100k fleet ended at
 * 0.85 or at 1.3 GiB RSS. With pretenuring off, every run promoted ~190 MB and the
 * boot was no slower (docs/performance.md, fifth round).
 * @module
 */
import { setFlagsFromString } from 'node:v8';

const FLAG = /^--(?:no[-_])?allocation[-_]site[-_]pretenuring(?:=|$)/;

/**
 * @internal True when node was started with the pretenuring flag set either way: that
 * choice stands. (NODE_OPTIONS cannot carry it: node refuses this V8 flag there.)
 */
export function pretenuringChosenByUser(execArgv: readonly string[]): boolean {
  return execArgv.some((a) => FLAG.test(a));
}

/**
 * Turns off V8's allocation-site pretenuring for the whole process, which keeps the
 * RSS of a big in-process fleet from depending on chance (see the module notes). The
 * `cpe-sim` command does this at start-up; a test or script that starts 10,000 or more
 * CPEs in its own process should call it before {@link startFleet}. Nothing else
 * changes: it is a garbage-collector heuristic, and V8 reads the flag at every
 * collection, so turning it off at run time takes effect at once.
 *
 * Leaves the setting alone, and returns false, when node was started with
 * `--allocation-site-pretenuring` or `--no-allocation-site-pretenuring`
 * (`node --allocation-site-pretenuring script.js`); returns true when it turned
 * pretenuring off.
 * @example
 * import { disableAllocationSitePretenuring, startFleet } from 'cpe-sim';
 * disableAllocationSitePretenuring();
 * const fleet = await startFleet({ profile: 'fleet-100', count: 100_000 });
 */
export function disableAllocationSitePretenuring(): boolean {
  if (pretenuringChosenByUser(process.execArgv)) return false;
  setFlagsFromString('--no-allocation-site-pretenuring');
  return true;
}
