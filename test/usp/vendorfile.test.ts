// VendorConfigFile.{i}.Backup() / Restore() (TR-181 2.19) against a real HTTP file
// server on 127.0.0.1: the configuration goes out with a PUT and comes back with a GET.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigFile } from '../../src/transfer/index.js';
import type { Operate } from '../../src/usp/types.js';
import { leaf } from '../datamodel/helpers.js';
import { CTL, rig, uspProfile, type Rig } from './notify-fixture.js';

const VCF = 'Device.DeviceInfo.VendorConfigFile.1.';
const PC = 'Device.LocalAgent.Controller.1.ProvisioningCode';
const op = (command: string, input_args: Record<string, string>): Operate => ({ command, command_key: 'ck', send_resp: true, input_args });

/** The rig with a fixed VendorConfigFile.1 object, as fibre-gateway declares it. */
function vendorRig(): Rig {
  const p = uspProfile();
  return rig({
    profile: {
      ...p,
      parameters: [...p.parameters, leaf(`${VCF}Name`, 'ftth-res.cfg'), leaf(`${VCF}Version`, '2026.08'), leaf(`${VCF}Date`, '2026-08-11T00:00:00Z', { type: 'xsd:dateTime' })],
    },
  });
}

async function finished(r: Rig): Promise<NonNullable<(typeof r.notifier.sent)[number]['notify']['oper_complete']>> {
  const end = Date.now() + 5_000;
  for (;;) {
    const oc = r.notifier.of('oper_complete')[0]?.notify.oper_complete;
    if (oc) return oc;
    if (Date.now() > end) throw new Error('no OperationComplete within 5 s');
    await new Promise((res) => setTimeout(res, 5));
  }
}

describe('VendorConfigFile Backup() / Restore()', () => {
  let server: Server;
  let base = '';
  const files = new Map<string, Buffer>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/broken') return void res.writeHead(500).end();
        if (req.method === 'PUT') {
          files.set(req.url ?? '', Buffer.concat(chunks));
          return void res.writeHead(201).end();
        }
        const f = files.get(req.url ?? '');
        if (!f) return void res.writeHead(404).end();
        res.end(f);
      });
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  });

  it('Backup() PUTs the configuration; Restore() reads it back and rewrites the writable values; each reports TransferComplete!', async () => {
    const r = vendorRig();
    r.subscribe({ id: 'tc', notifType: 'Event', ref: 'Device.LocalAgent.TransferComplete!' });
    r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: 'Device.DeviceInfo.' });
    r.tree.setValues([{ name: PC, value: 'golden' }], 'usp');
    await r.usp.operate(op(`${VCF}Backup()`, { URL: `${base}/cfg/cpe-1.cfg` }), CTL);
    expect(await finished(r)).toMatchObject({ obj_path: VCF, command_name: 'Backup()', operation_resp: 'req_output_args' });
    const saved = parseConfigFile(files.get('/cfg/cpe-1.cfg')!.toString('utf8'));
    expect(saved).toContainEqual({ name: PC, type: 'xsd:string', value: 'golden' });
    r.tree.setValues([{ name: PC, value: 'drifted' }], 'usp');
    r.notifier.sent.length = 0;
    const body = files.get('/cfg/cpe-1.cfg')!;
    await r.usp.operate(op(`${VCF}Restore()`, { URL: `${base}/cfg/cpe-1.cfg`, FileSize: String(body.length), CheckSumAlgorithm: 'SHA-256', CheckSum: createHash('sha256').update(body).digest('hex'), TargetFileName: 'restored.cfg' }), CTL);
    expect(await finished(r)).toMatchObject({ command_name: 'Restore()', operation_resp: 'req_output_args' });
    expect(r.tree.getValue(PC)).toBe('golden');
    expect(r.tree.getValue(`${VCF}Name`)).toBe('restored.cfg');
    expect(r.tree.getValue(`${VCF}Date`)).toBe('2026-01-01T00:00:00Z');
    const events = r.notifier.of('event').map((s) => s.notify.event?.params);
    expect(events).toEqual([
      expect.objectContaining({ Command: `${VCF}Restore()`, CommandKey: 'ck', Requestor: CTL, TransferType: 'Download', Affected: VCF.slice(0, -1), TransferURL: `${base}/cfg/cpe-1.cfg`, FaultCode: '0', FaultString: '' }),
    ]);
  });

  it('a wrong CheckSum, a file that is no configuration, or a failing server: cmd_failure 7022, TransferComplete! with the fault, nothing written', async () => {
    const r = vendorRig();
    r.subscribe({ id: 'tc', notifType: 'Event', ref: 'Device.LocalAgent.TransferComplete!' });
    r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: 'Device.DeviceInfo.' });
    files.set('/cfg/good.cfg', Buffer.from(`${PC}\txsd:string\tfrom-file\n`));
    files.set('/cfg/junk.bin', Buffer.from('\x00\x01binary junk'));
    const attempts: [string, Record<string, string>, RegExp][] = [
      ['Restore()', { URL: `${base}/cfg/good.cfg`, CheckSum: '00ff' }, /SHA-256 is [0-9a-f]{64}, not the CheckSum 00ff/],
      ['Restore()', { URL: `${base}/cfg/good.cfg`, FileSize: '3' }, /more than 3|FileSize|9018/],
      ['Restore()', { URL: `${base}/cfg/junk.bin` }, /not a configuration file/],
      ['Backup()', { URL: `${base}/broken` }, /500/],
    ];
    for (const [name, args, why] of attempts) {
      r.notifier.sent.length = 0;
      await r.usp.operate(op(`${VCF}${name}`, args), CTL);
      const oc = await finished(r);
      expect(oc.cmd_failure?.err_code).toBe(7022);
      expect(oc.cmd_failure?.err_msg).toMatch(why);
      expect(r.notifier.of('event')[0]?.notify.event?.params).toMatchObject({ TransferType: name === 'Backup()' ? 'Upload' : 'Download', FaultCode: '7022', FaultString: oc.cmd_failure?.err_msg });
    }
    expect(r.tree.getValue(PC)).toBe('');
  });

  it('bad input arguments are the command\'s own failure (7027) before any transfer', async () => {
    const r = vendorRig();
    const resp = await r.usp.operate(op(`${VCF}Restore()`, { URL: 'ftp://127.0.0.1/x' }), CTL);
    // Async: the Request row is made, the failure comes in OperationComplete.
    expect(resp?.operation_results[0]?.req_obj_path).toMatch(/^Device\.LocalAgent\.Request\.\d+\.$/);
    r.subscribe({ id: 'oc', notifType: 'OperationComplete', ref: 'Device.' });
    await r.usp.operate(op(`${VCF}Restore()`, { URL: `${base}/x`, CheckSumAlgorithm: 'MD5' }), CTL);
    expect((await finished(r)).cmd_failure).toMatchObject({ err_code: 7027, err_msg: expect.stringMatching(/CheckSumAlgorithm must be one of SHA-1/) });
    expect(r.usp.supportedCommands.filter((c) => c.path.startsWith('Device.DeviceInfo.VendorConfigFile.')).map((c) => [c.path, c.type])).toEqual([
      [`${VCF}Backup()`, 'CMD_ASYNC'],
      [`${VCF}Restore()`, 'CMD_ASYNC'],
    ]);
  });
});
