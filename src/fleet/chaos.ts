/**
 * Outages across a fleet: a share of the CPEs powered off and back on (a whole street
 * losing power), or losing their uplink (profile-format §10, `faults.link`). Which CPEs
 * are hit is drawn from the fleet's root seed, so a chaos run replays.
 * @module
 */
import type { Behaviour, Cpe } from '../cpe/index.js';
import { checkBehaviour } from '../cpe/index.js';
import { ConfigError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { Profile } from '../profile/index.js';
import { parseDuration } from '../profile/index.js';
import { streamFor } from '../random/index.js';

/** A duration: milliseconds (simulated, as the fleet's clock runs) or a Go duration string (`'30s'`, `'2m'`). */
export type DurationInput = number | string;

/** Which CPEs of the fleet an outage hits. */
export interface ShareOptions {
  /**
   * Fraction of this process's CPEs, in (0, 1]; default 1 (all). The CPEs are drawn
   * from the fleet's root seed and the call's ordinal, so a seeded run hits the same
   * ones every time. At least one CPE is hit when the share is above 0.
   */
  share?: number;
}

/** Options of {@link FleetChaos.powerCycle}. */
export interface PowerCycleOptions extends ShareOptions {
  /** How long the power stays off (default 0: the power comes back at once). */
  after?: DurationInput;
  /**
   * Each CPE boots after `after` + `eventSchedule.bootDelay` + a delay drawn uniformly
   * in [0, jitter) from its seeded stream (default 0: every CPE at the same instant,
   * the worst storm).
   */
  jitter?: DurationInput;
}

/** Options of {@link FleetChaos.linkDown}. */
export interface LinkDownOptions extends ShareOptions {
  /** Outage length; default the profile's `faults.link.duration`. */
  duration?: DurationInput;
  /** Interface object (e.g. `Device.IP.Interface.1`); default the profile's `faults.link.interface`. */
  interface?: string;
}

function durationMs(name: string, v: DurationInput | undefined, fallback: number | undefined): number {
  if (v === undefined) {
    if (fallback === undefined) throw new ConfigError(`${name} is required (milliseconds or a duration such as '30s'); the profile has no faults.link to take it from`);
    return fallback;
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new ConfigError(`${name} must be a number of milliseconds >= 0 or a duration such as '30s', got ${String(v)}`);
    return v;
  }
  if (typeof v !== 'string') throw new ConfigError(`${name} must be a number of milliseconds or a duration string such as '30s', got ${typeof v}`);
  try {
    return parseDuration(v);
  } catch (err) {
    throw new ConfigError(`${name}: ${JSON.stringify(v)} is not a duration (expected e.g. '500ms', '30s', '2m')`, { cause: err });
  }
}

/** The outage operations of a fleet; see `Fleet.powerCycle` and `Fleet.linkDown`. */
export class FleetChaos {
  /** Calls so far per operation: the ordinal keys the seeded draw of each call. */
  private readonly calls = new Map<string, number>();

  constructor(
    private readonly cpes: readonly Cpe[],
    private readonly seed: bigint,
    private readonly profile: Profile,
    private readonly logger: Logger,
  ) {}

  /**
   * Powers `share` of the CPEs off now and back on `after` later; each boots with
   * `1 BOOT` after its jitter and retries with the TR-069 back-off until the ACS takes
   * it. Returns the CPEs switched off (those already off are skipped).
   */
  powerCycle(opts: PowerCycleOptions = {}): Cpe[] {
    checkKeys('powerCycle', opts, ['share', 'after', 'jitter']);
    const afterMs = durationMs('powerCycle: after', opts.after, 0);
    const jitterMs = durationMs('powerCycle: jitter', opts.jitter, 0);
    const { picked, key } = this.pick('powerCycle', opts.share);
    const hit = picked.filter((c) => c.powerOff());
    for (const cpe of hit) {
      const delayMs = afterMs + (jitterMs > 0 ? streamFor(this.seed, `${key}:${cpe.id}`).float() * jitterMs : 0);
      cpe.powerOn({ delayMs }).catch(() => undefined);
    }
    this.logger.info('power cycle', { cpes: hit.length, after_ms: afterMs, jitter_ms: jitterMs });
    return hit;
  }

  /**
   * Cuts the uplink of `share` of the CPEs for `duration` (profile-format §10). Returns
   * the CPEs whose link went down (one already down ignores it).
   */
  linkDown(opts: LinkDownOptions = {}): Cpe[] {
    checkKeys('linkDown', opts, ['share', 'duration', 'interface']);
    const link = this.profile.faults.link;
    const ms = durationMs('linkDown: duration', opts.duration, link?.durationMs);
    if (ms <= 0) throw new ConfigError(`linkDown: duration must be > 0, got ${String(opts.duration)}`);
    const iface = opts.interface ?? link?.interface;
    if (iface === undefined) throw new ConfigError("linkDown: interface is required (e.g. 'Device.IP.Interface.1'); the profile has no faults.link to take it from");
    const { picked } = this.pick('linkDown', opts.share);
    const hit = picked.filter((c) => c.linkDown(iface, ms));
    this.logger.info('link down', { cpes: hit.length, interface: iface, duration_ms: ms });
    return hit;
  }

  /**
   * The profile's `faults.link` (what SIGUSR1 triggers in the CLI): every CPE of its
   * `instances` band (all without one) loses its uplink for the configured duration.
   * @throws ConfigError when the profile has no `faults.link`.
   */
  linkFault(): Cpe[] {
    const link = this.profile.faults.link;
    if (link === undefined) throw new ConfigError('linkFault: the profile has no faults.link block (profile-format §10)');
    const band = link.instances;
    const hit = this.cpes.filter((c) => (band === undefined || (c.index >= band.from && c.index <= band.to)) && c.linkDown(link.interface, link.durationMs));
    this.logger.info('link fault', { cpes: hit.length, interface: link.interface, duration_ms: link.durationMs });
    return hit;
  }

  /**
   * Injects `behaviour` into `share` of the CPEs (seeded draw); `null` clears every
   * CPE's. Returns the CPEs it was injected into.
   */
  inject(opts: (Behaviour & ShareOptions) | null): Cpe[] {
    if (opts === null) {
      for (const c of this.cpes) c.inject(null);
      return [];
    }
    const { share, ...rest } = checkShareAndBehaviour(opts);
    const { picked } = this.pick('inject', share);
    for (const c of picked) c.inject(rest);
    this.logger.info('behaviour injected', { cpes: picked.length, behaviour: Object.keys(rest).join(',') });
    return picked;
  }

  /**
   * The profile's `behaviour` block, applied before the first session: each entry's
   * quirks go to its `instances` band (all without one), `share` of it drawn from the
   * root seed (key `behaviour:<entry>`), so a run replays.
   */
  applyProfile(): void {
    for (const [i, rule] of (this.profile.behaviour ?? []).entries()) {
      const band = rule.instances;
      const inBand = this.cpes.filter((c) => band === undefined || (c.index >= band.from && c.index <= band.to));
      const picked = rule.share === undefined ? inBand : this.draw(inBand, rule.share, `behaviour:${i}`);
      for (const c of picked) c.inject(rule.quirks);
      this.logger.info('profile behaviour injected', { entry: i, cpes: picked.length, behaviour: Object.keys(rule.quirks).join(',') });
    }
  }

  /** A seeded draw of round(share·N) CPEs (at least one), in index order. */
  private pick(op: string, share: number | undefined): { picked: Cpe[]; key: string } {
    const s = share ?? 1;
    if (typeof s !== 'number' || !(s > 0 && s <= 1)) throw new ConfigError(`${op}: share must be a number in (0, 1], got ${String(share)}`);
    const n = (this.calls.get(op) ?? 0) + 1;
    this.calls.set(op, n);
    const key = `chaos:${op}:${n}`;
    return { picked: this.draw(this.cpes, s, key), key };
  }

  /** round(share·N) of `from` (at least one), drawn with the stream `key`, in index order. */
  private draw(from: readonly Cpe[], share: number, key: string): Cpe[] {
    const want = Math.max(1, Math.round(share * from.length));
    if (want >= from.length) return [...from];
    // Partial Fisher–Yates over the indices: the first `want` of a seeded permutation.
    const rng = streamFor(this.seed, key);
    const idx = from.map((_, i) => i);
    for (let i = 0; i < want; i++) {
      const j = i + rng.intn(idx.length - i);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx
      .slice(0, want)
      .sort((a, b) => a - b)
      .map((i) => from[i]!);
  }
}

function checkShareAndBehaviour(opts: Behaviour & ShareOptions): Behaviour & ShareOptions {
  const b = checkBehaviour(opts, 'fleet.inject', ['share']);
  return opts.share === undefined ? b : { ...b, share: opts.share };
}

function checkKeys(op: string, opts: object, allowed: readonly string[]): void {
  if (typeof opts !== 'object' || opts === null) throw new ConfigError(`${op}: options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k)) throw new ConfigError(`${op}: unknown option ${JSON.stringify(k)}; expected one of ${allowed.join(', ')}`);
  }
}
