/**
 * `Device.LocalAgent.UpTime` (TR-181 2.19, usp-notes §6.4): seconds since the Agent
 * last started, which for an Agent built into the box is its boot. Computed when read
 * from the boot time the device's lifecycle reports (no timer, no write per second),
 * so it restarts from 0 after a reboot, a power cycle, a factory reset or a firmware
 * activation, and keeps counting through an uplink outage (the box stays up).
 * @module
 */
import type { ParameterTree } from '../datamodel/index.js';
import type { UspDevice } from './device.js';
import { USP_PATHS } from './mount.js';

/** The leaf kept by {@link keepUpTime}. */
export const LOCAL_AGENT_UPTIME = `${USP_PATHS.localAgent}UpTime`;

/**
 * Makes `Device.LocalAgent.UpTime` of `tree` read the whole seconds since the device
 * last booted (the call itself counts as the first boot). Does nothing when the tree
 * has no such leaf. Returns a function that stops it.
 * @example
 * const stop = keepUpTime(tree, device, scheduler.clock);
 */
export function keepUpTime(tree: ParameterTree, device: UspDevice, clock: { now(): number }): () => void {
  if (!tree.has(LOCAL_AGENT_UPTIME)) return () => undefined;
  let bootAt = clock.now();
  const underive = tree.derive(LOCAL_AGENT_UPTIME, () => String(Math.max(0, Math.floor((clock.now() - bootAt) / 1000))));
  const offLifecycle = device.onLifecycle((e) => {
    // 'up' with a boot cause is a restart (§7.1); 'up' after a link outage is not.
    if (e.kind === 'up' && e.boot !== undefined) bootAt = clock.now();
  });
  return () => {
    underive();
    offLifecycle();
  };
}
