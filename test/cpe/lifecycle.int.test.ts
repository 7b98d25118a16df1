// Cpe.onLifecycle: the poweredOn transitions a second protocol stack (the USP agent)
// follows to drop and restore its own connection, with the strongest cause while dark.
import { afterEach, expect, it } from 'vitest';
import type { CpeLifecycleEvent } from '../../src/cpe/index.js';
import { startFleet, type Fleet } from '../../src/fleet/index.js';
import { tr181Profile } from '../support/profile.js';

const open: Fleet[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((f) => f.close()));
});

async function oneCpe(): Promise<Fleet> {
  const profile = tr181Profile('LIFE', 1, [
    { path: 'Device.IP.Interface.1.Status', value: 'Up' },
  ]);
  const fleet = await startFleet({ profile, timeScale: 0.001, seed: 3 });
  open.push(fleet);
  return fleet;
}

it('reports down/up for power, link, reboot and factory reset, once per transition', async () => {
  const fleet = await oneCpe();
  const cpe = fleet.cpe(1);
  const seen: CpeLifecycleEvent[] = [];
  const off = cpe.onLifecycle((e) => seen.push(e));

  cpe.powerOff();
  cpe.powerOff();
  await cpe.powerOn();
  expect(seen.splice(0)).toEqual([{ kind: 'down', reason: 'power' }, { kind: 'up', reason: 'power' }]);

  cpe.linkDown('Device.IP.Interface.1', 50);
  await new Promise<void>((resolve) => { const o = cpe.onLifecycle((e) => { if (e.kind === 'up') { o(); resolve(); } }); });
  expect(seen.splice(0)).toEqual([{ kind: 'down', reason: 'link' }, { kind: 'up', reason: 'link' }]);

  // Powered off during an outage and back on before the link: it rebooted while dark.
  cpe.linkDown('Device.IP.Interface.1', 200);
  cpe.powerOff();
  const boot = cpe.powerOn().catch(() => undefined);
  await new Promise<void>((resolve) => { const o = cpe.onLifecycle((e) => { if (e.kind === 'up') { o(); resolve(); } }); });
  await boot;
  expect(seen.splice(0)).toEqual([{ kind: 'down', reason: 'link' }, { kind: 'up', reason: 'power' }]);

  await cpe.reboot();
  expect(seen.splice(0)).toEqual([{ kind: 'down', reason: 'reboot' }, { kind: 'up', reason: 'reboot' }]);

  cpe.params.setInternal('Device.IP.Interface.1.Status', 'Dormant');
  let statusAtUp: string | undefined;
  const o2 = cpe.onLifecycle((e) => { if (e.kind === 'up') statusAtUp = cpe.params.getValue('Device.IP.Interface.1.Status'); });
  await cpe.factoryReset();
  o2();
  expect(seen.splice(0)).toEqual([{ kind: 'down', reason: 'factoryReset' }, { kind: 'up', reason: 'factoryReset' }]);
  // The tree is back to the profile by the time 'up' is reported.
  expect(statusAtUp).toBe('Up');

  off();
  cpe.powerOff();
  expect(seen).toEqual([]);
});
