import { afterEach, describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../../src/cwmp/index.js';
import { Template } from '../../src/datamodel/index.js';
import { loadProfile } from '../../src/profile/index.js';
import { TestBed, envelope, fixture, informResponse, queueAcs, rawHeader } from './harness.js';

let bed: TestBed;
afterEach(async () => {
  await bed.cleanup();
});

describe('CWMP session flow (TR-069 §3.7)', () => {
  it('bootstraps: Inform → InformResponse → empty POST → RPCs → 204, with the spec headers', async () => {
    bed = new TestBed();
    const acs = await bed.acs(
      queueAcs({
        rpcs: [
          fixture('acs/gpv-ns0-prefix.xml'),
          envelope('<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[1]"><string>Device.DeviceInfo.</string></ParameterNames></cwmp:GetParameterValues>', { id: 'gpv-2' }),
        ],
      }),
    );
    const cpe = bed.cpe(acs.url);
    cpe.start();
    const rec = await cpe.whenBootstrapped();
    await cpe.waitForSession((s) => s.id === rec.id && s.endedAt !== undefined);
    expect(rec.ok).toBe(true);
    expect(rec.events.map((e) => e.eventCode)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
    expect(acs.requests.map((r) => r.kind)).toEqual(['inform', 'empty', 'response', 'response']);

    // One keep-alive connection for the whole session (§3.4.1).
    expect(new Set(acs.requests.map((r) => r.conn)).size).toBe(1);

    const [inform, empty, r1, r2] = acs.requests;
    // Inform: Content-Type text/xml, SOAPAction "" (SOAP 1.1 for CPE requests).
    expect(inform!.headers['content-type']).toBe('text/xml; charset="utf-8"');
    expect(rawHeader(inform!, 'soapaction')).toBe('""');
    // Empty POST: no body, no Content-Type, no SOAPAction (notes §1.2).
    expect(empty!.body).toBe('');
    expect(empty!.headers['content-type']).toBeUndefined();
    expect(rawHeader(empty!, 'soapaction')).toBeUndefined();
    expect(empty!.headers['content-length']).toBe('0');
    // Responses: SOAPAction present with an empty value.
    expect(rawHeader(r1!, 'soapaction')).toBe('');
    expect(r1!.headers['content-type']).toBe('text/xml; charset="utf-8"');

    // cwmp:ID echoed verbatim from the ACS requests.
    expect(r1!.id).toBe('0x2a');
    expect(r2!.id).toBe('gpv-2');
    const gpv1 = decodeEnvelope(r1!.body).body;
    expect(gpv1).toMatchObject({ name: 'GetParameterValuesResponse', parameterList: [{ name: 'Device.DeviceInfo.SerialNumber', value: 'SIM000001-1' }] });
    const gpv2 = decodeEnvelope(r2!.body).body;
    expect(gpv2.name).toBe('GetParameterValuesResponse');
    if (gpv2.name === 'GetParameterValuesResponse') {
      expect(gpv2.parameterList.map((p) => p.name)).toContain('Device.DeviceInfo.UpTime');
      expect(gpv2.parameterList.find((p) => p.name === 'Device.DeviceInfo.UpTime')?.type).toBe('xsd:unsignedInt');
      // The array count matches the children (a peer simulator gets this wrong).
      expect(r2!.body).toContain(`arrayType="cwmp:ParameterValueStruct[${gpv2.parameterList.length}]"`);
    }

    // Transcript: one line per message.
    const lines = rec.toString().split('\n');
    expect(lines[0]).toMatch(/^session #1 cpe-1 \[0 BOOTSTRAP, 1 BOOT\] retry=0 .* ok$/);
    expect(lines).toHaveLength(1 + 8);
    expect(lines[1]).toMatch(/→ Inform/);
    expect(lines[2]).toMatch(/← 200 InformResponse/);
    expect(lines[3]).toMatch(/→ \(empty\)/);
    expect(lines[8]).toMatch(/← 204 \(empty\)/);
    expect(rec.entries[0]!.xml).toContain('<cwmp:Inform>');
  });

  it('builds the Inform: DeviceId, events, MaxEnvelopes 1, CurrentTime, RetryCount, forced + informParameters', async () => {
    bed = new TestBed();
    const acs = await bed.acs(queueAcs());
    const cpe = bed.cpe(acs.url);
    cpe.start();
    await cpe.whenBootstrapped();
    const raw = acs.requests[0]!.body;
    expect(raw).toContain('xmlns:cwmp="urn:dslforum-org:cwmp-1-2"'); // never cwmp-1-4 (GenieACS rejects it)
    const env = decodeEnvelope(raw);
    expect(env.header.supportedCwmpVersions).toBe('1.0,1.1,1.2,1.3,1.4');
    expect(env.header.id).toBeTruthy();
    const inf = env.body;
    expect(inf.name).toBe('Inform');
    if (inf.name !== 'Inform') return;
    expect(inf.deviceId).toEqual({ manufacturer: 'SimCo', oui: '00D09E', productClass: 'SimRouter', serialNumber: 'SIM000001-1' });
    expect(inf.maxEnvelopes).toBe(1);
    expect(inf.retryCount).toBe(0);
    expect(inf.currentTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(inf.parameterList.map((p) => p.name)).toEqual([
      'Device.RootDataModelVersion',
      'Device.DeviceInfo.HardwareVersion',
      'Device.DeviceInfo.SoftwareVersion',
      'Device.DeviceInfo.ProvisioningCode',
      'Device.ManagementServer.ParameterKey',
      'Device.ManagementServer.ConnectionRequestURL',
      'Device.DeviceInfo.UpTime', // informParameters.bootstrap
    ]);
    expect(raw).toContain('arrayType="cwmp:EventStruct[2]"');
    expect(raw).toContain('arrayType="cwmp:ParameterValueStruct[7]"');
    expect(cpe.informs).toHaveLength(1);
    expect(cpe.informs[0]).toMatchObject({ sessionId: 1, ok: true });
  });

  it('DeviceId is read at every Inform', async () => {
    bed = new TestBed();
    const acs = await bed.acs(queueAcs());
    const cpe = bed.cpe(acs.url);
    cpe.start();
    await cpe.whenBootstrapped();
    cpe.params.setInternal('Device.DeviceInfo.SerialNumber', 'CHANGED1');
    await cpe.inform(['2 PERIODIC']);
    const informs = acs.informs();
    const last = informs[informs.length - 1]!.body;
    expect(last.name === 'Inform' && last.deviceId.serialNumber).toBe('CHANGED1');
    expect(last.name === 'Inform' && last.parameterList.map((p) => p.name)).toContain('Device.WiFi.SSID.1.SSID'); // informParameters.periodic
  });

  it('answers in the namespace the ACS used (cwmp-1-0 InformResponse → cwmp-1-0 responses)', async () => {
    bed = new TestBed();
    const acs = await bed.acs(queueAcs({ ns: '1-0', rpcs: [fixture('acs/reboot.xml').replace('Reboot><CommandKey>rb-17</CommandKey></cwmp:Reboot', 'GetRPCMethods/')] }));
    const cpe = bed.cpe(acs.url);
    cpe.start();
    await cpe.whenBootstrapped();
    const resp = acs.requests.find((r) => r.kind === 'response')!;
    expect(resp.body).toContain('xmlns:cwmp="urn:dslforum-org:cwmp-1-0"');
    expect(resp.body).not.toContain('cwmp-1-2');
    expect(decodeEnvelope(resp.body).body.name).toBe('GetRPCMethodsResponse');
  });

  it('accepts a default-namespace SOAP envelope (cwmp-1-1) and answers in cwmp-1-1', async () => {
    bed = new TestBed();
    let step = 0;
    const acs = await bed.acs((req) => {
      if (req.kind === 'inform') return { body: informResponse(req.id, '1-1') };
      if (step++ === 0) return { body: fixture('acs/rpc-default-cwmp-ns.xml') };
      return { status: 204 };
    });
    const cpe = bed.cpe(acs.url);
    cpe.start();
    const rec = await cpe.whenBootstrapped();
    const resp = acs.requests.find((r) => r.kind === 'response');
    expect(rec.toString()).toContain('Response');
    expect(resp?.body).toContain('urn:dslforum-org:cwmp-1-1');
  });

  it('tolerates an ACS that ends the session with 200 and an empty body', async () => {
    bed = new TestBed();
    const acs = await bed.acs((req) => (req.kind === 'inform' ? { body: informResponse(req.id) } : { status: 200, body: '' }));
    const cpe = bed.cpe(acs.url);
    cpe.start();
    const rec = await cpe.whenBootstrapped();
    await cpe.waitForSession((s) => s.id === rec.id);
    expect(cpe.sessions[0]!.ok).toBe(true);
    expect(cpe.pendingEvents).toEqual([]);
  });

  it('sends GetRPCMethods after InformResponse when configured', async () => {
    bed = new TestBed();
    const acs = await bed.acs(queueAcs());
    const cpe = bed.cpe(acs.url, { sendGetRPCMethods: true });
    cpe.start();
    await cpe.whenBootstrapped();
    expect(acs.requests.map((r) => r.kind)).toEqual(['inform', 'get-rpc-methods', 'empty']);
    expect(rawHeader(acs.requests[1]!, 'soapaction')).toBe('""');
    expect(acs.requests[1]!.id).not.toBe(acs.requests[0]!.id); // fresh cwmp:ID per CPE request
  });

  it('TR-098 (InternetGatewayDevice.) Inform carries the TR-098 forced parameters incl. the default WAN ExternalIPAddress', async () => {
    bed = new TestBed();
    const acs = await bed.acs(queueAcs({ ns: '1-0' }));
    const template = Template.compile(await loadProfile(new URL('../../fixtures/profiles/tr098-basic.yaml', import.meta.url).pathname));
    const cpe = bed.cpe(acs.url, { template, id: 'cpe-7', index: 7 });
    cpe.start();
    const rec = await cpe.whenBootstrapped();
    expect(rec.ok).toBe(true);
    const inf = decodeEnvelope(acs.requests[0]!.body).body;
    if (inf.name !== 'Inform') throw new Error('expected Inform');
    expect(inf.deviceId.serialNumber).toBe('IGD0001-7') // ref. 5.2: the serial pattern ({base}-{i} by default) is stamped on a lone CPE too;
    expect(Object.fromEntries(inf.parameterList.map((p) => [p.name, p.value]))).toEqual({
      'InternetGatewayDevice.DeviceSummary': 'InternetGatewayDevice:1.4[](Baseline:2, EthernetLAN:1)',
      'InternetGatewayDevice.DeviceInfo.SpecVersion': '1.0',
      'InternetGatewayDevice.DeviceInfo.HardwareVersion': '1.0',
      'InternetGatewayDevice.DeviceInfo.SoftwareVersion': '2.3.4',
      'InternetGatewayDevice.DeviceInfo.ProvisioningCode': '',
      'InternetGatewayDevice.ManagementServer.ParameterKey': '',
      'InternetGatewayDevice.ManagementServer.ConnectionRequestURL': '',
      'InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.ExternalIPAddress': '198.51.100.7',
    });
    expect(cpe.params.root).toBe('InternetGatewayDevice');
  });
});
