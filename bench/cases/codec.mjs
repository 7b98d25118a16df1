// Case 5: the CWMP SOAP codec (pure CPU). tinybench runs each task for `timeMs`
// after warm-up and reports operations per second (mean) and the median latency.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { ROOT } from '../build.mjs';
import { round } from '../lib/harness.mjs';

export const measures =
  'CWMP codec ops/s on one core: encode a TR-181 bootstrap Inform (10 params, 2 events); decode a 3-param and a 100-param GetParameterValuesResponse (what an ACS parses); decode a GPV request (what a CPE parses)';

function bootstrapInform(i) {
  const serial = `SIM-${String(i).padStart(6, '0')}`;
  return {
    name: 'Inform',
    deviceId: { manufacturer: 'cpe-sim', oui: '00D09E', productClass: 'HGW', serialNumber: serial },
    event: [
      { eventCode: '0 BOOTSTRAP', commandKey: '' },
      { eventCode: '1 BOOT', commandKey: '' },
    ],
    maxEnvelopes: 1,
    currentTime: '2025-01-01T00:00:00Z',
    retryCount: 0,
    parameterList: [
      { name: 'Device.RootDataModelVersion', value: '2.15', type: 'xsd:string' },
      { name: 'Device.DeviceInfo.HardwareVersion', value: 'HW-1.0', type: 'xsd:string' },
      { name: 'Device.DeviceInfo.SoftwareVersion', value: 'FW-1.2.3', type: 'xsd:string' },
      { name: 'Device.DeviceInfo.ProvisioningCode', value: '', type: 'xsd:string' },
      { name: 'Device.ManagementServer.ParameterKey', value: '', type: 'xsd:string' },
      { name: 'Device.ManagementServer.ConnectionRequestURL', value: `http://127.0.0.1:7547/cr/cpe-${i}`, type: 'xsd:string' },
      { name: 'Device.DeviceInfo.UpTime', value: '3600', type: 'xsd:unsignedInt' },
      { name: 'Device.ManagementServer.PeriodicInformInterval', value: '300', type: 'xsd:unsignedInt' },
      { name: 'Device.IP.Interface.1.IPv4Address.1.IPAddress', value: '10.0.0.7', type: 'xsd:string' },
      { name: 'Device.DeviceInfo.SerialNumber', value: serial, type: 'xsd:string' },
    ],
  };
}

export async function run(lib, params) {
  const { encodeEnvelope, decodeEnvelope } = lib;
  const gpv3 = readFileSync(join(ROOT, 'fixtures/cwmp/cpe/gpv-response.xml'), 'utf8');
  const gpvReq = readFileSync(join(ROOT, 'fixtures/cwmp/acs/gpv-genieacs.xml'), 'utf8');
  const gpv100 = encodeEnvelope(
    {
      name: 'GetParameterValuesResponse',
      parameterList: Array.from({ length: 100 }, (_, k) => ({ name: `Device.Hosts.Host.${k + 1}.IPAddress`, value: `192.168.1.${k + 2}`, type: 'xsd:string' })),
    },
    { header: { id: 'bench-1' } },
  );
  // Sanity: the inputs decode to what we claim, so the numbers are for real work.
  if (decodeEnvelope(gpv100).body?.parameterList?.length !== 100) throw new Error('100-param GPV response did not decode to 100 parameters');
  let i = 0;
  let sink = 0;
  const bench = new Bench({ time: params.timeMs, warmupTime: Math.min(200, params.timeMs) });
  bench
    .add('encode Inform (10 params)', () => {
      sink += encodeEnvelope(bootstrapInform(++i), { header: { id: String(i) } }).length;
    })
    .add('decode GPV response (3 params)', () => {
      sink += decodeEnvelope(gpv3).body ? 1 : 0;
    })
    .add('decode GPV response (100 params)', () => {
      sink += decodeEnvelope(gpv100).body ? 1 : 0;
    })
    .add('decode GPV request', () => {
      sink += decodeEnvelope(gpvReq).body ? 1 : 0;
    });
  await bench.run();
  if (sink === 0) throw new Error('codec produced nothing');
  const key = ['encodeInformPerS', 'decodeGpvResp3PerS', 'decodeGpvResp100PerS', 'decodeGpvReqPerS'];
  const metrics = {};
  bench.tasks.forEach((t, k) => {
    if (t.result.state !== 'completed') throw new Error(`codec task ${t.name}: ${t.result.state} ${t.result.error ?? ''}`);
    metrics[key[k]] = Math.round(t.result.throughput.mean);
    metrics[key[k].replace('PerS', 'P50Us')] = round(t.result.latency.p50 * 1000, 2);
  });
  return metrics;
}
