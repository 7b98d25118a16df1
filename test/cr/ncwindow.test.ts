import { describe, expect, it } from 'vitest';
import { NC_WINDOW, NcWindow } from '../../src/cr/ncwindow.js';

describe('NcWindow (replay protection per nonce)', () => {
  it('seed: "replay protection (nc tracking)": each nc is accepted once', () => {
    const w = new NcWindow();
    expect(w.use(1)).toBe('ok');
    expect(w.use(1)).toBe('replay');
    expect(w.use(2)).toBe('ok');
    expect(w.use(2)).toBe('replay');
  });
  it('accepts out-of-order values inside the window, once each', () => {
    const w = new NcWindow();
    expect(w.use(5)).toBe('ok');
    expect(w.use(3)).toBe('ok');
    expect(w.use(4)).toBe('ok');
    expect(w.use(3)).toBe('replay');
    expect(w.use(5)).toBe('replay');
    expect(w.highestNc).toBe(5);
  });
  it('rejects nc below the window, keeps the boundary exact', () => {
    const w = new NcWindow();
    expect(w.use(1000)).toBe('ok');
    expect(w.use(1000 - NC_WINDOW + 1)).toBe('ok'); // last slot inside
    expect(w.use(1000 - NC_WINDOW)).toBe('too-old');
    expect(w.use(1)).toBe('too-old');
  });
  it('remembers used values after the window slides by less than its width', () => {
    const w = new NcWindow();
    w.use(10);
    w.use(8);
    w.use(40); // slide by 30
    expect(w.use(10)).toBe('replay');
    expect(w.use(8)).toBe('replay');
    expect(w.use(9)).toBe('ok');
  });
  it('a jump wider than the window forgets the old bitmap', () => {
    const w = new NcWindow();
    w.use(1);
    w.use(1 + NC_WINDOW + 10);
    expect(w.use(1)).toBe('too-old');
    expect(w.use(NC_WINDOW + 10)).toBe('ok');
  });
  it('refuses nc 0 and values beyond 32 bits', () => {
    const w = new NcWindow();
    expect(w.use(0)).toBe('invalid');
    expect(w.use(0x1_0000_0000)).toBe('invalid');
    expect(w.use(0xffffffff)).toBe('ok');
  });
});
