// The fake ACS's `throttle` (a loaded ACS): 503 + Retry-After to a new Inform while
// maxOpenSessions sessions are open; bad values name the option.
import { describe, expect, it } from 'vitest';
import { createFakeAcs } from '../../src/acs/index.js';
import { startFleet } from '../../src/fleet/index.js';
import { tr181Profile } from '../support/profile.js';

describe('fake ACS throttle', () => {
  it('answers 503 with Retry-After while maxOpenSessions sessions are open, and lets Informs through again once lifted', async () => {
    const lines: { status?: number; cpe: string }[] = [];
    await using fleet = await startFleet({ profile: tr181Profile('THR', 2, []), seed: 1, timeScale: 0.01, acsTimeoutMs: 60_000, embeddedAcs: { onMessage: (l) => void lines.push(l) } });
    const acs = fleet.acs!;
    // cpe-1's session stays open: it never answers the GetParameterValues.
    fleet.cpe(1).inject({ neverAnswer: 'GetParameterValues' });
    void acs.rpc('cpe-1', { name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.SoftwareVersion'] }).catch(() => undefined);
    expect((await acs.connectionRequest(fleet.cpe(1).crUrl!, { username: 'u', password: 'p' })).status).toBe(200);
    await expect.poll(() => fleet.cpe(1).currentSession?.entries.some((e) => e.summary.startsWith('GetParameterValues'))).toBe(true);

    acs.setThrottle({ maxOpenSessions: 1, retryAfter: 7 });
    const refused = await fleet.cpe(2).inform(['2 PERIODIC']).catch(() => fleet.cpe(2).sessions.at(-1)!);
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/HTTP 503 from the ACS/);
    expect(lines.filter((l) => l.status === 503 && l.cpe === fleet.cpe(2).serialNumber)).toHaveLength(1);

    acs.setThrottle(null);
    const s = await fleet.cpe(2).waitForSession((x) => x.id > refused.id && x.ok, { timeoutMs: 20_000 }).catch(async () => fleet.cpe(2).inform(['2 PERIODIC']));
    expect(s.ok).toBe(true);
  });

  it('refuses bad throttle values, naming the option', async () => {
    await expect(createFakeAcs({ throttle: {} })).rejects.toThrow(/throttle needs maxOpenSessions and\/or maxSessionsPerSecond/);
    await expect(createFakeAcs({ throttle: { maxOpenSessions: 0 } })).rejects.toThrow(/throttle.maxOpenSessions must be a whole number >= 1, got 0/);
    await using acs = await createFakeAcs();
    expect(() => acs.setThrottle({ maxSessionsPerSecond: 2.5 })).toThrow(/throttle.maxSessionsPerSecond must be a whole number >= 1, got 2.5/);
    expect(() => acs.setThrottle({ maxOpenSessions: 3, retryAfter: -1 })).toThrow(/throttle.retryAfter must be a whole number >= 0, got -1/);
  });
});
