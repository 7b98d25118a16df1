// failureTranscript: only CPEs with sessions after the mark, newest first, bounded.
import { describe, expect, test } from 'vitest';
import { failureTranscript, markSessions } from '../../src/testing/transcript.js';
import type { Fleet } from '../../src/fleet/index.js';

function fakeFleet(sessionsPerCpe: number[]): Pick<Fleet, 'cpes'> {
  const cpes = sessionsPerCpe.map((n, i) => ({
    id: `cpe-${i + 1}`,
    serialNumber: `SN-${i + 1}`,
    sessions: Array.from({ length: n }, (_, k) => ({ id: k + 1, startedAt: 1000 * (i + 1) + k, toString: () => `session #${k + 1} cpe-${i + 1} body` })),
  }));
  return { cpes } as unknown as Pick<Fleet, 'cpes'>;
}

describe('failureTranscript', () => {
  test('prints every CPE that had a session, newest activity first', () => {
    const text = failureTranscript(fakeFleet([1, 0, 2]));
    expect(text.split('\n')[0]).toBe('cpe-sim: CWMP transcript of 2 of 2 active CPE(s)');
    expect(text.indexOf('── cpe-3 (SN-3) ─ 2 session(s)')).toBeLessThan(text.indexOf('── cpe-1 (SN-1) ─ 1 session(s)'));
    expect(text).not.toContain('cpe-2');
  });

  test('with a mark: only sessions recorded after it; nothing when none', () => {
    const fleet = fakeFleet([2, 1]);
    const mark = markSessions(fleet);
    expect(failureTranscript(fleet, mark)).toBe('');
    (fleet.cpes[1]!.sessions as unknown as object[]).push({ id: 2, startedAt: 5000, toString: () => 'session #2 cpe-2 new' });
    const text = failureTranscript(fleet, mark);
    expect(text).toContain('session #2 cpe-2 new');
    expect(text).not.toContain('session #1 cpe-2');
    expect(text).not.toContain('cpe-1');
  });

  test('is bounded in CPEs, sessions and characters', () => {
    const text = failureTranscript(fakeFleet([1, 1, 1, 7]), undefined, { maxCpes: 2, maxSessions: 3 });
    expect(text).toContain('of 4 active CPE(s)');
    expect(text).toContain('… 2 more active CPE(s) not shown');
    expect(text).toContain('7 session(s), last 3 shown');
    expect(text).not.toContain('session #4 cpe-4');
    expect(text).toContain('session #7 cpe-4');
    expect(text).not.toContain('cpe-1');
    const short = failureTranscript(fakeFleet([7]), undefined, { maxChars: 40 });
    expect(short).toMatch(/\n… transcript truncated at 40 characters$/);
  });
});
