/**
 * cpe-sim: simulate fleets of TR-069 (CWMP) CPEs for ACS integration tests.
 *
 * Most users start with {@link startFleet} (or `withCpeFleet` from `cpe-sim/vitest`,
 * `useCpeFleet` from `cpe-sim/jest`) and {@link createFakeAcs}. The lower layers are
 * exported for people who build their own harness: the profile loader, the data
 * model, the CWMP codec and the Connection Request listener.
 * @packageDocumentation
 */

import { registerWithRunningTestRunner } from './testing/autoregister.js';

// ---- Errors --------------------------------------------------------------------
export * from './errors/index.js';

// ---- Fleet: N CPEs + one CR listener (+ an embedded fake ACS) -----------------------
export { startFleet, disableAllocationSitePretenuring, BootstrapError, isBootstrapError } from './fleet/index.js';
export type { Fleet, FleetOptions, FleetCrOptions, FleetUdpCrOptions, FleetStunOptions, FleetXmppOptions, FleetUspOptions, BootstrapFailure, BootstrapGiveUp, FleetAcsTls, FleetTransferOptions, DurationInput, LinkDownOptions, PowerCycleOptions, ShareOptions } from './fleet/index.js';

// ---- One CPE -----------------------------------------------------------------------
export { Cpe, isCpeClosedError, SessionMutex, formatSession, auditRetries, retryWaitRangeMs } from './cpe/index.js';
export type { CpeOptions, AcsTarget, SessionRecord, TranscriptEntry, InformRecord, TransportKind, AcsTls, Behaviour, DiagnosticRun, RetryAudit, RetryGapStats, RetryViolation, RetryPolicy, CpeLifecycleEvent } from './cpe/index.js';

// ---- Sessions as people read them: redacted JSON and the HTML timeline ------------------
export { sessionView, timelineHtml } from './timeline/index.js';
export type { SessionView, SessionViewEntry, TimelineReport, TimelineReportCpe } from './timeline/index.js';

// ---- Fake ACS ------------------------------------------------------------------------
export { createFakeAcs, connectionRequest, ConnectionRequestClient, formatAcsLine, sendUdpConnectionRequest, generateCertificate } from './acs/index.js';
export type * from './acs/index.js';

// ---- Fake USP Controller (TR-369; issue 21) ---------------------------------------------
export { createFakeUspController, UspControllerError, UspErrorResponse, USP_CONTROLLER_ERROR, isUspControllerError, getRespValues, isUspEvent, formatUspRecordLine, notifySummary, summarizeUspMsg } from './controller/index.js';
export type * from './controller/index.js';

// ---- Connection Request listener ------------------------------------------------------
export { createCrListener } from './cr/index.js';
export type { CrListener, CrListenerOptions, CrListenerStats, CrEndpoint, CrEndpointConfig, CrAuthScheme, CrRequestEvent } from './cr/index.js';

// ---- UDP Connection Request (TR-069 Annex G) --------------------------------------------
export { createUdpCrListener, buildUdpCr, parseUdpCr, udpCrSignature, verifyUdpCr, UDP_CR_REASONS, CrThrottle } from './cr/index.js';
export type { UdpCrEndpoint, UdpCrEvent, UdpCrListener, UdpCrListenerOptions, UdpCrStats, UdpCrFields, UdpCrMessage, UdpCrReason } from './cr/index.js';

// ---- STUN (TR-111 Part 2) and XMPP Connection Requests (TR-069 Annex K) ------------------
export { startStunServer, StunTransactions, StunBinder } from './stun/index.js';
export type { StunServer, StunServerOptions, StunBindingRecord, StunConfig, StunMapping } from './stun/index.js';
export { XmppAgent, XmppCrSender, jidAllowed, XMPP_CONN_REQ_NS } from './xmpp/index.js';
export type { XmppAgentOptions, XmppAgentStatus, XmppAccount, XmppCrResult, XmppCrEvent, XmppCrAnswer, XmppCrReason } from './xmpp/index.js';

// ---- Profiles -------------------------------------------------------------------------
export { loadProfile, parseProfile, parseManifest, profileFromObject, shippedProfileNames, shippedProfilePath, DEFAULT_MAX_PROFILE_BYTES, DEFAULT_MAX_VALUE_BYTES, parseDuration, parseDurationNs, DurationError, stampPlaceholders, stampSerial, PlaceholderError } from './profile/index.js';
export type * from './profile/types.js';
export type { ProfileLoadOptions } from './profile/index.js';

// ---- Data model -----------------------------------------------------------------------
export { Template, createParameterTree, checkValue, GeneratorClock, MAX_CATCHUP_TICKS } from './datamodel/index.js';
export type * from './datamodel/types.js';

// ---- Software modules (TR-157), protocol-free ------------------------------------------------
export { installDu, updateDu, uninstallDu, runDuOperations, installedModules, httpManifestFetcher, deploymentUnitUuid, uspErrorCode, setExecutionUnitState, checkRequestedState, MAX_MANIFEST_BYTES } from './swmod/index.js';
export type { SwmodContext, DuRequest, DuResult, DuFault, InstalledModule, ManifestFetcher, ManifestCredentials, HttpManifestFetcherOptions } from './swmod/index.js';

// ---- CWMP codec (pure) --------------------------------------------------------------------
export {
  encodeEnvelope,
  decodeEnvelope,
  CwmpDecodeError,
  CwmpEncodeError,
  EVENT,
  eventPolicy,
  isValidEventCode,
  faultFromError,
  errorFromFault,
  summarize,
  forcedInformParameters,
  NAMESPACE_BY_VERSION,
} from './cwmp/index.js';
export type * from './cwmp/types.js';
export type { EventPolicy } from './cwmp/index.js';

// ---- USP (TR-369) ----------------------------------------------------------------------------
export { decodeRecord, decodeMsg, encodeRecord, encodeMsg, wrapMsg, errorMsg, uspErrorToMsg, USP_RECORD_VERSION, USP_MAX_RECORD_BYTES, UspError, USP_ERR, isUspError } from './usp/index.js';
export type * from './usp/types.js';
export type { UspDecodeOptions, UspParamErr } from './usp/index.js';
export { handleRequest, parsePath, resolvePath, resolvePaths, followReference, supportedModel, AGENT_SUPPORTED_PROTOCOL_VERSIONS } from './usp/index.js';
export type { UspRequestContext, UspObjectChange, UspSupportedCommand, UspSupportedEvent, UspPath, PathSegment, PathEnd, SearchOp, SearchTerm, Resolution, ResolveOptions, ReferenceTarget, SupportedModel, SupportedObject, SupportedParam, SupportedTarget } from './usp/index.js';

// ---- USP Agent and its MTPs (issue 21) ---------------------------------------------------------
export { UspAgent, UspDeliveryError, isUspDeliveryError, withUspObjects, osEndpointId, endpointIdOf, mqttPasswordFromSecret, webSocketUrl, USP_PATHS } from './usp/index.js';
export type { UspAgentOptions, UspAgentStats, UspNotifier, UspMtpUpEvent, UspRequestHandler, UspAgentRequestContext, UspDeliveryFailure, EndpointIdFormat, UspMqttVersion, UspProvisioning, UspMountOptions, UspMtp, UspRoute } from './usp/index.js';

// ---- Time and logging ----------------------------------------------------------------------
export { createClock, Scheduler } from './clock/index.js';
export type { Clock, ScheduledJob } from './clock/index.js';
export { createLogger, silentLogger } from './log/index.js';
export type { Logger, LoggerOptions, LogLevel, LogFormat, LogFields } from './log/index.js';

// Imported inside a Vitest or Jest run, `cpe-sim` registers its matchers too: using
// them after `import { startFleet } from 'cpe-sim'` must not fail with "Invalid Chai
// property". (Their TypeScript types come with `cpe-sim/vitest` / `cpe-sim/jest`.)
registerWithRunningTestRunner();
