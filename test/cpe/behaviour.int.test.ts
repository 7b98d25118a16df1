// HoldRequests and the empty POST misbehaving (TR-069 §3.7.1.2), seen by a raw ACS that
// records every POST: a CPE that ignores HoldRequests, a CPE that sends its empty POST
// before its own requests.
import { afterEach, describe, expect, it } from 'vitest';
import { TestBed, informResponse, queueAcs, virtualClock } from './harness.js';

let bed: TestBed;
afterEach(async () => {
  await bed.cleanup();
});

const HOLD = '<cwmp:HoldRequests soap-env:mustUnderstand="1">1</cwmp:HoldRequests>';

describe('injected HoldRequests / empty POST quirks', () => {
  it('ignoreHoldRequests: the CPE sends GetRPCMethods although the InformResponse said HoldRequests', async () => {
    bed = new TestBed(virtualClock());
    const base = queueAcs();
    const acs = await bed.acs((req, a) => (req.kind === 'inform' ? { body: informResponse(req.id, '1-2', HOLD) } : base(req, a)));
    const cpe = bed.cpe(acs.url, { sendGetRPCMethods: true });
    cpe.start();
    const honoured = await cpe.whenBootstrapped();
    // A model citizen holds its request: Inform, then the empty POST.
    expect(acs.requests.map((r) => r.kind)).toEqual(['inform', 'empty']);
    expect(honoured.quirks).toBeUndefined();
    cpe.inject({ ignoreHoldRequests: true });
    const s = await cpe.inform(['2 PERIODIC']);
    expect(acs.requests.slice(2).map((r) => r.kind)).toEqual(['inform', 'get-rpc-methods', 'empty']);
    expect(s.quirks).toEqual(['HoldRequests ignored: sent GetRPCMethods']);
  });

  it('earlyEmptyPost: the empty POST comes right after the InformResponse, the CPE request is held back', async () => {
    bed = new TestBed(virtualClock());
    const acs = await bed.acs(queueAcs());
    const cpe = bed.cpe(acs.url, { sendGetRPCMethods: true });
    cpe.inject({ earlyEmptyPost: true });
    cpe.start();
    const s = await cpe.whenBootstrapped();
    expect(acs.requests.map((r) => r.kind)).toEqual(['inform', 'empty']);
    expect(s.quirks).toEqual(['early empty POST: GetRPCMethods held back']);
  });
});
