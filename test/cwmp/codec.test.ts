import { describe, expect, it } from 'vitest';
import {
  CwmpDecodeError,
  CwmpEncodeError,
  decodeEnvelope,
  encodeEnvelope,
  type CwmpMessage,
  type CwmpNamespace,
} from '../../src/cwmp/index.js';
import { parseXml, type XmlElement } from '../../src/cwmp/xml.js';
import { SAMPLES } from './samples.js';

const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP_ENC = 'http://schemas.xmlsoap.org/soap/encoding/';
const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const XSD = 'http://www.w3.org/2001/XMLSchema';
const NS10: CwmpNamespace = 'urn:dslforum-org:cwmp-1-0';
const NS12: CwmpNamespace = 'urn:dslforum-org:cwmp-1-2';

const ALL_NAMES = [
  'Inform', 'InformResponse', 'TransferComplete', 'TransferCompleteResponse', 'GetRPCMethods', 'GetRPCMethodsResponse',
  'GetParameterNames', 'GetParameterValues', 'SetParameterValues', 'GetParameterAttributes', 'SetParameterAttributes',
  'AddObject', 'DeleteObject', 'Reboot', 'FactoryReset', 'Download', 'ScheduleInform', 'GetParameterNamesResponse',
  'GetParameterValuesResponse', 'SetParameterValuesResponse', 'GetParameterAttributesResponse', 'SetParameterAttributesResponse',
  'AddObjectResponse', 'DeleteObjectResponse', 'RebootResponse', 'FactoryResetResponse', 'DownloadResponse',
  'ScheduleInformResponse', 'Fault', 'Unknown',
  'Upload', 'UploadResponse', 'ScheduleDownload', 'ScheduleDownloadResponse', 'GetQueuedTransfers', 'GetQueuedTransfersResponse',
  'GetAllQueuedTransfers', 'GetAllQueuedTransfersResponse', 'CancelTransfer', 'CancelTransferResponse',
  'AutonomousTransferComplete', 'AutonomousTransferCompleteResponse',
  'ChangeDUState', 'ChangeDUStateResponse', 'DUStateChangeComplete', 'DUStateChangeCompleteResponse',
];

function walk(el: XmlElement, f: (e: XmlElement) => void): void {
  f(el);
  for (const c of el.children) walk(c, f);
}

function body(xml: string): XmlElement {
  const root = parseXml(xml);
  const b = root.children.find((c) => c.local === 'Body');
  if (!b?.children[0]) throw new Error('no body element');
  return b.children[0];
}

function attr(el: XmlElement, ns: string, local: string): string | undefined {
  return el.attributes.find((a) => a.ns === ns && a.local === local)?.value;
}

/** `{a:1, type:undefined}` vs. `{a:1}`: the decoder fills xsi:type, so compare with the encoder's default applied. */
function withDefaultTypes(m: CwmpMessage): CwmpMessage {
  if ('parameterList' in m && (m.name === 'Inform' || m.name === 'SetParameterValues' || m.name === 'GetParameterValuesResponse')) {
    return { ...m, parameterList: m.parameterList.map((p) => ({ ...p, type: p.type ?? 'xsd:string' })) } as CwmpMessage;
  }
  return m;
}

describe('round trip: every message type, encode → decode', () => {
  it('the samples cover every message type of types.ts', () => {
    expect(new Set(SAMPLES.map((m) => m.name))).toEqual(new Set(ALL_NAMES));
  });
  for (const [i, m] of SAMPLES.entries()) {
    it(`${m.name} #${i}`, () => {
      const xml = encodeEnvelope(m, { header: { id: `id-${i}` } });
      const env = decodeEnvelope(xml);
      expect(env.body).toEqual(withDefaultTypes(m));
      expect(env.header).toEqual({ id: `id-${i}` });
      expect(env.namespace).toBe(NS12);
    });
  }
  it('keeps the namespace it was given (cwmp-1-0)', () => {
    const env = decodeEnvelope(encodeEnvelope({ name: 'InformResponse', maxEnvelopes: 1 }, { namespace: NS10 }));
    expect(env.namespace).toBe(NS10);
  });
  it('a Value without a type is sent as xsd:string', () => {
    const xml = encodeEnvelope({ name: 'GetParameterValuesResponse', parameterList: [{ name: 'Device.A', value: '1' }] });
    expect(xml).toContain('<Value xsi:type="xsd:string">1</Value>');
  });
});

describe('encodeEnvelope: structure', () => {
  for (const m of SAMPLES) {
    it(`${m.name}: arrayType counts match, prefixes bound, children unqualified, Values typed`, () => {
      const xml = encodeEnvelope(m, { header: { id: '1' } });
      const rpc = body(xml);
      if (m.name === 'Fault') {
        expect(rpc.ns).toBe(SOAP_ENV);
      } else {
        expect(rpc.ns).toBe(NS12);
      }
      let arrays = 0;
      walk(rpc, (el) => {
        if (el !== rpc && el.local !== 'Fault') expect(el.ns, `${el.path} must be unqualified`).toBeUndefined();
        const at = attr(el, SOAP_ENC, 'arrayType');
        if (at !== undefined) {
          arrays++;
          const match = /^(\w+):(\w+)\[(\d+)\]$/.exec(at);
          expect(match, at).not.toBeNull();
          const [, prefix, type, count] = match as RegExpExecArray;
          expect(Number(count), `${el.path} arrayType ${at}`).toBe(el.children.length);
          // The prefix inside the value must be bound in scope (cwmp-notes §1.6).
          expect(el.scope.get(prefix as string)).toBe(prefix === 'xsd' ? XSD : NS12);
          // A.4.1.14: Operations items are named by their concrete struct (InstallOpStruct, …).
          for (const c of el.children) expect(c.local).toMatch(type === 'OperationStruct' ? /^(Install|Update|Uninstall)OpStruct$/ : new RegExp(`^${type}$`));
        }
        if (el.local === 'Value') expect(attr(el, XSI, 'type')).toMatch(/^xsd:\w+$/);
      });
      const expectedArrays: Partial<Record<string, number>> = {
        Inform: 2, GetRPCMethodsResponse: 1, GetParameterValues: 1, SetParameterValues: 1, GetParameterAttributes: 1,
        SetParameterAttributes: 3, GetParameterNamesResponse: 1, GetParameterValuesResponse: 1, GetParameterAttributesResponse: 2,
        ScheduleDownload: 1, GetQueuedTransfersResponse: 1, GetAllQueuedTransfersResponse: 1, ChangeDUState: 1, DUStateChangeComplete: 1,
      };
      expect(arrays).toBe(expectedArrays[m.name] ?? 0);
    });
  }
  it('writes "cwmp:ParameterValueStruct[3]" for three parameters (exact count, not 0 or 1)', () => {
    const xml = encodeEnvelope(SAMPLES.find((m) => m.name === 'SetParameterValues') as CwmpMessage);
    expect(xml).toContain('<ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[3]">');
    expect(encodeEnvelope({ name: 'GetParameterValues', parameterNames: [] })).toContain('<ParameterNames soap-enc:arrayType="xsd:string[0]"></ParameterNames>');
  });
  it('declares the five namespaces on the Envelope, default cwmp-1-2', () => {
    const xml = encodeEnvelope({ name: 'GetRPCMethods' });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<soap-env:Envelope ')).toBe(true);
    for (const d of [
      `xmlns:soap-env="${SOAP_ENV}"`,
      `xmlns:soap-enc="${SOAP_ENC}"`,
      `xmlns:xsd="${XSD}"`,
      `xmlns:xsi="${XSI}"`,
      `xmlns:cwmp="${NS12}"`,
    ]) {
      expect(xml).toContain(d);
    }
    expect(xml).not.toMatch(/xmlns="/); // never a default namespace (it would qualify the children)
  });
  it('writes every header field with the mustUnderstand the XSDs fix', () => {
    const xml = encodeEnvelope(
      { name: 'InformResponse', maxEnvelopes: 1 },
      { header: { id: 'a&b', holdRequests: false, supportedCwmpVersions: '1.0,1.1,1.2,1.3,1.4', useCwmpVersion: '1.4', sessionTimeout: 30 } },
    );
    expect(xml).toContain('<cwmp:ID soap-env:mustUnderstand="1">a&amp;b</cwmp:ID>');
    expect(xml).toContain('<cwmp:HoldRequests soap-env:mustUnderstand="1">false</cwmp:HoldRequests>');
    expect(xml).toContain('<cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">1.0,1.1,1.2,1.3,1.4</cwmp:SupportedCWMPVersions>');
    expect(xml).toContain('<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">1.4</cwmp:UseCWMPVersion>');
    expect(xml).toContain('<cwmp:SessionTimeout soap-env:mustUnderstand="0">30</cwmp:SessionTimeout>');
    expect(decodeEnvelope(xml).header).toEqual({ id: 'a&b', holdRequests: false, supportedCwmpVersions: '1.0,1.1,1.2,1.3,1.4', useCwmpVersion: '1.4', sessionTimeout: 30 });
  });
  it('omits the Header when no header field is set', () => {
    expect(encodeEnvelope({ name: 'GetRPCMethods' }, { header: {} })).not.toContain('Header');
    expect(encodeEnvelope({ name: 'GetRPCMethods' })).not.toContain('Header');
  });
  it('writes the Fault per TR-069 A.4: unqualified faultcode, cwmp:Fault in detail', () => {
    const xml = encodeEnvelope({ name: 'Fault', faultcode: 'Server', faultstring: 'CWMP fault', detail: { faultCode: 9002, faultString: 'Internal error' } });
    expect(xml).toMatch(/<soap-env:Fault>\s*<faultcode>Server<\/faultcode>\s*<faultstring>CWMP fault<\/faultstring>\s*<detail>\s*<cwmp:Fault>\s*<FaultCode>9002<\/FaultCode>\s*<FaultString>Internal error<\/FaultString>\s*<\/cwmp:Fault>\s*<\/detail>\s*<\/soap-env:Fault>/);
    expect(xml).not.toContain('SetParameterValuesFault');
  });
  it('null body writes an envelope with an empty Body', () => {
    expect(encodeEnvelope(null)).toMatch(/<soap-env:Body\/>/);
  });
});

describe('encodeEnvelope: escaping and refusals', () => {
  it('escapes & < > " \' in values and CR as &#13;', () => {
    const xml = encodeEnvelope({ name: 'SetParameterValues', parameterList: [{ name: 'Device.A', value: `<a b="c">&'\r` }], parameterKey: '' });
    expect(xml).toContain('<Value xsi:type="xsd:string">&lt;a b=&quot;c&quot;&gt;&amp;&apos;&#13;</Value>');
  });
  it.each([
    ['NUL', '\u0000'],
    ['BEL', 'a\u0007b'],
    ['ESC', '\u001b[0m'],
    ['U+FFFE', '\uFFFE'],
    ['lone surrogate', 'x\uD800y'],
  ])('rejects %s, which XML 1.0 cannot carry, naming the element', (_label, value) => {
    const m: CwmpMessage = { name: 'GetParameterValuesResponse', parameterList: [{ name: 'Device.A', value }] };
    expect(() => encodeEnvelope(m)).toThrow(CwmpEncodeError);
    expect(() => encodeEnvelope(m)).toThrow(/GetParameterValuesResponse\/Value: value contains U\+/);
  });
  it('allows TAB, LF and astral characters', () => {
    const m: CwmpMessage = { name: 'GetParameterValuesResponse', parameterList: [{ name: 'Device.A', value: 'a\tb\nc 😀' }] };
    expect((decodeEnvelope(encodeEnvelope(m)).body as typeof m).parameterList[0]?.value).toBe('a\tb\nc 😀');
  });
  it('rejects numbers outside their xsd range', () => {
    expect(() => encodeEnvelope({ name: 'AddObjectResponse', instanceNumber: 0, status: 0 })).toThrow(/InstanceNumber: expected an integer in 1\.\.4294967295, got 0/);
    expect(() => encodeEnvelope({ name: 'ScheduleInform', delaySeconds: 1.5, commandKey: '' })).toThrow(CwmpEncodeError);
    expect(() => encodeEnvelope({ name: 'SetParameterValuesResponse', status: 2 as 0 })).toThrow(/Status/);
  });
  it('rejects a namespace that is not a cwmp namespace (there is no cwmp-1-4)', () => {
    expect(() => encodeEnvelope({ name: 'GetRPCMethods' }, { namespace: 'urn:dslforum-org:cwmp-1-4' as CwmpNamespace })).toThrow(/not a cwmp namespace/);
  });
  it('rejects an Unknown method name that is not an element name', () => {
    expect(() => encodeEnvelope({ name: 'Unknown', method: 'a b' })).toThrow(CwmpEncodeError);
  });
});

const env = (inner: string, header = '', ns: CwmpNamespace = NS12): string =>
  `<soap-env:Envelope xmlns:soap-env="${SOAP_ENV}" xmlns:cwmp="${ns}"><soap-env:Header>${header}</soap-env:Header><soap-env:Body>${inner}</soap-env:Body></soap-env:Envelope>`;

describe('decodeEnvelope: leniency', () => {
  it('keeps every value a string (OUI 001122, serial 0012345, ParameterKey 1e3, value 0x10)', () => {
    const m = decodeEnvelope(
      env(
        '<cwmp:SetParameterValues><ParameterList><ParameterValueStruct><Name>Device.A</Name><Value>0x10</Value></ParameterValueStruct></ParameterList><ParameterKey>1e3</ParameterKey></cwmp:SetParameterValues>',
      ),
    ).body;
    expect(m).toEqual({ name: 'SetParameterValues', parameterList: [{ name: 'Device.A', value: '0x10' }], parameterKey: '1e3' });
  });
  it.each([
    ['true', true],
    ['false', false],
    ['1', true],
    ['0', false],
    [' TRUE ', true],
  ])('NextLevel %j → %s', (text, expected) => {
    const m = decodeEnvelope(env(`<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath><NextLevel>${text}</NextLevel></cwmp:GetParameterNames>`)).body;
    expect(m).toEqual({ name: 'GetParameterNames', parameterPath: 'Device.', nextLevel: expected });
  });
  it('keeps whitespace inside a Value but trims names', () => {
    const m = decodeEnvelope(
      env('<cwmp:GetParameterValuesResponse><ParameterList><ParameterValueStruct><Name>\n Device.A \n</Name><Value xsi:type="xsd:string" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">  a  </Value></ParameterValueStruct></ParameterList></cwmp:GetParameterValuesResponse>'),
    ).body;
    expect(m).toEqual({ name: 'GetParameterValuesResponse', parameterList: [{ name: 'Device.A', value: '  a  ', type: 'xsd:string' }] });
  });
  it('resolves the xsi:type value prefix by namespace (xs:int → xsd:int) and keeps an unbound one as written', () => {
    const x = `<e:Envelope xmlns:e="${SOAP_ENV}" xmlns:c="${NS12}" xmlns:i="${XSI}" xmlns:xs="${XSD}"><e:Body><c:SetParameterValues><ParameterList>` +
      '<ParameterValueStruct><Name>Device.A</Name><Value i:type="xs:int">-1</Value></ParameterValueStruct>' +
      '<ParameterValueStruct><Name>Device.B</Name><Value i:type="foo:bar">x</Value></ParameterValueStruct>' +
      '</ParameterList><ParameterKey/></c:SetParameterValues></e:Body></e:Envelope>';
    expect(decodeEnvelope(x).body).toEqual({
      name: 'SetParameterValues',
      parameterList: [
        { name: 'Device.A', value: '-1', type: 'xsd:int' },
        { name: 'Device.B', value: 'x', type: 'foo:bar' },
      ],
      parameterKey: '',
    });
  });
  it('fills sensible defaults for missing optional elements', () => {
    expect(decodeEnvelope(env('<cwmp:InformResponse/>')).body).toEqual({ name: 'InformResponse', maxEnvelopes: 1 });
    expect(decodeEnvelope(env('<cwmp:Reboot/>')).body).toEqual({ name: 'Reboot', commandKey: '' });
    expect(decodeEnvelope(env('<cwmp:AddObject><ObjectName>Device.X.</ObjectName></cwmp:AddObject>')).body).toEqual({ name: 'AddObject', objectName: 'Device.X.', parameterKey: '' });
    expect(decodeEnvelope(env('<cwmp:GetParameterNames><ParameterPath>Device.</ParameterPath></cwmp:GetParameterNames>')).body).toEqual({
      name: 'GetParameterNames',
      parameterPath: 'Device.',
      nextLevel: false,
    });
    expect(decodeEnvelope(env('<cwmp:Download><FileType>1 Firmware Upgrade Image</FileType><URL>http://x/</URL></cwmp:Download>')).body).toEqual({
      name: 'Download', commandKey: '', fileType: '1 Firmware Upgrade Image', url: 'http://x/', username: '', password: '',
      fileSize: 0, targetFileName: '', delaySeconds: 0, successURL: '', failureURL: '',
    });
    expect(decodeEnvelope(env('<cwmp:TransferComplete><CommandKey>k</CommandKey></cwmp:TransferComplete>')).body).toEqual({
      name: 'TransferComplete', commandKey: 'k', faultStruct: { faultCode: 0, faultString: '' },
      startTime: '0001-01-01T00:00:00Z', completeTime: '0001-01-01T00:00:00Z',
    });
    expect(decodeEnvelope(env('<cwmp:GetRPCMethodsResponse/>')).body).toEqual({ name: 'GetRPCMethodsResponse', methodList: [] });
  });
  it('reads the header in any cwmp namespace, SessionTimeout in either case, and ignores NoMoreRequests', () => {
    const h = '<cwmp:ID soap-env:mustUnderstand="1"> 7 </cwmp:ID><cwmp:sessionTimeout>45</cwmp:sessionTimeout><cwmp:NoMoreRequests>1</cwmp:NoMoreRequests><cwmp:HoldRequests>true</cwmp:HoldRequests>';
    expect(decodeEnvelope(env('<cwmp:GetRPCMethods/>', h, NS10)).header).toEqual({ id: ' 7 ', sessionTimeout: 45, holdRequests: true });
  });
  it('accepts a faultcode prefixed or dotted (SOAP-ENV:Client.Auth) and a Fault with only a header ID for its namespace', () => {
    const f = (code: string): string =>
      `<soap-env:Fault><faultcode>${code}</faultcode><faultstring>x</faultstring><detail><Fault><FaultCode>9001</FaultCode><FaultString>Request denied</FaultString></Fault></detail></soap-env:Fault>`;
    expect(decodeEnvelope(env(f('SOAP-ENV:Client.Auth'), '<cwmp:ID>1</cwmp:ID>', NS10))).toEqual({
      header: { id: '1' },
      namespace: NS10,
      body: { name: 'Fault', faultcode: 'Client', faultstring: 'x', detail: { faultCode: 9001, faultString: 'Request denied' } },
    });
    expect((decodeEnvelope(env(f('Server'))).body as { faultcode: string }).faultcode).toBe('Server');
  });
  it('accepts a byte order mark and leading whitespace before the declaration', () => {
    expect(decodeEnvelope(`\uFEFF  \n<?xml version="1.0"?>${env('<cwmp:GetRPCMethods/>')}`).body).toEqual({ name: 'GetRPCMethods' });
  });
  it('decodes character references in values and attributes', () => {
    const m = decodeEnvelope(env('<cwmp:Reboot><CommandKey>&#x41;&#66;&#13;&#x1F600;</CommandKey></cwmp:Reboot>')).body;
    expect(m).toEqual({ name: 'Reboot', commandKey: 'AB\r😀' });
  });
  it('returns Unknown for an RPC it does not model, in a cwmp namespace', () => {
    expect(decodeEnvelope(env('<cwmp:SetVouchers><VoucherList/></cwmp:SetVouchers>')).body).toEqual({ name: 'Unknown', method: 'SetVouchers' });
  });
});

describe('decodeEnvelope: rejections name what is wrong and where', () => {
  const cases: [string, string, RegExp][] = [
    ['empty input', '', /empty/],
    ['plain text', 'hello world', /not well-formed XML.*\(at 1:1\)/],
    ['JSON', '{"name":"Inform"}', /not well-formed XML/],
    ['truncated envelope', env('<cwmp:GetRPCMethods/>').slice(0, 120), /not well-formed XML/],
    ['mismatched tags', `<soap-env:Envelope xmlns:soap-env="${SOAP_ENV}"><soap-env:Body></soap-env:Envelope>`, /not well-formed XML: Expected closing tag/],
    ['a DOCTYPE', `<!DOCTYPE x [<!ENTITY a "b">]>${env('<cwmp:GetRPCMethods/>')}`, /must not contain a DOCTYPE/],
    ['a control character', env('<cwmp:Reboot><CommandKey>\u0001</CommandKey></cwmp:Reboot>'), /U\+0001 is not allowed in XML 1\.0 \(at 1:/],
    ['a reference to a control character', env('<cwmp:Reboot><CommandKey>&#1;</CommandKey></cwmp:Reboot>'), /&#1; names a character XML 1\.0 does not allow/],
    ['an unknown entity', env('<cwmp:Reboot><CommandKey>&nbsp;</CommandKey></cwmp:Reboot>'), /unknown entity &nbsp;/],
    ['no Envelope', `<Inform xmlns="${NS12}"/>`, /root element is <Inform>, expected a SOAP <Envelope>/],
    ['SOAP 1.2 Envelope', `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`, /expected SOAP 1\.1/],
    ['Envelope in no namespace', '<Envelope><Body/></Envelope>', /namespace \(none\)/],
    ['no Body', `<soap-env:Envelope xmlns:soap-env="${SOAP_ENV}"><soap-env:Header/></soap-env:Envelope>`, /no SOAP Body/],
    ['two Bodies', `<soap-env:Envelope xmlns:soap-env="${SOAP_ENV}"><soap-env:Body/><soap-env:Body/></soap-env:Envelope>`, /more than one SOAP Body/],
    ['an empty Body', env(''), /SOAP Body is empty.*\(at Envelope\/Body\)/],
    ['two RPC elements', env('<cwmp:GetRPCMethods/><cwmp:FactoryReset/>'), /Body holds 2 elements \(GetRPCMethods, FactoryReset\)/],
    ['an RPC outside the cwmp namespaces', `<s:Envelope xmlns:s="${SOAP_ENV}"><s:Body><x:Inform xmlns:x="urn:example"/></s:Body></s:Envelope>`, /<x:Inform> is in namespace "urn:example"/],
    ['an RPC in no namespace', `<s:Envelope xmlns:s="${SOAP_ENV}"><s:Body><Inform/></s:Body></s:Envelope>`, /namespace \(none\)/],
    ['the non-existent cwmp-1-4 namespace', env('<cwmp:GetRPCMethods/>', '', 'urn:dslforum-org:cwmp-1-4' as CwmpNamespace), /there is no cwmp-1-3 or cwmp-1-4 namespace/],
    ['an undeclared prefix', `<soap-env:Envelope xmlns:soap-env="${SOAP_ENV}"><soap-env:Body><cwmp:Reboot/></soap-env:Body></soap-env:Envelope>`, /prefix "cwmp" is not declared \(at Envelope\/Body\/Reboot\)/],
    ['GPV without ParameterNames', env('<cwmp:GetParameterValues/>'), /missing required element <ParameterNames> in <GetParameterValues> \(at Envelope\/Body\/GetParameterValues\)/],
    ['SPV without ParameterList', env('<cwmp:SetParameterValues><ParameterKey/></cwmp:SetParameterValues>'), /missing required element <ParameterList>/],
    ['SPV struct without Value', env('<cwmp:SetParameterValues><ParameterList><ParameterValueStruct><Name>Device.A</Name></ParameterValueStruct></ParameterList></cwmp:SetParameterValues>'), /missing required element <Value> in <ParameterValueStruct>/],
    ['GPN without ParameterPath', env('<cwmp:GetParameterNames><NextLevel>1</NextLevel></cwmp:GetParameterNames>'), /<ParameterPath>/],
    ['Inform without DeviceId', env('<cwmp:Inform><Event/></cwmp:Inform>'), /<DeviceId>/],
    ['Inform without Event', env('<cwmp:Inform><DeviceId/></cwmp:Inform>'), /<Event>/],
    ['a non-boolean NextLevel', env('<cwmp:GetParameterNames><ParameterPath/><NextLevel>yes</NextLevel></cwmp:GetParameterNames>'), /<NextLevel> must be a boolean \(true\/false\/1\/0\), got "yes"/],
    ['a non-integer Status', env('<cwmp:SetParameterValuesResponse><Status>ok</Status></cwmp:SetParameterValuesResponse>'), /<Status> must be an integer, got "ok" \(at Envelope\/Body\/SetParameterValuesResponse\/Status\)/],
    ['Status 2', env('<cwmp:SetParameterValuesResponse><Status>2</Status></cwmp:SetParameterValuesResponse>'), /<Status> must be in 0\.\.1, got 2/],
    ['InstanceNumber 0', env('<cwmp:AddObjectResponse><InstanceNumber>0</InstanceNumber><Status>0</Status></cwmp:AddObjectResponse>'), /<InstanceNumber> must be in 1\.\./],
    ['Notification 7', env('<cwmp:SetParameterAttributes><ParameterList><SetParameterAttributesStruct><Name>D.</Name><Notification>7</Notification></SetParameterAttributesStruct></ParameterList></cwmp:SetParameterAttributes>'), /<Notification> must be in 0\.\.6/],
    ['a Fault without cwmp:Fault detail', env('<soap-env:Fault><faultcode>Server</faultcode><faultstring>boom</faultstring></soap-env:Fault>'), /SOAP Fault without a <cwmp:Fault> detail.*"boom"/],
    ['GenieACS Body:Fault oddity', `<soap-env:Envelope xmlns:soap-env="${SOAP_ENV}"><soap-env:Body><soap-env:Body:Fault><faultcode>Client</faultcode></soap-env:Body:Fault></soap-env:Body></soap-env:Envelope>`, /./],
  ];
  for (const [label, xml, message] of cases) {
    it(`rejects ${label}`, () => {
      let err: unknown;
      try {
        decodeEnvelope(xml);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CwmpDecodeError);
      expect((err as CwmpDecodeError).code).toBe('CPESIM_CWMP_MALFORMED');
      expect((err as Error).message).toMatch(message);
    });
  }
  it('rejects a non-string argument with CwmpDecodeError', () => {
    expect(() => decodeEnvelope(undefined as unknown as string)).toThrow(CwmpDecodeError);
    expect(() => decodeEnvelope(42 as unknown as string)).toThrow(/expected the envelope as a string, got number/);
  });
});

describe('decodeEnvelope: arbitrary input throws only CwmpDecodeError, in bounded time', () => {
  // Deterministic PRNG (mulberry32) so failures reproduce.
  function rng(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  const expectOnlyDecodeErrors = (input: string): void => {
    try {
      decodeEnvelope(input);
    } catch (e) {
      if (!(e instanceof CwmpDecodeError)) throw new Error(`non-CwmpDecodeError for input ${JSON.stringify(input.slice(0, 200))}: ${String(e)}`);
    }
  };
  const corpus = SAMPLES.map((m) => encodeEnvelope(m, { header: { id: 'x' } }));

  it('random garbage', () => {
    const r = rng(1);
    const alphabet = '<>/="\' :&;#![]?-abcxmlnsEnvelopeBody\n\t\u0000\u00e9\uD83D';
    for (let i = 0; i < 300; i++) {
      let s = '';
      const n = Math.floor(r() * 200);
      for (let j = 0; j < n; j++) s += alphabet[Math.floor(r() * alphabet.length)];
      expectOnlyDecodeErrors(s);
    }
  });
  it('every truncation of a real envelope', () => {
    const xml = corpus[0] as string;
    for (let i = 0; i < xml.length; i += 7) expectOnlyDecodeErrors(xml.slice(0, i));
  });
  it('random byte mutations of real envelopes', () => {
    const r = rng(2);
    const chars = '<>/&;:"=x \n]';
    for (let i = 0; i < 400; i++) {
      const base = corpus[i % corpus.length] as string;
      const arr = [...base];
      for (let k = 0; k < 3; k++) arr[Math.floor(r() * arr.length)] = chars[Math.floor(r() * chars.length)] as string;
      expectOnlyDecodeErrors(arr.join(''));
    }
  });
  it('hostile element names (prototype keys) and deep nesting', () => {
    for (const name of ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString']) {
      expectOnlyDecodeErrors(env(`<cwmp:${name}/>`));
      expectOnlyDecodeErrors(env(`<cwmp:Reboot><${name}>x</${name}></cwmp:Reboot>`));
    }
    const deep = env(`<cwmp:Reboot>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</cwmp:Reboot>`);
    expect(() => decodeEnvelope(deep)).toThrow(CwmpDecodeError);
    for (const input of [deep.slice(0, 3000), '<a>'.repeat(100_000)]) {
      // The message stays one short line even when the parser reports the whole open-tag stack.
      expect(() => decodeEnvelope(input)).toThrow(/^not well-formed XML: [^\n]{0,200}$/);
    }
  });
  it('huge values decode intact', () => {
    const big = 'x'.repeat(2_000_000);
    const m = decodeEnvelope(env(`<cwmp:Reboot><CommandKey>${big}</CommandKey></cwmp:Reboot>`)).body;
    expect(m.name === 'Reboot' && m.commandKey.length).toBe(2_000_000);
    expectOnlyDecodeErrors(`<${'a'.repeat(1_000_000)}`);
    expectOnlyDecodeErrors(`${env('<cwmp:Reboot/>')}${'&'.repeat(100_000)}`);
  });
});
