/**
 * Typed CWMP message → SOAP 1.1 envelope (TR-069 Annex A, cwmp-notes §1.4–§1.8).
 * @module
 */
import { CwmpEncodeError } from './errors.js';
import { hasEmptyBody } from './empty-body.js';
import { DEFAULT_NAMESPACE, SOAP_ENC_NS, SOAP_ENV_NS, XSD_NS, XSI_NS, isCwmpNamespace } from './namespaces.js';
import type {
  CwmpHeader,
  CwmpMessage,
  CwmpNamespace,
  DuOperation,
  EventStruct,
  OpResultStruct,
  Fault,
  ParameterAttributeStruct,
  ParameterInfoStruct,
  ParameterValueStruct,
  SetParameterAttributesStruct,
} from './types.js';
import { escapeXml } from './xml.js';

/** A node to render: either an element with children or an element with text. */
interface Node {
  tag: string;
  attrs?: string;
  text?: string;
  kids?: Node[];
}

const INDENT = '  ';

function render(n: Node, depth: number, out: string[]): void {
  const pad = INDENT.repeat(depth);
  const open = n.attrs ? `${n.tag} ${n.attrs}` : n.tag;
  if (n.kids && n.kids.length > 0) {
    out.push(`${pad}<${open}>`);
    for (const k of n.kids) render(k, depth + 1, out);
    out.push(`${pad}</${n.tag}>`);
  } else if (n.text !== undefined || n.kids) {
    // Empty values and empty arrays as <X></X>, not <X/>: friendlier to the
    // regex-grade parsers some ACSs and CPE stacks use.
    out.push(`${pad}<${open}>${n.text ?? ''}</${n.tag}>`);
  } else {
    out.push(`${pad}<${open}/>`);
  }
}

/** Context for error messages: the element path being written. */
class Writer {
  constructor(readonly rpc: string) {}
  str(tag: string, value: string, attrs?: string): Node {
    if (typeof value !== 'string') throw new CwmpEncodeError(`${this.rpc}/${tag}: expected a string, got ${typeof value}`);
    const n: Node = { tag, text: escapeXml(value, `${this.rpc}/${tag}`) };
    if (attrs) n.attrs = attrs;
    return n;
  }
  int(tag: string, value: number, min: number, max: number): Node {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new CwmpEncodeError(`${this.rpc}/${tag}: expected an integer in ${min}..${max}, got ${String(value)}`);
    }
    return { tag, text: String(value) };
  }
  bool(tag: string, value: boolean): Node {
    if (typeof value !== 'boolean') throw new CwmpEncodeError(`${this.rpc}/${tag}: expected a boolean, got ${typeof value}`);
    // xsd:boolean canonical form (cwmp-notes §1.6 examples).
    return { tag, text: value ? 'true' : 'false' };
  }
  /** A SOAP-encoded array: arrayType carries the exact item count (cwmp-notes §1.6). */
  array(tag: string, itemType: string, items: Node[]): Node {
    return { tag, attrs: `soap-enc:arrayType="${itemType}[${items.length}]"`, kids: items };
  }
  strings(tag: string, values: readonly string[]): Node {
    if (!Array.isArray(values)) throw new CwmpEncodeError(`${this.rpc}/${tag}: expected an array of strings`);
    return this.array(tag, 'xsd:string', values.map((v) => this.str('string', v)));
  }
}

const UINT = 4294967295;
const INT_MAX = 2147483647;

function pvs(w: Writer, list: readonly ParameterValueStruct[], tag = 'ParameterList'): Node {
  if (!Array.isArray(list)) throw new CwmpEncodeError(`${w.rpc}/${tag}: expected an array of ParameterValueStruct`);
  return w.array(
    tag,
    'cwmp:ParameterValueStruct',
    list.map((p) => ({
      tag: 'ParameterValueStruct',
      kids: [w.str('Name', p.name), w.str('Value', p.value, `xsi:type="${escapeXml(p.type ?? 'xsd:string', `${w.rpc}/Value/@xsi:type`)}"`)],
    })),
  );
}

function events(w: Writer, list: readonly EventStruct[]): Node {
  if (!Array.isArray(list)) throw new CwmpEncodeError(`${w.rpc}/Event: expected an array of EventStruct`);
  return w.array(
    'Event',
    'cwmp:EventStruct',
    list.map((e) => ({ tag: 'EventStruct', kids: [w.str('EventCode', e.eventCode), w.str('CommandKey', e.commandKey)] })),
  );
}

function infos(w: Writer, list: readonly ParameterInfoStruct[]): Node {
  return w.array(
    'ParameterList',
    'cwmp:ParameterInfoStruct',
    list.map((p) => ({ tag: 'ParameterInfoStruct', kids: [w.str('Name', p.name), w.bool('Writable', p.writable)] })),
  );
}

function attrsList(w: Writer, list: readonly ParameterAttributeStruct[]): Node {
  return w.array(
    'ParameterList',
    'cwmp:ParameterAttributeStruct',
    list.map((p) => ({
      tag: 'ParameterAttributeStruct',
      kids: [w.str('Name', p.name), w.int('Notification', p.notification, 0, 6), w.strings('AccessList', p.accessList)],
    })),
  );
}

function setAttrsList(w: Writer, list: readonly SetParameterAttributesStruct[]): Node {
  return w.array(
    'ParameterList',
    'cwmp:SetParameterAttributesStruct',
    list.map((p) => ({
      tag: 'SetParameterAttributesStruct',
      kids: [
        w.str('Name', p.name),
        w.bool('NotificationChange', p.notificationChange),
        w.int('Notification', p.notification, 0, 6),
        w.bool('AccessListChange', p.accessListChange),
        w.strings('AccessList', p.accessList),
      ],
    })),
  );
}

function faultBody(f: Fault): Node {
  const w = new Writer('Fault');
  if (f.faultcode !== 'Client' && f.faultcode !== 'Server') {
    throw new CwmpEncodeError(`Fault/faultcode: expected "Client" or "Server", got ${JSON.stringify(f.faultcode)}`);
  }
  const detail: Node[] = [w.int('FaultCode', f.detail.faultCode, 0, UINT), w.str('FaultString', f.detail.faultString)];
  for (const s of f.detail.setParameterValuesFault ?? []) {
    detail.push({
      tag: 'SetParameterValuesFault',
      kids: [w.str('ParameterName', s.parameterName), w.int('FaultCode', s.faultCode, 0, UINT), w.str('FaultString', s.faultString)],
    });
  }
  // TR-069 A.4: faultcode Client/Server unqualified, faultstring "CWMP fault", cwmp:Fault in detail.
  return {
    tag: 'soap-env:Fault',
    kids: [w.str('faultcode', f.faultcode), w.str('faultstring', f.faultstring), { tag: 'detail', kids: [{ tag: 'cwmp:Fault', kids: detail }] }],
  };
}

/** CommandKey, FileType, URL, Username, Password: how Download, Upload and ScheduleDownload begin (A.3.2.8, A.4.1.5, A.4.1.10). */
function transferHead(w: Writer, m: { commandKey: string; fileType: string; url: string; username: string; password: string }): Node[] {
  return [w.str('CommandKey', m.commandKey), w.str('FileType', m.fileType), w.str('URL', m.url), w.str('Username', m.username), w.str('Password', m.password)];
}

function faultStruct(w: Writer, f: { faultCode: number; faultString: string }): Node {
  return { tag: 'FaultStruct', kids: [w.int('FaultCode', f.faultCode, 0, UINT), w.str('FaultString', f.faultString)] };
}

/** The fields of an OpResultStruct, also the head of an AutonOpResultStruct. */
function opResultKids(w: Writer, r: OpResultStruct): Node[] {
  return [
    w.str('UUID', r.uuid),
    w.str('DeploymentUnitRef', r.deploymentUnitRef),
    w.str('Version', r.version),
    w.str('CurrentState', r.currentState),
    w.bool('Resolved', r.resolved),
    w.str('ExecutionUnitRefList', r.executionUnitRefList),
    w.str('StartTime', r.startTime),
    w.str('CompleteTime', r.completeTime),
    { tag: 'Fault', kids: [w.int('FaultCode', r.fault.faultCode, 0, UINT), w.str('FaultString', r.fault.faultString)] },
  ];
}

/** A.4.1.14: one Operations item, named by its struct type. */
function duOperation(w: Writer, o: DuOperation): Node {
  switch (o.op) {
    case 'install':
      return { tag: 'InstallOpStruct', kids: [w.str('URL', o.url), w.str('UUID', o.uuid), w.str('Username', o.username), w.str('Password', o.password), w.str('ExecutionEnvRef', o.executionEnvRef)] };
    case 'update':
      return { tag: 'UpdateOpStruct', kids: [w.str('UUID', o.uuid), w.str('Version', o.version), w.str('URL', o.url), w.str('Username', o.username), w.str('Password', o.password)] };
    case 'uninstall':
      return { tag: 'UninstallOpStruct', kids: [w.str('UUID', o.uuid), w.str('Version', o.version), w.str('ExecutionEnvRef', o.executionEnvRef)] };
  }
}

function rpc(name: string, kids: Node[]): Node {
  return kids.length > 0 ? { tag: `cwmp:${name}`, kids } : { tag: `cwmp:${name}` };
}

function bodyNode(m: CwmpMessage): Node {
  const w = new Writer(m.name === 'Unknown' ? m.method : m.name);
  if (hasEmptyBody(m)) return rpc(m.name, []);
  switch (m.name) {
    case 'Inform':
      return rpc('Inform', [
        {
          tag: 'DeviceId',
          kids: [
            w.str('Manufacturer', m.deviceId.manufacturer),
            w.str('OUI', m.deviceId.oui),
            w.str('ProductClass', m.deviceId.productClass),
            w.str('SerialNumber', m.deviceId.serialNumber),
          ],
        },
        events(w, m.event),
        w.int('MaxEnvelopes', m.maxEnvelopes, 0, UINT),
        w.str('CurrentTime', m.currentTime),
        w.int('RetryCount', m.retryCount, 0, UINT),
        pvs(w, m.parameterList),
      ]);
    case 'InformResponse':
      return rpc('InformResponse', [w.int('MaxEnvelopes', m.maxEnvelopes, 0, UINT)]);
    case 'TransferComplete':
      return rpc('TransferComplete', [
        w.str('CommandKey', m.commandKey),
        faultStruct(w, m.faultStruct),
        w.str('StartTime', m.startTime),
        w.str('CompleteTime', m.completeTime),
      ]);
    case 'AutonomousTransferComplete':
      return rpc(m.name, [
        w.str('AnnounceURL', m.announceURL),
        w.str('TransferURL', m.transferURL),
        w.bool('IsDownload', m.isDownload),
        w.str('FileType', m.fileType),
        w.int('FileSize', m.fileSize, 0, UINT),
        w.str('TargetFileName', m.targetFileName),
        faultStruct(w, m.faultStruct),
        w.str('StartTime', m.startTime),
        w.str('CompleteTime', m.completeTime),
      ]);
    case 'ChangeDUState':
      return rpc(m.name, [w.array('Operations', 'cwmp:OperationStruct', m.operations.map((o) => duOperation(w, o))), w.str('CommandKey', m.commandKey)]);
    case 'DUStateChangeComplete':
      return rpc(m.name, [w.array('Results', 'cwmp:OpResultStruct', m.results.map((r) => ({ tag: 'OpResultStruct', kids: opResultKids(w, r) }))), w.str('CommandKey', m.commandKey)]);
    case 'AutonomousDUStateChangeComplete':
      return rpc(m.name, [
        w.array(
          'Results',
          'cwmp:AutonOpResultStruct',
          m.results.map((r) => ({ tag: 'AutonOpResultStruct', kids: [...opResultKids(w, r), w.str('OperationPerformed', r.operationPerformed)] })),
        ),
      ]);
    case 'GetRPCMethodsResponse':
      return rpc(m.name, [w.strings('MethodList', m.methodList)]);
    case 'GetParameterNames':
      return rpc(m.name, [w.str('ParameterPath', m.parameterPath), w.bool('NextLevel', m.nextLevel)]);
    case 'GetParameterValues':
    case 'GetParameterAttributes':
      return rpc(m.name, [w.strings('ParameterNames', m.parameterNames)]);
    case 'SetParameterValues':
      return rpc(m.name, [pvs(w, m.parameterList), w.str('ParameterKey', m.parameterKey)]);
    case 'SetParameterAttributes':
      return rpc(m.name, [setAttrsList(w, m.parameterList)]);
    case 'AddObject':
    case 'DeleteObject':
      return rpc(m.name, [w.str('ObjectName', m.objectName), w.str('ParameterKey', m.parameterKey)]);
    case 'Reboot':
      return rpc(m.name, [w.str('CommandKey', m.commandKey)]);
    case 'Download':
      return rpc(m.name, [
        ...transferHead(w, m),
        w.int('FileSize', m.fileSize, 0, UINT),
        w.str('TargetFileName', m.targetFileName),
        w.int('DelaySeconds', m.delaySeconds, 0, UINT),
        w.str('SuccessURL', m.successURL),
        w.str('FailureURL', m.failureURL),
      ]);
    case 'ScheduleInform':
      return rpc(m.name, [w.int('DelaySeconds', m.delaySeconds, 0, UINT), w.str('CommandKey', m.commandKey)]);
    case 'Upload':
      return rpc(m.name, [
        ...transferHead(w, m),
        w.int('DelaySeconds', m.delaySeconds, 0, UINT),
      ]);
    case 'ScheduleDownload':
      return rpc(m.name, [
        ...transferHead(w, m),
        w.int('FileSize', m.fileSize, 0, UINT),
        w.str('TargetFileName', m.targetFileName),
        w.array(
          'TimeWindowList',
          'cwmp:TimeWindowStruct',
          m.timeWindowList.map((t) => ({
            tag: 'TimeWindowStruct',
            kids: [
              w.int('WindowStart', t.windowStart, 0, UINT),
              w.int('WindowEnd', t.windowEnd, 0, UINT),
              w.str('WindowMode', t.windowMode),
              w.str('UserMessage', t.userMessage),
              w.int('MaxRetries', t.maxRetries, -1, INT_MAX),
            ],
          })),
        ),
      ]);
    case 'CancelTransfer':
      return rpc(m.name, [w.str('CommandKey', m.commandKey)]);
    case 'UploadResponse':
      return rpc(m.name, [w.int('Status', m.status, 0, 1), w.str('StartTime', m.startTime), w.str('CompleteTime', m.completeTime)]);
    case 'GetQueuedTransfersResponse':
      return rpc(m.name, [
        w.array(
          'TransferList',
          'cwmp:QueuedTransferStruct',
          m.transferList.map((t) => ({ tag: 'QueuedTransferStruct', kids: [w.str('CommandKey', t.commandKey), w.int('State', t.state, 1, 3)] })),
        ),
      ]);
    case 'GetAllQueuedTransfersResponse':
      return rpc(m.name, [
        w.array(
          'TransferList',
          'cwmp:AllQueuedTransferStruct',
          m.transferList.map((t) => ({
            tag: 'AllQueuedTransferStruct',
            kids: [
              w.str('CommandKey', t.commandKey),
              w.int('State', t.state, 1, 3),
              w.bool('IsDownload', t.isDownload),
              w.str('FileType', t.fileType),
              w.int('FileSize', t.fileSize, 0, UINT),
              w.str('TargetFileName', t.targetFileName),
            ],
          })),
        ),
      ]);
    case 'GetParameterNamesResponse':
      return rpc(m.name, [infos(w, m.parameterList)]);
    case 'GetParameterValuesResponse':
      return rpc(m.name, [pvs(w, m.parameterList)]);
    case 'SetParameterValuesResponse':
    case 'DeleteObjectResponse':
      return rpc(m.name, [w.int('Status', m.status, 0, 1)]);
    case 'GetParameterAttributesResponse':
      return rpc(m.name, [attrsList(w, m.parameterList)]);
    case 'AddObjectResponse':
      // TR-069 A.3.2.6: InstanceNumber is unsignedInt ≥ 1.
      return rpc(m.name, [w.int('InstanceNumber', m.instanceNumber, 1, UINT), w.int('Status', m.status, 0, 1)]);
    case 'DownloadResponse':
      return rpc(m.name, [w.int('Status', m.status, 0, 1), w.str('StartTime', m.startTime), w.str('CompleteTime', m.completeTime)]);
    case 'Fault':
      return faultBody(m);
    case 'Unknown':
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(m.method)) {
        throw new CwmpEncodeError(`Unknown: method ${JSON.stringify(m.method)} is not an XML element name`);
      }
      return rpc(m.method, []);
    default: {
      const never: never = m;
      throw new CwmpEncodeError(`cannot encode message ${JSON.stringify((never as { name?: unknown }).name)}: not a CWMP message type`);
    }
  }
}

function headerNodes(h: CwmpHeader): Node[] {
  const w = new Writer('Header');
  const out: Node[] = [];
  // TR-069 A.3.1 / cwmp-1-0.xsd: ID and HoldRequests carry mustUnderstand="1".
  if (h.id !== undefined) out.push(w.str('cwmp:ID', h.id, 'soap-env:mustUnderstand="1"'));
  if (h.holdRequests !== undefined) {
    out.push({ ...w.bool('cwmp:HoldRequests', h.holdRequests), attrs: 'soap-env:mustUnderstand="1"' });
  }
  // cwmp-1-4.xsd: SupportedCWMPVersions MUST be mustUnderstand 0, UseCWMPVersion MUST be 1.
  if (h.supportedCwmpVersions !== undefined) {
    out.push(w.str('cwmp:SupportedCWMPVersions', h.supportedCwmpVersions, 'soap-env:mustUnderstand="0"'));
  }
  if (h.useCwmpVersion !== undefined) out.push(w.str('cwmp:UseCWMPVersion', h.useCwmpVersion, 'soap-env:mustUnderstand="1"'));
  // cwmp-1-3.xsd: SessionTimeout (seconds), mustUnderstand 0.
  if (h.sessionTimeout !== undefined) out.push({ ...w.int('cwmp:SessionTimeout', h.sessionTimeout, 1, UINT), attrs: 'soap-env:mustUnderstand="0"' });
  return out;
}

/**
 * Encodes one CWMP message as a SOAP 1.1 envelope (UTF-8 XML text).
 *
 * - Namespaces: `soap-env`, `soap-enc`, `xsd`, `xsi` and `cwmp` (default cwmp-1-2).
 * - Only the RPC element is qualified (`cwmp:Inform`); its children are not
 *   (cwmp-x.xsd `elementFormDefault="unqualified"`).
 * - Every array carries `soap-enc:arrayType="…[n]"` with the exact count; every
 *   `Value` carries `xsi:type` (`xsd:string` when the struct names none).
 * - The SOAP Header is written only when `header` has a field set.
 * - `body: null` writes an envelope with an empty Body. CWMP never uses it: an
 *   "empty message" is an HTTP body of length 0 (TR-069 §3.7.2.3).
 *
 * Throws {@link CwmpEncodeError} for values XML 1.0 cannot carry and for numbers
 * outside their xsd range.
 *
 * @example
 * encodeEnvelope({ name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.'] }, { header: { id: '42' } })
 */
export function encodeEnvelope(body: CwmpMessage | null, opts: { header?: CwmpHeader; namespace?: CwmpNamespace } = {}): string {
  const ns = opts.namespace ?? DEFAULT_NAMESPACE;
  if (!isCwmpNamespace(ns)) {
    throw new CwmpEncodeError(`namespace ${JSON.stringify(ns)} is not a cwmp namespace: expected urn:dslforum-org:cwmp-1-0, -1-1 or -1-2`);
  }
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<soap-env:Envelope xmlns:soap-env="${SOAP_ENV_NS}" xmlns:soap-enc="${SOAP_ENC_NS}" xmlns:xsd="${XSD_NS}" xmlns:xsi="${XSI_NS}" xmlns:cwmp="${ns}">`,
  );
  const header = opts.header ? headerNodes(opts.header) : [];
  if (header.length > 0) render({ tag: 'soap-env:Header', kids: header }, 1, out);
  if (body === null) render({ tag: 'soap-env:Body' }, 1, out);
  else render({ tag: 'soap-env:Body', kids: [bodyNode(body)] }, 1, out);
  out.push('</soap-env:Envelope>');
  return out.join('\n') + '\n';
}
