import { describe, expect, it } from 'vitest';
import { CwmpFault, ProfileError, isCwmpFault, isProfileError, isCpeSimError } from '../../src/errors/index.js';

describe('errors', () => {
  it('ProfileError renders every problem with file:line:col and key', () => {
    const e = new ProfileError([
      { file: 'p.yaml', line: 3, col: 5, key: 'connectionRequest.scheme', message: 'expected "", "basic" or "digest", found "ntlm"' },
      { key: 'deviceIdPaths', message: 'required block is missing' },
    ]);
    expect(e.code).toBe('CPESIM_PROFILE_INVALID');
    expect(e.message).toContain('2 problems');
    expect(e.message).toContain('p.yaml:3:5: connectionRequest.scheme: expected');
    expect(e.message).toContain('<profile>: deviceIdPaths: required block is missing');
    expect(isProfileError(e)).toBe(true);
    expect(isCpeSimError(e)).toBe(true);
  });
  it('CwmpFault carries the TR-069 code and its standard string', () => {
    const f = new CwmpFault(9005);
    expect(f.faultString).toBe('Invalid parameter name');
    expect(f.code).toBe('CWMP_FAULT_9005');
    expect(isCwmpFault(f)).toBe(true);
    expect(isCwmpFault(new Error('x'))).toBe(false);
  });
});

describe('isCpeSimError', () => {
  it('recognises subclasses defined in other layers, and nothing else', async () => {
    const { CpeSimError } = await import('../../src/errors/index.js');
    class LayerError extends CpeSimError {
      override name = 'LayerError';
    }
    expect(isCpeSimError(new LayerError('CPESIM_X', 'x'))).toBe(true);
    expect(isCpeSimError(Object.assign(new Error('x'), { code: 'CPESIM_X' }))).toBe(false);
    expect(isCpeSimError(null)).toBe(false);
  });
});
