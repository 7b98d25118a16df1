import { describe, expect, it } from 'vitest';
import { CwmpDecodeError, decodeEnvelope, encodeEnvelope } from '../../src/cwmp/index.js';

const env = (body: string): string =>
  `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-2"><soap-env:Header/><soap-env:Body>${body}</soap-env:Body></soap-env:Envelope>`;

describe('ChangeDUState / DUStateChangeComplete (TR-069 A.4.1.14, A.4.1.15)', () => {
  it('decodes operations named by element and by xsi:type, absent arguments as ""', () => {
    const xml = env(`<cwmp:ChangeDUState><Operations soap-enc:arrayType="cwmp:OperationStruct[3]">
      <InstallOpStruct><URL>http://h/a.yaml</URL><ExecutionEnvRef>Device.SoftwareModules.ExecEnv.1</ExecutionEnvRef></InstallOpStruct>
      <OperationStruct xsi:type="cwmp:UninstallOpStruct"><UUID> 2c637338-cae3-5bc3-87c0-1fa87ce5af2c </UUID></OperationStruct>
      <UpdateOpStruct><URL>http://h/b.yaml</URL></UpdateOpStruct>
    </Operations><CommandKey>k1</CommandKey></cwmp:ChangeDUState>`);
    const m = decodeEnvelope(xml).body;
    expect(m).toEqual({
      name: 'ChangeDUState',
      commandKey: 'k1',
      operations: [
        { op: 'install', url: 'http://h/a.yaml', uuid: '', username: '', password: '', executionEnvRef: 'Device.SoftwareModules.ExecEnv.1' },
        { op: 'uninstall', uuid: '2c637338-cae3-5bc3-87c0-1fa87ce5af2c', version: '', executionEnvRef: '' },
        { op: 'update', uuid: '', version: '', url: 'http://h/b.yaml', username: '', password: '' },
      ],
    });
  });

  it('rejects an operation of an unknown struct type, naming it', () => {
    const xml = env('<cwmp:ChangeDUState><Operations><MoveOpStruct/></Operations><CommandKey/></cwmp:ChangeDUState>');
    expect(() => decodeEnvelope(xml)).toThrow(CwmpDecodeError);
    expect(() => decodeEnvelope(xml)).toThrow(/MoveOpStruct/);
  });

  it('encodes DUStateChangeComplete with Results of OpResultStruct, Resolved as xsd:boolean and a Fault per result', () => {
    const xml = encodeEnvelope({
      name: 'DUStateChangeComplete',
      commandKey: 'k1',
      results: [{ uuid: 'u', deploymentUnitRef: '', version: '', currentState: 'Failed', resolved: false, executionUnitRefList: '', startTime: '2025-01-01T00:00:00Z', completeTime: '2025-01-01T00:00:01Z', fault: { faultCode: 9018, faultString: 'File corrupted' } }],
    });
    expect(xml).toContain('<Results soap-enc:arrayType="cwmp:OpResultStruct[1]">');
    expect(xml).toMatch(/<Resolved>false<\/Resolved>/);
    expect(xml).toMatch(/<Fault>\s*<FaultCode>9018<\/FaultCode>\s*<FaultString>File corrupted<\/FaultString>\s*<\/Fault>/);
    expect(xml).toMatch(/<\/Results>\s*<CommandKey>k1<\/CommandKey>/);
  });
});
