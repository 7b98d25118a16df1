/**
 * Golden Informs from the REAL CPE path (issue 4: "keep golden files of our Inform for
 * TR-181 and TR-098"): profile file → Template → Cpe.start() → HTTP POST, captured
 * byte for byte by a raw node:http ACS. The goldens in test/cwmp/golden.test.ts pin
 * the encoder on hand-built messages; these pin what the CPE actually puts on the
 * wire (forced parameters, informParameters, DeviceId, header, events).
 *
 * Nothing is normalised: the clock stands still (`manualClock`), the cwmp:ID is
 * `<cpe-id>-<session>-<n>` (deterministic), and the CR URL is published as the fleet
 * would publish it. `UPDATE_GOLDEN=1` rewrites the files.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../../src/cwmp/index.js';
import { Template } from '../../src/datamodel/index.js';
import { loadProfile } from '../../src/profile/index.js';
import { expectGolden } from '../support/golden.js';
import { TestBed, informResponse, manualClock, rawHeader } from './harness.js';

const profilePath = (name: string): string => fileURLToPath(new URL(`../../fixtures/profiles/${name}`, import.meta.url));

let bed: TestBed;
afterEach(async () => {
  await bed.cleanup();
});

/** Boots one CPE from `profile` at a fixed time and returns the raw body of its first POST. */
async function firstInform(profile: string): Promise<{ body: string; headers: Record<string, string | undefined> }> {
  bed = new TestBed(manualClock(Date.UTC(2025, 2, 1, 10, 15, 0)));
  const acs = await bed.acs((req) => (req.kind === 'inform' ? { body: informResponse(req.id) } : { status: 204 }));
  const template = Template.compile(await loadProfile(profilePath(profile)));
  // Same options as the fleet: no raw-XML shortcut, the real transport and session runner.
  const cpe = bed.cpe(acs.url, { template, id: 'cpe-1', index: 1, transcript: {} });
  // As startFleet does before start(): the bootstrap Inform already reports the CR URL.
  cpe.crUrl = 'http://127.0.0.1:7547/cr/cpe-1';
  cpe.params.setInternal(cpe.crUrlPath!, cpe.crUrl);
  cpe.start();
  const boot = await cpe.whenBootstrapped();
  expect(boot.ok, boot.toString()).toBe(true);
  const first = acs.requests[0]!;
  expect(first.kind).toBe('inform');
  return {
    body: first.body,
    headers: { 'content-type': first.headers['content-type'], soapaction: rawHeader(first, 'soapaction') },
  };
}

/** `arrayType="<type>[n]"` values in document order, with the number of children they announce. */
function arrayTypes(xml: string): string[] {
  return [...xml.matchAll(/arrayType="([^"]+)"/g)].map((m) => m[1]!);
}

describe('golden Informs from the CPE (byte for byte; UPDATE_GOLDEN=1 rewrites)', () => {
  it('cpe-inform-tr181.xml: fixtures/profiles/tr181-digest.yaml, bootstrap', async () => {
    const { body, headers } = await firstInform('tr181-digest.yaml');
    expectGolden('cpe-inform-tr181.xml', body);
    expect(headers).toEqual({ 'content-type': 'text/xml; charset="utf-8"', soapaction: '""' });

    // Independent checks of the golden's content (cwmp-notes §1.6–1.7, §2.1–2.2), so a
    // regenerated golden cannot silently bless a wrong Inform.
    const env = decodeEnvelope(body);
    expect(env.namespace).toBe('urn:dslforum-org:cwmp-1-2');
    expect(env.header).toEqual({ id: 'cpe-1-1-1', supportedCwmpVersions: '1.0,1.1,1.2,1.3,1.4' });
    const inf = env.body;
    if (inf.name !== 'Inform') throw new Error(`expected Inform, got ${inf.name}`);
    expect(inf.deviceId).toEqual({ manufacturer: 'Example', oui: '00D09E', productClass: 'HGW', serialNumber: 'DIG-001' });
    expect(inf.event).toEqual([
      { eventCode: '0 BOOTSTRAP', commandKey: '' },
      { eventCode: '1 BOOT', commandKey: '' },
    ]);
    expect(inf.maxEnvelopes).toBe(1);
    expect(inf.currentTime).toBe('2025-03-01T10:15:00Z');
    expect(inf.retryCount).toBe(0);
    // TR-181 forced inform parameters (notes §2.2), in that order; no WAN address in TR-181.
    expect(inf.parameterList).toEqual([
      { name: 'Device.RootDataModelVersion', value: '2.17', type: 'xsd:string' },
      { name: 'Device.DeviceInfo.HardwareVersion', value: '1.0', type: 'xsd:string' },
      { name: 'Device.DeviceInfo.SoftwareVersion', value: '1.0.0', type: 'xsd:string' },
      { name: 'Device.DeviceInfo.ProvisioningCode', value: '', type: 'xsd:string' },
      { name: 'Device.ManagementServer.ParameterKey', value: '', type: 'xsd:string' },
      { name: 'Device.ManagementServer.ConnectionRequestURL', value: 'http://127.0.0.1:7547/cr/cpe-1', type: 'xsd:string' },
    ]);
    expect(arrayTypes(body)).toEqual(['cwmp:EventStruct[2]', 'cwmp:ParameterValueStruct[6]']);
    // Children of the RPC are unqualified; no default namespace anywhere (notes §1.5).
    expect(body).not.toMatch(/xmlns="/);
    expect(body).toMatch(/<cwmp:Inform>\s*<DeviceId>\s*<Manufacturer>/);
    expect(body).toMatch(/\n\s*<MaxEnvelopes>1<\/MaxEnvelopes>\n/);
  });

  it('cpe-inform-tr098.xml: fixtures/profiles/tr098-basic.yaml, bootstrap', async () => {
    const { body, headers } = await firstInform('tr098-basic.yaml');
    expectGolden('cpe-inform-tr098.xml', body);
    expect(headers).toEqual({ 'content-type': 'text/xml; charset="utf-8"', soapaction: '""' });

    const env = decodeEnvelope(body);
    expect(env.namespace).toBe('urn:dslforum-org:cwmp-1-2');
    const inf = env.body;
    if (inf.name !== 'Inform') throw new Error(`expected Inform, got ${inf.name}`);
    expect(inf.deviceId).toEqual({ manufacturer: 'Example', oui: '00D09E', productClass: 'IGD', serialNumber: 'IGD0001-1' });
    expect(inf.event.map((e) => e.eventCode)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
    expect(inf.maxEnvelopes).toBe(1);
    expect(inf.retryCount).toBe(0);
    // TR-098 forced inform parameters (notes §2.2) incl. the default WAN connection's ExternalIPAddress.
    expect(inf.parameterList.map((p) => p.name)).toEqual([
      'InternetGatewayDevice.DeviceSummary',
      'InternetGatewayDevice.DeviceInfo.SpecVersion',
      'InternetGatewayDevice.DeviceInfo.HardwareVersion',
      'InternetGatewayDevice.DeviceInfo.SoftwareVersion',
      'InternetGatewayDevice.DeviceInfo.ProvisioningCode',
      'InternetGatewayDevice.ManagementServer.ParameterKey',
      'InternetGatewayDevice.ManagementServer.ConnectionRequestURL',
      'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress',
    ]);
    expect(inf.parameterList.every((p) => p.type === 'xsd:string')).toBe(true);
    expect(arrayTypes(body)).toEqual(['cwmp:EventStruct[2]', 'cwmp:ParameterValueStruct[8]']);
    expect(body).not.toMatch(/xmlns="/);
  });
});
