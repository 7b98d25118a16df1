import { describe, expect, it } from 'vitest';
import { summarize, type CwmpMessage } from '../../src/cwmp/index.js';
import { SAMPLES } from './samples.js';

const inform: CwmpMessage = {
  name: 'Inform',
  deviceId: { manufacturer: 'M', oui: '001122', productClass: 'P', serialNumber: 'LAB-0001' },
  event: [
    { eventCode: '0 BOOTSTRAP', commandKey: '' },
    { eventCode: '1 BOOT', commandKey: '' },
  ],
  maxEnvelopes: 1,
  currentTime: '2025-03-01T10:15:00Z',
  retryCount: 0,
  parameterList: [],
};

describe('summarize', () => {
  it.each<[CwmpMessage | null, string]>([
    [null, '(empty)'],
    [inform, 'Inform [0 BOOTSTRAP, 1 BOOT] SN=LAB-0001 retry=0'],
    [{ ...inform, event: [{ eventCode: 'M Reboot', commandKey: 'rb-17' }], retryCount: 2 } as CwmpMessage, 'Inform [M Reboot(rb-17)] SN=LAB-0001 retry=2'],
    [{ name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.SoftwareVersion'] }, 'GetParameterValues Device.DeviceInfo.SoftwareVersion'],
    [{ name: 'GetParameterValues', parameterNames: ['A', 'B', 'C', 'D', 'E'] }, 'GetParameterValues A, B, C +2 more'],
    [{ name: 'SetParameterValuesResponse', status: 0 }, 'SetParameterValuesResponse status=0'],
    [{ name: 'Fault', faultcode: 'Client', faultstring: 'CWMP fault', detail: { faultCode: 9005, faultString: 'Invalid parameter name' } }, 'Fault 9005 Invalid parameter name'],
    [{ name: 'SetParameterValues', parameterList: [{ name: 'Device.A', value: '300' }], parameterKey: 'pk-4' }, 'SetParameterValues Device.A=300 key=pk-4'],
    [{ name: 'GetParameterNames', parameterPath: '', nextLevel: false }, 'GetParameterNames (all) nextLevel=false'],
    [{ name: 'AddObjectResponse', instanceNumber: 3, status: 0 }, 'AddObjectResponse instance=3 status=0'],
    [{ name: 'Reboot', commandKey: 'rb-17' }, 'Reboot commandKey=rb-17'],
    [{ name: 'ScheduleInform', delaySeconds: 60, commandKey: 'si-1' }, 'ScheduleInform delay=60s commandKey=si-1'],
    [{ name: 'Unknown', method: 'Upload' }, 'Upload (unsupported method)'],
    [{ name: 'InformResponse', maxEnvelopes: 1 }, 'InformResponse'],
  ])('%j → %s', (msg, line) => {
    expect(summarize(msg)).toBe(line);
  });
  it('is one line for every message type, even with newlines in values', () => {
    for (const m of SAMPLES) {
      const s = summarize(m);
      expect(s, m.name).not.toMatch(/[\r\n]/);
      expect(s.startsWith(m.name === 'Unknown' ? 'SetVouchers' : m.name)).toBe(true);
    }
    expect(summarize({ name: 'GetParameterValuesResponse', parameterList: [{ name: 'Device.A', value: 'a\nb' }] })).toBe('GetParameterValuesResponse Device.A=a\\nb');
  });
  it('clips long values', () => {
    const s = summarize({ name: 'GetParameterValuesResponse', parameterList: [{ name: 'Device.A', value: 'x'.repeat(1000) }] });
    expect(s.length).toBeLessThan(100);
    expect(s.endsWith('…')).toBe(true);
  });
});
