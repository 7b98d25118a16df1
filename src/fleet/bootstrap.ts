/**
 * Waiting for a fleet's bootstrap without ever hanging: a broken or unreachable ACS
 * makes `startFleet` (and the test fixtures built on it) reject within a bounded
 * time, with what each CPE saw, instead of waiting for the runner's timeout.
 * @module
 */
import type { Cpe, SessionRecord } from '../cpe/index.js';
import { EVENT } from '../cwmp/index.js';
import { CpeSimError } from '../errors/index.js';

/**
 * Default of `bootstrapTimeoutMs`: longer than any healthy first exchange on a loaded
 * machine, and short enough that a fixture fails (with the transcript) before
 * Vitest's 5 s test timeout and Jest's 5 s hook timeout fire.
 */
export const DEFAULT_BOOTSTRAP_TIMEOUT_MS = 3500;
/** Default of `bootstrapAttempts`: the CLI's one-shot mode gives up after as many. */
export const DEFAULT_BOOTSTRAP_ATTEMPTS = 3;
/** CPEs whose last session a {@link BootstrapError} message shows in full. */
const TRANSCRIPT_CPES = 3;

/** What one CPE saw of a bootstrap that did not happen. */
export interface BootstrapFailure {
  cpeId: string;
  /** Failed sessions that carried `0 BOOTSTRAP`. */
  failedAttempts: number;
  /** HTTP status of the ACS's last answer in the last session, if it answered. */
  httpStatus?: number;
  /** Why the last session failed: `HTTP 500 from the ACS: "…"`, `ECONNREFUSED …`, a timeout. */
  error?: string;
  /** The CPE's last session, the running one included (`String(lastSession)` renders its messages). */
  lastSession?: SessionRecord;
  /** True when a session was still running when the fleet gave up. */
  inFlight: boolean;
}

/** Why a bootstrap wait ended without every CPE bootstrapped. */
export type BootstrapGiveUp = 'timeout' | 'attempts' | 'aborted';

/**
 * `startFleet` gave up waiting for the bootstrap (code `CPESIM_BOOTSTRAP_FAILED`):
 * the fleet was closed. `failures` lists every CPE that did not deliver
 * `0 BOOTSTRAP`; `transcript` renders their last sessions; `message` holds both.
 */
export class BootstrapError extends CpeSimError {
  override name = 'BootstrapError';
  readonly reason: BootstrapGiveUp;
  readonly acsUrl: string;
  readonly failures: readonly BootstrapFailure[];
  readonly transcript: string;
  constructor(init: { reason: BootstrapGiveUp; acsUrl: string; total: number; failures: readonly BootstrapFailure[]; why: string }) {
    const transcript = init.failures
      .filter((f) => f.lastSession !== undefined)
      .slice(0, TRANSCRIPT_CPES)
      .map((f) => String(f.lastSession))
      .join('\n');
    const n = init.failures.length;
    const lines = init.failures.slice(0, 10).map((f) => `  ${f.cpeId}: ${describeFailure(f)}`);
    if (n > 10) lines.push(`  … and ${n - 10} more`);
    const message = [
      `${n} of ${init.total} CPE${init.total === 1 ? '' : 's'} did not deliver 0 BOOTSTRAP to ${init.acsUrl}: ${init.why}; the fleet was closed.`,
      ...lines,
      'Check acsUrl, acsUsername/acsPassword and that the ACS is up (a slow ACS: raise bootstrapTimeoutMs).',
      ...(transcript ? [`Last session${n === 1 ? '' : 's'} of ${Math.min(n, TRANSCRIPT_CPES) === n ? 'these CPEs' : `the first ${TRANSCRIPT_CPES}`}:`, transcript] : []),
    ].join('\n');
    super('CPESIM_BOOTSTRAP_FAILED', message);
    this.reason = init.reason;
    this.acsUrl = init.acsUrl;
    this.failures = init.failures;
    this.transcript = transcript;
  }
}

/** Narrows `e` to a {@link BootstrapError} (by code: works across the ESM and CJS builds). */
export function isBootstrapError(e: unknown): e is BootstrapError {
  return e instanceof Error && (e as { code?: unknown }).code === 'CPESIM_BOOTSTRAP_FAILED';
}

function describeFailure(f: BootstrapFailure): string {
  const parts: string[] = [];
  if (f.error !== undefined) parts.push(f.error);
  else if (f.httpStatus !== undefined) parts.push(`HTTP ${f.httpStatus}`);
  if (f.failedAttempts > 0) parts.push(`${f.failedAttempts} failed attempt${f.failedAttempts === 1 ? '' : 's'}`);
  if (f.inFlight) parts.push(f.lastSession === undefined ? 'its first session was still waiting for the ACS' : 'a session was still running');
  else if (f.lastSession === undefined) parts.push('no session started yet');
  return parts.join('; ');
}

function hasBootstrap(s: SessionRecord): boolean {
  return s.events.some((e) => e.eventCode === EVENT.BOOTSTRAP);
}

function failureOf(cpe: Cpe, failedAttempts: number): BootstrapFailure {
  const running = cpe.currentSession;
  const last = running ?? cpe.sessions.at(-1);
  const f: BootstrapFailure = { cpeId: cpe.id, failedAttempts, inFlight: running !== undefined || cpe.busy };
  if (last) {
    f.lastSession = last;
    const answer = last.entries.findLast((e) => e.dir === 'acs->cpe' && e.status !== undefined);
    if (answer?.status !== undefined) f.httpStatus = answer.status;
    if (last.error !== undefined) f.error = last.error;
  }
  return f;
}

/** Options of {@link awaitBootstrap}. */
export interface BootstrapWait {
  /** Real ms without a new delivered bootstrap after which the wait gives up. */
  timeoutMs: number;
  /** Failed bootstrap sessions of one CPE after which the wait gives up. */
  attempts: number;
  acsUrl: string;
  signal?: AbortSignal | undefined;
}

/**
 * Resolves once every CPE delivered `0 BOOTSTRAP`; rejects with a
 * {@link BootstrapError} when `timeoutMs` pass without a CPE delivering it (the
 * clock restarts at each delivery, so a large fleet that keeps booting is never cut
 * off), when one CPE failed `attempts` bootstrap sessions, or when `signal` aborts.
 * The caller closes the fleet.
 */
export function awaitBootstrap(cpes: readonly Cpe[], o: BootstrapWait): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = new Map<Cpe, number>();
    const offs: (() => void)[] = [];
    let pending = cpes.length;
    let settled = false;
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      for (const off of offs) off();
    };
    const giveUp = (reason: BootstrapGiveUp, why: string): void => {
      if (settled) return;
      finish();
      const failures = cpes.filter((c) => !delivered.has(c)).map((c) => failureOf(c, failed.get(c) ?? 0));
      reject(new BootstrapError({ reason, acsUrl: o.acsUrl, total: cpes.length, failures, why }));
    };
    const onAbort = (): void => giveUp('aborted', 'the wait was aborted (the test runner timed out or was cancelled)');
    const timer = setTimeout(() => giveUp('timeout', `no CPE delivered it for ${o.timeoutMs} ms (bootstrapTimeoutMs)`), o.timeoutMs);
    const delivered = new Set<Cpe>();
    if (pending === 0) {
      finish();
      resolve();
      return;
    }
    if (o.signal?.aborted) {
      onAbort();
      return;
    }
    o.signal?.addEventListener('abort', onAbort);
    for (const cpe of cpes) {
      const off = cpe.onSession((s) => {
        if (s.ok || !hasBootstrap(s) || delivered.has(cpe)) return;
        const n = (failed.get(cpe) ?? 0) + 1;
        failed.set(cpe, n);
        if (n >= o.attempts) giveUp('attempts', `${cpe.id} failed ${n} bootstrap attempt${n === 1 ? '' : 's'} (bootstrapAttempts: ${o.attempts})`);
      });
      offs.push(off);
      cpe.whenBootstrapped().then(
        () => {
          if (settled) return;
          delivered.add(cpe);
          off();
          timer.refresh();
          if (--pending === 0) {
            finish();
            resolve();
          }
        },
        (err: unknown) => {
          // Closed while waiting: whoever closed the fleet explains why.
          if (settled) return;
          finish();
          reject(err);
        },
      );
    }
  });
}
