/**
 * SOAP 1.1 envelope → typed CWMP message. Lenient where real peers differ
 * (prefixes, default namespaces, cwmp-1-0/1-1/1-2, booleans as 1/0, missing
 * arrayType, empty Notification), strict where the meaning would be lost
 * (missing required arguments, several RPC elements, wrong SOAP version).
 * @module
 */
import { CwmpDecodeError } from './errors.js';
import { isEmptyBodyName } from './empty-body.js';
import { DEFAULT_NAMESPACE, SOAP_ENC_NS, SOAP_ENV_NS, XSD_NS, XSI_NS, isCwmpNamespace } from './namespaces.js';
import type {
  CwmpHeader,
  CwmpMessage,
  CwmpNamespace,
  DuOperation,
  Envelope,
  EventStruct,
  Fault,
  OpResultStruct,
  ParameterAttributeStruct,
  ParameterInfoStruct,
  ParameterValueStruct,
  SetParameterAttributesStruct,
} from './types.js';
import { childNamed, parseXml, resolveQNameValue, type XmlElement } from './xml.js';

/** Unknown Time (TR-106 §3.2.2): default for absent dateTime arguments. */
const UNKNOWN = '0001-01-01T00:00:00Z';

function req(el: XmlElement, local: string): XmlElement {
  const c = childNamed(el, local);
  if (!c) throw new CwmpDecodeError(`missing required element <${local}> in <${el.local}>`, el.path);
  return c;
}

/** Raw string value (whitespace is data: a Value of " x" stays " x"). */
function str(el: XmlElement, local: string, dflt?: string): string {
  const c = childNamed(el, local);
  if (!c) {
    if (dflt === undefined) throw new CwmpDecodeError(`missing required element <${local}> in <${el.local}>`, el.path);
    return dflt;
  }
  return c.text;
}

/** Trimmed string (names, paths, codes: surrounding whitespace is pretty-printing, not data). */
function tstr(el: XmlElement, local: string, dflt?: string): string {
  return str(el, local, dflt).trim();
}

function parseIntText(text: string, where: string, what: string, min: number, max: number): number {
  const t = text.trim();
  if (!/^[+-]?\d{1,15}$/.test(t)) throw new CwmpDecodeError(`<${what}> must be an integer, got ${JSON.stringify(clip(text))}`, where);
  const n = Number(t);
  if (n < min || n > max) throw new CwmpDecodeError(`<${what}> must be in ${min}..${max}, got ${n}`, where);
  return n;
}

function int(el: XmlElement, local: string, min: number, max: number, dflt?: number): number {
  const c = childNamed(el, local);
  if (!c) {
    if (dflt === undefined) throw new CwmpDecodeError(`missing required element <${local}> in <${el.local}>`, el.path);
    return dflt;
  }
  return parseIntText(c.text, c.path, local, min, max);
}

/** xsd:boolean: `true`/`false`/`1`/`0` (GenieACS may send 1/0, cwmp-notes §1.6). */
function parseBool(text: string, where: string, what: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  throw new CwmpDecodeError(`<${what}> must be a boolean (true/false/1/0), got ${JSON.stringify(clip(text))}`, where);
}

function bool(el: XmlElement, local: string, dflt?: boolean): boolean {
  const c = childNamed(el, local);
  if (!c) {
    if (dflt === undefined) throw new CwmpDecodeError(`missing required element <${local}> in <${el.local}>`, el.path);
    return dflt;
  }
  return parseBool(c.text, c.path, local);
}

function status(el: XmlElement): 0 | 1 {
  return int(el, 'Status', 0, 1) as 0 | 1;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** Array items: the element children of the array, whatever their names (`string`, `xsd:string`, …); arrayType is not required. */
function items(el: XmlElement | undefined): XmlElement[] {
  return el ? el.children : [];
}

function strings(el: XmlElement, local: string, required: boolean): string[] {
  const a = required ? req(el, local) : childNamed(el, local);
  return items(a).map((c) => c.text.trim());
}

const UINT = 4294967295;

function xsiType(v: XmlElement): string | undefined {
  const attr = v.attributes.find((a) => a.local === 'type' && (a.ns === XSI_NS || a.qname === 'xsi:type'));
  if (!attr) return undefined;
  const raw = attr.value.trim();
  if (!raw.includes(':')) return raw;
  const { ns, local } = resolveQNameValue(v, raw);
  // Normalise whatever prefix the peer bound to XML Schema (or SOAP-ENC, whose simple
  // types mirror it) to the `xsd:` spelling the data model uses.
  if (ns === XSD_NS || ns === SOAP_ENC_NS) return `xsd:${local}`;
  return raw;
}

function pvsList(el: XmlElement, required: boolean): ParameterValueStruct[] {
  const list = required ? req(el, 'ParameterList') : childNamed(el, 'ParameterList');
  return items(list).map((s) => {
    const value = req(s, 'Value');
    const p: ParameterValueStruct = { name: tstr(s, 'Name'), value: value.text };
    const type = xsiType(value);
    if (type !== undefined) p.type = type;
    return p;
  });
}

function decodeFault(el: XmlElement): { fault: Fault; detailNs: string | undefined } {
  const codeText = tstr(el, 'faultcode', 'Server');
  // `Client`, `soap-env:Client`, `SOAP-ENV:Client.Auth` … (SOAP 1.1 §4.4.1 dotted subcodes).
  const local = codeText.includes(':') ? codeText.slice(codeText.indexOf(':') + 1) : codeText;
  const faultcode: 'Client' | 'Server' = /^client\b/i.test(local) ? 'Client' : 'Server';
  const detail = childNamed(el, 'detail');
  const cwmpFault = detail?.children.find((c) => c.local === 'Fault');
  if (!cwmpFault) {
    throw new CwmpDecodeError(`SOAP Fault without a <cwmp:Fault> detail (faultcode ${JSON.stringify(clip(codeText))}, faultstring ${JSON.stringify(clip(str(el, 'faultstring', '')))})`, el.path);
  }
  const spv = cwmpFault.children
    .filter((c) => c.local === 'SetParameterValuesFault')
    .map((c) => ({ parameterName: tstr(c, 'ParameterName'), faultCode: int(c, 'FaultCode', 0, UINT), faultString: str(c, 'FaultString', '') }));
  const fault: Fault = {
    name: 'Fault',
    faultcode,
    faultstring: str(el, 'faultstring', ''),
    detail: { faultCode: int(cwmpFault, 'FaultCode', 0, UINT), faultString: str(cwmpFault, 'FaultString', '') },
  };
  if (spv.length > 0) fault.detail.setParameterValuesFault = spv;
  return { fault, detailNs: cwmpFault.ns };
}

/** CommandKey, FileType, URL, Username, Password of Download, Upload and ScheduleDownload. */
function transferHead(el: XmlElement): { commandKey: string; fileType: string; url: string; username: string; password: string } {
  return { commandKey: str(el, 'CommandKey', ''), fileType: tstr(el, 'FileType'), url: tstr(el, 'URL'), username: str(el, 'Username', ''), password: str(el, 'Password', '') };
}

/** FaultStruct of TransferComplete / AutonomousTransferComplete; absent = no fault. */
function faultStructOf(el: XmlElement): { faultCode: number; faultString: string } {
  const fs = childNamed(el, 'FaultStruct');
  return fs ? { faultCode: int(fs, 'FaultCode', 0, UINT, 0), faultString: str(fs, 'FaultString', '') } : { faultCode: 0, faultString: '' };
}

/**
 * A.4.1.14 Operations: each item is an InstallOpStruct / UpdateOpStruct /
 * UninstallOpStruct, named by its element or (SOAP-encoded peers) by xsi:type.
 */
function duOperation(o: XmlElement): DuOperation {
  const t = xsiType(o);
  const kind = /OpStruct$/.test(o.local) && o.local !== 'OperationStruct' ? o.local : t === undefined ? o.local : t.slice(t.indexOf(':') + 1);
  switch (kind) {
    case 'InstallOpStruct':
      return { op: 'install', url: tstr(o, 'URL', ''), uuid: tstr(o, 'UUID', ''), username: str(o, 'Username', ''), password: str(o, 'Password', ''), executionEnvRef: tstr(o, 'ExecutionEnvRef', '') };
    case 'UpdateOpStruct':
      return { op: 'update', uuid: tstr(o, 'UUID', ''), version: tstr(o, 'Version', ''), url: tstr(o, 'URL', ''), username: str(o, 'Username', ''), password: str(o, 'Password', '') };
    case 'UninstallOpStruct':
      return { op: 'uninstall', uuid: tstr(o, 'UUID', ''), version: tstr(o, 'Version', ''), executionEnvRef: tstr(o, 'ExecutionEnvRef', '') };
    default:
      throw new CwmpDecodeError(`<${o.local}> in ChangeDUState Operations is not an InstallOpStruct, UpdateOpStruct or UninstallOpStruct`, o.path);
  }
}

/** OpResultStruct (DUStateChangeComplete) and the common part of AutonOpResultStruct. */
function opResult(r: XmlElement): OpResultStruct {
  const f = childNamed(r, 'Fault');
  return {
    uuid: tstr(r, 'UUID', ''),
    deploymentUnitRef: tstr(r, 'DeploymentUnitRef', ''),
    version: tstr(r, 'Version', ''),
    currentState: tstr(r, 'CurrentState', ''),
    resolved: bool(r, 'Resolved', false),
    executionUnitRefList: tstr(r, 'ExecutionUnitRefList', ''),
    startTime: tstr(r, 'StartTime', UNKNOWN),
    completeTime: tstr(r, 'CompleteTime', UNKNOWN),
    fault: f ? { faultCode: int(f, 'FaultCode', 0, UINT, 0), faultString: str(f, 'FaultString', '') } : { faultCode: 0, faultString: '' },
  };
}

function decodeRpc(el: XmlElement): CwmpMessage {
  if (isEmptyBodyName(el.local)) return { name: el.local } as CwmpMessage;
  switch (el.local) {
    case 'Inform': {
      const d = req(el, 'DeviceId');
      const ev = req(el, 'Event');
      const event: EventStruct[] = items(ev).map((e) => ({ eventCode: tstr(e, 'EventCode'), commandKey: str(e, 'CommandKey', '') }));
      return {
        name: 'Inform',
        deviceId: {
          manufacturer: str(d, 'Manufacturer', ''),
          oui: tstr(d, 'OUI', ''),
          productClass: str(d, 'ProductClass', ''),
          serialNumber: str(d, 'SerialNumber', ''),
        },
        event,
        maxEnvelopes: int(el, 'MaxEnvelopes', 0, UINT, 1),
        currentTime: tstr(el, 'CurrentTime', UNKNOWN),
        retryCount: int(el, 'RetryCount', 0, UINT, 0),
        parameterList: pvsList(el, false),
      };
    }
    case 'InformResponse':
      return { name: 'InformResponse', maxEnvelopes: int(el, 'MaxEnvelopes', 0, UINT, 1) };
    case 'TransferComplete': {
      return {
        name: 'TransferComplete',
        commandKey: str(el, 'CommandKey', ''),
        faultStruct: faultStructOf(el),
        startTime: tstr(el, 'StartTime', UNKNOWN),
        completeTime: tstr(el, 'CompleteTime', UNKNOWN),
      };
    }
    case 'AutonomousTransferComplete': {
      return {
        name: 'AutonomousTransferComplete',
        announceURL: tstr(el, 'AnnounceURL', ''),
        transferURL: tstr(el, 'TransferURL', ''),
        isDownload: bool(el, 'IsDownload'),
        fileType: tstr(el, 'FileType'),
        fileSize: int(el, 'FileSize', 0, UINT, 0),
        targetFileName: str(el, 'TargetFileName', ''),
        faultStruct: faultStructOf(el),
        startTime: tstr(el, 'StartTime', UNKNOWN),
        completeTime: tstr(el, 'CompleteTime', UNKNOWN),
      };
    }
    case 'ChangeDUState':
      return { name: 'ChangeDUState', operations: items(childNamed(el, 'Operations')).map(duOperation), commandKey: str(el, 'CommandKey', '') };
    case 'DUStateChangeComplete':
      return { name: 'DUStateChangeComplete', results: items(childNamed(el, 'Results')).map(opResult), commandKey: str(el, 'CommandKey', '') };
    case 'AutonomousDUStateChangeComplete':
      return {
        name: 'AutonomousDUStateChangeComplete',
        results: items(childNamed(el, 'Results')).map((r) => {
          const op = tstr(r, 'OperationPerformed');
          if (op !== 'Install' && op !== 'Update' && op !== 'Uninstall') throw new CwmpDecodeError(`OperationPerformed ${JSON.stringify(op)} is not Install, Update or Uninstall`, r.path);
          return { ...opResult(r), operationPerformed: op };
        }),
      };
    case 'GetRPCMethodsResponse':
      return { name: 'GetRPCMethodsResponse', methodList: strings(el, 'MethodList', false) };
    case 'GetParameterNames':
      // ParameterPath "" means the whole tree, so a missing one must not silently become "".
      return { name: 'GetParameterNames', parameterPath: tstr(el, 'ParameterPath'), nextLevel: bool(el, 'NextLevel', false) };
    case 'GetParameterValues':
      return { name: 'GetParameterValues', parameterNames: strings(el, 'ParameterNames', true) };
    case 'GetParameterAttributes':
      return { name: 'GetParameterAttributes', parameterNames: strings(el, 'ParameterNames', true) };
    case 'SetParameterValues':
      return { name: 'SetParameterValues', parameterList: pvsList(el, true), parameterKey: str(el, 'ParameterKey', '') };
    case 'SetParameterAttributes': {
      const list = req(el, 'ParameterList');
      const parameterList: SetParameterAttributesStruct[] = items(list).map((s) => {
        const n = childNamed(s, 'Notification');
        // GenieACS sends <Notification></Notification> when NotificationChange is false (cwmp-notes §1.7).
        const notification = n === undefined || n.text.trim() === '' ? 0 : parseIntText(n.text, n.path, 'Notification', 0, 6);
        return {
          name: tstr(s, 'Name'),
          notificationChange: bool(s, 'NotificationChange', false),
          notification,
          accessListChange: bool(s, 'AccessListChange', false),
          accessList: strings(s, 'AccessList', false),
        };
      });
      return { name: 'SetParameterAttributes', parameterList };
    }
    case 'AddObject':
    case 'DeleteObject':
      return { name: el.local as 'AddObject' | 'DeleteObject', objectName: tstr(el, 'ObjectName'), parameterKey: str(el, 'ParameterKey', '') };
    case 'Reboot':
      return { name: 'Reboot', commandKey: str(el, 'CommandKey', '') };
    case 'Download':
      return {
        name: 'Download',
        ...transferHead(el),
        fileSize: int(el, 'FileSize', 0, UINT, 0),
        targetFileName: str(el, 'TargetFileName', ''),
        delaySeconds: int(el, 'DelaySeconds', 0, UINT, 0),
        successURL: tstr(el, 'SuccessURL', ''),
        failureURL: tstr(el, 'FailureURL', ''),
      };
    case 'ScheduleInform':
      return { name: 'ScheduleInform', delaySeconds: int(el, 'DelaySeconds', 0, UINT), commandKey: str(el, 'CommandKey', '') };
    case 'Upload':
      return {
        name: 'Upload',
        ...transferHead(el),
        delaySeconds: int(el, 'DelaySeconds', 0, UINT, 0),
      };
    case 'ScheduleDownload':
      return {
        name: 'ScheduleDownload',
        ...transferHead(el),
        fileSize: int(el, 'FileSize', 0, UINT, 0),
        targetFileName: str(el, 'TargetFileName', ''),
        timeWindowList: items(req(el, 'TimeWindowList')).map((w) => ({
          windowStart: int(w, 'WindowStart', 0, UINT),
          windowEnd: int(w, 'WindowEnd', 0, UINT),
          windowMode: tstr(w, 'WindowMode'),
          userMessage: str(w, 'UserMessage', ''),
          maxRetries: int(w, 'MaxRetries', -1, 2147483647, -1),
        })),
      };
    case 'CancelTransfer':
      return { name: 'CancelTransfer', commandKey: str(el, 'CommandKey', '') };
    case 'UploadResponse':
      return { name: 'UploadResponse', status: status(el), startTime: tstr(el, 'StartTime', UNKNOWN), completeTime: tstr(el, 'CompleteTime', UNKNOWN) };
    case 'GetQueuedTransfersResponse':
      return {
        name: 'GetQueuedTransfersResponse',
        transferList: items(childNamed(el, 'TransferList')).map((t) => ({ commandKey: str(t, 'CommandKey', ''), state: int(t, 'State', 1, 3) as 1 | 2 | 3 })),
      };
    case 'GetAllQueuedTransfersResponse':
      return {
        name: 'GetAllQueuedTransfersResponse',
        transferList: items(childNamed(el, 'TransferList')).map((t) => ({
          commandKey: str(t, 'CommandKey', ''),
          state: int(t, 'State', 1, 3) as 1 | 2 | 3,
          isDownload: bool(t, 'IsDownload'),
          fileType: tstr(t, 'FileType', ''),
          fileSize: int(t, 'FileSize', 0, UINT, 0),
          targetFileName: str(t, 'TargetFileName', ''),
        })),
      };
    case 'GetParameterNamesResponse': {
      const parameterList: ParameterInfoStruct[] = items(childNamed(el, 'ParameterList')).map((s) => ({
        name: tstr(s, 'Name'),
        writable: bool(s, 'Writable'),
      }));
      return { name: 'GetParameterNamesResponse', parameterList };
    }
    case 'GetParameterValuesResponse':
      return { name: 'GetParameterValuesResponse', parameterList: pvsList(el, false) };
    case 'SetParameterValuesResponse':
      return { name: 'SetParameterValuesResponse', status: status(el) };
    case 'GetParameterAttributesResponse': {
      const parameterList: ParameterAttributeStruct[] = items(childNamed(el, 'ParameterList')).map((s) => ({
        name: tstr(s, 'Name'),
        notification: int(s, 'Notification', 0, 6),
        accessList: strings(s, 'AccessList', false),
      }));
      return { name: 'GetParameterAttributesResponse', parameterList };
    }
    case 'AddObjectResponse':
      return { name: 'AddObjectResponse', instanceNumber: int(el, 'InstanceNumber', 1, UINT), status: status(el) };
    case 'DeleteObjectResponse':
      return { name: 'DeleteObjectResponse', status: status(el) };
    case 'DownloadResponse':
      return {
        name: 'DownloadResponse',
        status: status(el),
        startTime: tstr(el, 'StartTime', UNKNOWN),
        completeTime: tstr(el, 'CompleteTime', UNKNOWN),
      };
    default:
      // The receiver answers 9000 / 8000 Method not supported (TR-069 A.3.1, A.5).
      return { name: 'Unknown', method: el.local };
  }
}

function decodeHeader(header: XmlElement | undefined): { header: CwmpHeader; ns: string | undefined } {
  const out: CwmpHeader = {};
  let ns: string | undefined;
  if (!header) return { header: out, ns };
  for (const h of header.children) {
    // Header entries are cwmp-qualified; match by local name in any cwmp namespace.
    if (!isCwmpNamespace(h.ns)) continue;
    switch (h.local.toLowerCase()) {
      case 'id':
        out.id ??= h.text; // first ID wins
        ns ??= h.ns;
        break;
      case 'holdrequests':
        out.holdRequests = parseBool(h.text, h.path, h.local);
        break;
      case 'supportedcwmpversions':
        out.supportedCwmpVersions = h.text.trim();
        break;
      case 'usecwmpversion':
        out.useCwmpVersion = h.text.trim();
        break;
      case 'sessiontimeout':
        // XSD spells it SessionTimeout; GenieACS looks for sessionTimeout (cwmp-notes §1.4): accept both.
        out.sessionTimeout = parseIntText(h.text, h.path, h.local, 0, UINT);
        break;
      default:
        break; // NoMoreRequests and unknown entries are ignored (cwmp-notes §1.1).
    }
  }
  return { header: out, ns };
}

/**
 * Decodes a SOAP 1.1 envelope carrying one CWMP message.
 *
 * Accepts any prefixes (resolved by namespace URI), a default namespace on the
 * Envelope, cwmp-1-0/1-1/1-2, comments, CDATA, an XML declaration, whitespace,
 * `SOAP-ENV:Client`-style faultcodes, booleans as true/false/1/0, arrays with or
 * without `arrayType`, and an empty `<Notification>`. Values stay strings.
 * An RPC the codec does not model, in a cwmp namespace, comes back as
 * `{ name: 'Unknown', method }`.
 *
 * Throws {@link CwmpDecodeError} (and nothing else) for: input that is not XML, no
 * Envelope, an Envelope outside the SOAP 1.1 namespace, no Body, an empty Body,
 * more than one element in Body, an RPC element outside the cwmp namespaces, and
 * missing required arguments (e.g. GetParameterValues without ParameterNames).
 *
 * @example
 * const { header, body } = decodeEnvelope(xml);
 * if (body.name === 'GetParameterValues') console.log(header.id, body.parameterNames);
 */
export function decodeEnvelope(xml: string): Envelope {
  try {
    return decodeUnchecked(xml);
  } catch (e) {
    if (e instanceof CwmpDecodeError) throw e;
    // Guarantee: nothing but CwmpDecodeError escapes, whatever the input.
    const why = (e instanceof Error ? e.message : String(e)).slice(0, 160);
    throw new CwmpDecodeError(`cannot decode envelope: ${why}`, undefined, { cause: e });
  }
}

function decodeUnchecked(xml: string): Envelope {
  const root = parseXml(xml);
  if (root.local !== 'Envelope') throw new CwmpDecodeError(`root element is <${root.qname}>, expected a SOAP <Envelope>`, root.path);
  if (root.ns !== SOAP_ENV_NS) {
    throw new CwmpDecodeError(
      `Envelope is in namespace ${root.ns === undefined ? '(none)' : JSON.stringify(root.ns)}, expected SOAP 1.1 ${JSON.stringify(SOAP_ENV_NS)} (CWMP uses SOAP 1.1 only)`,
      root.path,
    );
  }
  const soapChildren = root.children.filter((c) => c.ns === SOAP_ENV_NS);
  const headerEl = soapChildren.find((c) => c.local === 'Header');
  const bodies = soapChildren.filter((c) => c.local === 'Body');
  if (bodies.length === 0) throw new CwmpDecodeError('Envelope has no SOAP Body', root.path);
  if (bodies.length > 1) throw new CwmpDecodeError('Envelope has more than one SOAP Body', root.path);
  const bodyEl = bodies[0] as XmlElement;
  const { header, ns: headerNs } = decodeHeader(headerEl);

  if (bodyEl.children.length === 0) {
    throw new CwmpDecodeError('SOAP Body is empty: an empty CWMP message is an HTTP body of length 0, not an empty envelope', bodyEl.path);
  }
  if (bodyEl.children.length > 1) {
    throw new CwmpDecodeError(`SOAP Body holds ${bodyEl.children.length} elements (${bodyEl.children.map((c) => c.local).join(', ')}), expected exactly one RPC`, bodyEl.path);
  }
  const rpcEl = bodyEl.children[0] as XmlElement;

  let body: CwmpMessage;
  let namespace: CwmpNamespace | undefined;
  if (rpcEl.ns === SOAP_ENV_NS && rpcEl.local === 'Fault') {
    const { fault, detailNs } = decodeFault(rpcEl);
    body = fault;
    namespace = isCwmpNamespace(detailNs) ? detailNs : isCwmpNamespace(headerNs) ? headerNs : undefined;
    if (!namespace) {
      // A fault's namespace is only a hint; fall back to any cwmp namespace in scope.
      namespace = [...rpcEl.scope.values()].find(isCwmpNamespace) ?? DEFAULT_NAMESPACE;
    }
  } else {
    if (!isCwmpNamespace(rpcEl.ns)) {
      const hint = rpcEl.ns?.startsWith('urn:dslforum-org:cwmp-')
        ? ' (there is no cwmp-1-3 or cwmp-1-4 namespace: CWMP 1.2–1.4 all use urn:dslforum-org:cwmp-1-2)'
        : '';
      throw new CwmpDecodeError(
        `RPC element <${rpcEl.qname}> is in namespace ${rpcEl.ns === undefined ? '(none)' : JSON.stringify(rpcEl.ns)}, expected urn:dslforum-org:cwmp-1-0, -1-1 or -1-2${hint}`,
        rpcEl.path,
      );
    }
    namespace = rpcEl.ns;
    body = decodeRpc(rpcEl);
  }
  return { header, namespace, body };
}
