/**
 * swmod/: TR-157 software modules (profile reference §8). So far: the deployment-unit
 * UUID rule (§8.5). The lifecycle (install/update/uninstall over ChangeDUState) plugs
 * into the CPE through `RpcHost.changeDuState`.
 * @module
 */
export { deploymentUnitUuid, uuidV5, UUID_SHAPE } from './uuid.js';
