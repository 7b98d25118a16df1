/**
 * `transcript.messages: 'acs-requests'` (the lean default of large fleets): entries keep
 * their summaries, and the decoded message only where the ACS sent a request (what
 * `toHaveReceivedRpc` reads); the default `'all'` keeps every decoded message.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CpeTranscriptOptions } from '../../src/cpe/index.js';
import { TestBed, envelope, queueAcs, virtualClock } from './harness.js';

let bed: TestBed;
afterEach(async () => {
  await bed.cleanup();
});

const GPV = envelope('<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[1]"><string>Device.DeviceInfo.SerialNumber</string></ParameterNames></cwmp:GetParameterValues>', { id: 'g1' });

async function crSession(transcript: CpeTranscriptOptions) {
  bed = new TestBed(virtualClock());
  const h = queueAcs();
  const acs = await bed.acs(h);
  const cpe = bed.cpe(acs.url, { transcript });
  cpe.start();
  await cpe.whenBootstrapped();
  h.rpcs.push(GPV);
  return cpe.inform(['6 CONNECTION REQUEST']);
}

describe('transcript.messages', () => {
  it("'acs-requests': only the ACS request keeps its decoded message; every entry keeps its summary", async () => {
    const s = await crSession({ messages: 'acs-requests' });
    expect(s.ok).toBe(true);
    const withMessage = s.entries.filter((e) => e.message !== undefined);
    expect(withMessage.map((e) => [e.dir, e.message!.name])).toEqual([['acs->cpe', 'GetParameterValues']]);
    expect(s.entries.map((e) => e.summary)).toEqual(expect.arrayContaining([expect.stringMatching(/^Inform \[6 CONNECTION REQUEST\]/), 'InformResponse', expect.stringMatching(/^GetParameterValuesResponse/)]));
  });

  it("'all' (default): the Inform, InformResponse and the CPE's answer keep theirs too", async () => {
    const s = await crSession({});
    const names = s.entries.flatMap((e) => (e.message !== undefined ? [e.message.name] : []));
    expect(names).toEqual(['Inform', 'InformResponse', 'GetParameterValues', 'GetParameterValuesResponse']);
  });
});
