/**
 * Issue 4 "Done when": a fleet of 100 CPEs completes bootstrap against the fake ACS.
 * The whole path is real: profile file → startFleet → 100 Cpe sessions over
 * loopback HTTP → the embedded fake ACS, which records what it received.
 */
import { describe, expect, it } from 'vitest';
import { startFleet } from '../../src/fleet/index.js';
import type { SessionRecord } from '../../src/cpe/index.js';

const PROFILE = new URL('../../fixtures/profiles/fleet-100.yaml', import.meta.url).pathname;

/** Handles of this process, by type (timers excluded: vitest's own come and go). */
function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const h of process.getActiveResourcesInfo()) if (h !== 'Timeout' && h !== 'Immediate') out[h] = (out[h] ?? 0) + 1;
  return out;
}

/** Handle types of which there are more now than in `before`, after letting closing sockets finish. */
async function leakedSince(before: Record<string, number>): Promise<Record<string, number>> {
  let extra: Record<string, number> = {};
  for (let i = 0; i < 200; i++) {
    extra = {};
    for (const [k, n] of Object.entries(handles())) if (n > (before[k] ?? 0)) extra[k] = n - (before[k] ?? 0);
    if (Object.keys(extra).length === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return extra;
}

describe('fleet of 100 (fixtures/profiles/fleet-100.yaml)', () => {
  it('100 CPEs with distinct serials deliver 0 BOOTSTRAP + 1 BOOT to the embedded fake ACS; close() leaves no handle', async () => {
    const before = handles();
    // timeScale 0.01: the profile's 500 ms bootDelay takes 5 real ms and the first
    // 300 s periodic inform would come after 3 real s, well after this test's work.
    const fleet = await startFleet({ profile: PROFILE, timeScale: 0.01, cr: false });
    try {
      expect(fleet.cpes).toHaveLength(100);
      expect(fleet.acs).toBeDefined();
      // startFleet resolves once every CPE delivered 0 BOOTSTRAP (waitFor 'bootstrap');
      // each CPE's own promise must agree.
      const boots: SessionRecord[] = await Promise.all(fleet.cpes.map((c) => c.whenBootstrapped()));
      for (const [i, b] of boots.entries()) {
        expect(b.ok, b.toString()).toBe(true);
        expect(b.cpeId).toBe(`cpe-${i + 1}`);
        expect(b.events.map((e) => e.eventCode)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
        expect(b.retryCount).toBe(0);
      }
      expect(fleet.cpes.every((c) => c.pendingEvents.length === 0)).toBe(true);

      // What the ACS saw, not what the CPEs believe.
      const acs = fleet.acs!;
      const bootInforms = acs.informs.filter((i) => i.events.some((e) => e.eventCode === '0 BOOTSTRAP'));
      expect(bootInforms).toHaveLength(100);
      for (const inf of bootInforms) expect(inf.events.map((e) => e.eventCode)).toEqual(['0 BOOTSTRAP', '1 BOOT']);
      const serials = bootInforms.map((i) => i.serial).sort();
      expect(new Set(serials).size).toBe(100);
      expect(serials[0]).toBe('LAB-0001');
      expect(serials[99]).toBe('LAB-0100');
      expect(fleet.cpes.map((c) => c.serialNumber).sort()).toEqual(serials);
      // Every bootstrap session ended with the ACS's 204 after a full exchange.
      const bootSessions = acs.sessions.filter((s) => s.events.some((e) => e.eventCode === '0 BOOTSTRAP'));
      expect(bootSessions).toHaveLength(100);
      expect(bootSessions.filter((s) => !s.ok).map((s) => `${s.serial}: ${s.error ?? ''}`)).toEqual([]);
    } finally {
      await fleet.close();
    }
    expect(await leakedSince(before)).toEqual({});
  });
});
