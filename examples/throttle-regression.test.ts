// Example 2: a regression suite for Connection Request throttling (TR-069 §3.2.2):
// inside the window the CPE answers 503 + Retry-After; only AUTHENTICATED requests
// count, so an unauthenticated caller can neither probe nor burn the window.
import { describe, expect } from 'vitest';
import { withCpeFleet } from 'cpe-sim/vitest';

const profile = 'tr181-hgw'; // a shipped profile, by name
const creds = { username: 'cr-cpe-1', password: 'secret-cpe-1' };

describe('CR throttle, 5 s window', () => {
  const test = withCpeFleet({ profile, count: 1, cr: { throttleWindowMs: 5000 } });

  test('a second CR inside the window gets 503 with Retry-After in whole seconds', async ({ fleet, acs }) => {
    const url = fleet.cpe(1).crUrl!;
    expect(await acs.connectionRequest(url, creds)).toBeAccepted();
    const second = await acs.connectionRequest(url, creds);
    expect(second).toBeThrottled({ retryAfter: expect.toSatisfy((s: number) => s >= 1 && s <= 5) });
    // One CR Inform (the accepted one); the throttled request queued nothing.
    await expect(fleet.cpe(1)).toHaveInformed('6 CONNECTION REQUEST', { times: 1 });
    expect(fleet.cpe(1).pendingEvents).toEqual([]);
  });

  test('unauthenticated requests are answered 401, never 503, and do not count', async ({ fleet, acs }) => {
    const url = fleet.cpe(1).crUrl!;
    // Hammer the CPE without credentials and with wrong ones.
    for (let i = 0; i < 3; i++) expect(await fetch(url)).toBeUnauthorized({ scheme: 'digest' });
    expect(await acs.connectionRequest(url, { ...creds, password: 'wrong' })).toBeUnauthorized();
    // The window was not started by any of them: the first authenticated CR is accepted.
    expect(await acs.connectionRequest(url, creds)).toBeAccepted();
    // Inside the window now, an unauthenticated caller still learns nothing.
    expect(await fetch(url)).toBeUnauthorized({ scheme: 'digest' });
    expect(await acs.connectionRequest(url, creds)).toBeThrottled();
  });
});

describe('CR throttle, short window', () => {
  const test = withCpeFleet({ profile, count: 1, cr: { throttleWindowMs: 200 } });

  test('Retry-After is rounded up, and a CR after the window is accepted again', async ({ fleet, acs }) => {
    const url = fleet.cpe(1).crUrl!;
    expect(await acs.connectionRequest(url, creds)).toBeAccepted();
    const throttled = await acs.connectionRequest(url, creds);
    // 200 ms left at most: rounded UP to 1 s so a client that obeys it clears the window.
    expect(throttled).toBeThrottled({ retryAfter: 1 });
    await new Promise((r) => setTimeout(r, 250));
    expect(await acs.connectionRequest(url, creds)).toBeAccepted();
    await expect(fleet.cpe(1)).toHaveInformed('6 CONNECTION REQUEST', { times: 2 });
  });
});
