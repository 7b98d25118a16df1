/**
 * Issue 14, CPE side: what an Inform reports (the union of `informParameters` lists,
 * ref. 4.2), hidden secrets (TR-181), ACS credentials from `acsCredentialPaths`
 * (ref. 4.4), periodic leaves at Notification 1 (ref. 3.7) and a FactoryReset that
 * rebuilds the tree as at start-up (ref. 11). Real sockets, simulated time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { decodeEnvelope, type EventStruct } from '../../src/cwmp/index.js';
import { Template } from '../../src/datamodel/index.js';
import { informParameterKeys } from '../../src/cpe/cpe.js';
import { parseAuthHeader, parseBasicCredentials } from '../../src/httpauth/index.js';
import { profileFromObject, type Profile } from '../../src/profile/index.js';
import { TestBed, envelope, fixture, queueAcs, testProfileObject, virtualClock } from './harness.js';
import type { AcsHandler, RawAcs, Reply, SeenRequest } from './harness.js';

let bed: TestBed | undefined;
afterEach(async () => {
  await bed?.cleanup();
  bed = undefined;
});

const ev = (...codes: string[]): EventStruct[] => codes.map((eventCode) => ({ eventCode, commandKey: '' }));

/** A Profile from the test profile object, with fields the YAML loader may not know yet. */
function profileWith(extra: Record<string, unknown>, more: Partial<Profile> = {}): Profile {
  return { ...profileFromObject(testProfileObject(extra), '<test>'), ...more };
}

function lastInform(acs: RawAcs): { names: string[]; values: Map<string, string> } {
  const body = decodeEnvelope(acs.requests.filter((r) => r.kind === 'inform').pop()!.body).body;
  if (body.name !== 'Inform') throw new Error('not an Inform');
  return { names: body.parameterList.map((p) => p.name), values: new Map(body.parameterList.map((p) => [p.name, p.value])) };
}

const gpv = (...names: string[]): string =>
  envelope(`<cwmp:GetParameterValues><ParameterNames soap-enc:arrayType="xsd:string[${names.length}]">${names.map((n) => `<string>${n}</string>`).join('')}</ParameterNames></cwmp:GetParameterValues>`, { id: 'gpv' });
const spv = (name: string, value: string): string =>
  envelope(
    `<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[1]"><ParameterValueStruct><Name>${name}</Name><Value xsi:type="xsd:string">${value}</Value></ParameterValueStruct></ParameterList><ParameterKey>k</ParameterKey></cwmp:SetParameterValues>`,
    { id: 'spv' },
  );
const gpa = (name: string): string =>
  envelope(`<cwmp:GetParameterAttributes><ParameterNames soap-enc:arrayType="xsd:string[1]"><string>${name}</string></ParameterNames></cwmp:GetParameterAttributes>`, { id: 'gpa' });

/** The decoded CPE responses the ACS received, in order. */
function responses(acs: RawAcs): ReturnType<typeof decodeEnvelope>['body'][] {
  return acs.requests.filter((r) => r.kind === 'response').map((r) => decodeEnvelope(r.body).body);
}

describe('informParameters: a union in event order (ref. 4.2)', () => {
  it('selects one key per event, boot before bootstrap, none for M events; no 2 PERIODIC list on a CR session', () => {
    expect(informParameterKeys(ev('0 BOOTSTRAP', '1 BOOT'))).toEqual(['boot', 'bootstrap']);
    expect(informParameterKeys(ev('1 BOOT', 'M Reboot'))).toEqual(['boot']);
    expect(informParameterKeys(ev('0 BOOTSTRAP'))).toEqual(['bootstrap']);
    expect(informParameterKeys(ev('7 TRANSFER COMPLETE', 'M Download'))).toEqual(['transferComplete']);
    expect(informParameterKeys(ev('6 CONNECTION REQUEST'))).toEqual(['connectionRequest']);
    expect(informParameterKeys(ev('2 PERIODIC', '4 VALUE CHANGE', '8 DIAGNOSTICS COMPLETE'))).toEqual(['periodic', 'valueChange']);
  });

  it('a first boot reports the forced set, then boot, then the rest of bootstrap; the published CR leaf joins every declared list', async () => {
    bed = new TestBed(virtualClock());
    const acs = await bed.acs(queueAcs());
    const extraLeaf = { path: 'Device.X_EX_Mgmt.CRURL', value: '' };
    const profile = profileWith({
      parameters: [...(testProfileObject().parameters as object[]), extraLeaf],
      informParameters: {
        boot: ['Device.DeviceInfo.UpTime', 'Device.WiFi.SSID.1.SSID'],
        bootstrap: ['Device.WiFi.SSID.1.SSID', 'Device.Hosts.Host.1.HostName'],
        periodic: ['Device.Hosts.Host.2.HostName'],
      },
    });
    const cpe = bed.cpe(acs.url, { template: Template.compile(profile) });
    cpe.crUrlPath = 'Device.X_EX_Mgmt.CRURL';
    cpe.crUrl = 'http://127.0.0.1:1/cr';
    cpe.params.setInternal('Device.X_EX_Mgmt.CRURL', cpe.crUrl);
    cpe.start();
    await cpe.whenBootstrapped();
    const forced = ['Device.RootDataModelVersion', 'Device.DeviceInfo.HardwareVersion', 'Device.DeviceInfo.SoftwareVersion', 'Device.DeviceInfo.ProvisioningCode', 'Device.ManagementServer.ParameterKey', 'Device.ManagementServer.ConnectionRequestURL'];
    expect(lastInform(acs).names).toEqual([...forced, 'Device.DeviceInfo.UpTime', 'Device.WiFi.SSID.1.SSID', 'Device.X_EX_Mgmt.CRURL', 'Device.Hosts.Host.1.HostName']);
    expect(lastInform(acs).values.get('Device.X_EX_Mgmt.CRURL')).toBe('http://127.0.0.1:1/cr');
    // A CR session: no declared list, so nothing beyond the forced set (and no 2 PERIODIC: TR-069, not cpe-labs).
    const cr = await cpe.inform(['6 CONNECTION REQUEST']);
    expect(cr.events.map((e) => e.eventCode)).toEqual(['6 CONNECTION REQUEST']);
    expect(lastInform(acs).names).toEqual(forced);
    await cpe.inform(['2 PERIODIC']);
    expect(lastInform(acs).names).toEqual([...forced, 'Device.Hosts.Host.2.HostName', 'Device.X_EX_Mgmt.CRURL']);
  });

  it('transferComplete: the list rides on the 7 TRANSFER COMPLETE session', async () => {
    bed = new TestBed(virtualClock());
    const h = queueAcs();
    const acs = await bed.acs(h);
    const profile = profileWith({ informParameters: { boot: ['Device.DeviceInfo.UpTime'] } });
    const cpe = bed.cpe(acs.url, { template: Template.compile({ ...profile, informParameters: { ...profile.informParameters, transferComplete: ['Device.Hosts.Host.1.HostName'] } }) });
    cpe.start();
    await cpe.whenBootstrapped();
    expect(lastInform(acs).names).not.toContain('Device.Hosts.Host.1.HostName');
    h.rpcs.push(fixture('acs/download.xml'));
    const s = await cpe.inform(['6 CONNECTION REQUEST']);
    const tc = await cpe.waitForSession((x) => x.id > s.id && x.events.some((e) => e.eventCode === '7 TRANSFER COMPLETE'));
    expect(tc.ok).toBe(true);
    expect(lastInform(acs).names).toContain('Device.Hosts.Host.1.HostName');
    expect(lastInform(acs).names).not.toContain('Device.DeviceInfo.UpTime');
  });

  it('a root other than Device/IGD gets the TR-181 forced set under that root', async () => {
    bed = new TestBed(virtualClock());
    const acs = await bed.acs(queueAcs());
    const base = profileFromObject(testProfileObject(), '<test>');
    const re = (p: string): string => p.replace(/^Device\./, 'DeviceID.');
    const rooted: Profile = {
      ...base,
      root: 'DeviceID',
      roots: ['DeviceID'],
      deviceIdPaths: { manufacturer: re(base.deviceIdPaths.manufacturer), oui: re(base.deviceIdPaths.oui), productClass: re(base.deviceIdPaths.productClass), serialNumber: re(base.deviceIdPaths.serialNumber) },
      parameters: base.parameters.map((l) => ({ ...l, path: re(l.path) })),
      objects: base.objects.map((t) => ({ ...t, path: re(t.path) })),
      informParameters: {},
    };
    delete (rooted as { periodicInformPaths?: unknown }).periodicInformPaths;
    const cpe = bed.cpe(acs.url, { template: Template.compile(rooted) });
    cpe.start();
    const rec = await cpe.whenBootstrapped();
    expect(rec.ok, rec.toString()).toBe(true);
    expect(lastInform(acs).names).toEqual(['DeviceID.RootDataModelVersion', 'DeviceID.DeviceInfo.HardwareVersion', 'DeviceID.DeviceInfo.SoftwareVersion', 'DeviceID.DeviceInfo.ProvisioningCode', 'DeviceID.ManagementServer.ParameterKey', 'DeviceID.ManagementServer.ConnectionRequestURL']);
  });
});

describe('secrets (TR-181: a password reads as an empty string)', () => {
  it('GetParameterValues answers "" for ManagementServer.Password, ConnectionRequestPassword and hidden leaves (rows too); the tree keeps the values', async () => {
    bed = new TestBed(virtualClock());
    const h = queueAcs();
    const acs = await bed.acs(h);
    const base = profileFromObject(
      testProfileObject({
        parameters: [
          ...(testProfileObject().parameters as object[]),
          { path: 'Device.ManagementServer.ConnectionRequestPassword', value: 'cr-secret', writable: true },
          { path: 'Device.WiFi.SSID.1.X_EX_Key', value: 'wifi-key', writable: true },
        ],
      }),
      '<test>',
    );
    const profile: Profile = {
      ...base,
      parameters: base.parameters.map((l) => (l.path === 'Device.WiFi.SSID.1.X_EX_Key' ? { ...l, hidden: true } : l)),
      objects: base.objects.map((t) => ({ ...t, parameters: t.parameters.map((l) => (l.path === 'HostName' ? { ...l, hidden: true } : l)) })),
    };
    const cpe = bed.cpe(acs.url, { template: Template.compile(profile) });
    cpe.params.setInternal('Device.ManagementServer.Password', 'acs-secret');
    h.rpcs.push(gpv('Device.ManagementServer.', 'Device.WiFi.SSID.1.X_EX_Key', 'Device.Hosts.Host.2.HostName', 'Device.DeviceInfo.SoftwareVersion'));
    cpe.start();
    await cpe.whenBootstrapped();
    const res = responses(acs).find((b) => b.name === 'GetParameterValuesResponse');
    if (res?.name !== 'GetParameterValuesResponse') throw new Error('no GetParameterValuesResponse');
    const got = new Map(res.parameterList.map((p) => [p.name, p.value]));
    expect(got.get('Device.ManagementServer.Password')).toBe('');
    expect(got.get('Device.ManagementServer.ConnectionRequestPassword')).toBe('');
    expect(got.get('Device.WiFi.SSID.1.X_EX_Key')).toBe('');
    expect(got.get('Device.Hosts.Host.2.HostName')).toBe('');
    expect(got.get('Device.DeviceInfo.SoftwareVersion')).toBe('1.0.3');
    expect(got.get('Device.ManagementServer.Username')).toBe('');
    expect(cpe.params.getValue('Device.ManagementServer.ConnectionRequestPassword')).toBe('cr-secret');
    expect(cpe.params.getValue('Device.ManagementServer.Password')).toBe('acs-secret');
    expect(cpe.params.getValue('Device.Hosts.Host.2.HostName')).toBe('host-2');
  });
});

/** An ACS demanding Basic auth whose expected credentials the test can change. */
function basicAcs(expected: { user: string; pass: string; also?: string }, inner: AcsHandler): AcsHandler & { seen: Array<{ user: string; pass: string }> } {
  const seen: Array<{ user: string; pass: string }> = [];
  const handler = (req: SeenRequest, acs: RawAcs): Reply | Promise<Reply> => {
    const h = req.headers.authorization;
    const c = h ? parseBasicCredentials(parseAuthHeader(h).token68 ?? '') : undefined;
    if (c) seen.push({ user: c.username, pass: c.password });
    if (!c || c.username !== expected.user || (c.password !== expected.pass && c.password !== expected.also)) return { status: 401, headers: { 'www-authenticate': 'Basic realm="acs"' } };
    return inner(req, acs);
  };
  return Object.assign(handler, { seen });
}

describe('acsCredentialPaths (ref. 4.4)', () => {
  const paths = { username: 'Device.ManagementServer.Username', password: 'Device.ManagementServer.Password' };

  it('the leaves answer each challenge; an SPV rotating them is used from the next challenge on', async () => {
    bed = new TestBed(virtualClock());
    const expected: { user: string; pass: string; also?: string } = { user: 'leaf-user', pass: 'leaf-pass' };
    const inner = queueAcs();
    const h = basicAcs(expected, inner);
    const acs = await bed.acs(h);
    const cpe = bed.cpe(acs.url, { template: Template.compile(profileWith({}, { acsCredentialPaths: paths })), acs: { url: acs.url, username: 'cli-user', password: 'cli-pass', timeoutMs: 2000 } });
    cpe.params.setInternal(paths.username, 'leaf-user');
    cpe.params.setInternal(paths.password, 'leaf-pass');
    cpe.start();
    expect((await cpe.whenBootstrapped()).ok).toBe(true);
    expect(h.seen[0]).toEqual({ user: 'leaf-user', pass: 'leaf-pass' });
    // The ACS rotates the credentials in a session, then expects the new ones.
    // (While the rotating session runs, the ACS takes either password.)
    inner.rpcs.push(spv(paths.password, 'rotated'));
    expected.also = 'rotated';
    expect((await cpe.inform(['6 CONNECTION REQUEST'])).ok).toBe(true);
    expected.pass = 'rotated';
    delete expected.also;
    const n = h.seen.length;
    const next = await cpe.inform(['6 CONNECTION REQUEST']);
    expect(next.ok, next.toString()).toBe(true);
    expect(h.seen.slice(n)[0]).toEqual({ user: 'leaf-user', pass: 'rotated' });
  });

  it('both leaves empty: the configured (CLI) credentials are the fallback', async () => {
    bed = new TestBed(virtualClock());
    const h = basicAcs({ user: 'cli-user', pass: 'cli-pass' }, queueAcs());
    const acs = await bed.acs(h);
    const cpe = bed.cpe(acs.url, { template: Template.compile(profileWith({}, { acsCredentialPaths: paths })), acs: { url: acs.url, username: 'cli-user', password: 'cli-pass', timeoutMs: 2000 } });
    cpe.start();
    expect((await cpe.whenBootstrapped()).ok).toBe(true);
    expect(h.seen[0]).toEqual({ user: 'cli-user', pass: 'cli-pass' });
  });
});

describe('start-up state and FactoryReset (ref. 3.7, 11)', () => {
  it('the periodic leaves start at Notification 1; a FactoryReset re-stamps placeholders, re-publishes the CR URL and notifies them again', async () => {
    bed = new TestBed(virtualClock());
    const h = queueAcs();
    const acs = await bed.acs(h);
    const cpe = bed.cpe(acs.url, { index: 7, id: 'cpe-7', template: Template.compile(profileWith({ eventSchedule: { factoryResetDelay: '10s' } })) });
    cpe.crUrlPath = 'Device.ManagementServer.ConnectionRequestURL';
    cpe.crUrl = 'http://127.0.0.1:1/cr/cpe-7';
    cpe.params.setInternal(cpe.crUrlPath, cpe.crUrl);
    h.rpcs.push(gpa('Device.ManagementServer.PeriodicInformInterval'));
    cpe.start();
    await cpe.whenBootstrapped();
    const attrs = responses(acs).find((b) => b.name === 'GetParameterAttributesResponse');
    expect(attrs?.name === 'GetParameterAttributesResponse' && attrs.parameterList[0]?.notification).toBe(1);
    const notif = (p: string): number => cpe.params.getAttributes([p])[0]!.notification;
    expect(notif('Device.ManagementServer.PeriodicInformEnable')).toBe(1);
    // The ACS changes what placeholders produced, then resets the device.
    h.rpcs.push(spv('Device.WiFi.SSID.1.SSID', 'by-acs'), fixture('acs/factoryreset.xml'));
    const s = await cpe.inform(['6 CONNECTION REQUEST']);
    expect(s.entries.some((e) => e.summary.startsWith('SetParameterValuesResponse'))).toBe(true);
    const boot = await cpe.waitForSession((x) => x.id > s.id && x.events.some((e) => e.eventCode === '0 BOOTSTRAP'));
    expect(boot.ok).toBe(true);
    expect(cpe.params.getValue('Device.WiFi.SSID.1.SSID')).toBe('sim-7');
    expect(cpe.serialNumber).toBe('SIM000007-7'); // `{base}-{i}` stamped on every CPE (ref. 5.2)
    expect(lastInform(acs).values.get('Device.ManagementServer.ConnectionRequestURL')).toBe('http://127.0.0.1:1/cr/cpe-7');
    expect(notif('Device.ManagementServer.PeriodicInformInterval')).toBe(1);
    expect(notif('Device.ManagementServer.PeriodicInformEnable')).toBe(1);
  });
});
