/**
 * Fixture options are checked like the CLI's flags: a JavaScript user's typo or wrong
 * type must fail with the option, the value and what was expected, never fall back
 * silently to a default (before: `cout: 3` ran 1 CPE, `waitFor: 'bootstrapped'` did
 * not wait, `cr: { port: '7547' }` was ignored).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/index.js';
import { checkFleetOptions, toFleetOptions } from '../../src/testing/options.js';
import { withCpeFleet } from '../../src/testing/vitest.js';

const P = 'fixtures/profiles/tr181-digest.yaml';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('checkFleetOptions', () => {
  it('accepts every documented option', () => {
    expect(() =>
      checkFleetOptions(
        {
          profile: P, count: 2, acsUrl: 'http://127.0.0.1:1/cwmp', acsUsername: 'u', acsPassword: 'p', acsTimeoutMs: 100, transport: 'fetch',
          cr: { port: 7547, host: '127.0.0.1', path: '/cr', publishHost: 'h', publishPath: 'Device.X', scheme: '', realm: 'r', throttleWindowMs: 0 },
          timeScale: 0.1, waitFor: 'none', bootConcurrency: 2, transcript: {}, seed: 1, embeddedAcs: {}, periodic: false, transcriptOnFailure: false, transcriptDir: '/tmp/x',
        },
        'createCpeFleet',
      ),
    ).not.toThrow();
    expect(() => checkFleetOptions({ profile: P, cr: false, periodic: 60 }, 'createCpeFleet')).not.toThrow();
  });

  it('an unknown key names it and lists the valid ones', () => {
    const msg = messageOf(() => checkFleetOptions({ profile: P, cout: 3 }, 'createCpeFleet'));
    expect(msg).toMatch(/^createCpeFleet: unknown option "cout" \(did you mean count\?\); valid options: profile, count, /);
  });

  it('`scope` belongs to withCpeFleet only; `hookTimeout` to useCpeFleet only', () => {
    expect(messageOf(() => checkFleetOptions({ profile: P, scope: 'file' }, 'createCpeFleet'))).toContain('unknown option "scope"');
    expect(() => checkFleetOptions({ profile: P, hookTimeout: 5 }, 'useCpeFleet', ['hookTimeout'])).not.toThrow();
  });

  it.each([
    [{ profile: 42 }, "profile must be a shipped profile's name ('tr181-digest'), a profile file or directory path", '42 (number)'],
    [{ profile: P, waitFor: 'bootstrapped' }, "waitFor must be 'bootstrap' or 'none'", '"bootstrapped"'],
    [{ profile: P, transport: 'node' }, "transport must be 'http', 'undici' or 'fetch'", '"node"'],
    [{ profile: P, cr: true }, 'cr must be false or an object', 'true (boolean)'],
    [{ profile: P, cr: { port: '7547' } }, 'cr.port must be a whole number 0..65535', '"7547"'],
    [{ profile: P, cr: { port: 70000 } }, 'cr.port must be a whole number 0..65535', '70000 (number)'],
    [{ profile: P, cr: { scheme: 'Digest' } }, "cr.scheme must be '', 'basic' or 'digest'", '"Digest"'],
    [{ profile: P, periodic: true }, 'periodic must be false or a whole number of seconds >= 1', 'true (boolean)'],
    [{ profile: P, transcriptOnFailure: 'no' }, "transcriptOnFailure must be true, false or 'html'", '"no"'],
    [{ profile: P, transcriptOnFailure: 'HTML' }, "transcriptOnFailure must be true, false or 'html'", '"HTML"'],
    [{ profile: P, transcriptDir: '' }, 'transcriptDir must be a folder path (a non-empty string)', '""'],
    [{ profile: P, transcriptDir: 3 }, 'transcriptDir must be a folder path (a non-empty string)', '3 (number)'],
  ])('%o → names the option, the value and what is expected', (opts, expected, value) => {
    const msg = messageOf(() => checkFleetOptions(opts, 'createCpeFleet'));
    expect(msg).toContain(`createCpeFleet: ${expected}`);
    expect(msg).toContain(`got ${value}`);
  });

  it('an unknown cr key', () => {
    expect(messageOf(() => checkFleetOptions({ profile: P, cr: { bindAddr: '127.0.0.1:0' } }, 'useCpeFleet'))).toMatch(/^useCpeFleet: cr: unknown option "bindAddr"; valid options: port, host, /);
  });

  it('not an object', () => {
    expect(messageOf(() => checkFleetOptions(P, 'createCpeFleet'))).toContain('expected an options object');
  });

  it('toFleetOptions checks before it starts anything', async () => {
    await expect(toFleetOptions({ profile: P, waitFor: 'bootstrapped' } as never)).rejects.toThrow(/waitFor must be/);
  });

  it('withCpeFleet checks when the file is collected, scope included', () => {
    expect(() => withCpeFleet({ profile: P, cout: 3 } as never)).toThrow(/^withCpeFleet: unknown option "cout"/);
    expect(() => withCpeFleet({ profile: P, scope: 'suite' } as never)).toThrow(`withCpeFleet: scope must be 'test' or 'file', got "suite"`);
    expect(() => withCpeFleet({ profile: P, scope: 'file' })).not.toThrow();
  });
});
