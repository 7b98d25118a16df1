/**
 * Issue 20 item 3: delays beyond what `setTimeout` can hold (2³¹−1 ms) — a ScheduleInform
 * of ≥ 2,147,484 s, a PeriodicInformInterval as long — are held quietly and fire on time.
 * The fake timers behave like Node: a longer delay fires after 1 ms.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClock, MAX_TIMER_MS, Scheduler } from '../../src/clock/index.js';

const DAY = 86_400_000;

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('long delays (issue 20 item 3)', () => {
  it.each([
    ['real time', 1, 2_147_484 * 1000],
    ['a compressed clock (timeScale 0.001)', 0.001, 4_294_967_295 * 1000], // the largest unsignedInt DelaySeconds
  ])('with %s, a job beyond 2^31-1 real ms waits quietly (no re-arm per ms) and fires at its due time', (_name, timeScale, delayMs) => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'], now: Date.UTC(2025, 0, 1) });
    const clock = createClock({ timeScale });
    const s = new Scheduler(clock);
    const armed = vi.spyOn(globalThis, 'setTimeout');
    let ranAt: number | undefined;
    const job = s.after(delayMs, () => (ranAt = clock.now()));
    vi.advanceTimersByTime(1000);
    expect(ranAt).toBeUndefined();
    expect(armed).toHaveBeenCalledTimes(1); // unclamped: ~1000 (Node fires an overflowing timer after 1 ms)
    const realMs = delayMs * timeScale;
    vi.advanceTimersByTime(realMs - 1000 - 10);
    expect(ranAt).toBeUndefined();
    vi.advanceTimersByTime(20);
    expect(ranAt).toBeGreaterThanOrEqual(job.due);
    expect(ranAt! - job.due).toBeLessThan(20 / timeScale);
    for (const [, ms] of armed.mock.calls) expect(ms).toBeLessThanOrEqual(MAX_TIMER_MS);
    // One firing per 24.8 days of real time, not one per millisecond.
    expect(armed.mock.calls.length).toBe(Math.ceil(realMs / MAX_TIMER_MS));
    s.close();
  });

  it('a job 40 days out does not make Node print a TimeoutOverflowWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const s = new Scheduler(createClock());
      s.after(40 * DAY, () => undefined);
      await new Promise((r) => setTimeout(r, 20));
      s.close();
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('TimeoutOverflowWarning');
  });
});
