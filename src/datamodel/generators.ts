/**
 * Value generators (profile format §6), computed on read. No timer per leaf or per CPE:
 * a generated leaf's value is a pure function of the generator definition, the value it
 * continued from (its *base*: the profile value at start, an ACS write, a factory reset),
 * the number of ticks since the fleet's {@link GeneratorClock} started, and, for the
 * random kinds, draws derived per (root seed, CPE global index, generator path, tick).
 * Reading a leaf earlier, later, more or less often, or in another order never changes
 * what it reads; see docs/profile.md "Generators" for the rules and the catch-up bound.
 * @module
 */
import type { GeneratorDef } from '../profile/types.js';
import { keyHash } from '../random/index.js';
import { checkValue } from './check.js';

/**
 * Most ticks a read replays for the two kinds that must step one tick at a time
 * (`counter` with jitter, `drift`). Reading such a leaf after a longer silence replays
 * only the last `MAX_CATCHUP_TICKS` ticks, starting from the value it had when last read
 * (as if the generator had been paused before them). 100,000 ticks is 27.7 hours of a
 * 1 s interval, 34.7 days of a 30 s one, and cost ~10 ms on one core; within the bound,
 * values never depend on when a leaf is read.
 */
export const MAX_CATCHUP_TICKS = 100_000;

/**
 * The fleet-wide time base of every generator: when the generators were created (the
 * fleet was built: `uptime` counts from here) and when they started ticking (the end of
 * the bootstrap phase, §6.3). One object per fleet, shared by every CPE's tree.
 *
 * @example
 * const gens = new GeneratorClock(() => clock.now());
 * const tree = createParameterTree(template, ctx, gens);
 * await fleet.whenBootstrapped();
 * gens.start(); // first tick of each generator one interval from now
 */
export class GeneratorClock {
  /** Simulated ms when the generators were created (`uptime` counts from here). */
  readonly createdAt: number;
  private started: number | undefined;
  private readonly startListeners = new Set<() => void>();

  /** @param now simulated wall-clock ms (the fleet's `Clock.now`). */
  constructor(readonly now: () => number) {
    this.createdAt = now();
  }

  /** Simulated ms when ticking started; undefined before {@link start}. */
  get startedAt(): number | undefined {
    return this.started;
  }

  /** Starts ticking (idempotent): tick n of every generator falls at `at + n·interval`. */
  start(at: number = this.now()): void {
    if (this.started !== undefined) return;
    this.started = at;
    for (const l of [...this.startListeners]) l();
    this.startListeners.clear();
  }

  /** Calls `listener` once when ticking starts (now, if it already has). Returns an unsubscribe function. */
  onStart(listener: () => void): () => void {
    if (this.started !== undefined) {
      listener();
      return () => undefined;
    }
    this.startListeners.add(listener);
    return () => {
      this.startListeners.delete(listener);
    };
  }

  /** Ticks of a generator with `intervalMs` that have happened by `at` (0 before the first one). */
  ticksAt(intervalMs: number, at: number = this.now()): number {
    if (this.started === undefined || at < this.started) return 0;
    return Math.floor((at - this.started) / intervalMs);
  }

  /** Simulated time of tick `n` (n ≥ 1) of a generator with `intervalMs`; undefined before start. */
  tickTime(intervalMs: number, n: number): number | undefined {
    return this.started === undefined ? undefined : this.started + n * intervalMs;
  }
}

/** A value and the tick it holds at (tick 0: before the first tick). */
export interface GeneratedValue {
  tick: number;
  value: string;
}

/**
 * Uniform draws for one generator of one CPE, addressed by tick: `draw(tick, j, n)` is
 * the j-th draw of that tick, an integer in [0, n). The 64-bit key is src/random's
 * `keyHash(seed, 'cpe-<g>:generators:<path>')`; each (tick, j) is then mixed from it
 * (MurmurHash3's 32-bit finaliser, three rounds), so a tick's draw costs no stream
 * state and no replay of earlier ticks.
 */
export class TickDraws {
  private readonly k0: number;
  private readonly k1: number;

  constructor(seed: bigint, globalIndex: number, path: string) {
    const u = keyHash(seed, `cpe-${globalIndex}:generators:${path}`);
    this.k0 = Number(u & 0xffffffffn) | 0;
    this.k1 = Number((u >> 32n) & 0xffffffffn) | 0;
  }

  /** 32 uniform bits for (tick, j). */
  private word(tick: number, j: number): number {
    const lo = tick >>> 0;
    const hi = Math.floor(tick / 0x1_0000_0000) | 0;
    const a = fmix32(this.k0 ^ lo);
    const b = fmix32(a ^ this.k1 ^ Math.imul(hi + 1, 0x27d4eb2f));
    return fmix32((b + Math.imul(j + 1, 0x9e3779b9)) | 0);
  }

  /**
   * An integer in [0, n) for (tick, j). n ≤ 2^32: exact (rejection sampling on 32 bits).
   * Larger n (a drift with stepMax ≥ 2^31): 53 random bits scaled, bias below n/2^53.
   */
  draw(tick: number, n: number): number {
    if (n <= 1) return 0;
    if (n <= 0x1_0000_0000) {
      const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
      for (let j = 0; ; j++) {
        const w = this.word(tick, j);
        if (w < limit) return w % n;
      }
    }
    const u = (this.word(tick, 0) >>> 11) * 0x1_0000_0000 + this.word(tick, 1);
    return Math.floor((u / 2 ** 53) * n);
  }
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** `YYYY-MM-DDThh:mm:ssZ` of simulated ms, no fraction (§6.2 wallclock). */
export function wallclockValue(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** True for the kinds whose value needs every tick replayed (the others have a closed form). */
export function stepsEachTick(def: GeneratorDef): boolean {
  return def.type === 'drift' || (def.type === 'counter' && Math.trunc(def.step * def.jitter) > 0);
}

/** Where a generated value is computed: the clock and, for random kinds, the draws. */
export interface GeneratorContext {
  /** The time base; an installed app's generators see one shifted to its install (ref §6.3). */
  clock: Pick<GeneratorClock, 'tickTime' | 'createdAt' | 'now'>;
  /** Made on demand: only random kinds draw. */
  draws: () => TickDraws;
}

/**
 * The value of a generated leaf at tick `k`, continuing from `base` (the value it had at
 * tick `base.tick`, `k ≥ base.tick`). Ticks `base.tick+1 … k` are applied by §6.2's
 * rules; a tick whose result the leaf type rejects leaves the value unchanged.
 * For `counter` with jitter and `drift`, at most {@link MAX_CATCHUP_TICKS} ticks are
 * replayed (the last ones).
 */
export function generatedValueAt(def: GeneratorDef, base: GeneratedValue, k: number, ctx: GeneratorContext): string {
  if (k <= base.tick) return base.value;
  switch (def.type) {
    case 'uptime': {
      // §6.2: seconds since the generator was created (fleet build), whatever happened since.
      const at = ctx.clock.tickTime(def.intervalMs, k) ?? ctx.clock.createdAt;
      return String(Math.max(0, Math.floor((at - ctx.clock.createdAt) / 1000)));
    }
    case 'wallclock':
      return wallclockValue(ctx.clock.tickTime(def.intervalMs, k) ?? ctx.clock.now());
    case 'enum': {
      const n = def.values.length;
      // cycle: the position is the generator's own (tick k writes values[k-1]), whatever the leaf holds.
      const i = def.mode === 'cycle' ? (k - 1) % n : ctx.draws().draw(k, n);
      return def.values[i] ?? base.value;
    }
    case 'counter':
      return counterAt(def, base, k, ctx);
    case 'drift':
      return driftAt(def, base, k, ctx);
  }
}

type CounterDef = Extract<GeneratorDef, { type: 'counter' }>;
type DriftDef = Extract<GeneratorDef, { type: 'drift' }>;

const UNSIGNED = /^\+?\d+$/;
const SIGNED = /^[+-]?\d+$/;

function counterAt(def: CounterDef, base: GeneratedValue, k: number, ctx: GeneratorContext): string {
  // A value that is not an unsigned integer fails every tick (§6.2): it stays.
  if (!UNSIGNED.test(base.value)) return base.value;
  const v = BigInt(base.value);
  const min = BigInt(def.min);
  const max = BigInt(def.max);
  const span = max - min + 1n;
  // Outside [min, max] the first tick starts from min.
  const start = v < min || v > max ? min : v;
  // next > max wraps to min + ((next − max − 1) mod span), i.e. min + ((next − min) mod span):
  // increments are never negative (jitter ≤ 1), so n ticks add up before one wrap.
  const jitterSpan = Math.trunc(def.step * def.jitter);
  let sum: bigint;
  if (jitterSpan === 0) {
    sum = BigInt(k - base.tick) * BigInt(def.step);
  } else {
    const draws = ctx.draws();
    const first = Math.max(base.tick + 1, k - MAX_CATCHUP_TICKS + 1);
    const m = Number(span);
    let acc = 0;
    for (let t = first; t <= k; t++) acc = (acc + def.step + draws.draw(t, 2 * jitterSpan + 1) - jitterSpan) % m;
    sum = BigInt(acc);
  }
  return String(min + ((start - min + sum) % span));
}

function driftAt(def: DriftDef, base: GeneratedValue, k: number, ctx: GeneratorContext): string {
  const mid = Math.trunc((def.min + def.max) / 2);
  const clamp = (x: number): number => Math.min(def.max, Math.max(def.min, x));
  const draws = ctx.draws();
  let cur = base.value;
  const first = Math.max(base.tick + 1, k - MAX_CATCHUP_TICKS + 1);
  for (let t = first; t <= k; t++) {
    // A value that does not parse restarts from the midpoint (§6.2).
    const x = SIGNED.test(cur) ? clamp(Number(cur)) : mid;
    const next = String(clamp(x + draws.draw(t, 2 * def.stepMax + 1) - def.stepMax));
    // A result the leaf type rejects (a bound outside int32) fails this tick only.
    if (checkValue('xsd:int', next) === undefined) cur = next;
  }
  return cur;
}
