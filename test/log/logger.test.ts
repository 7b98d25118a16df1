import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log/index.js';

describe('logger', () => {
  const capture = (level: 'debug' | 'info' = 'info', format: 'text' | 'json' = 'text') => {
    const lines: string[] = [];
    const log = createLogger({ level, format, write: (l) => lines.push(l), now: () => 0 });
    return { lines, log };
  };

  it('child loggers put cpe_id on every line', () => {
    const { lines, log } = capture();
    log.child({ cpe_id: 'cpe-7' }).info('session done', { events: '1 BOOT' });
    expect(lines[0]).toBe('1970-01-01T00:00:00.000Z INFO  session done cpe_id=cpe-7 events="1 BOOT"');
  });

  it('never writes a password or an Authorization header, in text or JSON', () => {
    for (const format of ['text', 'json'] as const) {
      const { lines, log } = capture('debug', format);
      log.debug('auth', { password: 'hunter2', acs_password: 'pw2', authorization: 'Digest username="u", response="abc"' });
      expect(lines.join('\n')).not.toMatch(/hunter2|pw2|response=/);
      expect(lines.join('\n')).toContain('[redacted]');
    }
  });

  it('JSON lines parse and carry level, msg and fields', () => {
    const { lines, log } = capture('info', 'json');
    log.child({ cpe_id: 'cpe-1' }).warn('bind unspecified', { port: 7547 });
    expect(JSON.parse(lines[0]!)).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'warn', msg: 'bind unspecified', cpe_id: 'cpe-1', port: 7547 });
  });

  it('filters below the level', () => {
    const { lines, log } = capture('info');
    log.debug('hidden');
    expect(lines).toEqual([]);
    expect(log.enabled('debug')).toBe(false);
    expect(log.enabled('warn')).toBe(true);
  });
});
