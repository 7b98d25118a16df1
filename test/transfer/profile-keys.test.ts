/** cpe-sim's own firmware rules under `transfer.firmware` (docs/profile.md): parsed and validated. */
import { describe, expect, it } from 'vitest';
import { profileFromObject } from '../../src/profile/index.js';
import { testProfileObject } from '../cpe/harness.js';

const fw = (extra: Record<string, unknown>) => testProfileObject({ transfer: { firmware: { versionPath: 'Device.DeviceInfo.SoftwareVersion', ...extra } } });

describe('transfer.firmware rules', () => {
  it('rejectDowngrade, requireChecksum and failUpgrades are read', () => {
    const p = profileFromObject(fw({ rejectDowngrade: true, requireChecksum: false, failUpgrades: [2, 5] }), '<t>');
    expect(p.transfer.firmware).toEqual({ versionPath: 'Device.DeviceInfo.SoftwareVersion', applyDelayMs: 30_000, fetch: true, rejectDowngrade: true, requireChecksum: false, failUpgrades: [2, 5] });
    expect(profileFromObject(fw({}), '<t>').transfer.firmware).toEqual({ versionPath: 'Device.DeviceInfo.SoftwareVersion', applyDelayMs: 30_000, fetch: true });
  });

  it('bad values are named with what was expected', () => {
    const bad = () => profileFromObject(fw({ failUpgrades: [0, 'x'], rejectDowngrade: 'maybe' }), '<t>');
    expect(bad).toThrow(/transfer\.firmware\.failUpgrades\[0\].*expected an integer ≥ 1, found 0/);
    expect(bad).toThrow(/transfer\.firmware\.failUpgrades\[1\].*expected an integer/);
    expect(bad).toThrow(/transfer\.firmware\.rejectDowngrade.*expected true or false/);
    expect(() => profileFromObject(fw({ failUpgrades: 3 }), '<t>')).toThrow(/transfer\.firmware\.failUpgrades.*expected a list of upgrade numbers/);
    expect(() => profileFromObject(fw({ rejectDowngrades: true }), '<t>')).toThrow(/rejectDowngrades/);
  });
});
