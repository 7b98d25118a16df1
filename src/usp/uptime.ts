/**
 * `Device.LocalAgent.UpTime` (TR-181 2.19, usp-notes §6.4): seconds since the Agent
 * last started, which for an Agent built into the box is its boot. Computed when read
 * from the boot time the device's lifecycle reports (no timer, no write per second),
 * so it restarts from 0 after a reboot, a power cycle, a factory reset or a firmware
 * activation, and keeps counting through an uplink outage (the box stays up).
 * @module
 */
import type { ParameterTree } from '../datamodel/index.js';
import { USP_PATHS } from './mount.js';

/** The leaf kept by {@link UpTimeLeaf}. */
export const LOCAL_AGENT_UPTIME = `${USP_PATHS.localAgent}UpTime`;

/**
 * Makes `Device.LocalAgent.UpTime` of `tree` read the whole seconds since the device
 * last booted: construction counts as the first boot, {@link UpTimeLeaf.restarted} as
 * each later one (the owner hears of boots from its device's lifecycle). Does nothing
 * when the tree has no such leaf.
 * @example
 * const upTime = new UpTimeLeaf(tree, scheduler.clock);
 * device.onLifecycle((e) => { if (e.kind === 'up' && e.boot) upTime.restarted(); });
 */
export class UpTimeLeaf {
  private bootAt: number;
  private readonly underive: (() => void) | undefined;

  constructor(
    tree: ParameterTree,
    private readonly clock: { now(): number },
  ) {
    this.bootAt = clock.now();
    this.underive = tree.has(LOCAL_AGENT_UPTIME) ? tree.derive(LOCAL_AGENT_UPTIME, () => String(Math.max(0, Math.floor((this.clock.now() - this.bootAt) / 1000)))) : undefined;
  }

  /** The device booted again: the count restarts from 0. */
  restarted(): void {
    this.bootAt = this.clock.now();
  }

  /** The leaf reads its stored value again. */
  stop(): void {
    this.underive?.();
  }
}
