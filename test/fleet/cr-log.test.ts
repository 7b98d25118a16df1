// CrLog: the fleet's bounded record of CR outcomes and its observers (no sockets).
import { describe, expect, it } from 'vitest';
import type { CrRequestEvent } from '../../src/cr/index.js';
import { CR_OUTCOMES_PER_CPE, CrLog, formatCrOutcome } from '../../src/fleet/cr-log.js';
import { createLogger } from '../../src/log/index.js';

function ev(over: Partial<CrRequestEvent>): CrRequestEvent {
  return { cpeId: 'cpe-1', method: 'GET', path: '/cr/cpe-1', status: 200, reason: 'accepted', remoteAddress: '127.0.0.1', ...over };
}

describe('CrLog', () => {
  it(`keeps the last ${CR_OUTCOMES_PER_CPE} outcomes per CPE, oldest first, with time, method, status, reason`, () => {
    let t = 1000;
    const log = new CrLog(createLogger({ level: 'error', write: () => {} }), () => t++);
    for (let i = 0; i < 120; i++) log.record(ev({ status: i % 2 ? 401 : 200, reason: i % 2 ? 'unauthorized' : 'accepted' }));
    log.record(ev({ cpeId: 'cpe-2', path: '/cr/cpe-2', status: 503, reason: 'throttled', retryAfter: 3 }));
    const one = log.list('cpe-1');
    expect(one).toHaveLength(CR_OUTCOMES_PER_CPE);
    expect(one[0]).toMatchObject({ seq: 71, time: 1070, cpeId: 'cpe-1', method: 'GET', status: 200, reason: 'accepted' });
    expect(one.at(-1)).toMatchObject({ seq: 120, status: 401 });
    expect(log.list('cpe-2')).toEqual([{ seq: 121, time: 1120, cpeId: 'cpe-2', method: 'GET', path: '/cr/cpe-2', status: 503, reason: 'throttled', retryAfter: 3 }]);
    expect(log.list('cpe-9')).toEqual([]);
    // All CPEs, in order.
    expect(log.list().map((o) => o.seq)).toEqual([...Array.from({ length: 50 }, (_, i) => 71 + i), 121]);
    // A copy: callers cannot corrupt the record.
    (log.list('cpe-1') as unknown[]).length = 0;
    expect(log.list('cpe-1')).toHaveLength(CR_OUTCOMES_PER_CPE);
  });

  it('attributes a 405 sent to a CPE\'s exact path to that CPE; other paths stay unattributed (bounded too)', () => {
    const log = new CrLog(createLogger({ level: 'error', write: () => {} }));
    log.attributeWith((target) => (target === '/cr/cpe-2' ? 'cpe-2' : undefined));
    log.record(ev({ cpeId: undefined, method: 'POST', path: '/cr/cpe-2', status: 405, reason: 'method' }));
    log.record(ev({ cpeId: undefined, method: 'GET', path: '/cr/cpe-2/', status: 404, reason: 'not-found' }));
    expect(log.list('cpe-2')).toMatchObject([{ cpeId: 'cpe-2', method: 'POST', status: 405 }]);
    expect(log.list().map((o) => [o.cpeId, o.status])).toEqual([['cpe-2', 405], [undefined, 404]]);
    for (let i = 0; i < 200; i++) log.record(ev({ cpeId: undefined, path: `/x${i}`, status: 404, reason: 'not-found' }));
    expect(log.list().filter((o) => o.cpeId === undefined)).toHaveLength(CR_OUTCOMES_PER_CPE);
    // Hostile sizes are cut.
    log.record(ev({ cpeId: undefined, method: 'X'.repeat(1000), path: `/${'a'.repeat(5000)}`, status: 405, reason: 'method' }));
    const last = log.list().at(-1)!;
    expect(last.method.length).toBe(32);
    expect(last.path.length).toBe(200);
  });

  it('observers get every event; unsubscribe stops them; a throwing observer is logged and does not stop the others', () => {
    const lines: string[] = [];
    const log = new CrLog(createLogger({ level: 'error', write: (l) => lines.push(l) }));
    const a: number[] = [];
    const b: number[] = [];
    const offA = log.subscribe((e) => a.push(e.status));
    log.subscribe(() => {
      throw new Error('observer bug');
    });
    const offB = log.subscribe((e) => b.push(e.status));
    log.record(ev({ status: 200 }));
    offA();
    log.record(ev({ status: 401, reason: 'unauthorized' }));
    offB();
    log.record(ev({ status: 503, reason: 'throttled' }));
    expect(a).toEqual([200]);
    expect(b).toEqual([200, 401]);
    expect(lines.filter((l) => l.includes('onCrRequest observer threw'))).toHaveLength(3);
    expect(log.list('cpe-1')).toHaveLength(3);
  });

  it('formats one line per outcome', () => {
    expect(formatCrOutcome({ seq: 1, time: Date.UTC(2025, 0, 1), cpeId: 'cpe-2', method: 'GET', path: '/cr/cpe-2', status: 401, reason: 'unauthorized', detail: 'wrong-credentials' })).toBe(
      '2025-01-01T00:00:00.000Z cpe-2  CR GET /cr/cpe-2 → 401 unauthorized (wrong-credentials)',
    );
    expect(formatCrOutcome({ seq: 2, time: 0, cpeId: undefined, method: 'GET', path: '/nope', status: 503, reason: 'throttled', retryAfter: 4 })).toBe('1970-01-01T00:00:00.000Z ?  CR GET /nope → 503 throttled (Retry-After: 4)');
  });
});
