/**
 * Registers the matchers when the main entry (`cpe-sim`) is imported inside a test
 * run. A user who imports `startFleet` from `cpe-sim` and then writes
 * `await expect(cpe).toHaveInformed(…)` got Chai's "Invalid Chai property:
 * toHaveInformed" — nothing pointed at `cpe-sim/vitest`. The runners publish their
 * `expect` on the global object before test files load, so no runner is imported
 * here (the main entry must load without Vitest or Jest installed).
 * @module
 */
import { cpeSimMatchers } from './matchers.js';

interface Extendable {
  extend(matchers: Record<string, unknown>): void;
}

function extendable(v: unknown): v is Extendable {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { extend?: unknown }).extend === 'function';
}

/** Registers {@link cpeSimMatchers} on the running test runner's global `expect`, if there is one. */
export function registerWithRunningTestRunner(): void {
  const g = globalThis as Record<string | symbol, unknown>;
  // Vitest keeps its global expect under this registry symbol (@vitest/expect GLOBAL_EXPECT).
  const vitest = g[Symbol.for('expect-global')];
  if (extendable(vitest)) {
    vitest.extend(cpeSimMatchers);
    return;
  }
  // Jest injects `expect` into each test file's global (injectGlobals, the default).
  if (typeof process !== 'undefined' && process.env['JEST_WORKER_ID'] !== undefined && extendable(g['expect'])) g['expect'].extend(cpeSimMatchers);
}
