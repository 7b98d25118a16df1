import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeAcs, type FakeAcs } from '../../src/acs/index.js';
import { acsHandlers } from '../../src/acs/msw.js';
import { bodyNamespaceOf, envelope, idOf, informXml, methodOf, tag } from './raw-cpe.js';

const ACS_URL = 'http://acs.test/cwmp';
let acs: FakeAcs;
let server: ReturnType<typeof setupServer>;

beforeAll(async () => {
  acs = await createFakeAcs();
  server = setupServer(...acsHandlers(acs, { url: ACS_URL }));
  // Real loopback traffic (the ACS's own socket, Connection Requests) must pass through.
  server.listen({ onUnhandledRequest: 'bypass' });
});
afterAll(async () => {
  server.close();
  await acs.close();
});

/** A raw-XML CPE over the global fetch (which msw intercepts), with a one-cookie jar. */
function fetchCpe(): { post(body: string | null, headers?: Record<string, string>): Promise<{ status: number; text: string; headers: Headers }> } {
  let cookie: string | undefined;
  return {
    async post(body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (body !== null) h['content-type'] = 'text/xml; charset="utf-8"';
      if (cookie) h['cookie'] = cookie;
      const res = await fetch(ACS_URL, { method: 'POST', headers: h, body: body ?? '' });
      const sc = res.headers.get('set-cookie');
      if (sc) cookie = sc.split(';')[0];
      return { status: res.status, text: await res.text(), headers: res.headers };
    },
  };
}

describe('acsHandlers (msw 2, in-process)', () => {
  it('runs a full session with an RPC and a cookie, through msw, with no port', async () => {
    const p = acs.rpc('MSW1', { name: 'GetParameterNames', parameterPath: 'Device.', nextLevel: true });
    const cpe = fetchCpe();
    const r1 = await cpe.post(informXml({ serial: 'MSW1', id: 'm1' }));
    expect(r1.status).toBe(200);
    expect(methodOf(r1.text)).toBe('InformResponse');
    expect(idOf(r1.text)).toBe('m1');
    expect(bodyNamespaceOf(r1.text)).toBe('urn:dslforum-org:cwmp-1-0');
    expect(r1.headers.get('set-cookie')).toMatch(/^session=[0-9a-f]{16}/);

    const r2 = await cpe.post(null);
    expect(methodOf(r2.text)).toBe('GetParameterNames');
    expect(tag(r2.text, 'ParameterPath')).toBe('Device.');
    const r3 = await cpe.post(
      envelope(
        `<ns0:GetParameterNamesResponse><ParameterList SOAP-ENC:arrayType="ns0:ParameterInfoStruct[1]"><ParameterInfoStruct><Name>Device.DeviceInfo.</Name><Writable>false</Writable></ParameterInfoStruct></ParameterList></ns0:GetParameterNamesResponse>`,
        { id: idOf(r2.text)! },
      ),
    );
    expect(r3.status).toBe(204);
    await expect(p).resolves.toEqual({ name: 'GetParameterNamesResponse', parameterList: [{ name: 'Device.DeviceInfo.', writable: false }] });
    const s = acs.sessions.find((x) => x.serial === 'MSW1')!;
    expect(s.ok).toBe(true);
    expect(s.remoteAddress).toBeUndefined(); // no socket in msw mode
  });

  it('checks the cookie the same way (400 Invalid session without it)', async () => {
    const r = await fetch(ACS_URL, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: envelope('<ns0:RebootResponse/>', { id: 'x' }) });
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/Invalid session/);
    expect((await fetch(ACS_URL)).status).toBe(405);
  });

  it('dropConnection becomes a network error', async () => {
    acs.behave('MSW2', { dropConnection: true, once: true });
    await expect(fetchCpe().post(informXml({ serial: 'MSW2' }))).rejects.toThrow(/fetch failed|Failed to fetch/);
  });

  it('lets real loopback traffic through (onUnhandledRequest: bypass)', async () => {
    const cpe = {
      post: async (body: string) => (await fetch(acs.url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body })).status,
    };
    expect(await cpe.post(informXml({ serial: 'REAL1' }))).toBe(200);
    expect(acs.sessions.find((x) => x.serial === 'REAL1')?.remoteAddress).toBe('127.0.0.1');
  });
});
