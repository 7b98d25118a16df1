import { describe, expect, it } from 'vitest';
import { createParameterTree, Template } from '../../src/datamodel/index.js';
import { loadProfile, profileFromObject } from '../../src/profile/index.js';
import { USP_PATHS, withUspObjects } from '../../src/usp/index.js';
import { tr181Profile } from '../support/profile.js';

describe('withUspObjects (usp-notes §6.4)', () => {
  it('mounts LocalAgent, its tables and one MQTT client into a profile that has none', async () => {
    const profile = withUspObjects(await loadProfile('tr181-digest'), { mqtt: true, websocket: false });
    const tree = createParameterTree(Template.compile(profile), { index: 1, id: 'cpe-1' });
    expect(tree.getValue('Device.LocalAgent.EndpointID')).toBe('');
    expect(tree.get('Device.LocalAgent.EndpointID')?.writable).toBe(false);
    expect(tree.getValue('Device.LocalAgent.MTPNumberOfEntries')).toBe('1');
    expect(tree.getValue('Device.LocalAgent.UpTime')).toBe('0');
    expect(tree.getNames('Device.LocalAgent.MTP.', true).map((n) => n.name)).toEqual(['Device.LocalAgent.MTP.1.']);
    expect(tree.getValue('Device.LocalAgent.MTP.1.MQTT.ResponseTopicConfigured')).toBe('');
    expect(tree.getValue('Device.LocalAgent.Controller.1.USPNotifRetryMinimumWaitInterval')).toBe('5');
    expect(tree.getValue('Device.LocalAgent.Controller.1.USPNotifRetryIntervalMultiplier')).toBe('2000');
    expect(tree.getValue('Device.LocalAgent.Controller.1.MTP.1.MQTT.Topic')).toBe('');
    expect(tree.has('Device.LocalAgent.Controller.1.BootParameter.')).toBe(true);
    expect(tree.getNames('Device.LocalAgent.Controller.1.BootParameter.', true)).toEqual([]);
    expect(tree.getValue('Device.MQTT.Client.1.KeepAliveTime')).toBe('60');
    expect(tree.getValue('Device.MQTT.Client.1.Subscription.1.Enable')).toBe('true');
    // A secured parameter: the tree keeps it, reads mark it hidden.
    tree.setInternal('Device.MQTT.Client.1.Password', 's3cret');
    expect(tree.get('Device.MQTT.Client.1.Password')).toMatchObject({ value: 's3cret', hidden: true });
  });

  it('gives Subscription every §5 parameter, Recipient and CreationDate read-only, and lets rows be added', async () => {
    const profile = withUspObjects(await loadProfile('tr181-digest'), { mqtt: true, websocket: false });
    const tree = createParameterTree(Template.compile(profile), { index: 1, id: 'cpe-1' });
    const n = tree.addObject(USP_PATHS.subscription);
    const names = tree.getNames(`${USP_PATHS.subscription}${n}.`, true).map((p) => [p.name.slice(USP_PATHS.subscription.length + 2), p.writable]);
    expect(Object.fromEntries(names)).toEqual({
      Alias: true, Enable: true, Recipient: false, ID: true, CreationDate: false, NotifType: true, ReferenceList: true,
      Persistent: true, TimeToLive: true, NotifRetry: true, NotifExpiration: true, TriggerAction: true, TriggerConfigSettings: true,
    });
    expect(tree.getValue(`${USP_PATHS.subscription}${n}.CreationDate`)).toBe('0001-01-01T00:00:00Z');
    const r = tree.addObject(USP_PATHS.request);
    expect(tree.getValue(`${USP_PATHS.request}${r}.Status`)).toBe('Requested');
  });

  it('has one MTP row per transport, MQTT first, and no Device.MQTT. without MQTT', async () => {
    const both = createParameterTree(Template.compile(withUspObjects(await loadProfile('tr181-digest'), { mqtt: true, websocket: true })), { index: 1, id: 'cpe-1' });
    expect(both.getNames('Device.LocalAgent.Controller.1.MTP.', true)).toHaveLength(2);
    expect(both.getValue('Device.LocalAgent.MTPNumberOfEntries')).toBe('2');
    const ws = createParameterTree(Template.compile(withUspObjects(await loadProfile('tr181-digest'), { mqtt: false, websocket: true })), { index: 1, id: 'cpe-1' });
    expect(ws.has('Device.MQTT.')).toBe(false);
    expect(ws.getValue('Device.LocalAgent.Controller.1.MTP.1.WebSocket.SessionRetryMinimumWaitInterval')).toBe('5');
  });

  it("keeps the profile's own definitions: a declared leaf or table wins", () => {
    const base = profileFromObject(
      tr181Profile('SN', 1, [{ path: 'Device.LocalAgent.EndpointID', value: 'proto::mine' }], {
        objects: [{ path: 'Device.LocalAgent.Subscription.', instances: 1, parameters: [{ path: 'ID', value: 'boot', writable: true }] }],
      }),
      '<test>',
    );
    const tree = createParameterTree(Template.compile(withUspObjects(base, { mqtt: true, websocket: false })), { index: 1, id: 'cpe-1' });
    expect(tree.getValue('Device.LocalAgent.EndpointID')).toBe('proto::mine');
    expect(tree.getNames('Device.LocalAgent.Subscription.1.', true).map((p) => p.name)).toEqual(['Device.LocalAgent.Subscription.1.ID']);
    expect(tree.has('Device.LocalAgent.Controller.1.EndpointID')).toBe(true);
  });

  it('mounts under Device. beside a TR-098 root', async () => {
    const p = await loadProfile('dsl-router-tr098');
    const mounted = withUspObjects(p, { mqtt: true, websocket: false });
    expect(mounted.roots).toContain('Device');
    expect(mounted.root).toBe('InternetGatewayDevice');
    const tree = createParameterTree(Template.compile(mounted), { index: 1, id: 'cpe-1' });
    expect(tree.has('Device.LocalAgent.EndpointID')).toBe(true);
  });
});
