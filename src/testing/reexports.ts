/**
 * What both runner entry points (`cpe-sim/vitest`, `cpe-sim/jest`) re-export, so the
 * two stay identical apart from their runner wiring.
 * @module
 */
export { startFleet, BootstrapError, isBootstrapError } from '../fleet/index.js';
export type { Fleet, FleetOptions, BootstrapFailure } from '../fleet/index.js';
export type { Cpe, SessionRecord, InformRecord, TranscriptEntry } from '../cpe/index.js';
export type { FakeAcs, CrResult } from '../acs/index.js';
export type { CpeFleetOptions, CpeFleetCrOptions } from './options.js';
export type { CpeSimMatchers, AsymmetricLike } from './types.js';
export type { ToHaveInformedOptions, ToHaveReceivedRpcOptions, ToHaveCompletedDiagnosticOptions, ToBeThrottledOptions, ToBeUnauthorizedOptions, CompletedTransferExpectation, InstalledModuleExpectation, ToHaveWokenViaOptions, WakePath } from './matchers.js';
export { cpeSimMatchers } from './matchers.js';
export type { ToHaveNotifiedOptions, UspNotifyKind } from './usp-matchers.js';
export type { FakeUspController, UspNotifyRecord, UspRecordEntry } from '../controller/index.js';
export { failureTranscript, markSessions } from './transcript.js';
export { UnawaitedMatcherError } from './unawaited.js';
