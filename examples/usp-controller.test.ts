// Example: testing a USP Controller's code against a fleet of cpe-sim agents
// (docs/usp.md). `renameWifi` and `portForward` stand for the code under test: in a
// real project they are your Controller's and talk to your broker; here the fake
// Controller plays it, so the example runs on its own. Swap it for your client connected
// to `controller.brokerUrl` and keep the assertions: cpe-sim checks what the devices saw.
import { describe, expect } from 'vitest';
import { withCpeFleet } from 'cpe-sim/vitest';
import type { FakeUspController } from 'cpe-sim';

// ---- the code under test: two small Controller features ----------------------------------
/** Renames SSID 1 of a device; false when the device refused. */
async function renameWifi(ctl: FakeUspController, device: string, name: string): Promise<boolean> {
  const resp = await ctl.set(device, { 'Device.WiFi.SSID.1.': { SSID: name } }, { allowPartial: true });
  return resp.updated_obj_results.every((r) => r.oper_status.oper_success !== undefined);
}
/** Opens a port mapping; resolves with the new row's path. */
async function portForward(ctl: FakeUspController, device: string, remoteHost: string): Promise<string> {
  const resp = await ctl.add(device, { 'Device.NAT.PortMapping.': { Enable: true, RemoteHost: remoteHost } });
  const created = resp.created_obj_results[0]?.oper_status.oper_success;
  if (!created) throw new Error(`port mapping refused: ${JSON.stringify(resp)}`);
  return created.instantiated_path;
}

// ---- the tests ---------------------------------------------------------------------------
// `usp: true`: a fake USP Controller with an embedded MQTT broker, and every CPE also a USP
// agent of it (dual stack: the same CPEs still speak CWMP to the embedded fake ACS).
const test = withCpeFleet({ profile: 'fibre-gateway', count: 2, usp: true });

describe('a Controller over USP', () => {
  test('renaming the Wi-Fi writes the device, and CWMP reads the new name', async ({ fleet, acs, controller }) => {
    expect(await renameWifi(controller, 'cpe-1', 'guest-net')).toBe(true);
    expect(fleet.cpe(1)).toHaveParameterValue('Device.WiFi.SSID.1.SSID', 'guest-net');
    // One tree, two protocols: an ACS asking over CWMP sees the USP write.
    const gpv = acs.rpc('cpe-1', { name: 'GetParameterValues', parameterNames: ['Device.WiFi.SSID.1.SSID'] }, { timeoutMs: 5000 });
    await fleet.cpe(1).inform(['6 CONNECTION REQUEST']);
    expect(await gpv).toMatchObject({ parameterList: [{ name: 'Device.WiFi.SSID.1.SSID', value: 'guest-net' }] });
    // The other device was not touched.
    expect(fleet.cpe(2)).not.toHaveParameterValue('Device.WiFi.SSID.1.SSID', 'guest-net');
  });

  test('a port mapping is a new row, listed by GetInstances', async ({ fleet, controller }) => {
    const row = await portForward(controller, 'cpe-2', '198.51.100.20');
    expect(fleet.cpe(2)).toHaveParameterValue(`${row}RemoteHost`, '198.51.100.20');
    const rows = await controller.getInstances('cpe-2', 'Device.NAT.PortMapping.');
    expect(rows.req_path_results[0]?.curr_insts.map((i) => i.instantiated_obj_path)).toContain(row);
  });

  test('what the device refuses comes back as USP errors, not as a crash', async ({ controller }) => {
    // An object the device does not have: the Set fails as a whole (an Error message), with its code.
    await expect(controller.set('cpe-1', { 'Device.WiFi.SSID.9.': { SSID: 'nope' } })).rejects.toBeUspError(7016);
    // A path outside the data model, read with Get: TR-369 puts the error inside the response.
    const resp = await controller.get('cpe-1', 'Device.NoSuchThing.');
    expect(resp.req_path_results[0]?.err_code).toBe(7026);
  });
});
