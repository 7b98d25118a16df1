/** Per-CPE memory savers of large fleets: the lean transcript default and the lazy child logger. */
import { describe, expect, it } from 'vitest';
import { LEAN_ACS_RECORDS, LEAN_TRANSCRIPT_ABOVE, LazyChildLogger, embeddedAcsFor, transcriptFor } from '../../src/fleet/fleet.js';
import { createLogger } from '../../src/log/index.js';

describe('transcriptFor', () => {
  it('keeps the CPE defaults up to LEAN_TRANSCRIPT_ABOVE CPEs', () => {
    expect(transcriptFor(LEAN_TRANSCRIPT_ABOVE, undefined)).toBeUndefined();
    expect(transcriptFor(1, { keepXml: true })).toEqual({ keepXml: true });
  });
  it('above it: 10 sessions, decoded messages on ACS requests only; what the user set wins', () => {
    expect(transcriptFor(LEAN_TRANSCRIPT_ABOVE + 1, undefined)).toEqual({ capacity: 10, messages: 'acs-requests' });
    expect(transcriptFor(100_000, { capacity: 50, messages: 'all', keepXml: true })).toEqual({ capacity: 50, messages: 'all', keepXml: true });
  });
});

describe('embeddedAcsFor', () => {
  it('keeps the fake ACS default (1000 records) up to LEAN_TRANSCRIPT_ABOVE CPEs', () => {
    expect(embeddedAcsFor(LEAN_TRANSCRIPT_ABOVE, undefined)).toEqual({});
    expect(embeddedAcsFor(3, { keepXml: true })).toEqual({ keepXml: true });
  });
  it('above it: LEAN_ACS_RECORDS sessions and Informs; what the user set wins', () => {
    expect(LEAN_ACS_RECORDS).toBe(100);
    expect(embeddedAcsFor(LEAN_TRANSCRIPT_ABOVE + 1, undefined)).toEqual({ maxSessions: LEAN_ACS_RECORDS });
    expect(embeddedAcsFor(100_000, { maxSessions: 5000, keepXml: true })).toEqual({ maxSessions: 5000, keepXml: true });
  });
});

describe('LazyChildLogger', () => {
  it('writes lines with the child fields, creating the child only when a line is written', () => {
    const lines: string[] = [];
    let children = 0;
    const parent = createLogger({ level: 'info', write: (l) => lines.push(l), now: () => 0 });
    const counting = { ...parent, child: (f: Parameters<typeof parent.child>[0]) => (children++, parent.child(f)) };
    const log = new LazyChildLogger(counting, { cpe_id: 'cpe-7' });
    log.debug('not written at info');
    expect(children).toBe(0);
    log.info('session done', { session: 1 });
    log.warn('again');
    expect(children).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/INFO  session done cpe_id=cpe-7 session=1$/), expect.stringMatching(/WARN  again cpe_id=cpe-7$/)]);
    expect(log.enabled('debug')).toBe(false);
    expect(log.enabled('error')).toBe(true);
  });
});
