import { describe, expect, it } from 'vitest';
import { pretenuringChosenByUser } from '../../src/fleet/pretenuring.js';

describe('pretenuringChosenByUser', () => {
  it('sees the flag either way, with dashes or underscores, on the command line or in NODE_OPTIONS', () => {
    expect(pretenuringChosenByUser(['--no-allocation-site-pretenuring'], undefined)).toBe(true);
    expect(pretenuringChosenByUser(['--expose-gc', '--allocation-site-pretenuring'], undefined)).toBe(true);
    expect(pretenuringChosenByUser(['--allocation_site_pretenuring'], undefined)).toBe(true);
    expect(pretenuringChosenByUser([], '--max-old-space-size=4096 --no-allocation-site-pretenuring')).toBe(true);
    expect(pretenuringChosenByUser([], '--allocation-site-pretenuring')).toBe(true);
  });

  it('does not mistake other flags for it', () => {
    expect(pretenuringChosenByUser([], undefined)).toBe(false);
    expect(pretenuringChosenByUser(['--trace-pretenuring-statistics', '--expose-gc'], '--trace-pretenuring')).toBe(false);
    expect(pretenuringChosenByUser(['--allocation-site-pretenuring-x'], '--max-old-space-size=512')).toBe(false);
  });
});
