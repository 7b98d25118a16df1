/**
 * What the simulator command shows about a run beyond the log lines: a live progress
 * line on a terminal, a final summary (CPEs, sessions, failures by reason, duration),
 * and one line per session rather than two (issue 18 §6).
 * @module
 */
import type { SessionRecord } from '../cpe/index.js';
import type { Fleet } from '../fleet/index.js';
import type { LogFields, Logger } from '../log/index.js';

/**
 * The reason of a failed session without its particulars, so failures group:
 * `HTTP 500 from the ACS: "…"` → `HTTP 500 from the ACS`, `ECONNREFUSED connect … 127.0.0.1:9` → `ECONNREFUSED`,
 * `no HTTP response within 30000 ms` stays as it is.
 */
export function failureReason(error: string | undefined): string {
  if (error === undefined || error === '') return 'unknown error';
  const code = /^(E[A-Z_]{3,}|UND_ERR_[A-Z_]+)\b/.exec(error);
  if (code) return code[1]!;
  return error.split(': ')[0]!.slice(0, 80);
}

/** Counts the sessions of a fleet as they end (one shared listener for every CPE). */
export class RunStats {
  sessions = 0;
  ok = 0;
  readonly failures = new Map<string, number>();
  private readonly started = Date.now();
  private onChange: (() => void) | undefined;

  /** Subscribes to every CPE of `fleet`; `onChange` runs after each counted session. */
  watch(fleet: Fleet, onChange?: () => void): void {
    this.onChange = onChange;
    for (const cpe of fleet.cpes) cpe.onSession(this.count);
  }

  private readonly count = (rec: SessionRecord): void => {
    this.sessions++;
    if (rec.ok) this.ok++;
    else {
      const why = failureReason(rec.error);
      this.failures.set(why, (this.failures.get(why) ?? 0) + 1);
    }
    this.onChange?.();
  };

  /** `HTTP 500 from the ACS ×3, ECONNREFUSED ×1`, most frequent first; `none` without failures. */
  failuresText(): string {
    if (this.failures.size === 0) return 'none';
    return [...this.failures].sort((a, b) => b[1] - a[1]).map(([why, n]) => `${why} ×${n}`).join(', ');
  }

  /** Seconds since the stats were created, one decimal. */
  seconds(): number {
    return Math.round((Date.now() - this.started) / 100) / 10;
  }

  /** The fields of the final summary log line. */
  summary(cpes: number): LogFields {
    return { cpes, sessions: this.sessions, ok: this.ok, failed: this.sessions - this.ok, failures: this.failuresText(), duration_s: this.seconds() };
  }

  /** One progress line for a terminal. */
  progress(cpes: number): string {
    const failed = this.sessions - this.ok;
    return `cpe-sim: ${cpes} CPEs, ${this.sessions} sessions, ${this.ok} ok, ${failed} failed${failed > 0 ? ` (${this.failuresText()})` : ''}, ${this.seconds()} s`;
  }
}

/** Least time between two redraws of the progress line. */
const REDRAW_MS = 200;

/**
 * A progress line at the bottom of a terminal: redrawn (at most every
 * {@link REDRAW_MS}) when a session ends; every other stderr line first erases it and
 * then redraws it below, so log lines never run into it.
 */
export class ProgressLine {
  private shown = '';
  private lastDraw = 0;
  constructor(private readonly write: (text: string) => void) {}

  /** Redraws with `text` unless the last draw was very recent (`force` draws anyway). */
  draw(text: string, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.shown = text;
    this.write(`\r\u001b[K${text}`);
  }

  /** Writes a whole line above the progress line. */
  line(text: string): void {
    this.write(`${this.shown ? '\r\u001b[K' : ''}${text}${this.shown ? this.shown : ''}`);
  }

  /** Erases the progress line for good. */
  clear(): void {
    if (this.shown) this.write('\r\u001b[K');
    this.shown = '';
  }
}

/**
 * A logger that moves the per-session lines (`session done`, `session failed`) down to
 * `debug`: used when the command already prints one line per session on stdout, so at
 * the default level a session is reported once, not on stdout and again on stderr.
 */
export function withoutSessionLines(log: Logger): Logger {
  const demote = (msg: string): boolean => msg === 'session done' || msg === 'session failed';
  return {
    debug: (msg, f) => log.debug(msg, f),
    info: (msg, f) => (demote(msg) ? log.debug(msg, f) : log.info(msg, f)),
    warn: (msg, f) => (demote(msg) ? log.debug(msg, f) : log.warn(msg, f)),
    error: (msg, f) => log.error(msg, f),
    child: (fields) => withoutSessionLines(log.child(fields)),
    enabled: (level) => log.enabled(level),
  };
}
