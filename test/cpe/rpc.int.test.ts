import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../../src/cwmp/index.js';
import type { CwmpMessage, Fault } from '../../src/cwmp/index.js';
import type { Cpe } from '../../src/cpe/index.js';
import { TestBed, envelope, fixture, queueAcs } from './harness.js';
import type { RawAcs } from './harness.js';

let bed: TestBed;
let acs: RawAcs;
let cpe: Cpe;
let rpcs: string[];

beforeEach(async () => {
  bed = new TestBed();
  const h = queueAcs();
  rpcs = h.rpcs;
  acs = await bed.acs(h);
  cpe = bed.cpe(acs.url);
  cpe.start();
  await cpe.whenBootstrapped();
});
afterEach(async () => {
  await bed.cleanup();
});

/** Runs one session in which the ACS sends `requests`; returns the CPE's answers, decoded. */
async function drive(...requests: string[]): Promise<CwmpMessage[]> {
  const before = acs.requests.length;
  rpcs.push(...requests);
  const rec = await cpe.inform(['6 CONNECTION REQUEST']);
  expect(rec.ok, rec.toString()).toBe(true);
  return acs.requests
    .slice(before)
    .filter((r) => r.kind === 'response')
    .map((r) => decodeEnvelope(r.body).body);
}

const gpv = (...names: string[]): string =>
  envelope(`<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[${names.length}]">${names.map((n) => `<string>${n}</string>`).join('')}</ParameterNames></cwmp:GetParameterValues>`, { id: 'g' });

const spv = (key: string, ...pvs: Array<[string, string, string]>): string =>
  envelope(
    `<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[${pvs.length}]">${pvs
      .map(([n, v, t]) => `<ParameterValueStruct><Name>${n}</Name><Value xsi:type="${t}">${v}</Value></ParameterValueStruct>`)
      .join('')}</ParameterList><ParameterKey>${key}</ParameterKey></cwmp:SetParameterValues>`,
    { id: 's' },
  );

function asFault(m: CwmpMessage | undefined): Fault {
  expect(m?.name).toBe('Fault');
  return m as Fault;
}

describe('RPC handlers (TR-069 A.3.2)', () => {
  it('GetRPCMethods lists the methods the CPE answers', async () => {
    const [r] = await drive(fixture('acs/getrpcmethods.xml'));
    expect(r).toMatchObject({ name: 'GetRPCMethodsResponse' });
    if (r?.name === 'GetRPCMethodsResponse') expect(r.methodList).toEqual(expect.arrayContaining(['GetParameterValues', 'SetParameterValues', 'Download', 'ScheduleInform', 'FactoryReset']));
  });

  it('GetParameterNames with NextLevel true and false', async () => {
    const [a, b] = await drive(
      envelope('<cwmp:GetParameterNames><ParameterPath>Device.Hosts.Host.</ParameterPath><NextLevel>true</NextLevel></cwmp:GetParameterNames>', { id: 'n1' }),
      envelope('<cwmp:GetParameterNames><ParameterPath>Device.Hosts.Host.1.</ParameterPath><NextLevel>false</NextLevel></cwmp:GetParameterNames>', { id: 'n2' }),
    );
    expect(a?.name === 'GetParameterNamesResponse' && a.parameterList.map((p) => p.name)).toEqual(['Device.Hosts.Host.1.', 'Device.Hosts.Host.2.']);
    expect(b?.name === 'GetParameterNamesResponse' && b.parameterList).toEqual(
      expect.arrayContaining([
        { name: 'Device.Hosts.Host.1.HostName', writable: true },
        { name: 'Device.Hosts.Host.1.Active', writable: false },
      ]),
    );
  });

  it('GetParameterValues: full and partial paths, 9005 for an unknown name', async () => {
    const [a, b] = await drive(gpv('Device.ManagementServer.PeriodicInformInterval', 'Device.Hosts.'), gpv('Device.Nope.X'));
    expect(a?.name === 'GetParameterValuesResponse' && a.parameterList[0]).toEqual({ name: 'Device.ManagementServer.PeriodicInformInterval', value: '60', type: 'xsd:unsignedInt' });
    expect(a?.name === 'GetParameterValuesResponse' && a.parameterList.map((p) => p.name)).toContain('Device.Hosts.Host.2.HostName');
    const f = asFault(b);
    expect(f.faultcode).toBe('Client');
    expect(f.detail.faultCode).toBe(9005);
  });

  it('SetParameterValues applies, answers Status 0 and sets ParameterKey', async () => {
    const [r] = await drive(spv('pk-4', ['Device.ManagementServer.PeriodicInformInterval', '300', 'xsd:unsignedInt'], ['Device.WiFi.SSID.1.SSID', 'Caf&#233; &amp; &lt;5G&gt;', 'xsd:string']));
    expect(r).toEqual({ name: 'SetParameterValuesResponse', status: 0 });
    expect(cpe.params.getValue('Device.ManagementServer.PeriodicInformInterval')).toBe('300');
    expect(cpe.params.getValue('Device.WiFi.SSID.1.SSID')).toBe('Café & <5G>');
    expect(cpe.params.getValue('Device.ManagementServer.ParameterKey')).toBe('pk-4');
  });

  it('SetParameterValues is atomic: one bad entry → 9003 with SetParameterValuesFault per parameter, nothing applied, ParameterKey unchanged', async () => {
    const [r] = await drive(
      spv(
        'pk-bad',
        ['Device.WiFi.SSID.1.SSID', 'new', 'xsd:string'],
        ['Device.ManagementServer.PeriodicInformInterval', 'abc', 'xsd:unsignedInt'],
        ['Device.DeviceInfo.SoftwareVersion', '2.0', 'xsd:string'],
        ['Device.Nope', '1', 'xsd:string'],
      ),
    );
    const f = asFault(r);
    expect(f.detail.faultCode).toBe(9003);
    const per = Object.fromEntries((f.detail.setParameterValuesFault ?? []).map((p) => [p.parameterName, p.faultCode]));
    expect(per).toEqual({ 'Device.ManagementServer.PeriodicInformInterval': 9007, 'Device.DeviceInfo.SoftwareVersion': 9008, 'Device.Nope': 9005 });
    expect(cpe.params.getValue('Device.WiFi.SSID.1.SSID')).toBe('sim-1');
    expect(cpe.params.getValue('Device.ManagementServer.ParameterKey')).toBe('');
  });

  it('SetParameterValues with a wrong xsi:type → 9006', async () => {
    const [r] = await drive(spv('k', ['Device.ManagementServer.PeriodicInformEnable', 'true', 'xsd:string']));
    const f = asFault(r);
    expect(f.detail.faultCode === 9006 || f.detail.setParameterValuesFault?.[0]?.faultCode === 9006).toBe(true);
  });

  it('GetParameterAttributes / SetParameterAttributes (GenieACS empty Notification tolerated)', async () => {
    const [s, g] = await drive(
      fixture('acs/spa-empty-notification.xml'),
      envelope(
        '<cwmp:GetParameterAttributes><ParameterNames soap-enc:arrayType="xsd:string[2]"><string>Device.ManagementServer.PeriodicInformInterval</string><string>Device.DeviceInfo.SoftwareVersion</string></ParameterNames></cwmp:GetParameterAttributes>',
        { id: 'ga' },
      ),
    );
    expect(s).toEqual({ name: 'SetParameterAttributesResponse' });
    expect(g?.name === 'GetParameterAttributesResponse' && g.parameterList).toEqual([
      { name: 'Device.ManagementServer.PeriodicInformInterval', notification: 2, accessList: [] },
      { name: 'Device.DeviceInfo.SoftwareVersion', notification: 0, accessList: ['Subscriber'] },
    ]);
  });

  it('SetParameterAttributes with a lightweight notification (3..6) → 9009', async () => {
    const [r] = await drive(
      envelope(
        '<cwmp:SetParameterAttributes><ParameterList soap-enc:arrayType="cwmp:SetParameterAttributesStruct[1]"><SetParameterAttributesStruct><Name>Device.DeviceInfo.UpTime</Name><NotificationChange>true</NotificationChange><Notification>4</Notification><AccessListChange>false</AccessListChange><AccessList/></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>',
        { id: 'spa' },
      ),
    );
    expect(asFault(r).detail.faultCode).toBe(9009);
  });

  it('AddObject and DeleteObject with ParameterKey', async () => {
    const [a, d, bad] = await drive(
      envelope('<cwmp:AddObject><ObjectName>Device.Hosts.Host.</ObjectName><ParameterKey>pk-5</ParameterKey></cwmp:AddObject>', { id: 'a' }),
      envelope('<cwmp:DeleteObject><ObjectName>Device.Hosts.Host.1.</ObjectName><ParameterKey>pk-6</ParameterKey></cwmp:DeleteObject>', { id: 'd' }),
      fixture('acs/deleteobject.xml'), // Device.IP.Interface.3. does not exist
    );
    expect(a).toEqual({ name: 'AddObjectResponse', instanceNumber: 3, status: 0 });
    expect(d).toEqual({ name: 'DeleteObjectResponse', status: 0 });
    expect(asFault(bad).detail.faultCode).toBe(9005);
    expect(cpe.params.has('Device.Hosts.Host.3.')).toBe(true);
    expect(cpe.params.has('Device.Hosts.Host.1.')).toBe(false);
    expect(cpe.params.getValue('Device.ManagementServer.ParameterKey')).toBe('pk-6');
  });

  it('an RPC the codec does not model → 9000 Method not supported (faultcode Server), session goes on', async () => {
    const [r, after] = await drive(
      envelope('<cwmp:SetVouchers><VoucherList/></cwmp:SetVouchers>', { id: 'up-1' }),
      gpv('Device.DeviceInfo.HardwareVersion'),
    );
    const f = asFault(r);
    expect(f.detail.faultCode).toBe(9000);
    expect(f.faultcode).toBe('Server');
    expect(after?.name).toBe('GetParameterValuesResponse');
    const raw = acs.requests.filter((q) => q.kind === 'response').slice(-2)[0]!;
    expect(raw.id).toBe('up-1');
    expect(raw.body).toMatch(/<FaultCode>9000<\/FaultCode>/);
  });

  it('a handler crash becomes 9002 Internal error, not a dead session', async () => {
    cpe.params.getValues = () => {
      throw new Error('boom');
    };
    const [r] = await drive(gpv('Device.DeviceInfo.HardwareVersion'));
    expect(asFault(r).detail.faultCode).toBe(9002);
  });

  it('ParameterKey longer than 32 characters → 9003', async () => {
    const [r] = await drive(spv('x'.repeat(33), ['Device.WiFi.SSID.1.SSID', 'a', 'xsd:string']));
    expect(asFault(r).detail.faultCode).toBe(9003);
    expect(cpe.params.getValue('Device.WiFi.SSID.1.SSID')).toBe('sim-1');
  });

  it('answers GPV envelopes with comments, CDATA and whitespace', async () => {
    const [r] = await drive(fixture('acs/gpv-comments-cdata.xml'));
    expect(r?.name).toBe('GetParameterValuesResponse');
    const raw = acs.requests.filter((q) => q.kind === 'response').pop()!;
    expect(decodeEnvelope(raw.body).header.id).toBe('id<&>1');
  });
});
