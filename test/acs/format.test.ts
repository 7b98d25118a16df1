import { describe, expect, it } from 'vitest';
import { formatAcsLine } from '../../src/acs/index.js';

describe('formatAcsLine', () => {
  const base = { time: Date.UTC(2025, 2, 1, 10, 15, 0), cpe: 'SIM1', sessionId: 3 } as const;
  it('prints one line per message', () => {
    expect(formatAcsLine({ ...base, dir: 'cpe->acs', summary: 'Inform [1 BOOT] retry=0' })).toBe('2025-03-01T10:15:00.000Z #3 SIM1 cpe->acs      Inform [1 BOOT] retry=0');
    expect(formatAcsLine({ ...base, dir: 'acs->cpe', status: 204, summary: 'HTTP 204 (session end)' })).toBe('2025-03-01T10:15:00.000Z #3 SIM1 acs->cpe 204  HTTP 204 (session end)');
    expect(formatAcsLine({ time: base.time, cpe: '?', dir: 'acs->cpe', status: 400, summary: 'HTTP 400 Invalid session' })).toContain(' #- ? acs->cpe 400 ');
  });
  it('verbose adds the indented XML when present, and nothing else otherwise', () => {
    const l = { ...base, dir: 'acs->cpe' as const, status: 200, summary: 'InformResponse', xml: '<a>\n<b/>\n</a>\n' };
    expect(formatAcsLine(l, { verbose: true })).toBe('2025-03-01T10:15:00.000Z #3 SIM1 acs->cpe 200  InformResponse\n    <a>\n    <b/>\n    </a>');
    expect(formatAcsLine(l)).not.toContain('\n');
  });
});
