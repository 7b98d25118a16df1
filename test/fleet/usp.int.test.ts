// A fleet whose CPEs are also USP Agents (issue 21), over aedes on 127.0.0.1 with a raw
// Controller (mqtt.js + the codec): dual stack and USP-only, power and uplink cuts that
// drop the MTP silently, the way back, and the Disconnect records of close().
import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../src/fleet/index.js';
import { isConfigError } from '../../src/errors/index.js';
import { tr181Profile } from '../support/profile.js';
import { getMsg, RawController, requestRecord, startAedes } from '../usp/agent-harness.js';

const CTL = 'self::controller';
const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined);
});

const profile = (count: number): Record<string, unknown> =>
  tr181Profile('FUSP', count, [
    { path: 'Device.IP.Interface.1.Status', value: 'Up' },
    { path: 'Device.DeviceInfo.SoftwareVersion', value: '1.2.3' },
  ]);

async function setup(extra: Partial<Parameters<typeof startFleet>[0]> = {}, count = 2): Promise<{ fleet: Fleet; ctl: RawController }> {
  const broker = await startAedes();
  open.push(broker);
  const ctl = await RawController.connect(broker.port, 4);
  open.push(ctl);
  const fleet = await startFleet({ profile: profile(count), timeScale: 0.001, seed: 5, usp: { broker: `127.0.0.1:${broker.port}` }, ...extra });
  open.push(fleet);
  return { fleet, ctl };
}

const connects = (ctl: RawController, eid: string): number => ctl.inbox.filter((r) => r.record.record_type === 'mqtt_connect' && r.record.from_id === eid).length;

describe('fleet with USP', () => {
  it('dual stack: CWMP bootstraps and every agent is online with its spec endpoint id; a USP Get reads the CPE\'s tree', async () => {
    const { fleet, ctl } = await setup();
    expect(fleet.acs).toBeDefined();
    expect(fleet.cpes.every((c) => c.sessions.some((s) => s.ok))).toBe(true);
    expect(fleet.uspAgents.map((a) => a.endpointId)).toEqual(['os::00D09E-FUSP-1', 'os::00D09E-FUSP-2']);
    expect(fleet.uspAgents.every((a) => a.online)).toBe(true);
    expect(fleet.uspAgent('cpe-2')).toBe(fleet.uspAgents[1]);
    const eid = fleet.uspAgent(2).endpointId;
    await ctl.next((r) => r.record.record_type === 'mqtt_connect' && r.record.from_id === eid);
    expect(fleet.cpe(2).params.getValue('Device.LocalAgent.Controller.1.EndpointID')).toBe(CTL);
    expect(fleet.cpe(2).params.getValue('Device.LocalAgent.EndpointID')).toBe(eid);
    // The agent's software is the running firmware.
    expect(fleet.cpe(2).params.getValue('Device.LocalAgent.SoftwareVersion')).toBe('1.2.3');
    // What CWMP set is what USP reads: one tree.
    fleet.cpe(2).params.setValues([{ name: 'Device.ManagementServer.ConnectionRequestUsername', value: 'via-cwmp' }], 'acs');
    await ctl.publish(`usp/v1/agent/${eid}/reply-to=usp%2Fv1%2Fcontroller%2Fx`, requestRecord(eid, getMsg('f1', 'Device.ManagementServer.ConnectionRequestUsername'), CTL));
    const answer = await ctl.next((r) => r.msg?.header.msg_id === 'f1');
    expect(answer.msg?.body.response?.get_resp?.req_path_results[0]?.resolved_path_results[0]?.result_params).toEqual({ ConnectionRequestUsername: 'via-cwmp' });
  });

  it('power off cuts the MTP without a word; power on reconnects and announces again (a restart)', async () => {
    const { fleet, ctl } = await setup({}, 1);
    const agent = fleet.uspAgents[0]!;
    const cpe = fleet.cpe(1);
    await ctl.next((r) => r.record.record_type === 'mqtt_connect');
    const ups: boolean[] = [];
    agent.onMtpUp((e) => ups.push(e.started));
    cpe.powerOff();
    expect(agent.online).toBe(false);
    expect(cpe.params.getValue('Device.LocalAgent.MTP.1.Status')).toBe('Down');
    await cpe.powerOn();
    await expect.poll(() => ups).toEqual([true]);
    await expect.poll(() => connects(ctl, agent.endpointId)).toBe(2);
    expect(ctl.inbox.some((r) => r.record.record_type === 'disconnect')).toBe(false);
  });

  it('an uplink outage cuts it too; the link coming back reconnects without a restart', async () => {
    const { fleet, ctl } = await setup({}, 1);
    const agent = fleet.uspAgents[0]!;
    await ctl.next((r) => r.record.record_type === 'mqtt_connect');
    const ups: boolean[] = [];
    agent.onMtpUp((e) => ups.push(e.started));
    fleet.cpe(1).linkDown('Device.IP.Interface.1', 100);
    expect(agent.online).toBe(false);
    await expect.poll(() => ups).toEqual([false]);
    await expect.poll(() => connects(ctl, agent.endpointId)).toBe(2);
  });

  it('USP only: no ACS, no CWMP session, agents online; the seed\'s endpoint id form on request', async () => {
    const broker = await startAedes();
    open.push(broker);
    const f = await startFleet({ profile: profile(2), timeScale: 0.001, cwmp: false, usp: { broker: `127.0.0.1:${broker.port}`, endpointIdFormat: 'cpe-labs', controllerId: 'self::ctl' } });
    open.push(f);
    expect(f.acs).toBeUndefined();
    expect(f.listener).toBeUndefined();
    expect(f.cpes.every((c) => c.sessions.length === 0)).toBe(true);
    expect(f.uspAgents.map((a) => a.endpointId)).toEqual(['os::00D09EFUSP-1', 'os::00D09EFUSP-2']);
    expect(f.uspAgents.every((a) => a.online)).toBe(true);
    await f.whenBootstrapped();
    // Rebooting a box without CWMP still cycles its agent.
    const ups: boolean[] = [];
    f.uspAgents[0]!.onMtpUp((e) => ups.push(e.started));
    await expect(f.cpe(1).reboot()).rejects.toMatchObject({ code: 'CPESIM_NO_CWMP' });
    await expect.poll(() => ups).toEqual([true]);
  });

  it('close() sends each agent\'s Disconnect record', async () => {
    const { fleet, ctl } = await setup({}, 2);
    await fleet.close();
    await expect.poll(() => ctl.inbox.filter((r) => r.record.record_type === 'disconnect').map((r) => r.record.from_id).sort()).toEqual(fleet.uspAgents.map((a) => a.endpointId).sort());
  });

  it('a CWMP-only fleet has no agents and says so', async () => {
    const f = await startFleet({ profile: profile(1), timeScale: 0.001 });
    open.push(f);
    expect(f.uspAgents).toEqual([]);
    expect(f.cpe(1).params.has('Device.LocalAgent.')).toBe(false);
    expect(() => f.uspAgent(1)).toThrow(expect.objectContaining({ code: 'CPESIM_NO_USP' }));
  });

  it('refuses bad USP options by name', async () => {
    const bad = async (o: Record<string, unknown>): Promise<string> => {
      const err = await startFleet({ profile: profile(1), waitFor: 'none', ...o } as Parameters<typeof startFleet>[0]).then(
        (f) => (open.push(f), 'started'),
        (e: unknown) => (isConfigError(e) ? e.message : String(e)),
      );
      return err;
    };
    expect(await bad({ usp: {} })).toMatch(/usp.broker.*usp.websocket/);
    expect(await bad({ usp: { broker: '127.0.0.1:1883', mqttVersion: '4' } })).toMatch(/mqttVersion must be 'auto', '5' or '3.1.1'/);
    expect(await bad({ usp: { broker: 'http://x:1' } })).toMatch(/usp.broker: unknown scheme "http".*expected host:port/);
    expect(await bad({ usp: { websocket: 'http://x/' } })).toMatch(/ws:\/\/ or wss:\/\//);
    expect(await bad({ usp: { broker: '127.0.0.1:1883', controllerId: 'ctl' } })).toMatch(/controllerId must be a USP EndpointID/);
    expect(await bad({ usp: { broker: '127.0.0.1:1883', agentTopic: 'a/#' } })).toMatch(/not a filter/);
    expect(await bad({ usp: { broker: '127.0.0.1:1883', bogus: 1 } })).toMatch(/unknown option "bogus"/);
    expect(await bad({ cwmp: false })).toMatch(/give usp too/);
    expect(await bad({ cwmp: false, usp: { broker: '127.0.0.1:1' }, acsUrl: 'http://127.0.0.1:1/' })).toMatch(/acsUrl is CWMP-side/);
  });
});
