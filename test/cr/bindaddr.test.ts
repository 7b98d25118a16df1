import { describe, expect, it } from 'vitest';
import { parseBindAddr, urlHost } from '../../src/cr/bindaddr.js';
import { isConfigError } from '../../src/errors/index.js';

describe('parseBindAddr', () => {
  it.each([
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0, unspecified: false }],
    ['0.0.0.0:7547', { host: '0.0.0.0', port: 7547, unspecified: true }],
    [':7547', { host: '', port: 7547, unspecified: true }],
    ['[::1]:8080', { host: '::1', port: 8080, unspecified: false }],
    ['[::]:0', { host: '::', port: 0, unspecified: true }],
    ['localhost:65535', { host: 'localhost', port: 65535, unspecified: false }],
  ])('%s', (input, want) => {
    expect(parseBindAddr(input)).toEqual(want);
  });
  it.each(['127.0.0.1', '::1:80', '[::1]', '[nope]:80', '1.2.3.4:65536', 'host:-1', 'host:abc', 'bad_host!:80', '[::1]:', '1.2.3.4:'])(
    'rejects %s with a ConfigError naming input and expected form',
    (input) => {
      try {
        parseBindAddr(input);
        expect.unreachable();
      } catch (e) {
        expect(isConfigError(e)).toBe(true);
        expect((e as Error).message).toContain(JSON.stringify(input));
        expect((e as Error).message).toContain('expected host:port, [ipv6]:port or :port');
      }
    },
  );
  it('urlHost brackets IPv6 literals only', () => {
    expect(urlHost('::1')).toBe('[::1]');
    expect(urlHost('[::1]')).toBe('[::1]');
    expect(urlHost('10.0.0.5')).toBe('10.0.0.5');
    expect(urlHost('cpe.example')).toBe('cpe.example');
  });
});
