/**
 * The CPE's queue of undelivered events, with the single/multiple and retention
 * rules of TR-069 §3.7.1.5 (table in cwmp-notes §2.3, via `eventPolicy`):
 * - a *single* event appears at most once (a repeat merges into the queued one);
 * - a *multiple* (`M …`) event appears once per CommandKey;
 * - an event is removed only when delivered: by InformResponse, or for
 *   `7 TRANSFER COMPLETE` / `M Download` by TransferCompleteResponse;
 * - on a failed session, events that must not be retried (`6 CONNECTION REQUEST`)
 *   are dropped, every other event (e.g. `0 BOOTSTRAP`) stays for the retry;
 * - on a reboot, events not kept over reboot are dropped.
 * @module
 */
import type { EventCode, EventPolicy, EventStruct } from '../cwmp/index.js';
import { eventPolicy as defaultEventPolicy } from '../cwmp/index.js';

/** Looks up the policy of an event code (the cwmp layer's table by default). */
export type EventPolicyLookup = (code: EventCode) => EventPolicy;

/** Ordered, deduplicated set of pending events. */
export class EventQueue {
  private items: EventStruct[] = [];
  private readonly policy: EventPolicyLookup;

  constructor(policy: EventPolicyLookup = defaultEventPolicy) {
    this.policy = policy;
  }

  /** Snapshot, in queue order. */
  get events(): readonly EventStruct[] {
    return this.items.slice();
  }

  get size(): number {
    return this.items.length;
  }

  /** True when an event with this code (and CommandKey, if given) is queued. */
  has(code: EventCode, commandKey?: string): boolean {
    return this.items.some((e) => e.eventCode === code && (commandKey === undefined || e.commandKey === commandKey));
  }

  /**
   * Queues an event. Returns false when it merged into one already queued (single
   * events: same code; multiple events: same code and CommandKey).
   */
  add(code: EventCode, commandKey = ''): boolean {
    const multiple = this.policy(code).multiple;
    // Single events carry no CommandKey (TR-069 Table 7: CommandKey only for M events).
    const key = multiple ? commandKey : '';
    const dup = this.items.some((e) => e.eventCode === code && (!multiple || e.commandKey === key));
    if (dup) return false;
    this.items.push(key === '' ? plainEvent(code) : { eventCode: code, commandKey: key });
    return true;
  }

  /** Removes the events of `sent` that InformResponse delivers (all but transfer-complete ones). */
  deliveredByInformResponse(sent: readonly EventStruct[]): EventStruct[] {
    return this.removeWhere((e) => sent.some((s) => same(s, e)) && this.policy(e.eventCode).deliveredBy === 'InformResponse');
  }

  /** Removes specific events (e.g. `M Download`+key, then `7 TRANSFER COMPLETE` once no transfer is left). */
  remove(code: EventCode, commandKey?: string): EventStruct[] {
    return this.removeWhere((e) => e.eventCode === code && (commandKey === undefined || e.commandKey === commandKey));
  }

  /** A session carrying `sent` failed: drop what must not be retried (`6 CONNECTION REQUEST`). */
  sessionFailed(sent: readonly EventStruct[]): EventStruct[] {
    return this.removeWhere((e) => sent.some((s) => same(s, e)) && !this.policy(e.eventCode).retryOnFailure);
  }

  /** The device rebooted: drop what is not kept over a reboot (`1 BOOT`, `4 VALUE CHANGE`, …). */
  rebooted(): EventStruct[] {
    return this.removeWhere((e) => !this.policy(e.eventCode).keptOverReboot);
  }

  /** Drops everything (factory reset re-bootstraps from scratch). */
  clear(): EventStruct[] {
    const all = this.items;
    this.items = [];
    return all;
  }

  private removeWhere(pred: (e: EventStruct) => boolean): EventStruct[] {
    const removed: EventStruct[] = [];
    this.items = this.items.filter((e) => {
      if (pred(e)) {
        removed.push(e);
        return false;
      }
      return true;
    });
    return removed;
  }
}

/**
 * One frozen EventStruct per code for events without a CommandKey: every CPE's session
 * transcript keeps the events it sent, and a 100k fleet would otherwise hold 200k
 * copies of `{ '0 BOOTSTRAP', '' }` and `{ '1 BOOT', '' }`.
 */
const plainEvents = new Map<EventCode, EventStruct>();
function plainEvent(code: EventCode): EventStruct {
  let e = plainEvents.get(code);
  if (e === undefined) {
    e = Object.freeze({ eventCode: code, commandKey: '' });
    // Bounded: vendor `X …` codes are open-ended; past this they are simply not shared.
    if (plainEvents.size < 256) plainEvents.set(code, e);
  }
  return e;
}

function same(a: EventStruct, b: EventStruct): boolean {
  return a.eventCode === b.eventCode && a.commandKey === b.commandKey;
}
