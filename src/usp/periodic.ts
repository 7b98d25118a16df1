/**
 * `Device.LocalAgent.Periodic!` (TR-181 2.19, usp-notes §5: there is no Periodic
 * NotifType; periodic reports are this event under an Event subscription), timed per
 * Controller by `Controller.{i}.PeriodicNotifInterval` (seconds) and
 * `PeriodicNotifTime` (the phase reference, as CWMP's PeriodicInformTime: every
 * event falls on `PeriodicNotifTime + N·interval`).
 *
 * Scale (issue 21's 10k agents): one job per agent on the fleet's shared Scheduler,
 * at the earliest due time over its Controllers, and none at all while no enabled
 * Event subscription covers the event. The job is re-armed from the tree whenever a
 * `Device.LocalAgent.` leaf or row changes ({@link PeriodicNotifications.changed}, called
 * by the Subscription table's own tree listener), so a Controller's Set of the interval,
 * the phase or a subscription takes effect at once.
 * @module
 */
import type { ScheduledJob, Scheduler } from '../clock/index.js';
import type { ParameterTree } from '../datamodel/index.js';
import { controllerRows } from './controllers.js';
import type { NotifyBody, SubscriptionRow, Subscriptions, WriteRefusal } from './subscriptions.js';

/** The event's owner and name (TR-181 2.19 `Device.LocalAgent.Periodic!`, no arguments). */
export const PERIODIC_EVENT = { objPath: 'Device.LocalAgent.', name: 'Periodic!', path: 'Device.LocalAgent.Periodic!' } as const;

/** Longest interval the unsignedInt leaf holds, in seconds. */
const MAX_INTERVAL_S = 0xffffffff;

/**
 * The first instant strictly after `afterMs` on the grid `phaseMs + N·intervalMs`
 * (N any integer, so a phase in the future works as well as one in the past).
 */
export function nextOnGrid(phaseMs: number, intervalMs: number, afterMs: number): number {
  return phaseMs + (Math.floor((afterMs - phaseMs) / intervalMs) + 1) * intervalMs;
}

/**
 * A PeriodicNotifTime value as a phase (ms), or undefined for the Unknown Time
 * (`0001-01-01T00:00:00Z`) and anything unparsable: TR-181 then lets the Agent choose
 * its own reference. As cpe/ reads PeriodicInformTime: a year after 1 anchors.
 */
export function phaseOf(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) && new Date(t).getUTCFullYear() > 1 ? t : undefined;
}

/** PeriodicNotifInterval as whole seconds ≥ 1 (TR-181 range), or undefined when it is not one. */
export function intervalOf(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= MAX_INTERVAL_S ? n : undefined;
}

/**
 * Checks a Controller's write to `Controller.{i}.PeriodicNotifInterval` before it
 * applies: TR-181 gives it the range [1:]; 0 would mean "as fast as possible".
 * Undefined = allowed (other leaves are not this module's).
 */
export function checkPeriodicWrite(path: string, value: string): WriteRefusal | undefined {
  if (!path.endsWith('.PeriodicNotifInterval')) return undefined;
  if (intervalOf(value) === undefined) {
    return { err_code: 7012, err_msg: `${path}: the interval is a whole number of seconds from 1 to ${MAX_INTERVAL_S} (TR-181 range [1:]), got ${JSON.stringify(value)}` };
  }
  return undefined;
}

/** Options of {@link PeriodicNotifications}. */
export interface PeriodicNotificationsOptions {
  tree: ParameterTree;
  /** The fleet's shared scheduler; its clock is simulated time. */
  scheduler: Scheduler;
  subscriptions: Subscriptions;
  /** A device that is down sends nothing (its Periodic! ticks are skipped, not queued). */
  device?: { readonly up: boolean } | undefined;
  /** Delivers one event to one subscription (send_resp, retries, TriggerAction: notify.ts). */
  fire(sub: SubscriptionRow, body: NotifyBody): void;
}

/** One agent's `Periodic!` schedule. */
export class PeriodicNotifications {
  private job: ScheduledJob | undefined;
  /** TR-181: with the Unknown Time as PeriodicNotifTime the Agent picks the reference: the moment this agent's schedule began. */
  private readonly localPhase: number;
  private rearmQueued = false;
  private closed = false;

  constructor(private readonly opts: PeriodicNotificationsOptions) {
    this.localPhase = opts.scheduler.clock.now();
    this.rearm();
  }

  /**
   * A `Device.LocalAgent.` leaf or row changed, or the tree was reset: re-arm once per
   * burst of changes (an Add writes a dozen leaves), in a microtask, when the
   * Subscription table has dropped its cache.
   */
  changed(): void {
    if (this.rearmQueued || this.closed) return;
    this.rearmQueued = true;
    queueMicrotask(() => this.rearm());
  }

  /** Simulated ms of the next Periodic! tick, or undefined when nobody is subscribed. */
  get nextDue(): number | undefined {
    return this.job?.due;
  }

  /** Recomputes the job from the tree now (tests; {@link PeriodicNotifications.changed} does it by itself). */
  rearm(): void {
    this.rearmQueued = false;
    if (this.closed) return;
    const now = this.opts.scheduler.clock.now();
    let next = Infinity;
    for (const c of this.subscribed()) next = Math.min(next, nextOnGrid(c.phase, c.intervalMs, now));
    if (this.job && this.job.due === next) return;
    this.job?.cancel();
    this.job = undefined;
    if (next === Infinity) return;
    const due = next;
    this.job = this.opts.scheduler.at(due, () => {
      this.job = undefined;
      this.tick(due);
    });
  }

  /** Cancels the job; later changes are ignored. */
  close(): void {
    this.closed = true;
    this.job?.cancel();
    this.job = undefined;
  }

  /** Controllers with an enabled Event subscription to Periodic! and a usable interval, with their subscriptions. */
  private subscribed(): { row: string; intervalMs: number; phase: number; subs: SubscriptionRow[] }[] {
    const subs = this.opts.subscriptions.matching('Event', PERIODIC_EVENT.path);
    if (subs.length === 0) return [];
    const { tree } = this.opts;
    const out: { row: string; intervalMs: number; phase: number; subs: SubscriptionRow[] }[] = [];
    for (const c of controllerRows(tree)) {
      if (!c.enabled || c.endpointId === '') continue;
      const row = c.path.slice(0, -1);
      const mine = subs.filter((s) => s.recipient === row);
      if (mine.length === 0) continue;
      const interval = intervalOf(tree.getValue(`${c.path}PeriodicNotifInterval`));
      if (interval === undefined) continue;
      out.push({ row, intervalMs: interval * 1000, phase: phaseOf(tree.getValue(`${c.path}PeriodicNotifTime`)) ?? this.localPhase, subs: mine });
    }
    return out;
  }

  /**
   * The job ran for `due`: every Controller whose grid has a point at `due` gets the
   * event on each of its subscriptions. Ticks missed while the clock jumped are not
   * replayed (as CWMP's periodic informs): the next one is the next grid point after now.
   */
  private tick(due: number): void {
    if (this.closed) return;
    if (this.opts.device?.up !== false) {
      const body: NotifyBody = { notification: 'event', event: { obj_path: PERIODIC_EVENT.objPath, event_name: PERIODIC_EVENT.name, params: {} } };
      for (const c of this.subscribed()) {
        if (nextOnGrid(c.phase, c.intervalMs, due - 1) !== due) continue;
        for (const s of c.subs) this.opts.fire(s, body);
      }
    }
    this.rearm();
  }
}
