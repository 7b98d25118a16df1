import { describe, expect, it } from 'vitest';
import { NonceStore } from '../../src/cr/nonce.js';

function store(opts: { capacity?: number; lifetimeMs?: number } = {}) {
  let t = 1_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const s = new NonceStore({ scope: 'cpe-1\0cpe-sim', now: clock.now, ...opts });
  return { s, clock };
}

describe('NonceStore', () => {
  it('issuing stores nothing (a flood of challenges cannot grow memory)', () => {
    const { s } = store();
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(s.issue());
    expect(seen.size).toBe(10_000);
    expect(s.size).toBe(0);
  });
  it('nonces are token characters only (safe quoted or not)', () => {
    expect(store().s.issue()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
  it('accepts a fresh nonce, then tracks nc per nonce', () => {
    const { s } = store();
    const n = s.issue();
    expect(s.use(n, 1)).toEqual({ ok: true });
    expect(s.use(n, 2)).toEqual({ ok: true });
    expect(s.use(n, 2)).toEqual({ ok: false, reason: 'replay', why: 'nc-reused' });
    expect(s.use(n, 0)).toEqual({ ok: false, reason: 'replay', why: 'nc-invalid' });
  });
  it('expires nonces by their own timestamp (default 5 min)', () => {
    const { s, clock } = store();
    expect(s.lifetimeMs).toBe(300_000);
    const n = s.issue();
    clock.advance(299_999);
    expect(s.use(n, 1).ok).toBe(true);
    clock.advance(1);
    expect(s.use(n, 2)).toEqual({ ok: false, reason: 'stale', why: 'expired' });
  });
  it('unknown, forged, tampered or foreign nonces are stale/unknown', () => {
    const { s } = store();
    const other = new NonceStore({ scope: 'cpe-2\0cpe-sim' });
    expect(s.use('7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', 1)).toEqual({ ok: false, reason: 'stale', why: 'unknown' });
    expect(s.use(other.issue(), 1)).toMatchObject({ why: 'unknown' });
    const n = s.issue();
    const tampered = (n[0] === 'A' ? 'B' : 'A') + n.slice(1);
    expect(s.use(tampered, 1)).toMatchObject({ why: 'unknown' });
    // A second store for the same scope (re-registration) does not know the first one's nonces.
    const again = new NonceStore({ scope: 'cpe-1\0cpe-sim' });
    expect(again.use(n, 1)).toMatchObject({ why: 'unknown' });
  });
  it('is an LRU bounded by capacity; an evicted nonce can never be replayed', () => {
    const { s } = store({ capacity: 3 });
    const ns = Array.from({ length: 5 }, () => s.issue());
    for (const n of ns.slice(0, 4)) expect(s.use(n, 1).ok).toBe(true);
    expect(s.size).toBe(3);
    // ns[0] was evicted: replaying nc=1 must not be accepted as fresh.
    expect(s.use(ns[0]!, 1)).toEqual({ ok: false, reason: 'stale', why: 'evicted' });
    // ns[4] is newer than anything evicted: fresh.
    expect(s.use(ns[4]!, 1).ok).toBe(true);
    expect(s.size).toBe(3);
  });
  it('use refreshes recency (least recently USED is evicted)', () => {
    const { s } = store({ capacity: 2 });
    const a = s.issue();
    const b = s.issue();
    const c = s.issue();
    s.use(a, 1);
    s.use(b, 1);
    s.use(a, 2); // a is now most recent
    s.use(c, 1); // evicts b
    expect(s.use(a, 3).ok).toBe(true);
    expect(s.use(b, 2)).toMatchObject({ reason: 'stale' });
  });
});
