/**
 * Generated leaves and value-change notifications of one CPE (profile §6.4, TR-069
 * A.3.2.4) over real HTTP to a raw ACS, on a manual clock: simulated time moves only
 * when the test advances it, so tick times are exact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Template } from '../../src/datamodel/index.js';
import { decodeEnvelope } from '../../src/cwmp/index.js';
import { profileFromObject } from '../../src/profile/index.js';
import { TestBed, envelope, manualClock, queueAcs, testProfileObject } from './harness.js';
import type { RawAcs } from './harness.js';

const UPTIME = 'Device.DeviceInfo.UpTime';

let bed: TestBed;
afterEach(async () => {
  await bed.cleanup();
});

const spa = (name: string, n: number): string =>
  envelope(
    `<cwmp:SetParameterAttributes><ParameterList soap-enc:arrayType="cwmp:SetParameterAttributesStruct[1]"><SetParameterAttributesStruct><Name>${name}</Name><NotificationChange>true</NotificationChange><Notification>${n}</Notification><AccessListChange>false</AccessListChange><AccessList soap-enc:arrayType="xsd:string[0]"/></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>`,
    { id: `spa-${n}` },
  );

/** The test device with an uptime generator ticking every 10 s. */
function uptimeTemplate(): Template {
  const p = profileFromObject(testProfileObject(), '<test>');
  return Template.compile({ ...p, generators: [{ type: 'uptime', path: UPTIME, intervalMs: 10_000 }] });
}

/** Events and ParameterList of the last Inform the ACS received. */
function lastInform(acs: RawAcs): { events: string[]; params: Record<string, string> } {
  const req = acs.requests.filter((r) => r.kind === 'inform').at(-1)!;
  const msg = decodeEnvelope(req.body).body;
  if (msg.name !== 'Inform') throw new Error('not an Inform');
  return { events: msg.event.map((e) => e.eventCode), params: Object.fromEntries(msg.parameterList.map((p) => [p.name, p.value])) };
}

async function setup() {
  const clock = manualClock();
  bed = new TestBed(clock);
  const h = queueAcs();
  const acs = await bed.acs(h);
  const cpe = bed.cpe(acs.url, { template: uptimeTemplate() });
  cpe.start();
  await cpe.whenBootstrapped();
  return { clock, acs, cpe, rpcs: h.rpcs };
}

describe('generated leaves of a CPE', () => {
  it('start after the bootstrap: the bootstrap Inform shows the profile value, then uptime counts from the CPE creation', async () => {
    const { clock, acs, cpe } = await setup();
    expect(lastInform(acs).params[UPTIME]).toBe('3600');
    clock.advance(9_999);
    expect(cpe.params.getValue(UPTIME)).toBe('3600');
    clock.advance(1);
    expect(cpe.params.getValue(UPTIME)).toBe('10');
  });

  it('cost no scheduler job until the ACS sets a Notification on one; Notification 2: the next move starts 4 VALUE CHANGE with the new value', async () => {
    const { clock, acs, cpe, rpcs } = await setup();
    const idle = bed.scheduler.size;
    clock.advance(25_000);
    expect(bed.scheduler.size).toBe(idle);
    expect(acs.requests.filter((r) => r.kind === 'inform')).toHaveLength(1);

    rpcs.push(spa(UPTIME, 2));
    await cpe.inform(['6 CONNECTION REQUEST']);
    expect(bed.scheduler.size).toBe(idle + 1);
    clock.advance(5_000); // tick 3, at 30 s
    await cpe.waitForSession((s) => s.events.some((e) => e.eventCode === '4 VALUE CHANGE'));
    expect(lastInform(acs)).toMatchObject({ events: ['4 VALUE CHANGE'], params: { [UPTIME]: '30' } });

    rpcs.push(spa(UPTIME, 0));
    await cpe.inform(['6 CONNECTION REQUEST']);
    expect(bed.scheduler.size).toBe(idle);
  });

  it('Notification 1: moves start no session and ride on the next Inform with 4 VALUE CHANGE', async () => {
    const { clock, acs, cpe, rpcs } = await setup();
    rpcs.push(spa(UPTIME, 1));
    await cpe.inform(['6 CONNECTION REQUEST']);
    const informs = acs.requests.filter((r) => r.kind === 'inform').length;
    clock.advance(45_000);
    // An active change would have requested a session synchronously, from the tick's job.
    expect(cpe.busy).toBe(false);
    expect(cpe.pendingEvents).toEqual([]);
    expect(acs.requests.filter((r) => r.kind === 'inform')).toHaveLength(informs);
    await cpe.inform(['2 PERIODIC']);
    expect(lastInform(acs)).toMatchObject({ events: ['2 PERIODIC', '4 VALUE CHANGE'], params: { [UPTIME]: '40' } }); // tick 4: values change on ticks only
  });
});
