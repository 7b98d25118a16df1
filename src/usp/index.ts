/**
 * USP (TR-369) Agent side: Records and Messages, paths, message handlers, and (from
 * the other USP rooms) the agent, its MTPs, subscriptions and operations. Sits beside
 * `cpe/` over the same ParameterTree (docs/decisions/021-usp.md).
 * @module
 */

// ---- subscriptions, notifications and commands (usp-notify) -------------------
export { UspNotifications } from './notify.js';
export type { UspNotificationsOptions, NotificationSender, UspCommitChange } from './notify.js';
export { Subscriptions, NOTIF_TYPES, LOCAL_AGENT_PATHS } from './subscriptions.js';
export type { NotifType, SubscriptionRow, NotifyBody, WriteRefusal, SubscriptionsOptions } from './subscriptions.js';
export { UspOperations, CommandFailure, ACT_DELAY_MS } from './operate/index.js';
export type { CommandDef, CommandRun, OperationsHost } from './operate/index.js';
export { withFirmwareImages, parseTimeWindows, TIME_WINDOW_MODES, MAX_TIME_WINDOWS, IDLE_CHECK_MS, FIRMWARE_IMAGE_TABLE } from './operate/firmware.js';
export type { TimeWindow, TimeWindowMode } from './operate/firmware.js';
export { LOCAL_BOOT } from './device.js';
// ---- usp-events: Periodic!, TriggerAction, TransferCompletePolicy ----------------------------
export { PeriodicNotifications, PERIODIC_EVENT, nextOnGrid } from './periodic.js';
export type { PeriodicNotificationsOptions } from './periodic.js';
export { TRIGGER_ACTIONS, MAX_TRIGGER_CASCADE, parseTriggerConfig } from './trigger.js';
export type { TriggerAction, TriggerSetting } from './trigger.js';
export { RESULT_TYPE_FILTERS, TRANSFER_COMPLETE_EVENT } from './transfer-policy.js';
export type { ResultTypeFilter } from './transfer-policy.js';
export type { UspDevice, UspBootCause, UspBootCauseName, UspLifecycleEvent, UspLifecycleReason, UspDiagnosticResult, UspTransferSettings } from './device.js';

// ---- usp-core: types, codec, errors --------------------------------------------
export type * from './types.js';
export { decodeRecord, decodeMsg, encodeRecord, encodeMsg, wrapMsg, errorMsg, uspErrorToMsg, USP_RECORD_VERSION, USP_MAX_RECORD_BYTES } from './codec.js';
export type { UspDecodeOptions } from './codec.js';
export { UspError, USP_ERR, isUspError } from './errors.js';
export type { UspParamErr } from './errors.js';

// ---- usp-core: paths and request handling ----------------------------------------
export { parsePath, resolvePath, resolvePaths, followReference, supportedModel, supportedTarget, rowsOf } from './paths.js';
export type { UspPath, PathSegment, PathEnd, SearchOp, SearchTerm, Resolution, ResolveOptions, ReferenceTarget, SupportedModel, SupportedObject, SupportedParam, SupportedTarget } from './paths.js';
export { UpTimeLeaf, LOCAL_AGENT_UPTIME } from './uptime.js';
export { handleRequest } from './dispatch.js';
export type { UspRequestContext, UspObjectChange, UspSupportedCommand, UspSupportedEvent } from './dispatch.js';
export { AGENT_SUPPORTED_PROTOCOL_VERSIONS } from './messages/supported.js';

// ---- usp-agent: identity, the LocalAgent / MQTT objects, the agent and its MTPs --------
export { withUspObjects, USP_PATHS, UNKNOWN_TIME } from './mount.js';
export type { UspMountOptions } from './mount.js';
export { osEndpointId, endpointIdOf, encodeInstanceIdPart, MAX_INSTANCE_ID } from './endpoint.js';
export type { EndpointIdFormat } from './endpoint.js';
export { UspAgent } from './agent.js';
export type { UspAgentOptions, UspAgentStats, UspNotifier, UspMtpUpEvent, UspAgentRequestContext, UspRequestHandler } from './agent.js';
export { UspDeliveryError, isUspDeliveryError } from './delivery.js';
export type { UspDeliveryFailure } from './delivery.js';
export type { UspMtp, UspMtpKind, UspMtpHost, UspRoute, UspTlsOptions } from './mtp.js';
export { tlsFailureCode } from './mtp.js';
export { MqttMtp, mqttPasswordFromSecret, replyToSuffix, replyToOf, DEFAULT_AGENT_TOPIC, DEFAULT_CONTROLLER_TOPIC, USP_CONTENT_TYPES, MQTT_TRANSPORTS, DEFAULT_MQTT_WS_PATH } from './mqtt.js';
export type { MqttMtpOptions, UspMqttVersion, MqttTransportProtocol } from './mqtt.js';
export { WebSocketMtp, webSocketUrl, USP_WS_PROTOCOL, MAX_MISSED_PONGS } from './websocket.js';
export type { WebSocketMtpOptions } from './websocket.js';
export { provisionAgent, topicFor } from './provision.js';
export type { UspProvisioning, UspMqttProvisioning, UspWebSocketProvisioning } from './provision.js';
export { uspRetryWaitMs, uspRetryRangeMs, uspRetryPolicyFrom, DEFAULT_USP_RETRY, USP_RETRY_EXPONENT_CAP } from './backoff.js';
export type { UspRetryPolicy } from './backoff.js';
export { peekMsg } from './peek.js';
export type { MsgPeek } from './peek.js';
