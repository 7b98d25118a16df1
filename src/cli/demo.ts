/**
 * `cpe-sim --profile … --demo firmware`: a fleet firmware rollout on the embedded fake
 * ACS in one command (issue 15). Every CPE is sent a Download by a real Connection
 * Request; every tenth gets a broken image, so the newcomer sees 9010 and the old
 * version next to the successful upgrades.
 * @module
 */
import type { Cpe } from '../cpe/index.js';
import { ConfigError } from '../errors/index.js';
import type { Fleet } from '../fleet/index.js';
import type { Profile } from '../profile/index.js';

/** Demos `--demo` runs. */
export const DEMOS = ['firmware'] as const;
export type DemoName = (typeof DEMOS)[number];

/** How many Downloads are sent at once. */
const ROLLOUT_CONCURRENCY = 32;

/**
 * The profile the firmware demo runs: the given one, with `transfer.firmware` added
 * (the profile's own wins) so any profile with a `DeviceInfo.SoftwareVersion` works.
 * @throws ConfigError when the profile has no version leaf to upgrade.
 */
export function firmwareDemoProfile(p: Profile): Profile {
  if (p.transfer.firmware) return p;
  const versionPath = `${p.root}.DeviceInfo.SoftwareVersion`;
  if (!p.parameters.some((l) => l.path === versionPath)) {
    throw new ConfigError(`--demo firmware needs a firmware version leaf: the profile has neither transfer.firmware nor ${versionPath}`);
  }
  return { ...p, transfer: { ...p.transfer, firmware: { versionPath, applyDelayMs: 30_000, fetch: true } } };
}

/** `1.0.3` → `1.0.4`; a version without a trailing number gets `.1`. */
export function nextVersion(v: string): string {
  const m = /^(.*?)(\d+)(\D*)$/.exec(v);
  return m ? `${m[1]}${Number(m[2]) + 1}${m[3]}` : `${v}.1`;
}

/** Runs the rollout; returns the summary lines (already printed through `out`). */
export async function runFirmwareDemo(fleet: Fleet, out: (line: string) => void): Promise<{ upgraded: number; failed: number }> {
  const acs = fleet.acs;
  if (!acs) throw new ConfigError('--demo firmware runs on the embedded fake ACS: drop --acs-url');
  await Promise.all(fleet.cpes.map((c) => c.whenBootstrapped()));
  const first = fleet.cpes[0]!;
  const from = first.firmwareVersion ?? '';
  const to = nextVersion(from);
  const good = acs.files.serve(`demo/gw-${to}.img`, { image: { version: to, size: 1 << 20 } });
  const bad = acs.files.serve(`demo/gw-${to}-broken.img`, { image: { corrupt: true, size: 1 << 20 } });
  const broken = (i: number): boolean => i % 10 === 9; // every tenth CPE
  out(`firmware demo: upgrading ${fleet.cpes.length} CPE(s) from ${from} to ${to} (${good}); every tenth gets a broken image (${bad})`);

  const crCreds = (cpe: Cpe): { username: string; password: string } => {
    const c = fleet.profile.connectionRequest;
    const read = (p: string | undefined): string => (p === undefined ? '' : (cpe.params.getValue(p) ?? ''));
    return { username: read(c.usernameParameter), password: read(c.passwordParameter) };
  };
  const one = async (cpe: Cpe, i: number): Promise<void> => {
    const commandKey = `demo-fw-${i + 1}`;
    const sent = acs.download(cpe.id, { url: broken(i) ? bad : good, commandKey });
    await acs.connectionRequest(cpe.crUrl!, crCreds(cpe));
    await sent;
    const tc = await acs.waitForTransferComplete(cpe.id, { commandKey, timeoutMs: 300_000 });
    out(`  ${cpe.id}: ${tc.faultCode === 0 ? `now runs ${cpe.firmwareVersion ?? '?'}` : `FAILED ${tc.faultCode} ${tc.faultString}; still runs ${cpe.firmwareVersion ?? '?'}`}`);
  };
  const queue = fleet.cpes.map((c, i) => [c, i] as const);
  await Promise.all(
    Array.from({ length: Math.min(ROLLOUT_CONCURRENCY, queue.length) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await one(next[0], next[1]);
    }),
  );
  const upgraded = fleet.cpes.filter((c) => c.firmwareVersion === to).length;
  const failed = fleet.cpes.length - upgraded;
  out(`firmware demo done: ${upgraded} of ${fleet.cpes.length} CPE(s) run ${to}; ${failed} kept ${from}`);
  return { upgraded, failed };
}
