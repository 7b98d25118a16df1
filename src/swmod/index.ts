/**
 * swmod/: TR-157 software modules (profile reference §8). Install, Update and Uninstall
 * of deployment units over one CPE's `ParameterTree` (DU/EU rows, the app's data model
 * grafted in), with manifests fetched over HTTP(S) by `transfer/`. Protocol-free: CWMP's
 * ChangeDUState (`cpe/`) and USP's InstallDU()/Update()/Uninstall() both use it.
 * @module
 */

// ---- lifecycle ----------------------------------------------------------------------
export { installDu, updateDu, uninstallDu, runDuOperations, installedModules, uspErrorCode, setExecutionUnitState, checkRequestedState, requestedStateRow, REQUESTED_STATES, DEFAULT_EU_START_DELAY_MS, DEFAULT_EU_STOP_DELAY_MS } from './lifecycle.js';
export type { SwmodContext, DuRequest, DuResult, DuFault, InstalledModule } from './lifecycle.js';

// ---- manifests ------------------------------------------------------------------------
export { httpManifestFetcher, MAX_MANIFEST_BYTES, MANIFEST_TIMEOUT_MS } from './fetch.js';
export type { ManifestFetcher, ManifestCredentials, HttpManifestFetcherOptions } from './fetch.js';

// ---- deployment-unit UUIDs --------------------------------------------------------------
export { deploymentUnitUuid, uuidV5, UUID_SHAPE } from './uuid.js';
