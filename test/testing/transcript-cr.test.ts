// failureTranscript includes the Connection Request outcomes of the involved CPEs.
import { describe, expect, test } from 'vitest';
import type { CrOutcome, Fleet } from '../../src/fleet/index.js';
import { failureTranscript, markSessions, type TranscriptSource } from '../../src/testing/transcript.js';

function source(sessionsPerCpe: number[], crs: CrOutcome[]): TranscriptSource {
  const cpes = sessionsPerCpe.map((n, i) => ({
    id: `cpe-${i + 1}`,
    serialNumber: `SN-${i + 1}`,
    sessions: Array.from({ length: n }, (_, k) => ({ id: k + 1, startedAt: 1000 * (i + 1) + k, toString: () => `session #${k + 1} cpe-${i + 1} body` })),
  }));
  return {
    cpes: cpes as unknown as Fleet['cpes'],
    crRequests: (id?: string) => (id === undefined ? crs : crs.filter((o) => o.cpeId === id)),
  };
}
const T = Date.UTC(2025, 0, 1);
const cr = (seq: number, cpeId: string | undefined, status: number, reason: string, extra: Partial<CrOutcome> = {}): CrOutcome => ({
  seq,
  time: T + seq,
  cpeId,
  method: 'GET',
  path: cpeId ? `/cr/${cpeId}` : '/cr/cpe-99',
  status,
  reason,
  ...extra,
});

describe('failureTranscript: Connection Request outcomes', () => {
  test('a CPE that only got a refused CR (no session) is listed with its outcomes', () => {
    const text = failureTranscript(source([0, 0], [cr(1, 'cpe-2', 401, 'unauthorized', { detail: 'wrong-credentials' }), cr(2, 'cpe-2', 503, 'throttled', { retryAfter: 5 })]));
    expect(text.split('\n')).toEqual([
      'cpe-sim: CWMP transcript of 1 of 1 active CPE(s)',
      '── cpe-2 (SN-2) ─ 0 session(s)',
      'Connection Requests: 2',
      '  2025-01-01T00:00:00.001Z cpe-2  CR GET /cr/cpe-2 → 401 unauthorized (wrong-credentials)',
      '  2025-01-01T00:00:00.002Z cpe-2  CR GET /cr/cpe-2 → 503 throttled (Retry-After: 5)',
    ]);
  });

  test('outcomes come before the sessions of the same CPE; requests to no CPE get their own section', () => {
    const text = failureTranscript(source([1], [cr(1, 'cpe-1', 200, 'accepted'), cr(2, undefined, 404, 'not-found')]));
    const lines = text.split('\n');
    expect(lines.indexOf('  2025-01-01T00:00:00.001Z cpe-1  CR GET /cr/cpe-1 → 200 accepted')).toBeLessThan(lines.indexOf('session #1 cpe-1 body'));
    expect(text).toContain("── Connection Requests to no CPE's URL: 1\n  2025-01-01T00:00:00.002Z ?  CR GET /cr/cpe-99 → 404 not-found");
  });

  test('with a mark, only outcomes after it; a fleet without crRequests still works', () => {
    const crs = [cr(1, 'cpe-1', 200, 'accepted')];
    const src = source([0], crs);
    const mark = markSessions(src);
    expect(mark.crSeq).toBe(1);
    expect(failureTranscript(src, mark)).toBe('');
    crs.push(cr(2, 'cpe-1', 401, 'unauthorized'));
    const text = failureTranscript(src, mark);
    expect(text).toContain('→ 401 unauthorized');
    expect(text).not.toContain('→ 200 accepted');
    expect(failureTranscript({ cpes: src.cpes })).toBe('');
  });

  test('bounded: the latest maxCrRequests outcomes per CPE', () => {
    const crs = Array.from({ length: 30 }, (_, i) => cr(i + 1, 'cpe-1', 401, `r${i + 1}`));
    const text = failureTranscript(source([0], crs), undefined, { maxCrRequests: 3 });
    expect(text).toContain('Connection Requests: 30, last 3 shown');
    expect(text).toContain('→ 401 r30');
    expect(text).toContain('→ 401 r28');
    expect(text).not.toContain('→ 401 r27');
  });

  test('most recently active CPE first, counting CR outcomes as activity', () => {
    // cpe-1's session started at 1000; cpe-2's only activity is a CR much later.
    const text = failureTranscript(source([1, 0], [cr(1, 'cpe-2', 401, 'unauthorized')]));
    expect(text.indexOf('── cpe-2')).toBeLessThan(text.indexOf('── cpe-1'));
  });
});
