import { describe, expect, it } from 'vitest';
import { Ring, newSessionRecord } from '../../src/cpe/transcript.js';

describe('session records', () => {
  const init = { id: 3, cpeId: 'cpe-7', events: [{ eventCode: '1 BOOT', commandKey: '' }], startedAt: Date.UTC(2026, 0, 1), retryCount: 0 };

  it('serialise as plain data: toString is not an own key, endedAt and error appear once set', () => {
    const rec = newSessionRecord(init);
    expect(Object.keys(rec).sort()).toEqual(['cpeId', 'entries', 'events', 'id', 'ok', 'retryCount', 'startedAt']);
    expect(Object.prototype.hasOwnProperty.call(rec, 'toString')).toBe(false);
    expect(JSON.parse(JSON.stringify(rec))).toEqual({ ...init, ok: false, entries: [] });
    rec.endedAt = init.startedAt + 12;
    rec.error = 'HTTP 500 from the ACS';
    expect(JSON.parse(JSON.stringify(rec))).toMatchObject({ endedAt: init.startedAt + 12, error: 'HTTP 500 from the ACS' });
  });

  it('render with toString(): a header line, then one line per entry', () => {
    const rec = newSessionRecord(init);
    rec.entries.push({ dir: 'cpe->acs', time: init.startedAt, summary: 'Inform [1 BOOT] SN=X retry=0' });
    rec.endedAt = init.startedAt + 5;
    rec.ok = true;
    expect(String(rec)).toBe('session #3 cpe-7 [1 BOOT] retry=0 5ms ok\n  00:00:00.000 → Inform [1 BOOT] SN=X retry=0');
  });
});

describe('Ring', () => {
  it('keeps the newest `capacity` items in order, across the small-array growth path', () => {
    for (const capacity of [1, 3, 8, 12, 50]) {
      const r = new Ring<number>(capacity);
      for (let i = 1; i <= 20; i++) {
        r.push(i);
        const first = Math.max(1, i - capacity + 1);
        expect(r.items).toEqual(Array.from({ length: i - first + 1 }, (_, k) => first + k));
      }
    }
  });

  it('rejects a capacity that is not a whole number >= 1', () => {
    expect(() => new Ring(0)).toThrow(/capacity must be an integer >= 1, got 0/);
    expect(() => new Ring(2.5)).toThrow(RangeError);
  });
});
