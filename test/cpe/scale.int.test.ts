import { afterEach, describe, expect, it } from 'vitest';
import { Cpe } from '../../src/cpe/index.js';
import { TestBed, queueAcs, testTemplate } from './harness.js';

let bed: TestBed;
afterEach(async () => {
  await bed.cleanup();
});

describe('many CPEs', () => {
  it('100 CPEs bootstrap in parallel, each on its own connection, and hold no socket once idle', async () => {
    bed = new TestBed(0.001);
    const acs = await bed.acs(queueAcs());
    const template = testTemplate({ fleet: { count: 100 } });
    const cpes = Array.from({ length: 100 }, (_, i) => new Cpe({ id: `cpe-${i + 1}`, index: i + 1, template, acs: { url: acs.url }, scheduler: bed.scheduler }));
    try {
      for (const c of cpes) c.start();
      const boots = await Promise.all(cpes.map((c) => c.whenBootstrapped()));
      expect(boots.every((b) => b.ok)).toBe(true);
      const serials = new Set(acs.requests.filter((r) => r.kind === 'inform').map((r) => /<SerialNumber>([^<]*)</.exec(r.body)![1]));
      expect(serials.size).toBe(100);
      // Each session closes its connection: no idle keep-alive sockets per CPE.
      for (let i = 0; i < 100 && acs.openConnections > 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(acs.openConnections).toBe(0);
    } finally {
      await Promise.all(cpes.map((c) => c.close()));
    }
  });
});
