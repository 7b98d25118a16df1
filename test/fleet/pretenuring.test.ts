import { describe, expect, it } from 'vitest';
import { pretenuringChosenByUser } from '../../src/fleet/pretenuring.js';

describe('pretenuringChosenByUser', () => {
  it('sees the flag either way, with dashes or underscores, among the node flags', () => {
    expect(pretenuringChosenByUser(['--no-allocation-site-pretenuring'])).toBe(true);
    expect(pretenuringChosenByUser(['--expose-gc', '--allocation-site-pretenuring'])).toBe(true);
    expect(pretenuringChosenByUser(['--allocation_site_pretenuring'])).toBe(true);
    expect(pretenuringChosenByUser(['--no_allocation_site_pretenuring'])).toBe(true);
    expect(pretenuringChosenByUser(['--allocation-site-pretenuring=false'])).toBe(true);
  });

  it('does not mistake other flags for it', () => {
    expect(pretenuringChosenByUser([])).toBe(false);
    expect(pretenuringChosenByUser(['--trace-pretenuring-statistics', '--expose-gc', '--trace-pretenuring'])).toBe(false);
    expect(pretenuringChosenByUser(['--allocation-site-pretenuring-x', '--max-old-space-size=512'])).toBe(false);
  });
});
