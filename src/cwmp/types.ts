/**
 * Typed CWMP messages (TR-069 Annex A, cwmp-1-0..1-4.xsd). The codec turns these
 * into SOAP envelopes and back; the CPE and the fake ACS only ever see these types.
 * All values stay strings until the data model types them (a SerialNumber "0012"
 * must never become 12).
 * @module
 */

/** CWMP protocol versions we speak. Namespaces: 1.0 → cwmp-1-0, 1.1 → cwmp-1-1, 1.2/1.3/1.4 → cwmp-1-2. */
export type CwmpVersion = '1.0' | '1.1' | '1.2' | '1.3' | '1.4';

/** `urn:dslforum-org:cwmp-1-0` etc. */
export type CwmpNamespace = 'urn:dslforum-org:cwmp-1-0' | 'urn:dslforum-org:cwmp-1-1' | 'urn:dslforum-org:cwmp-1-2';

/** EventCode strings: `0 BOOTSTRAP` … `14 HEARTBEAT`, `M Reboot`, vendor `X …`. */
export type EventCode = string;

export interface EventStruct {
  eventCode: EventCode;
  commandKey: string;
}

export interface DeviceIdStruct {
  manufacturer: string;
  oui: string;
  productClass: string;
  serialNumber: string;
}

export interface ParameterValueStruct {
  name: string;
  value: string;
  /** xsi:type, e.g. `xsd:string`; optional on input (some ACSs omit it). */
  type?: string;
}

export interface ParameterInfoStruct {
  name: string;
  writable: boolean;
}

export interface ParameterAttributeStruct {
  name: string;
  notification: number;
  accessList: string[];
}

export interface SetParameterAttributesStruct {
  name: string;
  notificationChange: boolean;
  notification: number;
  accessListChange: boolean;
  accessList: string[];
}

export interface FaultStruct {
  faultCode: number;
  faultString: string;
}

// ---- CPE → ACS requests -----------------------------------------------------

export interface Inform {
  name: 'Inform';
  deviceId: DeviceIdStruct;
  event: EventStruct[];
  maxEnvelopes: number;
  /** xsd:dateTime */
  currentTime: string;
  retryCount: number;
  parameterList: ParameterValueStruct[];
}
export interface TransferComplete {
  name: 'TransferComplete';
  commandKey: string;
  faultStruct: FaultStruct;
  startTime: string;
  completeTime: string;
}
export interface GetRPCMethods {
  name: 'GetRPCMethods';
}
/** A.3.3.3: a transfer the CPE did on its own (not asked by Download/Upload). */
export interface AutonomousTransferComplete {
  name: 'AutonomousTransferComplete';
  announceURL: string;
  transferURL: string;
  isDownload: boolean;
  fileType: string;
  fileSize: number;
  targetFileName: string;
  faultStruct: FaultStruct;
  startTime: string;
  completeTime: string;
}

/** A.4.1.15 OpResultStruct: the outcome of one ChangeDUState operation. */
export interface OpResultStruct {
  uuid: string;
  /** Path of the DeploymentUnit row, no trailing dot ('' when none remains). */
  deploymentUnitRef: string;
  version: string;
  /** `Installed`, `Uninstalled` or `Failed`. */
  currentState: string;
  resolved: boolean;
  /** Comma-joined ExecutionUnit paths. */
  executionUnitRefList: string;
  startTime: string;
  completeTime: string;
  fault: FaultStruct;
}
/** A.4.1.15: the CPE reports the outcome of a ChangeDUState. */
export interface DUStateChangeComplete {
  name: 'DUStateChangeComplete';
  results: OpResultStruct[];
  commandKey: string;
}
/**
 * cwmp-1-2 AutonOpResultStruct: an {@link OpResultStruct} plus the operation the CPE
 * performed on its own (`Install`, `Update` or `Uninstall`).
 */
export interface AutonOpResultStruct extends OpResultStruct {
  operationPerformed: 'Install' | 'Update' | 'Uninstall';
}
/**
 * TR-069 Annex A.4.2 AutonomousDUStateChangeComplete: deployment-unit changes the CPE
 * made without a ChangeDUState (no CommandKey); goes with `12 AUTONOMOUS DU STATE CHANGE COMPLETE`.
 */
export interface AutonomousDUStateChangeComplete {
  name: 'AutonomousDUStateChangeComplete';
  results: AutonOpResultStruct[];
}

// ---- ACS → CPE responses to CPE requests --------------------------------------

export interface InformResponse {
  name: 'InformResponse';
  maxEnvelopes: number;
}
export interface TransferCompleteResponse {
  name: 'TransferCompleteResponse';
}
export interface GetRPCMethodsResponse {
  name: 'GetRPCMethodsResponse';
  methodList: string[];
}
export interface AutonomousTransferCompleteResponse {
  name: 'AutonomousTransferCompleteResponse';
}
export interface DUStateChangeCompleteResponse {
  name: 'DUStateChangeCompleteResponse';
}
export interface AutonomousDUStateChangeCompleteResponse {
  name: 'AutonomousDUStateChangeCompleteResponse';
}

// ---- ACS → CPE requests -----------------------------------------------------

/** A.4.1.14 InstallOpStruct. */
export interface InstallOpStruct {
  op: 'install';
  url: string;
  uuid: string;
  username: string;
  password: string;
  executionEnvRef: string;
}
/** A.4.1.14 UpdateOpStruct. */
export interface UpdateOpStruct {
  op: 'update';
  uuid: string;
  version: string;
  url: string;
  username: string;
  password: string;
}
/** A.4.1.14 UninstallOpStruct. */
export interface UninstallOpStruct {
  op: 'uninstall';
  uuid: string;
  version: string;
  executionEnvRef: string;
}
export type DuOperation = InstallOpStruct | UpdateOpStruct | UninstallOpStruct;
/** A.4.1.14: install, update or uninstall deployment units (TR-157). */
export interface ChangeDUState {
  name: 'ChangeDUState';
  operations: DuOperation[];
  commandKey: string;
}

export interface GetParameterNames {
  name: 'GetParameterNames';
  parameterPath: string;
  nextLevel: boolean;
}
export interface GetParameterValues {
  name: 'GetParameterValues';
  parameterNames: string[];
}
export interface SetParameterValues {
  name: 'SetParameterValues';
  parameterList: ParameterValueStruct[];
  parameterKey: string;
}
export interface GetParameterAttributes {
  name: 'GetParameterAttributes';
  parameterNames: string[];
}
export interface SetParameterAttributes {
  name: 'SetParameterAttributes';
  parameterList: SetParameterAttributesStruct[];
}
export interface AddObject {
  name: 'AddObject';
  objectName: string;
  parameterKey: string;
}
export interface DeleteObject {
  name: 'DeleteObject';
  objectName: string;
  parameterKey: string;
}
export interface Reboot {
  name: 'Reboot';
  commandKey: string;
}
export interface FactoryReset {
  name: 'FactoryReset';
}
/** What Download, Upload and ScheduleDownload share (TR-069 A.4.1.4, A.4.1.5, A.4.1.10). */
export interface TransferArgs {
  commandKey: string;
  fileType: string;
  url: string;
  username: string;
  password: string;
}
export interface Download extends TransferArgs {
  name: 'Download';
  fileSize: number;
  targetFileName: string;
  delaySeconds: number;
  successURL: string;
  failureURL: string;
}
export interface ScheduleInform {
  name: 'ScheduleInform';
  delaySeconds: number;
  commandKey: string;
}
/** A.4.1.5 */
export interface Upload extends TransferArgs {
  name: 'Upload';
  delaySeconds: number;
}
/** A.4.1.10: one of at most two windows, in seconds from the RPC. */
export interface TimeWindowStruct {
  windowStart: number;
  windowEnd: number;
  /** `1 At Any Time`, `2 Immediately`, `3 When Idle`, `4 Confirmation Needed`, or a vendor `X …`. */
  windowMode: string;
  userMessage: string;
  /** -1 = the CPE decides. */
  maxRetries: number;
}
/** A.4.1.10 */
export interface ScheduleDownload extends TransferArgs {
  name: 'ScheduleDownload';
  fileSize: number;
  targetFileName: string;
  timeWindowList: TimeWindowStruct[];
}
/** A.4.1.6 */
export interface GetQueuedTransfers {
  name: 'GetQueuedTransfers';
}
/** A.4.1.7 */
export interface GetAllQueuedTransfers {
  name: 'GetAllQueuedTransfers';
}
/** A.4.1.11 */
export interface CancelTransfer {
  name: 'CancelTransfer';
  commandKey: string;
}
/** TR-069 TransferState: 1 not yet started, 2 in progress, 3 completed. */
export interface QueuedTransferStruct {
  commandKey: string;
  state: 1 | 2 | 3;
}
export interface AllQueuedTransferStruct extends QueuedTransferStruct {
  isDownload: boolean;
  fileType: string;
  fileSize: number;
  targetFileName: string;
}

// ---- CPE → ACS responses ------------------------------------------------------

export interface GetParameterNamesResponse {
  name: 'GetParameterNamesResponse';
  parameterList: ParameterInfoStruct[];
}
export interface GetParameterValuesResponse {
  name: 'GetParameterValuesResponse';
  parameterList: ParameterValueStruct[];
}
export interface SetParameterValuesResponse {
  name: 'SetParameterValuesResponse';
  status: 0 | 1;
}
export interface GetParameterAttributesResponse {
  name: 'GetParameterAttributesResponse';
  parameterList: ParameterAttributeStruct[];
}
export interface SetParameterAttributesResponse {
  name: 'SetParameterAttributesResponse';
}
export interface AddObjectResponse {
  name: 'AddObjectResponse';
  instanceNumber: number;
  status: 0 | 1;
}
export interface DeleteObjectResponse {
  name: 'DeleteObjectResponse';
  status: 0 | 1;
}
export interface RebootResponse {
  name: 'RebootResponse';
}
export interface FactoryResetResponse {
  name: 'FactoryResetResponse';
}
export interface DownloadResponse {
  name: 'DownloadResponse';
  status: 0 | 1;
  startTime: string;
  completeTime: string;
}
export interface ScheduleInformResponse {
  name: 'ScheduleInformResponse';
}
export interface UploadResponse {
  name: 'UploadResponse';
  status: 0 | 1;
  startTime: string;
  completeTime: string;
}
export interface ScheduleDownloadResponse {
  name: 'ScheduleDownloadResponse';
}
export interface GetQueuedTransfersResponse {
  name: 'GetQueuedTransfersResponse';
  transferList: QueuedTransferStruct[];
}
export interface GetAllQueuedTransfersResponse {
  name: 'GetAllQueuedTransfersResponse';
  transferList: AllQueuedTransferStruct[];
}
export interface CancelTransferResponse {
  name: 'CancelTransferResponse';
}
/** A.4.1.14: always empty; the outcome comes later in DUStateChangeComplete. */
export interface ChangeDUStateResponse {
  name: 'ChangeDUStateResponse';
}

/** A SOAP Fault carrying a `cwmp:Fault` detail (either direction). */
export interface Fault {
  name: 'Fault';
  /** SOAP faultcode: `Client` or `Server`. */
  faultcode: 'Client' | 'Server';
  faultstring: string;
  detail: {
    faultCode: number;
    faultString: string;
    setParameterValuesFault?: { parameterName: string; faultCode: number; faultString: string }[];
  };
}

/** Any request an ACS can send to a CPE. */
export type AcsRequest =
  | GetRPCMethods
  | GetParameterNames
  | GetParameterValues
  | SetParameterValues
  | GetParameterAttributes
  | SetParameterAttributes
  | AddObject
  | DeleteObject
  | Reboot
  | FactoryReset
  | Download
  | ScheduleInform
  | Upload
  | ScheduleDownload
  | GetQueuedTransfers
  | GetAllQueuedTransfers
  | CancelTransfer
  | ChangeDUState;

/** Any response a CPE sends to an ACS request (or a Fault). */
export type CpeResponse =
  | GetRPCMethodsResponse
  | GetParameterNamesResponse
  | GetParameterValuesResponse
  | SetParameterValuesResponse
  | GetParameterAttributesResponse
  | SetParameterAttributesResponse
  | AddObjectResponse
  | DeleteObjectResponse
  | RebootResponse
  | FactoryResetResponse
  | DownloadResponse
  | ScheduleInformResponse
  | UploadResponse
  | ScheduleDownloadResponse
  | GetQueuedTransfersResponse
  | GetAllQueuedTransfersResponse
  | CancelTransferResponse
  | ChangeDUStateResponse
  | Fault;

/** Requests a CPE sends. */
export type CpeRequest = Inform | TransferComplete | AutonomousTransferComplete | DUStateChangeComplete | AutonomousDUStateChangeComplete | GetRPCMethods;
/** Responses an ACS sends to CPE requests. */
export type AcsResponse = InformResponse | TransferCompleteResponse | AutonomousTransferCompleteResponse | DUStateChangeCompleteResponse | AutonomousDUStateChangeCompleteResponse | GetRPCMethodsResponse | Fault;

/**
 * Any body the codec knows. `Unknown` is an RPC element the codec does not model
 * (kept so the receiver can answer 9000/8000 Method not supported instead of failing).
 */
export type CwmpMessage = AcsRequest | CpeResponse | CpeRequest | AcsResponse | UnknownMessage;

export interface UnknownMessage {
  name: 'Unknown';
  /** Local name of the body element, e.g. `Upload`. */
  method: string;
}

/** SOAP header values we read and write. */
export interface CwmpHeader {
  /** cwmp:ID; echoed by the responder. */
  id?: string;
  holdRequests?: boolean;
  /** CWMP 1.4: comma list in the Inform. */
  supportedCwmpVersions?: string;
  /** CWMP 1.4: chosen by the ACS in InformResponse. */
  useCwmpVersion?: string;
  /** CWMP 1.3+: seconds, in the Inform. */
  sessionTimeout?: number;
}

/** A decoded envelope. */
export interface Envelope {
  header: CwmpHeader;
  /** The cwmp namespace the body used. */
  namespace: CwmpNamespace;
  body: CwmpMessage;
}

