// usp-notify's hooks plugged into usp-core's dispatcher (contract seam 2), as the agent
// wires them: a Controller's Add of a Subscription gets its agent-owned leaves, a Set
// that breaks the table's rules is refused per parameter, Operate reaches the commands.
import { describe, expect, it } from 'vitest';
import { handleRequest, type UspMsg, type UspRequest } from '../../src/usp/index.js';
import { CTL, flush, rig, type Rig } from './notify-fixture.js';

const SUB = 'Device.LocalAgent.Subscription.';

async function ask(r: Rig, request: UspRequest, controllerId = CTL): Promise<UspMsg | undefined> {
  return handleRequest(
    { tree: r.tree, template: r.template, controllerId, beforeCommit: r.usp.beforeCommit, operate: r.usp.operate, supportedCommands: r.usp.supportedCommands, supportedEvents: r.usp.supportedEvents },
    { header: { msg_id: 'm-1', msg_type: 'ADD' }, body: { msg_body: 'request', request } },
  );
}

const subscribe = (id: string, ref: string) => ({
  add: {
    allow_partial: false,
    create_objs: [
      {
        obj_path: SUB,
        param_settings: [
          { param: 'Enable', value: 'true', required: true },
          { param: 'ID', value: id, required: true },
          { param: 'NotifType', value: 'ValueChange', required: true },
          { param: 'ReferenceList', value: ref, required: true },
        ],
      },
    ],
  },
});

describe('subscriptions through the dispatcher', () => {
  it('an Add fills Recipient and CreationDate; the row then fires on a CWMP write', async () => {
    const r = rig();
    const reply = await ask(r, subscribe('vc', 'Device.Hosts.Host.*.HostName'));
    const path = reply?.body.response?.add_resp?.created_obj_results[0]?.oper_status.oper_success?.instantiated_path ?? '';
    expect(path).toMatch(/^Device\.LocalAgent\.Subscription\.\d+\.$/);
    expect(r.tree.getValue(`${path}Recipient`)).toBe('Device.LocalAgent.Controller.1');
    expect(r.tree.getValue(`${path}CreationDate`)).toBe('2026-01-01T00:00:00Z');
    r.tree.setValues([{ name: 'Device.Hosts.Host.2.HostName', value: 'printer' }], 'acs');
    await flush();
    expect(r.notifier.of('value_change').map((s) => [s.controllerId, s.notify.subscription_id, s.notify.value_change?.param_path])).toEqual([[CTL, 'vc', 'Device.Hosts.Host.2.HostName']]);
  });

  it('a second Add with the same ID is refused (7025) and leaves no row; a Set of ReferenceList after creation is refused', async () => {
    const r = rig();
    const first = await ask(r, subscribe('vc', 'Device.Hosts.Host.1.HostName'));
    const path = first?.body.response?.add_resp?.created_obj_results[0]?.oper_status.oper_success?.instantiated_path ?? '';
    const dup = await ask(r, subscribe('vc', 'Device.Hosts.Host.2.HostName'));
    expect(dup?.body.error?.err_code ?? dup?.body.response?.add_resp?.created_obj_results[0]?.oper_status.oper_failure?.err_code).toBeDefined();
    expect(JSON.stringify(dup)).toContain('7025');
    expect(r.tree.getNames(SUB, true)).toHaveLength(1);
    const set = await ask(r, { set: { allow_partial: false, update_objs: [{ obj_path: path, param_settings: [{ param: 'ReferenceList', value: 'Device.Hosts.', required: true }] }] } });
    expect(JSON.stringify(set)).toContain('7013');
    expect(r.tree.getValue(`${path}ReferenceList`)).toBe('Device.Hosts.Host.1.HostName');
  });

  it('Operate goes to the commands; GetSupportedDM lists them and the events', async () => {
    const r = rig();
    const reply = await ask(r, { operate: { command: 'Device.Reboot()', command_key: 'k', send_resp: true, input_args: {} } });
    expect(reply?.body.response?.operate_resp?.operation_results[0]?.executed_command).toBe('Device.Reboot()');
    const dm = await ask(r, { get_supported_dm: { obj_paths: ['Device.'], first_level_only: true, return_commands: true, return_events: true, return_params: false, return_unique_key_sets: false } });
    const top = dm?.body.response?.get_supported_dm_resp?.req_obj_results[0]?.supported_objs.find((o) => o.supported_obj_path === 'Device.');
    expect(top?.supported_commands.map((c) => c.command_name)).toEqual(expect.arrayContaining(['Reboot()', 'FactoryReset()']));
    expect(top?.supported_events.map((e) => e.event_name)).toContain('Boot!');
  });
});
