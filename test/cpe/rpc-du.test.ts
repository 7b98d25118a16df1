import { describe, expect, it } from 'vitest';
import { handleAcsRequest, type RpcHost } from '../../src/cpe/rpc.js';
import type { ChangeDUState, DuOperation } from '../../src/cwmp/index.js';
import { faultCodeOf } from './harness.js';

const unused = (): never => {
  throw new Error('not used by these tests');
};

function host(changeDuState?: (req: ChangeDUState) => void): RpcHost {
  return {
    // handleAcsRequest reads the tree up front; ChangeDUState and GetRPCMethods never touch it.
    params: {} as RpcHost['params'],
    isHidden: unused,
    setParameterKey: unused,
    requestReboot: unused,
    requestFactoryReset: unused,
    startDownload: unused,
    scheduleInform: unused,
    startUpload: unused,
    scheduleDownload: unused,
    queuedTransfers: unused,
    cancelTransfer: unused,
    changeDuState,
  };
}

const install: DuOperation = { op: 'install', url: 'http://127.0.0.1:1/a.yaml', uuid: '', username: '', password: '', executionEnvRef: '' };
const cdus = (operations: DuOperation[], commandKey = 'k'): ChangeDUState => ({ name: 'ChangeDUState', operations, commandKey });

describe('ChangeDUState on the CPE (ref §8.1, §8.3)', () => {
  it('faults 9000 and is not in GetRPCMethods without software modules', () => {
    expect(faultCodeOf(() => handleAcsRequest(host(), cdus([install])))).toBe(9000);
    expect(handleAcsRequest(host(), { name: 'GetRPCMethods' })).not.toMatchObject({ methodList: expect.arrayContaining(['ChangeDUState']) });
  });

  it('is listed and hands a valid request to the lifecycle, answering an empty ChangeDUStateResponse', () => {
    const got: ChangeDUState[] = [];
    const h = host((r) => got.push(r));
    expect(handleAcsRequest(h, { name: 'GetRPCMethods' })).toMatchObject({ methodList: expect.arrayContaining(['ChangeDUState']) });
    // A URL-only update passes here (it fails later in the lifecycle with 9028).
    const req = cdus([install, { op: 'update', uuid: '', version: '', url: 'http://127.0.0.1:1/b.yaml', username: '', password: '' }]);
    expect(handleAcsRequest(h, req)).toEqual({ name: 'ChangeDUStateResponse' });
    expect(got).toEqual([req]);
  });

  it.each([
    ['no operation', cdus([])],
    ['an install without URL', cdus([{ ...install, url: '' }])],
    ['an update with neither UUID nor URL', cdus([{ op: 'update', uuid: '', version: '1', url: '', username: '', password: '' }])],
    ['an uninstall without UUID', cdus([{ op: 'uninstall', uuid: '', version: '', executionEnvRef: '' }])],
    ['a CommandKey over 32 characters', cdus([install], 'x'.repeat(33))],
  ])('faults 9003 for %s and starts nothing', (_what, req) => {
    const got: ChangeDUState[] = [];
    expect(faultCodeOf(() => handleAcsRequest(host((r) => got.push(r)), req))).toBe(9003);
    expect(got).toEqual([]);
  });
});
