/**
 * Catching a forgotten `await`: `expect(cpe).toHaveInformed(...)` without `await`
 * returns a promise nobody waits for, so the test ends (and passes) before the
 * matcher has looked, and its later failure is blamed on another test or lost. Each
 * async matcher call is tracked until it settles; when its test ends with one still
 * running, the runner wiring (`onTestFinished` in Vitest, `afterEach` in Jest) calls
 * {@link checkUnawaitedMatchers}, which fails that test saying to await it.
 * @module
 */
import { CpeSimError } from '../errors/index.js';
import type { MatcherContext, MatcherResult } from './matchers.js';

interface PendingMatcher {
  name: string;
  /** The user's line that called the matcher (first stack frame outside cpe-sim and the runner). */
  at: string | undefined;
  /** Set when its test ended first: the late result must not fail some other test. */
  abandoned: boolean;
}

const pending = new Set<PendingMatcher>();
let armTestEnd: (() => void) | undefined;

/** Thrown at the end of a test that left an async matcher running (code `CPESIM_MATCHER_NOT_AWAITED`). */
export class UnawaitedMatcherError extends CpeSimError {
  override name = 'UnawaitedMatcherError';
  constructor(message: string) {
    super('CPESIM_MATCHER_NOT_AWAITED', message);
  }
}

/**
 * The runner wiring: `arm` is called on every async matcher call and must make sure
 * {@link checkUnawaitedMatchers} runs when the current test ends.
 */
export function onAsyncMatcherCall(arm: () => void): void {
  armTestEnd = arm;
}

function callSite(): string | undefined {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  // The first frame that is neither cpe-sim's own code nor the runner's expect machinery.
  return frames.find((f) => /:\d+:\d+\)?$/.test(f) && !/[\\/](node_modules|src[\\/]testing|dist)[\\/]|node:/.test(f))?.trim().replace(/^at /, '');
}

/**
 * Fails (throws) when an async matcher of the test that is ending is still running;
 * forgets them either way. Called by the runner wiring at the end of every test.
 * @throws UnawaitedMatcherError naming each matcher and where it was called.
 */
export function checkUnawaitedMatchers(): void {
  if (pending.size === 0) return;
  const left = [...pending];
  pending.clear();
  for (const p of left) p.abandoned = true;
  const list = left.map((p) => `  expect(…).${p.name}(…)${p.at ? ` at ${p.at}` : ''}`).join('\n');
  throw new UnawaitedMatcherError(
    `${left.length === 1 ? 'an async matcher was' : `${left.length} async matchers were`} not awaited: the test ended before ${left.length === 1 ? 'it' : 'they'} could check anything, so ${left.length === 1 ? 'it' : 'they'} would never fail it.\n` +
      `${list}\nawait it: \`await expect(cpe).${left[0]!.name}(…)\` (or return the promise).`,
  );
}

type AsyncMatcher<A extends unknown[]> = (this: MatcherContext, received: unknown, ...args: A) => Promise<MatcherResult>;

/** Wraps an async matcher so a call is tracked until it settles. */
export function tracked<A extends unknown[]>(name: string, matcher: AsyncMatcher<A>): AsyncMatcher<A> {
  return async function (this: MatcherContext, received: unknown, ...args: A): Promise<MatcherResult> {
    const entry: PendingMatcher = { name, at: callSite(), abandoned: false };
    pending.add(entry);
    armTestEnd?.();
    try {
      const result = await matcher.call(this, received, ...args);
      // Its test already failed for the missing await; a late failure here would only be
      // reported as an unhandled rejection against whichever test runs now.
      return entry.abandoned ? { pass: !this.isNot, message: () => `${name}: not awaited (reported when its test ended)` } : result;
    } catch (err) {
      if (entry.abandoned) return { pass: !this.isNot, message: () => `${name}: not awaited (reported when its test ended)` };
      throw err;
    } finally {
      pending.delete(entry);
    }
  };
}
