import { describe, expect, it } from 'vitest';
import { GeneratorClock, MAX_CATCHUP_TICKS, Template, TickDraws, createParameterTree, generatedValueAt } from '../../src/datamodel/index.js';
import type { GeneratorDef } from '../../src/profile/types.js';
import { leaf, makeProfile, table } from './helpers.js';

/** A hand-driven clock: `t.ms` is simulated time. */
function fakeTime(start = Date.UTC(2026, 0, 1, 0, 0, 0)): { ms: number; now: () => number } {
  const t = { ms: start, now: () => t.ms };
  return t;
}

const SEED = 42n;
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

/** Values of `def` at ticks 1..n from `value`, one tick at a time (each read from the previous). */
function series(def: GeneratorDef, value: string, n: number, g = 1): string[] {
  const t = fakeTime();
  const clock = new GeneratorClock(t.now);
  clock.start();
  const draws = new TickDraws(SEED, g, def.path);
  const out: string[] = [];
  let base = { tick: 0, value };
  for (let k = 1; k <= n; k++) {
    base = { tick: k, value: generatedValueAt(def, base, k, { clock, draws: () => draws }) };
    out.push(base.value);
  }
  return out;
}

const P = 'Device.X.Leaf';

describe('counter (§6.2)', () => {
  const counter = (over: Partial<Extract<GeneratorDef, { type: 'counter' }>> = {}): GeneratorDef => ({ type: 'counter', path: P, intervalMs: 1000, min: 0, max: 99, step: 30, jitter: 0, ...over });

  it('wraps past max to min + ((next − max − 1) mod span): min 0 max 99 step 30 from 90 gives 20', () => {
    expect(series(counter(), '90', 4)).toEqual(['20', '50', '80', '10']);
  });

  it('a value outside [min, max] starts from min; a value that is not an unsigned integer stays', () => {
    expect(series(counter({ min: 10, max: 99 }), '5', 2)).toEqual(['40', '70']);
    expect(series(counter({ min: 10, max: 99 }), '500', 1)).toEqual(['40']);
    expect(series(counter(), 'n/a', 3)).toEqual(['n/a', 'n/a', 'n/a']);
  });

  it('many ticks at once give what one-by-one ticks give, past 2^53 too', () => {
    const def = counter({ min: 0, max: 4294967295, step: 2_000_000 });
    const clock = new GeneratorClock(() => 0);
    clock.start();
    const ctx = { clock, draws: () => new TickDraws(SEED, 1, P) };
    const one = series(def, '7', 5000).at(-1);
    expect(generatedValueAt(def, { tick: 0, value: '7' }, 5000, ctx)).toBe(one);
    // 10^10 ticks of 2e6 = 2e16 > 2^53: exact modular arithmetic.
    expect(generatedValueAt(def, { tick: 0, value: '7' }, 1e10, ctx)).toBe(String((7n + 10n ** 10n * 2_000_000n) % 4294967296n));
  });

  it('jitter: increment = step + draw in [−span, span], span = trunc(step·jitter); golden values for seed 42, cpe-1', () => {
    const values = series(counter({ min: 0, max: 1_000_000, step: 1000, jitter: 0.5 }), '0', 6).map(Number);
    const steps = values.map((v, i) => v - (i === 0 ? 0 : values[i - 1]!));
    for (const s of steps) expect(s >= 500 && s <= 1500).toBe(true);
    expect(values).toEqual(GOLDEN.counterJitter);
  });
});

describe('drift (§6.2)', () => {
  const drift = (over: Partial<Extract<GeneratorDef, { type: 'drift' }>> = {}): GeneratorDef => ({ type: 'drift', path: P, intervalMs: 1000, min: -90, max: -30, stepMax: 3, ...over });

  it('moves by at most stepMax per tick and stays inside [min, max]; golden values for seed 42, cpe-1', () => {
    const values = series(drift(), '-60', 200).map(Number);
    let prev = -60;
    for (const v of values) {
      expect(Math.abs(v - prev)).toBeLessThanOrEqual(3);
      expect(v >= -90 && v <= -30).toBe(true);
      prev = v;
    }
    expect(values.slice(0, 6)).toEqual(GOLDEN.drift);
  });

  it('clamps a value outside the bounds first; an unparsable value restarts from the midpoint trunc((min+max)/2)', () => {
    const d = drift({ min: 0, max: 10, stepMax: 1 });
    expect(Math.abs(Number(series(d, '500', 1)[0]) - 10)).toBeLessThanOrEqual(1);
    expect(Math.abs(Number(series(d, 'oops', 1)[0]) - 5)).toBeLessThanOrEqual(1);
  });

  it('a result outside xsd:int fails that tick only: the value stays, later ticks apply (golden, seed 42, cpe-1)', () => {
    // Bounds beyond int32 are allowed by the loader (§6.2). Tick 7 draws +5 from 2147483645:
    // 2147483650 is no xsd:int, so the leaf keeps 2147483645; tick 8 draws −3 and is written.
    const d = drift({ min: 2147483640, max: 2 ** 40, stepMax: 5 });
    expect(series(d, '2147483640', 9).map((v) => Number(v) - 2147483640)).toEqual([0, 0, 0, 3, 5, 5, 5, 2, 3]);
  });
});

describe('enum (§6.2)', () => {
  it('cycle writes values[0], values[1], … from the first tick whatever the leaf held, repeats included', () => {
    const def: GeneratorDef = { type: 'enum', path: P, intervalMs: 1000, values: ['Up', 'Down', 'Down'], mode: 'cycle' };
    expect(series(def, 'Dormant', 5)).toEqual(['Up', 'Down', 'Down', 'Up', 'Down']);
  });

  it('random picks values[draw]; golden values for seed 42, cpe-1', () => {
    const def: GeneratorDef = { type: 'enum', path: P, intervalMs: 1000, values: ['1', '6', '11'], mode: 'random' };
    expect(series(def, '1', 8)).toEqual(GOLDEN.enumRandom);
  });
});

describe('uptime and wallclock (§6.2)', () => {
  it('uptime: whole seconds since the generators were created, shown from the first tick on', () => {
    const t = fakeTime();
    const clock = new GeneratorClock(t.now);
    t.ms += 12_500; // bootstrap phase
    clock.start();
    const def: GeneratorDef = { type: 'uptime', path: P, intervalMs: 10_000 };
    const ctx = { clock, draws: () => new TickDraws(SEED, 1, P) };
    expect(generatedValueAt(def, { tick: 0, value: '0' }, 0, ctx)).toBe('0');
    expect(generatedValueAt(def, { tick: 0, value: '0' }, 1, ctx)).toBe('22');
    expect(generatedValueAt(def, { tick: 0, value: '0' }, 3, ctx)).toBe('42');
  });

  it('wallclock: UTC YYYY-MM-DDThh:mm:ssZ of the tick, no fraction', () => {
    const t = fakeTime(T0 + 250);
    const clock = new GeneratorClock(t.now);
    clock.start();
    const def: GeneratorDef = { type: 'wallclock', path: P, intervalMs: 15_000 };
    expect(generatedValueAt(def, { tick: 0, value: '0001-01-01T00:00:00Z' }, 2, { clock, draws: () => new TickDraws(SEED, 1, P) })).toBe('2026-01-01T00:00:30Z');
  });
});

describe('draws', () => {
  it('depend on (seed, CPE global index, generator path, tick) only', () => {
    const a = new TickDraws(SEED, 7, P);
    const n = 1_000_003;
    const seq = [1, 2, 3, 1000].map((k) => a.draw(k, n));
    expect([1000, 3, 2, 1].map((k) => new TickDraws(SEED, 7, P).draw(k, n))).toEqual([...seq].reverse());
    expect([1, 2, 3, 1000].map((k) => new TickDraws(SEED, 8, P).draw(k, n))).not.toEqual(seq);
    expect([1, 2, 3, 1000].map((k) => new TickDraws(SEED + 1n, 7, P).draw(k, n))).not.toEqual(seq);
    expect([1, 2, 3, 1000].map((k) => new TickDraws(SEED, 7, `${P}2`).draw(k, n))).not.toEqual(seq);
  });

  it('are uniform enough: 60,000 draws of 3 land within 3 % of 20,000 each', () => {
    const d = new TickDraws(SEED, 1, P);
    const counts = [0, 0, 0];
    for (let k = 1; k <= 60_000; k++) counts[d.draw(k, 3)]!++;
    for (const c of counts) expect(Math.abs(c - 20_000)).toBeLessThan(600);
  });
});

// ---- wired into the ParameterTree -----------------------------------------------

const UPTIME = 'Device.DeviceInfo.UpTime';
const BYTES = 'Device.X_TEST.Bytes';
const RSSI = 'Device.X_TEST.Rssi';
const HOST_ACTIVE = 'Device.Hosts.Host.1.Active';

function generatedProfile(): Template {
  return Template.compile(
    makeProfile({
      parameters: [
        ...makeProfile().parameters,
        leaf(BYTES, '0', { type: 'xsd:unsignedInt', writable: true }),
        leaf(RSSI, '-60', { type: 'xsd:int' }),
      ],
      objects: [table('Device.Hosts.Host.', 2, [leaf('HostName', 'host-{i}', { writable: true }), leaf('Active', 'true', { type: 'xsd:boolean' })])],
      generators: [
        { type: 'uptime', path: UPTIME, intervalMs: 10_000 },
        { type: 'counter', path: BYTES, intervalMs: 30_000, min: 0, max: 4294967295, step: 1000, jitter: 0.25 },
        { type: 'drift', path: RSSI, intervalMs: 5_000, min: -90, max: -30, stepMax: 2 },
        { type: 'enum', path: HOST_ACTIVE, intervalMs: 60_000, values: ['false', '1'], mode: 'cycle' },
      ],
    }),
  );
}

describe('generated leaves in a ParameterTree', () => {
  const template = generatedProfile();
  const ctx = { index: 3, id: 'cpe-3', seed: SEED };

  it('read as the profile value until the generators start and their first tick passes', () => {
    const t = fakeTime();
    const clock = new GeneratorClock(t.now);
    const tree = createParameterTree(template, ctx, clock);
    t.ms += 3_600_000;
    expect(tree.getValue(UPTIME)).toBe('0');
    expect(tree.nextGeneratorTick(UPTIME)).toBeUndefined();
    clock.start();
    t.ms += 9_999;
    expect(tree.getValues([UPTIME, BYTES, HOST_ACTIVE]).map((v) => v.value)).toEqual(['0', '0', 'true']);
    expect(tree.nextGeneratorTick(UPTIME)).toBe(clock.startedAt! + 10_000);
    t.ms += 1;
    expect(tree.getValue(UPTIME)).toBe('3610');
  });

  it('values do not depend on when, how often or in which order leaves are read', () => {
    const t1 = fakeTime();
    const c1 = new GeneratorClock(t1.now);
    c1.start();
    const often = createParameterTree(template, ctx, c1);
    const seen: string[][] = [];
    for (let s = 0; s < 40; s++) {
      t1.ms += 7_000;
      seen.push(often.getValues([RSSI, BYTES]).map((v) => v.value));
    }
    const t2 = fakeTime();
    const c2 = new GeneratorClock(t2.now);
    c2.start();
    const once = createParameterTree(template, ctx, c2);
    t2.ms += 280_000;
    expect([once.getValue(BYTES), once.getValue(RSSI)]).toEqual([...seen.at(-1)!].reverse());
  });

  it('generators never touch other CPEs: another global index draws other values', () => {
    const t = fakeTime();
    const clock = new GeneratorClock(t.now);
    clock.start();
    const a = createParameterTree(template, ctx, clock);
    const b = createParameterTree(template, { ...ctx, index: 4, id: 'cpe-4' }, clock);
    t.ms += 3_000_000;
    expect(a.getValue(BYTES)).not.toBe(b.getValue(BYTES));
  });

  it('an ACS write sets the base the generator continues from at its next tick', () => {
    const t = fakeTime();
    const clock = new GeneratorClock(t.now);
    clock.start();
    const tree = createParameterTree(template, ctx, clock);
    t.ms += 95_000; // 3 ticks of 30 s passed
    tree.setValues([{ name: BYTES, value: '4294967000' }], 'acs');
    expect(tree.getValue(BYTES)).toBe('4294967000');
    t.ms += 25_000; // tick 4 at 120 s
    const next = Number(tree.getValue(BYTES));
    // 4294967000 + 750..1250 wraps past 4294967295 to a small value.
    expect(next).toBeGreaterThanOrEqual(454);
    expect(next).toBeLessThanOrEqual(954);
  });

  it('reset(): generators continue from the profile values, uptime keeps counting', () => {
    const t = fakeTime();
    const clock = new GeneratorClock(t.now);
    clock.start();
    const tree = createParameterTree(template, ctx, clock);
    t.ms += 600_000;
    expect(Number(tree.getValue(BYTES))).toBeGreaterThan(10_000);
    tree.reset();
    expect(tree.getValue(BYTES)).toBe('0');
    expect(tree.getValue(UPTIME)).toBe('0');
    t.ms += 30_000;
    expect(Number(tree.getValue(BYTES))).toBeLessThanOrEqual(1250);
    expect(tree.getValue(UPTIME)).toBe('630');
  });

  it('rows AddObject creates have no generator; a deleted row forgets its state', () => {
    const t = fakeTime();
    const clock = new GeneratorClock(t.now);
    clock.start();
    const tree = createParameterTree(template, ctx, clock);
    const n = tree.addObject('Device.Hosts.Host.');
    t.ms += 60_000;
    expect(tree.getValue(HOST_ACTIVE)).toBe('false');
    expect(tree.getValue(`Device.Hosts.Host.${n}.Active`)).toBe('true');
    expect(tree.generator(`Device.Hosts.Host.${n}.Active`)).toBeUndefined();
    expect(tree.generator(HOST_ACTIVE)?.type).toBe('enum');
    t.ms += 60_000; // an enum value '1' on an xsd:boolean leaf reads as SPV would store it
    expect(tree.getValue(HOST_ACTIVE)).toBe('true');
    tree.deleteObject('Device.Hosts.Host.1.');
    expect(tree.generator(HOST_ACTIVE)).toBeUndefined();
  });

  it('reads store nothing, except one cursor per read leaf of the kinds that step tick by tick', () => {
    const t = fakeTime();
    const clock = new GeneratorClock(t.now);
    clock.start();
    const tree = createParameterTree(template, ctx, clock);
    t.ms += 600_000;
    tree.getValues([UPTIME, HOST_ACTIVE]);
    expect(tree.overlaySize).toBe(0);
    tree.getValues([BYTES, RSSI, BYTES]);
    expect(tree.overlaySize).toBe(2);
  });

  it('a tree without a GeneratorClock reads the profile values', () => {
    const tree = createParameterTree(template, ctx);
    expect(tree.getValue(UPTIME)).toBe('0');
    expect(tree.generator(UPTIME)).toBeUndefined();
  });

  it(`catch-up replays at most ${MAX_CATCHUP_TICKS} ticks per read`, () => {
    const def: GeneratorDef = { type: 'counter', path: P, intervalMs: 1, min: 0, max: 4294967295, step: 10, jitter: 1 };
    const clock = new GeneratorClock(() => 0);
    clock.start();
    const ctx2 = { clock, draws: () => new TickDraws(SEED, 1, P) };
    // Ticks 1..k each add 0..20: after the bound, the sum covers MAX_CATCHUP_TICKS ticks only.
    const v = Number(generatedValueAt(def, { tick: 0, value: '0' }, MAX_CATCHUP_TICKS * 3, ctx2));
    expect(v).toBeLessThanOrEqual(20 * MAX_CATCHUP_TICKS);
    expect(v).toBeGreaterThan(5 * MAX_CATCHUP_TICKS);
  });

  it('the Template rejects a generator on a path that is not a leaf', () => {
    expect(() => Template.compile(makeProfile({ generators: [{ type: 'uptime', path: 'Device.Nope', intervalMs: 1000 }] }))).toThrow(/generator path 'Device.Nope' is not a leaf/);
  });
});

/** Golden values for seed 42, cpe-1, path Device.X.Leaf (values differ from cpe-labs by design: docs/profile.md). */
const GOLDEN = {
  counterJitter: [1006, 2050, 3390, 4239, 4757, 5493],
  drift: [-61, -59, -62, -59, -58, -56],
  enumRandom: ['11', '1', '11', '1', '11', '11', '1', '6'],
};
