/**
 * One readable line per CWMP message, for transcripts, logs and CLI output.
 * @module
 */
import { redactUrl } from '../log/index.js';
import type { CwmpMessage, ParameterValueStruct } from './types.js';

const MAX_ITEMS = 3;
const MAX_VALUE = 40;

/**
 * Keeps the summary on one line: control characters become visible escapes; long values
 * are clipped. A URL's credentials (a Download URL, a ManagementServer.URL value) never
 * reach a transcript line.
 */
function oneLine(s: string, max = MAX_VALUE): string {
  const flat = redactUrl(s).replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

function list(items: readonly string[], render: (s: string) => string = (s) => oneLine(s, 120)): string {
  if (items.length === 0) return '(none)';
  const shown = items.slice(0, MAX_ITEMS).map(render).join(', ');
  return items.length > MAX_ITEMS ? `${shown} +${items.length - MAX_ITEMS} more` : shown;
}

function pairs(params: readonly ParameterValueStruct[]): string {
  return list(
    params.map((p) => `${p.name}=${oneLine(p.value)}`),
    (s) => s,
  );
}

function key(label: string, v: string): string {
  return v === '' ? '' : ` ${label}=${oneLine(v)}`;
}

/**
 * One line describing a message (null = the empty HTTP body).
 *
 * @example summarize(inform) // 'Inform [0 BOOTSTRAP, 1 BOOT] SN=LAB-0001 retry=0'
 * @example summarize({ name: 'SetParameterValuesResponse', status: 0 }) // 'SetParameterValuesResponse status=0'
 * @example summarize(null) // '(empty)'
 */
export function summarize(msg: CwmpMessage | null): string {
  if (msg === null) return '(empty)';
  switch (msg.name) {
    case 'Inform': {
      const ev = msg.event.map((e) => (e.commandKey ? `${e.eventCode}(${oneLine(e.commandKey)})` : e.eventCode)).join(', ');
      return `Inform [${ev}] SN=${oneLine(msg.deviceId.serialNumber)} retry=${msg.retryCount}`;
    }
    case 'InformResponse':
      return 'InformResponse';
    case 'TransferComplete':
      return `TransferComplete${key('commandKey', msg.commandKey)} fault=${msg.faultStruct.faultCode}${msg.faultStruct.faultString ? ` ${oneLine(msg.faultStruct.faultString)}` : ''}`;
    case 'GetRPCMethodsResponse':
      return `GetRPCMethodsResponse ${list(msg.methodList)}`;
    case 'GetParameterNames':
      return `GetParameterNames ${msg.parameterPath === '' ? '(all)' : oneLine(msg.parameterPath, 120)} nextLevel=${msg.nextLevel}`;
    case 'GetParameterValues':
    case 'GetParameterAttributes':
      return `${msg.name} ${list(msg.parameterNames)}`;
    case 'SetParameterValues':
      return `SetParameterValues ${pairs(msg.parameterList)}${key('key', msg.parameterKey)}`;
    case 'SetParameterAttributes':
      return `SetParameterAttributes ${list(
        msg.parameterList.map((p) => `${p.name}${p.notificationChange ? ` notification=${p.notification}` : ''}${p.accessListChange ? ` accessList=[${p.accessList.join(',')}]` : ''}`),
      )}`;
    case 'AddObject':
    case 'DeleteObject':
      return `${msg.name} ${oneLine(msg.objectName, 120)}${key('key', msg.parameterKey)}`;
    case 'Reboot':
      return `Reboot${key('commandKey', msg.commandKey)}`;
    case 'Download':
      return `Download ${oneLine(msg.fileType)} ${oneLine(msg.url, 120)}${key('commandKey', msg.commandKey)}${msg.delaySeconds ? ` delay=${msg.delaySeconds}s` : ''}`;
    case 'ScheduleInform':
      return `ScheduleInform delay=${msg.delaySeconds}s${key('commandKey', msg.commandKey)}`;
    case 'Upload':
      return `Upload ${oneLine(msg.fileType)} ${oneLine(msg.url, 120)}${key('commandKey', msg.commandKey)}${msg.delaySeconds ? ` delay=${msg.delaySeconds}s` : ''}`;
    case 'ScheduleDownload':
      return `ScheduleDownload ${oneLine(msg.fileType)} ${oneLine(msg.url, 120)}${key('commandKey', msg.commandKey)} windows=${list(msg.timeWindowList.map((t) => `${t.windowStart}-${t.windowEnd}s ${t.windowMode}`))}`;
    case 'CancelTransfer':
      return `CancelTransfer${key('commandKey', msg.commandKey)}`;
    case 'AutonomousTransferComplete':
      return `AutonomousTransferComplete ${msg.isDownload ? 'download' : 'upload'} ${oneLine(msg.fileType)} fault=${msg.faultStruct.faultCode}`;
    case 'AutonomousDUStateChangeComplete':
      return `AutonomousDUStateChangeComplete ${list(msg.results.map((r) => `${r.operationPerformed} ${r.uuid} ${r.currentState} fault=${r.fault.faultCode}`))}`;
    case 'UploadResponse':
      return `UploadResponse status=${msg.status}`;
    case 'GetQueuedTransfersResponse':
    case 'GetAllQueuedTransfersResponse':
      return `${msg.name} ${list(msg.transferList.map((t) => `${t.commandKey || '""'} state=${t.state}`))}`;
    case 'GetParameterNamesResponse':
      return `GetParameterNamesResponse ${msg.parameterList.length} name${msg.parameterList.length === 1 ? '' : 's'}: ${list(msg.parameterList.map((p) => p.name))}`;
    case 'GetParameterValuesResponse':
      return `GetParameterValuesResponse ${pairs(msg.parameterList)}`;
    case 'GetParameterAttributesResponse':
      return `GetParameterAttributesResponse ${list(msg.parameterList.map((p) => `${p.name} notification=${p.notification}`))}`;
    case 'SetParameterValuesResponse':
    case 'DeleteObjectResponse':
      return `${msg.name} status=${msg.status}`;
    case 'AddObjectResponse':
      return `AddObjectResponse instance=${msg.instanceNumber} status=${msg.status}`;
    case 'DownloadResponse':
      return `DownloadResponse status=${msg.status}`;
    case 'Fault': {
      const spv = msg.detail.setParameterValuesFault ?? [];
      const extra = spv.length > 0 ? ` [${list(spv.map((s) => `${s.parameterName} ${s.faultCode}`))}]` : '';
      return `Fault ${msg.detail.faultCode} ${oneLine(msg.detail.faultString, 120)}${extra}`;
    }
    case 'Unknown':
      return `${oneLine(msg.method)} (unsupported method)`;
    default:
      return msg.name;
  }
}
