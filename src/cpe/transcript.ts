/**
 * Session recording: every CPE keeps its last N sessions (a bounded ring), each with
 * one entry per HTTP message. Parsed messages are always kept; raw XML only when
 * asked (`keepXml`), so a 100k fleet does not hold megabytes of XML.
 * @module
 */
import type { CwmpMessage, EventStruct } from '../cwmp/index.js';

/** One HTTP message of a session. */
export interface TranscriptEntry {
  dir: 'cpe->acs' | 'acs->cpe';
  /** Simulated time (the CPE's clock), ms since the epoch. */
  time: number;
  /** HTTP status of an ACS response. */
  status?: number;
  /** One line, e.g. `Inform [1 BOOT] retry=0`, `GetParameterValues Device.DeviceInfo.`, `(empty)`. */
  summary: string;
  /** The decoded message (absent for empty messages and undecodable bodies). */
  message?: CwmpMessage;
  /** Raw XML, only with `transcript.keepXml`. */
  xml?: string;
}

/** One CWMP session as the CPE saw it. */
export interface SessionRecord {
  /** 1, 2, … per CPE. */
  id: number;
  cpeId: string;
  /** The events the Inform carried. */
  events: EventStruct[];
  startedAt: number;
  endedAt?: number;
  ok: boolean;
  /** Why the session failed. */
  error?: string;
  /** RetryCount sent in the Inform. */
  retryCount: number;
  /**
   * For a session the retry back-off started: the wait drawn after the failed session
   * (simulated ms, uniform in TR-069 §3.2.1.1's [m·k^(n−1), m·k^n] s for retry n). The
   * session started at least this long after the failed one ended.
   */
  retryWaitMs?: number;
  entries: TranscriptEntry[];
  /** What the CPE did wrong on purpose in this session (injected behaviour), in order. */
  quirks?: string[];
  /** HTTP body bytes the CPE sent to the ACS in this session (every POST, 401 retries included). */
  bytesSent?: number;
  /** HTTP body bytes the ACS answered with in this session. */
  bytesReceived?: number;
  /** One line per message, preceded by a header line. */
  toString(): string;
}

/** One Inform the CPE sent. */
export interface InformRecord {
  sessionId: number;
  time: number;
  events: EventStruct[];
  /** True when the InformResponse arrived. */
  ok: boolean;
}

/** A fixed-capacity ring, oldest first. */
export class Ring<T> {
  /** Starts as one shared empty array (never written: the first push makes a new one), not an array per ring: two rings per CPE. */
  private buf: T[] = NOTHING_YET as unknown as T[];
  readonly capacity: number;

  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`transcript capacity must be an integer >= 1, got ${String(capacity)}`);
    this.capacity = capacity;
  }

  push(item: T): void {
    const b = this.buf;
    // A first push() would reserve 17 slots; most CPEs of a large fleet hold one or two
    // sessions, so small rings grow to their exact size (a copy of < 8 items, once per session).
    // (concat, not a spread: a spread of two reserves ~20 slots, measured on Node 20.)
    if (b.length < SMALL_RING) this.buf = b.length === 0 ? [item] : b.concat([item]);
    else b.push(item);
    if (this.buf.length > this.capacity) this.buf.shift();
  }

  get items(): readonly T[] {
    return this.buf;
  }
}

const SMALL_RING = 8;
const NOTHING_YET: readonly never[] = Object.freeze([]);

const ARROW = { 'cpe->acs': '→', 'acs->cpe': '←' } as const;

/** Renders a session: a header line, then one line per message. */
export function formatSession(s: SessionRecord): string {
  const events = s.events.map((e) => (e.commandKey ? `${e.eventCode}(${e.commandKey})` : e.eventCode)).join(', ');
  const dur = s.endedAt !== undefined ? ` ${Math.round(s.endedAt - s.startedAt)}ms` : '';
  const outcome = s.endedAt === undefined ? 'running' : s.ok ? 'ok' : `FAILED: ${s.error ?? 'unknown error'}`;
  const head = `session #${s.id} ${s.cpeId} [${events}] retry=${s.retryCount}${dur} ${outcome}`;
  const lines = s.entries.map((e) => {
    const t = new Date(e.time).toISOString().slice(11, 23);
    const st = e.status !== undefined ? `${e.status} ` : '';
    return `  ${t} ${ARROW[e.dir]} ${st}${e.summary}`;
  });
  return [head, ...lines, ...(s.quirks ?? []).map((q) => `  ! quirk: ${q}`)].join('\n');
}

/**
 * A mutable session record whose `toString()` renders it. A class, so `toString` lives
 * on the prototype: it stays off JSON and inspect output, and a 100k fleet holds no
 * closure and no dictionary-mode object per record.
 */
class Session implements SessionRecord {
  id: number;
  cpeId: string;
  events: EventStruct[];
  startedAt: number;
  declare endedAt?: number;
  ok = false;
  declare error?: string;
  declare quirks?: string[];
  declare bytesSent?: number;
  declare bytesReceived?: number;
  retryCount: number;
  entries: TranscriptEntry[] = [];

  constructor(init: { id: number; cpeId: string; events: EventStruct[]; startedAt: number; retryCount: number }) {
    this.id = init.id;
    this.cpeId = init.cpeId;
    this.events = init.events;
    this.startedAt = init.startedAt;
    this.retryCount = init.retryCount;
  }

  toString(): string {
    return formatSession(this);
  }
}

/** Creates a mutable record whose `toString()` renders it. */
export function newSessionRecord(init: { id: number; cpeId: string; events: EventStruct[]; startedAt: number; retryCount: number }): SessionRecord {
  return new Session(init);
}
