import { describe, expect, it } from 'vitest';
import { CrThrottle } from '../../src/cr/throttle.js';

describe('CrThrottle', () => {
  it('seed: "Inside the window the listener returns 503 Service Unavailable with a Retry-After header (rounded up to the next whole second …)"', () => {
    const t = new CrThrottle(5000);
    expect(t.admit(1000)).toEqual({ ok: true });
    expect(t.admit(1001)).toEqual({ ok: false, remainingMs: 4999, retryAfterS: 5 });
    expect(t.admit(3000)).toEqual({ ok: false, remainingMs: 3000, retryAfterS: 3 });
    expect(t.admit(5999)).toEqual({ ok: false, remainingMs: 1, retryAfterS: 1 }); // never 0
  });
  it('seed: "… so the client retry actually clears the window": now + Retry-After is admitted', () => {
    const t = new CrThrottle(4500);
    t.admit(0);
    const v = t.admit(100);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.retryAfterS).toBe(5);
    expect(t.admit(100 + v.retryAfterS * 1000).ok).toBe(true);
  });
  it('rejections do not extend the window (documented choice)', () => {
    const t = new CrThrottle(2000);
    t.admit(0);
    for (let ms = 100; ms < 2000; ms += 100) expect(t.admit(ms).ok).toBe(false);
    expect(t.admit(2000).ok).toBe(true);
  });
  it('the first accepted request opens a new window', () => {
    const t = new CrThrottle(2000);
    t.admit(0);
    expect(t.admit(2500).ok).toBe(true);
    expect(t.admit(4000).ok).toBe(false);
    expect(t.admit(4500).ok).toBe(true);
  });
  it('window 0 = off', () => {
    const t = new CrThrottle(0);
    for (let i = 0; i < 5; i++) expect(t.admit(0).ok).toBe(true);
  });
  it('a clock stepping back never promises more than one window', () => {
    const t = new CrThrottle(3000);
    t.admit(10_000);
    const v = t.admit(1000);
    expect(v).toEqual({ ok: false, remainingMs: 3000, retryAfterS: 3 });
  });
});
