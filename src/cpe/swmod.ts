/**
 * The CPE's side of TR-157 software modules: ChangeDUState operations handed to
 * `swmod/` and its results turned into one DUStateChangeComplete (TR-069 A.4.2.x /
 * ref §8.3). The lifecycle itself lives in `swmod/`; this file only translates.
 * @module
 */
import type { AutonOpResultStruct, ChangeDUState, DUStateChangeComplete, DuOperation, OpResultStruct } from '../cwmp/index.js';
import { CpeSimError } from '../errors/index.js';
import type { DuRequest, DuResult } from '../swmod/index.js';

/** A ChangeDUState operation as the lifecycle takes it (empty strings mean "not given"). */
export function duRequestOf(o: DuOperation): DuRequest {
  if (o.op === 'install') return { op: 'install', url: o.url, uuid: o.uuid, executionEnvRef: o.executionEnvRef, username: o.username, password: o.password };
  if (o.op === 'update') return { op: 'update', uuid: o.uuid, version: o.version, url: o.url, username: o.username, password: o.password };
  return { op: 'uninstall', uuid: o.uuid, version: o.version, executionEnvRef: o.executionEnvRef };
}

/** A.4.2.x OpResultStruct: ExecutionUnitRefList comma-joined, FaultCode 0 and "" on success. */
export function opResultOf(r: DuResult): OpResultStruct {
  return {
    uuid: r.uuid,
    deploymentUnitRef: r.deploymentUnitRef,
    version: r.version,
    currentState: r.currentState,
    resolved: r.resolved,
    executionUnitRefList: r.executionUnitRefs.join(','),
    startTime: r.startTime,
    completeTime: r.completeTime,
    fault: { faultCode: r.fault?.cwmpCode ?? 0, faultString: r.fault?.message ?? '' },
  };
}

/** The DUStateChangeComplete that reports one ChangeDUState. */
export function duStateChangeComplete(req: ChangeDUState, results: readonly DuResult[]): DUStateChangeComplete {
  return { name: 'DUStateChangeComplete', commandKey: req.commandKey, results: results.map(opResultOf) };
}

const PERFORMED = { install: 'Install', update: 'Update', uninstall: 'Uninstall' } as const;

/** cwmp-1-2 AutonOpResultStruct: the OpResultStruct plus OperationPerformed. */
export function autonOpResultOf(r: DuResult): AutonOpResultStruct {
  return { ...opResultOf(r), operationPerformed: PERFORMED[r.op] };
}

/**
 * The same argument rules as a ChangeDUState operation (ref §8.3, 9003 there), for an
 * autonomous change asked through the API: a clear error naming what is missing.
 */
export function checkAutonomousDuRequest(req: DuRequest): void {
  const bad = (why: string): never => {
    throw new CpeSimError('CPESIM_SWMOD_INVALID', `autonomousDuStateChange: ${why}`);
  };
  if (typeof req !== 'object' || req === null || !Object.hasOwn(PERFORMED, (req as { op?: unknown }).op as string)) bad('op must be "install", "update" or "uninstall"');
  if (req.op === 'install' && !(typeof req.url === 'string' && req.url !== '')) bad('an install needs a url (the manifest)');
  if (req.op === 'update' && !req.uuid && !req.url) bad('an update needs a uuid or a url');
  if (req.op === 'uninstall' && !(typeof req.uuid === 'string' && req.uuid !== '')) bad('an uninstall needs a uuid');
}
