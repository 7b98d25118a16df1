/**
 * `Device.LocalAgent.Subscription.{i}.` semantics (TR-181 2.19, usp-notes §5), fed by
 * the tree's own change streams: `onChange` (a CWMP SPV, a USP Set, device writes) and
 * `onStructure` (rows added / deleted, reset), plus a {@link GeneratedWatch} for the
 * generated leaves a ValueChange subscription covers (decision 006: no polling, no
 * timer per subscription; an unwatched parameter causes no work beyond one look at the
 * enabled subscriptions). References are judged when the event happens, so a wildcard
 * covers rows created after the subscription.
 * @module
 */
import type { Scheduler, ScheduledJob } from '../clock/index.js';
import type { GeneratorClock, ParameterChange, ParameterTree, StructureChange, Template } from '../datamodel/index.js';
import { GeneratedWatch } from '../datamodel/index.js';
import { controllerRow } from './controllers.js';
import { ignoresValueChange } from './messages/supported.js';
import { covers, leavesOf, listItems, type SearchMatcher } from './refpath.js';
import { checkTriggerWrite } from './trigger.js';
import type { Notify } from './types.js';

/** TR-181 paths of the LocalAgent tables this module reads and writes. */
export const LOCAL_AGENT_PATHS = {
  subscription: 'Device.LocalAgent.Subscription.',
  controller: 'Device.LocalAgent.Controller.',
  request: 'Device.LocalAgent.Request.',
} as const;

const LOCAL_AGENT_PREFIX = 'Device.LocalAgent.';

/** Subscription.{i}.NotifType values (TR-181 2.19; there is no Periodic type, usp-notes §5). */
export const NOTIF_TYPES = ['ValueChange', 'ObjectCreation', 'ObjectDeletion', 'OperationComplete', 'Event'] as const;
/** One of {@link NOTIF_TYPES}. */
export type NotifType = (typeof NOTIF_TYPES)[number];

/** One Subscription row as read from the tree. */
export interface SubscriptionRow {
  /** Instance path, `Device.LocalAgent.Subscription.3.`. */
  readonly path: string;
  readonly id: string;
  readonly enable: boolean;
  /** Reference to the creating Controller's row, `Device.LocalAgent.Controller.1` (filled by the agent). */
  readonly recipient: string;
  readonly notifType: string;
  readonly referenceList: readonly string[];
  readonly persistent: boolean;
  /** Seconds after CreationDate the row is deleted; 0 = never. */
  readonly timeToLive: number;
  readonly notifRetry: boolean;
  /** Seconds a retried notification is kept trying; 0 = until delivered or restart. */
  readonly notifExpiration: number;
  readonly creationDate: string;
  /** TR-181 2.16 TriggerAction as written (`Notify`, `Config`, `NotifyAndConfig`; trigger.ts reads it). */
  readonly triggerAction: string;
  /** TR-181 2.16 TriggerConfigSettings: `Path=Value` entries applied when it fires with a Config action. */
  readonly triggerConfigSettings: string;
}

/** The Notify oneof part a subscription fires (subscription_id and send_resp come from its row). */
export type NotifyBody = Omit<Notify, 'subscription_id' | 'send_resp'>;

/** Options of {@link Subscriptions}. */
export interface SubscriptionsOptions {
  tree: ParameterTree;
  /** For ObjectCreation's unique_keys (the table's declared unique keys). */
  template?: Template | undefined;
  scheduler: Scheduler;
  /** The fleet's generator clock, so watched generated leaves are armed once generators start. */
  generators?: GeneratorClock | undefined;
  /** Evaluates `[expr]` search segments of references (the dispatcher's search resolver). */
  search?: SearchMatcher | undefined;
  /** A subscription fired: deliver `body` to its recipient (send_resp, retries: notify.ts). */
  fire(sub: SubscriptionRow, body: NotifyBody): void;
  /**
   * After any change of a `Device.LocalAgent.` leaf or row, or a reset: the Periodic!
   * schedule re-reads the tree (one listener per tree for both, not two: 10k agents).
   */
  onLocalAgentChange?: (() => void) | undefined;
}

/** A USP param error a write is refused with. */
export interface WriteRefusal {
  err_code: number;
  err_msg: string;
}

function bool(v: string | undefined): boolean {
  return v === 'true' || v === '1';
}

function uint(v: string | undefined): number {
  const n = Number(v ?? '0');
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/** RFC 3339 UTC, whole seconds (TR-181 dateTime). */
export function dateTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The Subscription table of one agent. Rows are read from the tree and cached until a
 * write or a structure change under the table; events are matched against the enabled
 * rows of the matching NotifType.
 */
export class Subscriptions {
  private cache: SubscriptionRow[] | undefined;
  private readonly offs: (() => void)[];
  private watch: GeneratedWatch | undefined;
  /** TimeToLive jobs by row; made at the first row with one (issue 21: an empty Map per agent). */
  private ttlJobs: Map<string, ScheduledJob> | undefined;
  /** Re-entrancy guard: deleting an expired row fires ObjectDeletion from inside a listener. */
  private closed = false;

  constructor(private readonly opts: SubscriptionsOptions) {
    const { tree } = opts;
    // A literal, sized to fit (two push() calls leave room for 15 more in every agent).
    this.offs = [tree.onChange((c) => this.onChange(c)), tree.onStructure((c) => this.onStructure(c))];
  }

  /** Every row of the table, in instance order. */
  rows(): readonly SubscriptionRow[] {
    if (this.cache) return this.cache;
    const { tree } = this.opts;
    const table = LOCAL_AGENT_PATHS.subscription;
    const out: SubscriptionRow[] = [];
    if (tree.has(table)) {
      for (const r of tree.getNames(table, true)) {
        const p = r.name;
        const v = (leaf: string): string => tree.getValue(`${p}${leaf}`) ?? '';
        out.push({
          path: p,
          id: v('ID'),
          enable: bool(v('Enable')),
          recipient: v('Recipient'),
          notifType: v('NotifType'),
          referenceList: listItems(v('ReferenceList')),
          persistent: bool(v('Persistent')),
          timeToLive: uint(v('TimeToLive')),
          notifRetry: bool(v('NotifRetry')),
          notifExpiration: uint(v('NotifExpiration')),
          creationDate: v('CreationDate'),
          triggerAction: v('TriggerAction'),
          triggerConfigSettings: v('TriggerConfigSettings'),
        });
      }
    }
    this.cache = out;
    return out;
  }

  /** Enabled rows of `type` with a recipient whose ReferenceList covers `target` now. */
  matching(type: NotifType, target: string): SubscriptionRow[] {
    return this.rows().filter((s) => s.enable && s.notifType === type && s.recipient !== '' && s.referenceList.some((ref) => covers(ref, target, this.opts.search)));
  }

  /** The EndpointID of the Controller a Recipient reference points at (`Device.LocalAgent.Controller.1`), if that row is enabled. */
  controllerOf(recipient: string): string | undefined {
    const { tree } = this.opts;
    const row = recipient.endsWith('.') ? recipient : `${recipient}.`;
    if (!row.startsWith(LOCAL_AGENT_PATHS.controller) || !tree.has(row)) return undefined;
    if (!bool(tree.getValue(`${row}Enable`))) return undefined;
    return tree.getValue(`${row}EndpointID`) || undefined;
  }

  /** The enabled Controller row (`Device.LocalAgent.Controller.1`, no dot) whose EndpointID is `controllerId`. */
  controllerRow(controllerId: string): string | undefined {
    return controllerRow(this.opts.tree, controllerId)?.path.slice(0, -1);
  }

  /**
   * Checks a Controller's write to a Subscription leaf before it applies (TR-181 2.19):
   * ReferenceList cannot change once non-empty; ID is unique per Recipient and, a
   * non-functional unique key, cannot change once the row has one (TR-369 "unique key
   * immutability", TP-469 1.96); NotifType must be one of the five; TriggerAction and
   * TriggerConfigSettings as trigger.ts checks them. Undefined = allowed.
   */
  checkWrite(path: string, value: string, controllerId: string): WriteRefusal | undefined {
    const table = LOCAL_AGENT_PATHS.subscription;
    if (!path.startsWith(table)) return undefined;
    const leaf = path.slice(path.lastIndexOf('.') + 1);
    const row = path.slice(0, path.length - leaf.length);
    const current = this.rows().find((s) => s.path === row);
    if (leaf === 'ReferenceList') {
      if (current && current.referenceList.length > 0 && listItems(value).join(',') !== current.referenceList.join(',')) {
        return { err_code: 7013, err_msg: `${path} cannot change once set (TR-181 Subscription.{i}.ReferenceList); delete the subscription and add a new one` };
      }
      return undefined;
    }
    if (leaf === 'NotifType') {
      if (value !== '' && !(NOTIF_TYPES as readonly string[]).includes(value)) {
        return { err_code: 7012, err_msg: `${path}: ${JSON.stringify(value)} is not a NotifType (expected one of ${NOTIF_TYPES.join(', ')})` };
      }
      return undefined;
    }
    if (leaf === 'TriggerAction' || leaf === 'TriggerConfigSettings') return checkTriggerWrite(path, value, this.opts.template);
    if (leaf === 'ID') {
      if (value.length > 64) return { err_code: 7012, err_msg: `${path}: an ID has at most 64 characters, got ${value.length}` };
      if (current && current.id !== '' && value !== current.id) {
        return { err_code: 7013, err_msg: `${path} is ${JSON.stringify(current.id)} and cannot change: with Recipient it is the row's non-functional unique key, fixed at creation (TR-369 unique key immutability); delete the subscription and add a new one` };
      }
      const recipient = current?.recipient || this.controllerRow(controllerId) || '';
      const clash = this.rows().find((s) => s.path !== row && s.id === value && s.recipient === recipient);
      if (value !== '' && clash) {
        return { err_code: 7014, err_msg: `${path}: ID ${JSON.stringify(value)} is already used by ${clash.path} of the same Controller (Recipient+ID is a unique key)` };
      }
    }
    return undefined;
  }

  /**
   * A Controller's Add created a Subscription row: the agent fills Recipient (that
   * Controller's row), CreationDate, and an ID when none was given. Returns a refusal
   * when the row's ID clashes with another of the same Controller (7025, Add's code).
   */
  created(instPath: string, controllerId: string, now: number): WriteRefusal | undefined {
    const { tree } = this.opts;
    if (!instPath.startsWith(LOCAL_AGENT_PATHS.subscription) || !tree.has(instPath)) return undefined;
    const recipient = this.controllerRow(controllerId) ?? '';
    const id = tree.getValue(`${instPath}ID`) ?? '';
    if (id !== '' && this.rows().some((s) => s.path !== instPath && s.id === id && s.recipient === recipient)) {
      return { err_code: 7025, err_msg: `Subscription ID ${JSON.stringify(id)} is already used by this Controller (Recipient+ID is a unique key)` };
    }
    tree.setInternal(`${instPath}Recipient`, recipient);
    if (tree.has(`${instPath}CreationDate`)) tree.setInternal(`${instPath}CreationDate`, dateTime(now));
    if (id === '') {
      const n = instPath.slice(LOCAL_AGENT_PATHS.subscription.length, -1);
      let candidate = `cpe-sub-${n}`;
      for (let k = 2; this.rows().some((s) => s.path !== instPath && s.id === candidate && s.recipient === recipient); k++) candidate = `cpe-sub-${n}-${k}`;
      tree.setInternal(`${instPath}ID`, candidate);
    }
    this.reconcile();
    return undefined;
  }

  /** §7.1 on a restart: non-persistent subscriptions are removed. */
  dropNonPersistent(): void {
    for (const s of [...this.rows()]) if (!s.persistent && this.opts.tree.has(s.path)) this.opts.tree.deleteObject(s.path, 'internal');
  }

  /** Stops listening; cancels TimeToLive jobs and generated-leaf watches. */
  close(): void {
    this.closed = true;
    for (const off of this.offs.splice(0)) off();
    for (const j of this.ttlJobs?.values() ?? []) j.cancel();
    this.ttlJobs?.clear();
    this.watch?.close();
    this.watch = undefined;
  }

  /**
   * Re-reads the table after it changed: TimeToLive jobs (one per row that has one,
   * not per event) and the generated leaves ValueChange rows cover.
   */
  reconcile(): void {
    if (this.closed) return;
    this.cache = undefined;
    const rows = this.rows();
    const { tree, scheduler } = this.opts;
    const live = new Set<string>();
    for (const s of rows) {
      if (s.timeToLive <= 0) continue;
      const created = Date.parse(s.creationDate);
      if (!Number.isFinite(created) || created <= 0) continue;
      const key = `${s.path}@${s.creationDate}+${s.timeToLive}`;
      live.add(key);
      const ttlJobs = (this.ttlJobs ??= new Map());
      if (ttlJobs.has(key)) continue;
      const path = s.path;
      ttlJobs.set(
        key,
        scheduler.at(created + s.timeToLive * 1000, () => {
          ttlJobs.delete(key);
          if (!this.closed && tree.has(path)) tree.deleteObject(path, 'internal');
        }),
      );
    }
    for (const [key, job] of this.ttlJobs ?? []) {
      if (!live.has(key)) {
        job.cancel();
        this.ttlJobs?.delete(key);
      }
    }
    // Generated leaves covered now by enabled ValueChange rows: watched at their ticks.
    const watched: string[] = [];
    for (const s of rows) {
      if (!s.enable || s.notifType !== 'ValueChange' || s.recipient === '') continue;
      for (const ref of s.referenceList) {
        for (const leaf of leavesOf(tree, ref, this.opts.search)) {
          const g = tree.generator(leaf);
          if (g !== undefined && !ignoresValueChange(g.type)) watched.push(leaf);
        }
      }
    }
    if (watched.length > 0 || this.watch) {
      this.watch ??= new GeneratedWatch(tree, scheduler, this.opts.generators, (c) => this.valueChanged(c));
      this.watch.reconcile(watched);
    }
  }

  private onChange(c: ParameterChange): void {
    if (this.closed) return;
    this.watch?.written(c.path, c.newValue);
    if (c.path.startsWith(LOCAL_AGENT_PATHS.subscription)) this.reconcile();
    if (c.path.startsWith(LOCAL_AGENT_PREFIX)) this.opts.onLocalAgentChange?.();
    this.valueChanged(c);
  }

  private valueChanged(c: ParameterChange): void {
    if (this.rows().length === 0) return;
    // GetSupportedDM promised VALUE_CHANGE_WILL_IGNORE for fast generated leaves (counters,
    // uptime, clocks): TR-369 lets the Agent ignore ValueChange subscriptions on them.
    const g = this.opts.tree.generator(c.path);
    if (g !== undefined && ignoresValueChange(g.type)) return;
    // R-NOT: notifications fire even when the receiving Controller made the change.
    for (const s of this.matching('ValueChange', c.path)) {
      this.opts.fire(s, { notification: 'value_change', value_change: { param_path: c.path, param_value: this.opts.tree.get(c.path)?.hidden ? '' : c.newValue } });
    }
  }

  private onStructure(c: StructureChange): void {
    if (this.closed) return;
    if (c.kind === 'reset') {
      this.reconcile();
      this.opts.onLocalAgentChange?.();
      return;
    }
    if (c.path.startsWith(LOCAL_AGENT_PREFIX)) this.opts.onLocalAgentChange?.();
    if (c.path.startsWith(LOCAL_AGENT_PATHS.subscription)) this.reconcile();
    else if (c.kind === 'added' && this.watch) this.reconcile(); // a wildcard may now cover a generated leaf
    if (c.kind === 'deleted' && c.path.startsWith(LOCAL_AGENT_PATHS.controller)) this.controllerDeleted(c.path);
    if (this.rows().length === 0) return;
    if (c.kind === 'added') {
      for (const s of this.matching('ObjectCreation', c.path)) {
        this.opts.fire(s, { notification: 'obj_creation', obj_creation: { obj_path: c.path, unique_keys: this.uniqueKeys(c.path) } });
      }
    } else {
      for (const s of this.matching('ObjectDeletion', c.path)) this.opts.fire(s, { notification: 'obj_deletion', obj_deletion: { obj_path: c.path } });
    }
  }

  /**
   * TR-181 Subscription.{i}.Recipient: when the Controller row it references is
   * deleted, the subscription goes too (TP-469 1.78), so Recipient is never a dangling
   * reference. Its ObjectDeletion is reported like any other.
   */
  private controllerDeleted(rowPath: string): void {
    const recipient = rowPath.slice(0, -1);
    if (recipient.slice(LOCAL_AGENT_PATHS.controller.length).includes('.')) return; // a row of a nested table (Controller.1.MTP.2.)
    for (const s of [...this.rows()]) if (s.recipient === recipient && this.opts.tree.has(s.path)) this.opts.tree.deleteObject(s.path, 'internal');
  }

  /** The new row's unique keys (the table's declared ones, else Alias when it has one) with their values. */
  uniqueKeys(rowPath: string): Record<string, string> {
    const { tree, template } = this.opts;
    const tablePath = rowPath.slice(0, rowPath.slice(0, -1).lastIndexOf('.') + 1);
    const declared = template?.tables.find((t) => t.path === tablePath)?.def.uniqueKeys ?? [];
    const keys = declared.length > 0 ? declared : ['Alias'];
    const out: Record<string, string> = {};
    for (const k of keys) {
      const v = tree.getValue(`${rowPath}${k}`);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
}
