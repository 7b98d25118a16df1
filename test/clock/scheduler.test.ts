import { describe, expect, it } from 'vitest';
import { Scheduler, createClock, type Clock } from '../../src/clock/index.js';

/** A manual clock: time moves only when the test says so; timers are recorded, not armed. */
function manualClock(): Clock & { advance(ms: number): void; armed: number } {
  let now = 1_000_000;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 0;
  const clock = {
    speed: 1,
    armed: 0,
    now: () => now,
    setTimer(fn: () => void, ms: number) {
      const id = next++;
      timers.push({ at: now + ms, fn, id });
      clock.armed = timers.length;
      return id;
    },
    clearTimer(h: unknown) {
      timers = timers.filter((t) => t.id !== h);
      clock.armed = timers.length;
    },
    advance(ms: number) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      clock.armed = timers.length;
      for (const t of due) t.fn();
    },
  };
  return clock;
}

describe('Scheduler', () => {
  it('runs jobs in due order with a single armed timer, however many jobs are queued', () => {
    const clock = manualClock();
    const s = new Scheduler(clock);
    const ran: number[] = [];
    for (let i = 0; i < 1000; i++) s.after(1000 - i, () => ran.push(1000 - i));
    expect(clock.armed).toBe(1);
    clock.advance(500);
    expect(ran).toHaveLength(500);
    expect(ran).toEqual([...ran].sort((a, b) => a - b));
    clock.advance(500);
    expect(ran).toHaveLength(1000);
    expect(clock.armed).toBe(0);
  });

  it('keeps insertion order for jobs due at the same time', () => {
    const clock = manualClock();
    const s = new Scheduler(clock);
    const ran: string[] = [];
    s.after(10, () => ran.push('a'));
    s.after(10, () => ran.push('b'));
    s.after(10, () => ran.push('c'));
    clock.advance(10);
    expect(ran).toEqual(['a', 'b', 'c']);
  });

  it('cancelled jobs never run, and an earlier job re-arms the timer', () => {
    const clock = manualClock();
    const s = new Scheduler(clock);
    const ran: string[] = [];
    const late = s.after(100, () => ran.push('late'));
    s.after(10, () => ran.push('early'));
    late.cancel();
    expect(s.size).toBe(1);
    clock.advance(10);
    clock.advance(200);
    expect(ran).toEqual(['early']);
  });

  it('a job scheduled from a job for "now" runs on the next firing, not in the same loop', () => {
    const clock = manualClock();
    const s = new Scheduler(clock);
    const ran: string[] = [];
    s.after(5, () => {
      ran.push('first');
      s.after(0, () => ran.push('second'));
    });
    clock.advance(5);
    expect(ran).toEqual(['first']);
    clock.advance(0);
    expect(ran).toEqual(['first', 'second']);
  });

  it('close() drops every job and ignores later ones', () => {
    const clock = manualClock();
    const s = new Scheduler(clock);
    const ran: string[] = [];
    s.after(5, () => ran.push('x'));
    s.close();
    s.after(1, () => ran.push('y'));
    clock.advance(100);
    expect(ran).toEqual([]);
    expect(clock.armed).toBe(0);
  });

  it('compressed real time: 5 simulated seconds pass in about 5 real ms', async () => {
    const clock = createClock({ timeScale: 0.001 });
    const s = new Scheduler(clock);
    const t0 = clock.now();
    const simulated = await new Promise<number>((resolve) => s.after(5000, () => resolve(clock.now() - t0)));
    expect(simulated).toBeGreaterThanOrEqual(5000);
    expect(clock.speed).toBe(1000);
    s.close();
  });

  it('rejects a non-positive timeScale with a message naming the value', () => {
    expect(() => createClock({ timeScale: 0 })).toThrow(/timeScale must be a positive number, got 0/);
  });
});
