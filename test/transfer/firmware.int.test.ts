/**
 * Firmware upgrades for real (issue 15, profile reference §7.2): the CPE fetches the
 * image from the fake ACS's file server, reads its version, goes dark (Connection
 * Requests unanswered), and boots with `1 BOOT` + `M Download` + `7 TRANSFER COMPLETE`
 * and the new SoftwareVersion. Simulated time is compressed (timeScale).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFleet } from '../../src/fleet/index.js';
import type { Fleet } from '../../src/fleet/index.js';
import { profileFromObject } from '../../src/profile/index.js';
import type { FirmwareConfig, Profile } from '../../src/profile/index.js';
import '../../src/testing/vitest.js'; // registers and types the matchers
import { testProfileObject } from '../cpe/harness.js';
import { transferSettled } from './helpers.js';

const VERSION = 'Device.DeviceInfo.SoftwareVersion';

export function firmwareProfile(fw: Partial<FirmwareConfig> = {}, count = 1): Profile {
  const p = profileFromObject(testProfileObject({ fleet: { count }, informParameters: { boot: [VERSION] } }), '<firmware-test>');
  return { ...p, transfer: { ...p.transfer, firmware: { versionPath: VERSION, applyDelayMs: 45_000, fetch: true, ...fw } } };
}

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.close();
  fleet = undefined;
});

async function start(profile: Profile): Promise<Fleet> {
  fleet = await startFleet({ profile, timeScale: 0.001 });
  return fleet;
}

/** Download via the embedded ACS, delivered by a real Connection Request; resolves with the TransferComplete. */
async function upgrade(f: Fleet, n: number, url: string, commandKey = `fw-${n}`) {
  const acs = f.acs!;
  const p = acs.download(`cpe-${n}`, { url, commandKey });
  // 100 CRs and 100 downloads at once on a loaded 2-core machine: the 2 s default is a
  // latency budget, not what this test is about.
  expect((await acs.connectionRequest(f.cpe(n).crUrl!, { timeoutMs: 20_000 })).status).toBe(200);
  expect((await p).response).toMatchObject({ name: 'DownloadResponse', status: 1 });
  return transferSettled(acs, f.cpe(n), `cpe-${n}`, commandKey);
}

describe('firmware upgrade (transfer.firmware)', () => {
  it('a good image: dark for applyDelay, then a boot session [1 BOOT, M Download, 7 TRANSFER COMPLETE] with the new SoftwareVersion', async () => {
    const f = await start(firmwareProfile());
    const cpe = f.cpe(1);
    const url = f.acs!.files.serve('gw-7.2.1.img', { image: { version: '7.2.1', size: 200_000 } });
    const tc = await upgrade(f, 1, url);
    expect(tc).toMatchObject({ faultCode: 0, faultString: '' });
    // StartTime is when the fetch began, CompleteTime when the new image had booted.
    expect(Date.parse(tc.completeTime) - Date.parse(tc.startTime)).toBeGreaterThanOrEqual(45_000);
    const boot = f.acs!.informs.find((i) => i.events.some((e) => e.eventCode === '1 BOOT') && i.events.some((e) => e.eventCode === 'M Download'))!;
    expect(boot.events).toEqual([
      { eventCode: '1 BOOT', commandKey: '' },
      { eventCode: 'M Download', commandKey: 'fw-1' },
      { eventCode: '7 TRANSFER COMPLETE', commandKey: '' },
    ]);
    expect(boot.parameters).toContainEqual(expect.objectContaining({ name: VERSION, value: '7.2.1' }));
    expect(cpe).toHaveFirmware('7.2.1');
    expect(cpe).toHaveCompletedTransfer({ commandKey: 'fw-1', faultCode: 0 });
    expect(cpe.pendingEvents).toEqual([]);
  });

  it('while dark, a Connection Request gets no answer at all; an API trigger waits and runs after the boot', async () => {
    const f = await start(firmwareProfile({ applyDelayMs: 2_000_000 })); // 2 s real
    const cpe = f.cpe(1);
    const url = f.acs!.files.serve('gw-8.img', { image: { version: '8.0' } });
    const p = f.acs!.download('cpe-1', { url, commandKey: 'dark' });
    await f.acs!.connectionRequest(cpe.crUrl!);
    await p;
    for (let i = 0; i < 500 && cpe.poweredOn; i++) await new Promise((r) => setTimeout(r, 5));
    expect(cpe.poweredOn).toBe(false);
    await expect(f.acs!.connectionRequest(cpe.crUrl!)).rejects.toMatchObject({ code: 'CPESIM_CR_FAILED' });
    expect(f.crRequests().at(-1)).toMatchObject({ reason: 'powered-off', status: 0 });
    const latched = await cpe.inform(['X 00D09E Latched']);
    const codes = latched.events.map((e) => e.eventCode);
    expect(codes).toContain('1 BOOT');
    expect(codes).toContain('X 00D09E Latched');
    expect(cpe).toHaveFirmware('8.0');
  });

  it('an image without a version line (corrupt) → 9010 and the old version, no reboot', async () => {
    const f = await start(firmwareProfile());
    const url = f.acs!.files.serve('bad.img', { image: { corrupt: true, size: 100_000 } });
    const tc = await upgrade(f, 1, url);
    expect(tc).toMatchObject({ faultCode: 9010, faultString: expect.stringMatching(/invalid firmware image/) });
    expect(f.cpe(1)).toHaveFirmware('1.0.3');
    expect(f.acs!.informs.filter((i) => i.events.some((e) => e.eventCode === '1 BOOT'))).toHaveLength(1); // the bootstrap only
  });

  it('fetch: false takes the version from the file name and contacts nobody', async () => {
    const f = await start(firmwareProfile({ fetch: false }));
    const tc = await upgrade(f, 1, f.acs!.files.url('images/gw-9.1.0.img'));
    expect(tc.faultCode).toBe(0);
    expect(f.cpe(1)).toHaveFirmware('gw-9.1.0');
    expect(f.acs!.files.requests).toEqual([]);
  });

  it('a network failure keeps its own fault code (404 → 9016), version unchanged', async () => {
    const f = await start(firmwareProfile());
    expect((await upgrade(f, 1, f.acs!.files.url('missing.img'))).faultCode).toBe(9016);
    expect(f.cpe(1)).toHaveFirmware('1.0.3');
  });
});

describe('cpe-sim firmware rules (beyond the seed)', () => {
  it('requireChecksum: the right SHA-256 passes, a wrong or missing one → 9019', async () => {
    const f = await start(firmwareProfile({ requireChecksum: true }));
    const none = f.acs!.files.serve('plain.img', { image: { version: '2.0' } });
    expect((await upgrade(f, 1, none, 'no-sum')).faultCode).toBe(9019);
    const wrong = f.acs!.files.serve('wrong.img', { image: { version: '2.0', checksum: 'ab'.repeat(32) } });
    expect(await upgrade(f, 1, wrong, 'bad-sum')).toMatchObject({ faultCode: 9019, faultString: expect.stringMatching(/SHA-256/) });
    expect(f.cpe(1)).toHaveFirmware('1.0.3');
    const good = f.acs!.files.serve('good.img', { image: { version: '2.0', checksum: true, size: 300_000 } });
    expect((await upgrade(f, 1, good, 'good-sum')).faultCode).toBe(0);
    expect(f.cpe(1)).toHaveFirmware('2.0');
  });

  it('rejectDowngrade: an older version → 9010', async () => {
    const f = await start(firmwareProfile({ rejectDowngrade: true }));
    const old = f.acs!.files.serve('old.img', { image: { version: '1.0.2' } });
    expect(await upgrade(f, 1, old)).toMatchObject({ faultCode: 9010, faultString: expect.stringMatching(/downgrade from 1.0.3 to 1.0.2 refused/) });
    expect(f.cpe(1)).toHaveFirmware('1.0.3');
  });

  it('failUpgrades: exactly the listed upgrades of the fleet fail', async () => {
    const f = await start(firmwareProfile({ failUpgrades: [2] }, 3));
    const url = f.acs!.files.serve('gw.img', { image: { version: '3.0' } });
    const tcs = await Promise.all([1, 2, 3].map((n) => upgrade(f, n, url)));
    expect(tcs.map((t) => t.faultCode).sort()).toEqual([0, 0, 9010]);
    expect(f.cpes.filter((c) => c.firmwareVersion === '3.0')).toHaveLength(2);
  });
});

describe('fleet rollout', () => {
  it('100 CPEs, 10 of them given a corrupt image: exactly those 10 stay on the old version, 90 run the new one', async () => {
    const f = await start(firmwareProfile({ applyDelayMs: 30_000 }, 100));
    const acs = f.acs!;
    const good = acs.files.serve('gw-7.2.1.img', { image: { version: '7.2.1', size: 256 * 1024 } });
    const bad = acs.files.serve('gw-7.2.1-broken.img', { image: { corrupt: true, size: 256 * 1024 } });
    const corrupt = new Set([3, 11, 22, 37, 40, 58, 61, 77, 89, 100]);
    const tcs = await Promise.all(f.cpes.map((_, i) => upgrade(f, i + 1, corrupt.has(i + 1) ? bad : good, `rollout-${i + 1}`)));
    expect(tcs.filter((t) => t.faultCode === 9010)).toHaveLength(10);
    for (const [i, cpe] of f.cpes.entries()) {
      const n = i + 1;
      if (corrupt.has(n)) {
        expect(cpe).toHaveFirmware('1.0.3');
        expect(cpe).toHaveCompletedTransfer({ commandKey: `rollout-${n}`, faultCode: 9010 });
      } else {
        expect(cpe).toHaveFirmware('7.2.1');
        expect(cpe).toHaveCompletedTransfer({ commandKey: `rollout-${n}`, faultCode: 0 });
      }
    }
    expect(acs.files.requests.filter((r) => r.method === 'GET' && r.status === 200)).toHaveLength(100);
  });
});
