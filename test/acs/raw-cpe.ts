/**
 * A CPE written with raw XML strings and regexes, deliberately NOT using src/cwmp, so
 * the fake ACS is checked against an independent implementation of the wire format.
 */
import { createHash } from 'node:crypto';
import { Client } from 'undici';

export const NS10 = 'urn:dslforum-org:cwmp-1-0';
export const NS12 = 'urn:dslforum-org:cwmp-1-2';

export interface EnvOpts {
  ns?: string;
  prefix?: string;
  id?: string;
  extraHeader?: string;
}

/** A SOAP envelope with the SOAP-ENV prefix and a chosen cwmp prefix/namespace. */
export function envelope(inner: string, o: EnvOpts = {}): string {
  const ns = o.ns ?? NS10;
  const p = o.prefix ?? 'ns0';
  const id = o.id !== undefined ? `<${p}:ID SOAP-ENV:mustUnderstand="1">${o.id}</${p}:ID>` : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" ` +
    `xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:${p}="${ns}">` +
    `<SOAP-ENV:Header>${id}${o.extraHeader ?? ''}</SOAP-ENV:Header><SOAP-ENV:Body>${inner}</SOAP-ENV:Body></SOAP-ENV:Envelope>`
  );
}

export interface InformOpts extends EnvOpts {
  serial: string;
  oui?: string;
  productClass?: string;
  events?: [string, string][];
  crUrl?: string;
  retryCount?: number;
}

export function informXml(o: InformOpts): string {
  const p = o.prefix ?? 'ns0';
  const events = o.events ?? [['1 BOOT', '']];
  const params: [string, string][] = [
    ['Device.DeviceInfo.SoftwareVersion', '1.0'],
    ...(o.crUrl !== undefined ? ([['Device.ManagementServer.ConnectionRequestURL', o.crUrl]] as [string, string][]) : []),
  ];
  return envelope(
    `<${p}:Inform><DeviceId><Manufacturer>RawCo</Manufacturer><OUI>${o.oui ?? '00A0B1'}</OUI><ProductClass>${o.productClass ?? 'RawBox'}</ProductClass>` +
      `<SerialNumber>${o.serial}</SerialNumber></DeviceId>` +
      `<Event SOAP-ENC:arrayType="${p}:EventStruct[${events.length}]">${events.map(([c, k]) => `<EventStruct><EventCode>${c}</EventCode><CommandKey>${k}</CommandKey></EventStruct>`).join('')}</Event>` +
      `<MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2025-03-01T10:15:00Z</CurrentTime><RetryCount>${o.retryCount ?? 0}</RetryCount>` +
      `<ParameterList SOAP-ENC:arrayType="${p}:ParameterValueStruct[${params.length}]">${params
        .map(([n, v]) => `<ParameterValueStruct><Name>${n}</Name><Value xsi:type="xsd:string">${v}</Value></ParameterValueStruct>`)
        .join('')}</ParameterList></${p}:Inform>`,
    { ...o, id: o.id ?? 'inform-1' },
  );
}

/** The cwmp:ID in an ACS message (any prefix). */
export function idOf(xml: string): string | undefined {
  return /<([\w-]+):ID\b[^>]*>([^<]*)<\/\1:ID>/.exec(xml)?.[2];
}
/** Local name of the first element in the SOAP Body. */
export function methodOf(xml: string): string | undefined {
  return /<[\w-]+:Body>\s*<(?:[\w-]+:)?([\w]+)[\s/>]/.exec(xml)?.[1];
}
/** The namespace URI bound to the prefix of the body's first element. */
export function bodyNamespaceOf(xml: string): string | undefined {
  const prefix = /<[\w-]+:Body>\s*<([\w-]+):/.exec(xml)?.[1];
  if (!prefix) return undefined;
  return new RegExp(`xmlns:${prefix}="([^"]+)"`).exec(xml)?.[1];
}
export function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(xml)?.[1];
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** One TCP connection to the ACS (undici Client = one socket), with a cookie jar of one cookie. */
export class RawCpe {
  readonly client: Client;
  cookie: string | undefined;
  readonly path: string;
  constructor(url: string) {
    const u = new URL(url);
    this.client = new Client(u.origin, { pipelining: 1 });
    this.path = u.pathname;
  }
  /** POSTs `body` (null = empty POST). Sends the cookie when known; stores a Set-Cookie. */
  async post(body: string | null, headers: Record<string, string> = {}, path = this.path): Promise<RawResponse> {
    const h: Record<string, string> = { ...headers };
    if (body !== null) {
      h['content-type'] ??= 'text/xml; charset="utf-8"';
      h['soapaction'] ??= '';
    }
    if (this.cookie !== undefined && h['cookie'] === undefined) h['cookie'] = this.cookie;
    const res = await this.client.request({ path, method: 'POST', headers: h, body: body ?? '' });
    const text = await res.body.text();
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
    const sc = out['set-cookie'];
    if (sc) this.cookie = sc.split(';')[0];
    return { status: res.statusCode, headers: out, text };
  }
  async close(): Promise<void> {
    await this.client.destroy();
  }
}

export const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

/** Parses `k=v, k="v"` auth params (test-side, independent of src/httpauth). */
export function authParams(h: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of h.replace(/^\w+\s+/, '').matchAll(/(\w+)=(?:"([^"]*)"|([^\s,]+))/g)) out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  return out;
}

/** Digest Authorization for a challenge (MD5, qop=auth), computed with node:crypto directly. */
export function digestAuth(challenge: string, user: string, pass: string, method: string, uri: string, nc: number, cnonce = 'abcdef0123456789'): string {
  const c = authParams(challenge);
  const ncs = nc.toString(16).padStart(8, '0');
  const ha1 = md5(`${user}:${c['realm']}:${pass}`);
  const ha2 = md5(`${method}:${uri}`);
  const resp = md5(`${ha1}:${c['nonce']}:${ncs}:${cnonce}:auth:${ha2}`);
  return `Digest username="${user}", realm="${c['realm']}", nonce="${c['nonce']}", uri="${uri}", qop=auth, nc=${ncs}, cnonce="${cnonce}", response="${resp}"${c['opaque'] !== undefined ? `, opaque="${c['opaque']}"` : ''}`;
}
