/**
 * The fleet's record of Connection Request outcomes: every answer the listener gave
 * (200, 401, 503, 405, 404, …), kept per CPE in a small ring so a failing test can
 * show what its ACS sent, and fanned out to observers.
 * @module
 */
import type { CrRequestEvent } from '../cr/index.js';
import type { Logger } from '../log/index.js';

/** Outcomes kept per CPE (and for requests no CPE can be named for). */
export const CR_OUTCOMES_PER_CPE = 50;

/** One Connection Request as the fleet's listener answered it. */
export interface CrOutcome {
  /** Fleet-wide sequence number, 1, 2, 3… in the order the answers were written. */
  readonly seq: number;
  /**
   * When the answer had been written: the fleet clock's ms since the epoch, the same
   * clock as `SessionRecord.startedAt` (the wall clock unless `timeScale` compresses it).
   */
  readonly time: number;
  /**
   * The CPE the request was aimed at. Also set for a non-GET request whose path is
   * exactly a CPE's URL (the listener answers 405 before routing, so its own event has
   * no `cpeId`); `undefined` for paths that are no CPE's (404).
   */
  readonly cpeId: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** `accepted`, `method`, `not-found`, `unauthorized`, `stale`, `replay`, `not-populated`, `throttled`, … */
  readonly reason: string;
  /** Finer cause (`wrong-credentials`, `no-credentials`, `expired`, `nc-reused`, …). */
  readonly detail?: string;
  /** Seconds sent in `Retry-After` (503 only). */
  readonly retryAfter?: number;
  /** `udp` or `xmpp` when the request came by that path (absent: HTTP). */
  readonly via?: 'udp' | 'xmpp';
}

/** Ring of the last `capacity` items. */
class Recent<T> {
  private items: T[] = [];
  constructor(private readonly capacity: number) {}
  push(item: T): void {
    this.items.push(item);
    // Amortised O(1): trim in batches rather than shifting on every push.
    if (this.items.length >= this.capacity * 2) this.items = this.items.slice(-this.capacity);
  }
  list(): readonly T[] {
    return this.items.length > this.capacity ? this.items.slice(-this.capacity) : this.items.slice();
  }
}

/** Records the listener's events and notifies observers (internal to the fleet). */
export class CrLog {
  private seq = 0;
  private readonly byCpe = new Map<string, Recent<CrOutcome>>();
  /** Requests aimed at no CPE (404 paths, 405 on other paths). */
  private readonly unrouted = new Recent<CrOutcome>(CR_OUTCOMES_PER_CPE);
  /**
   * Exact request-target → CPE id, to attribute 405s (the listener checks the method
   * before routing). The listener's own routing table answers, so nothing per CPE is kept twice.
   */
  private ownerOf: (target: string) => string | undefined = () => undefined;
  private readonly observers = new Set<(e: CrRequestEvent) => void>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Where to look up which exact path belongs to which CPE (the listener's routes). */
  attributeWith(ownerOf: (target: string) => string | undefined): void {
    this.ownerOf = ownerOf;
  }

  /** Adds an observer; returns its unsubscribe function. */
  subscribe(observer: (e: CrRequestEvent) => void): () => void {
    // A wrapper per subscription, so subscribing the same function twice gives two
    // independent subscriptions, each removed by its own unsubscribe.
    const wrapper = (e: CrRequestEvent): void => observer(e);
    this.observers.add(wrapper);
    return () => void this.observers.delete(wrapper);
  }

  /** The listener's `onRequest` option. */
  readonly record = (e: CrRequestEvent): void => {
    const cpeId = e.cpeId ?? this.ownerOf(e.path);
    const outcome: CrOutcome = {
      seq: ++this.seq,
      time: this.now(),
      cpeId,
      // Bounded: a hostile client could send a huge method or path.
      method: e.method.slice(0, 32),
      path: e.path.slice(0, 200),
      status: e.status,
      reason: e.reason,
      ...(e.detail !== undefined ? { detail: e.detail } : {}),
      ...(e.retryAfter !== undefined ? { retryAfter: e.retryAfter } : {}),
      ...(e.via !== undefined ? { via: e.via } : {}),
    };
    if (cpeId === undefined) this.unrouted.push(outcome);
    else {
      let ring = this.byCpe.get(cpeId);
      if (!ring) this.byCpe.set(cpeId, (ring = new Recent(CR_OUTCOMES_PER_CPE)));
      ring.push(outcome);
    }
    for (const o of [...this.observers]) {
      try {
        o(e);
      } catch (err) {
        // One faulty observer must neither silence the others nor the listener.
        this.logger.error('onCrRequest observer threw', { error: err instanceof Error ? err.message : String(err) });
      }
    }
  };

  /** The last ≤50 outcomes of `cpeId`, oldest first; without it, every kept outcome (unrouted ones too) in `seq` order. */
  list(cpeId?: string): readonly CrOutcome[] {
    if (cpeId !== undefined) return this.byCpe.get(cpeId)?.list() ?? [];
    const all = [...this.unrouted.list()];
    for (const ring of this.byCpe.values()) all.push(...ring.list());
    return all.sort((a, b) => a.seq - b.seq);
  }
}

/** One line per outcome, e.g. `cpe-2  CR GET → 401 unauthorized (wrong-credentials)`. */
export function formatCrOutcome(o: CrOutcome): string {
  const extra = [o.detail, o.retryAfter !== undefined ? `Retry-After: ${o.retryAfter}` : undefined].filter((x) => x !== undefined);
  const what = o.via === 'udp' ? 'UDP CR →' : o.via === 'xmpp' ? `XMPP CR → ${o.status}` : `CR ${o.method} ${o.path} → ${o.status}`;
  return `${new Date(o.time).toISOString()} ${o.cpeId ?? '?'}  ${what} ${o.reason}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
}
