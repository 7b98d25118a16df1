/**
 * The custom matchers, ONE implementation for Vitest and Jest. Each matcher is a
 * plain function over small structural views of the public objects (a `Cpe`, a
 * `Fleet`, a `FakeAcs`, a CR response), so it is tested without a runner and works
 * on objects from either build (ESM or CJS): nothing here uses `instanceof`.
 *
 * The runners call them with a `this` that carries `isNot`, `equals` (asymmetric
 * matchers such as `expect.stringMatching()` work through it) and `utils`
 * (`matcherHint`, `printReceived`, `printExpected`): both Vitest's and Jest's
 * matcher state satisfy {@link MatcherContext}.
 * @module
 */
import { CpeSimError } from '../errors/index.js';
import { sameDiagnostic } from '../cpe/index.js';
import { tracked } from './unawaited.js';
import { toBeUspError, toHaveNotified, toHaveValueChange } from './usp-matchers.js';

// ---- The runner side ---------------------------------------------------------

/** Options of `utils.matcherHint` that both runners accept. */
export interface MatcherHintOptions {
  isNot?: boolean;
  promise?: string;
  secondArgument?: string;
  comment?: string;
}

/** What a matcher needs from the runner's `this` (a subset of Vitest's and Jest's MatcherState). */
export interface MatcherContext {
  isNot?: boolean;
  promise?: string;
  equals(a: unknown, b: unknown, customTesters?: never[], strictCheck?: boolean): boolean;
  utils: {
    matcherHint(matcherName: string, received?: string, expected?: string, options?: MatcherHintOptions): string;
    printReceived(value: unknown): string;
    printExpected(value: unknown): string;
  };
}

/** What a matcher returns: `message` explains the failure in both `.not` and plain forms. */
export interface MatcherResult {
  pass: boolean;
  message: () => string;
}

// ---- Structural views of the public objects ------------------------------------

/** An EventStruct as the CPE records it. */
export interface EventView {
  eventCode: string;
  commandKey?: string;
}

/** A transcript entry (cpe/ TranscriptEntry). */
export interface TranscriptEntryView {
  dir: 'cpe->acs' | 'acs->cpe';
  summary: string;
  status?: number;
  message?: unknown;
}

/** A recorded session (cpe/ SessionRecord). */
export interface SessionView {
  id: number;
  cpeId: string;
  ok: boolean;
  startedAt: number;
  endedAt?: number;
  error?: string;
  events: readonly EventView[];
  entries: readonly TranscriptEntryView[];
  toString(): string;
}

/** A recorded Inform (cpe/ InformRecord). */
export interface InformView {
  sessionId: number;
  time: number;
  events: readonly EventView[];
  ok: boolean;
}

/** The parts of a `Cpe` the matchers read. */
export interface CpeView {
  readonly id: string;
  readonly informs: readonly InformView[];
  readonly sessions: readonly SessionView[];
  readonly params: { getValue(path: string): string | undefined; has?(path: string): boolean };
  onSession?(listener: (s: SessionView) => void): () => void;
  /** Finished diagnostic runs (profile `diagnostics`). */
  readonly diagnosticRuns?: readonly DiagnosticRunView[];
}

/** A finished diagnostic run (cpe/ DiagnosticRun). */
export interface DiagnosticRunView {
  name: string;
  state: string;
  complete: boolean;
  endedAt: number;
}

/** One outcome of the fleet's Connection Request log (`Fleet.crRequests()`), as `toHaveWokenVia` reads it. */
export interface CrOutcomeView {
  readonly time: number;
  readonly cpeId: string | undefined;
  readonly reason: string;
  readonly status: number;
  /** `udp` / `xmpp`; absent for HTTP. */
  readonly via?: string;
}

/** The parts of a `Fleet` the matchers read. */
export interface FleetView {
  readonly cpes: readonly CpeView[];
  cpe(ref: number | string): CpeView;
  /** The fleet's CR log (`toHaveWokenVia` needs it). */
  crRequests?(cpeId?: string): readonly CrOutcomeView[];
}

/** The parts of a `FakeAcs` the matchers read: its Inform log. */
export interface AcsView {
  readonly informs: readonly unknown[];
  waitForInform(...args: never[]): Promise<unknown>;
  enqueue(...args: never[]): void;
  /** The serial number a key (alias such as `cpe-3`, serial, CR-URL id) refers to. */
  resolve?(key: string): string | undefined;
}

/**
 * A Connection Request response: the acs CR client's `CrResult`
 * (`{ status, headers, retryAfter }`), a fetch `Response` (`status`, `Headers`), or
 * an undici `request()` result (`statusCode`, `headers` record).
 */
export interface CrResponseView {
  status?: number;
  statusCode?: number;
  headers?: unknown;
  retryAfter?: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
function isFleet(v: unknown): v is FleetView {
  return isObject(v) && Array.isArray(v['cpes']) && typeof v['cpe'] === 'function';
}
function isCpe(v: unknown): v is CpeView {
  return isObject(v) && Array.isArray(v['informs']) && Array.isArray(v['sessions']) && isObject(v['params']) && typeof v['id'] === 'string';
}
function isAcs(v: unknown): v is AcsView {
  return isObject(v) && Array.isArray(v['informs']) && typeof v['waitForInform'] === 'function' && typeof v['enqueue'] === 'function';
}

/** Thrown when a matcher is used on a value it cannot read (not an assertion failure: a usage error). */
export class MatcherUsageError extends CpeSimError {
  override name = 'CpeSimError';
  constructor(message: string) {
    super('CPESIM_MATCHER_USAGE', message);
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `an object with keys ${Object.keys(v).slice(0, 6).join(', ') || '(none)'}`;
  return typeof v;
}

// ---- Shared helpers ----------------------------------------------------------------

/** Output bounds: a failure message must explain itself without flooding a CI log. */
const MAX_LINES = 20;

function bounded(lines: readonly string[], max = MAX_LINES): string[] {
  if (lines.length <= max) return [...lines];
  return [`  … ${lines.length - max} earlier line(s) omitted`, ...lines.slice(-max)];
}

function eventsText(events: readonly EventView[]): string {
  return `[${events.map((e) => e.eventCode).join(', ')}]`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
  });
}

/** A `since` bound: a time (same clock as the records' `time`/`startedAt`) or a Date. */
export type Since = number | Date;

function sinceMs(since: Since | undefined): number {
  if (since === undefined) return -Infinity;
  return typeof since === 'number' ? since : since.getTime();
}

/**
 * Polls `check` until it is satisfied or the deadline passes. Polling (every few ms,
 * woken early by session listeners where the object offers them) keeps the matcher
 * independent of when exactly a record is appended.
 */
async function waitUntil(done: () => boolean, timeoutMs: number, subscribe?: (wake: () => void) => () => void): Promise<void> {
  if (done() || timeoutMs <= 0) return;
  const deadline = Date.now() + timeoutMs;
  let wake: (() => void) | undefined;
  const unsubscribe = subscribe?.(() => wake?.());
  try {
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      await Promise.race([sleep(Math.min(10, left)), new Promise<void>((r) => (wake = r))]);
      wake = undefined;
    }
  } finally {
    unsubscribe?.();
  }
}

function subscribeAll(cpes: readonly CpeView[]): ((wake: () => void) => () => void) | undefined {
  if (!cpes.every((c) => typeof c.onSession === 'function')) return undefined;
  return (wake) => {
    const offs = cpes.map((c) => c.onSession!(() => wake()));
    return () => offs.forEach((off) => off());
  };
}

// ---- toHaveInformed ---------------------------------------------------------------

/** Options of `toHaveInformed`. */
export interface ToHaveInformedOptions {
  /**
   * Milliseconds to wait for a matching Inform (default 2000). With `.not` the
   * matcher checks once and returns unless a timeout is given explicitly, in which
   * case it watches the whole window.
   */
  timeout?: number;
  /** Exactly this many matching Informs (default: at least one). */
  times?: number;
  /** Only Informs recorded at or after this time (`Date.now()`-style ms, or a Date). */
  since?: Since;
  /** On a fleet or a FakeAcs: only this CPE (`3`, `'cpe-3'`; on a FakeAcs also a serial number). */
  cpe?: number | string;
}

interface InformLine {
  cpeId: string;
  sessionId: number | undefined;
  time: number;
  codes: string[];
  ok: boolean;
}

function acsInformLine(rec: unknown): InformLine {
  const r = isObject(rec) ? rec : {};
  const rawEvents = Array.isArray(r['events']) ? r['events'] : Array.isArray(r['event']) ? r['event'] : [];
  const codes = rawEvents.map((e: unknown) => (typeof e === 'string' ? e : isObject(e) && typeof e['eventCode'] === 'string' ? e['eventCode'] : String(e)));
  const deviceId = isObject(r['deviceId']) ? r['deviceId'] : {};
  // AcsInform: `crId` (parsed from the ConnectionRequestURL, e.g. `cpe-3`), `serial`.
  const cpeId = [r['crId'], r['serial'], deviceId['serialNumber']].find((x) => typeof x === 'string') as string | undefined;
  return {
    cpeId: cpeId ?? '?',
    sessionId: typeof r['sessionId'] === 'number' ? r['sessionId'] : undefined,
    time: typeof r['time'] === 'number' ? r['time'] : 0,
    codes,
    ok: r['ok'] !== false,
  };
}

/**
 * `serial`: what the FakeAcs resolved the key to (its aliases, which a fleet sets to
 * `cpe-N` even for a single CPE whose CR URL is `/cr`); without one, the key is
 * compared with the CR-URL id and the serial of each Inform.
 */
function acsInformMatchesCpe(rec: unknown, want: string, serial: string | undefined): boolean {
  if (!isObject(rec)) return false;
  const deviceId = isObject(rec['deviceId']) ? rec['deviceId'] : {};
  if (serial !== undefined) return [rec['serial'], deviceId['serialNumber']].some((x) => x === serial);
  return [rec['crId'], rec['serial'], deviceId['serialNumber']].some((x) => x === want);
}

function formatInformLine(l: InformLine): string {
  return `  ${l.cpeId}  ${l.sessionId === undefined ? '' : `session #${l.sessionId}  `}[${l.codes.join(', ')}]${l.ok ? '' : '  (failed)'}`;
}

function otherCpesNote(seen: number, others: string[]): string[] {
  if (seen > 0 || others.length === 0) return [];
  const shown = others.slice(0, 10).join(', ') + (others.length > 10 ? `, … (${others.length} in all)` : '');
  return [`  (the FakeAcs has Informs from other CPEs only: ${shown})`];
}

/**
 * `await expect(cpe | fleet | acs).toHaveInformed(eventCode, options?)`: an Inform
 * carrying `eventCode` (a string or an asymmetric matcher) was delivered.
 */
export async function toHaveInformed(this: MatcherContext, received: unknown, eventCode: unknown, options: ToHaveInformedOptions = {}): Promise<MatcherResult> {
  const hint = this.utils.matcherHint('toHaveInformed', 'received', 'eventCode', { isNot: this.isNot ?? false, promise: this.promise ?? '' });
  const explicitTimeout = options.timeout !== undefined;
  const timeoutMs = this.isNot && !explicitTimeout ? 0 : (options.timeout ?? 2000);
  const since = sinceMs(options.since);
  const codeMatches = (code: string): boolean => this.equals(code, eventCode);

  let lines: () => InformLine[];
  let subscribe: ((wake: () => void) => () => void) | undefined;
  let subject: string;
  // On a FakeAcs narrowed by `cpe`: what it recorded from other CPEs, so a key that
  // matches nothing (a typo, a serial pattern misremembered) shows what it could have been.
  let otherCpes: () => string[] = () => [];
  if (isFleet(received)) {
    const cpes = options.cpe === undefined ? received.cpes : [received.cpe(options.cpe)];
    subject = options.cpe === undefined ? `any of ${cpes.length} CPE(s)` : cpes[0]!.id;
    lines = () => cpes.flatMap((c) => c.informs.map((i) => ({ cpeId: c.id, sessionId: i.sessionId, time: i.time, codes: i.events.map((e) => e.eventCode), ok: i.ok })));
    subscribe = subscribeAll(cpes);
  } else if (isCpe(received)) {
    if (options.cpe !== undefined) throw new MatcherUsageError('toHaveInformed: the `cpe` option narrows a Fleet or a FakeAcs; the received value is already one CPE');
    const c = received;
    subject = c.id;
    lines = () => c.informs.map((i) => ({ cpeId: c.id, sessionId: i.sessionId, time: i.time, codes: i.events.map((e) => e.eventCode), ok: i.ok }));
    subscribe = subscribeAll([c]);
  } else if (isAcs(received)) {
    const acs = received;
    const ref = options.cpe;
    subject = ref === undefined ? 'the FakeAcs (any CPE)' : `the FakeAcs from ${String(ref)}`;
    const want = ref === undefined ? undefined : typeof ref === 'number' ? `cpe-${ref}` : ref;
    lines = () => {
      // Resolved on every look: a key other than an alias is known only once its device informed.
      const serial = want === undefined ? undefined : acs.resolve?.(want);
      return acs.informs.filter((r) => want === undefined || acsInformMatchesCpe(r, want, serial)).map(acsInformLine);
    };
    if (want !== undefined) {
      otherCpes = () => {
        const serial = acs.resolve?.(want);
        const ids = acs.informs.filter((r) => !acsInformMatchesCpe(r, want, serial)).map((r) => acsInformLine(r).cpeId);
        return [...new Set(ids)];
      };
    }
  } else {
    throw new MatcherUsageError(`toHaveInformed: received value must be a Cpe, a Fleet or a FakeAcs, got ${describeValue(received)}`);
  }

  const matching = (): InformLine[] => lines().filter((l) => l.ok && l.time >= since && l.codes.some(codeMatches));
  const satisfied = (): boolean => {
    const n = matching().length;
    return options.times === undefined ? n >= 1 : n >= options.times;
  };
  await waitUntil(satisfied, timeoutMs, subscribe);
  // A second look after the wait: with `times`, one more Inform may have arrived meanwhile.
  const count = matching().length;
  const pass = options.times === undefined ? count >= 1 : count === options.times;

  const seen = lines();
  const want = options.times === undefined ? 'an Inform' : `exactly ${options.times} Inform(s)`;
  const window = timeoutMs > 0 ? ` within ${timeoutMs} ms` : '';
  const sinceText = options.since === undefined ? '' : ` since ${new Date(since).toISOString()}`;
  return {
    pass,
    message: () =>
      [
        hint,
        '',
        `Expected: ${this.isNot ? (options.times === undefined ? 'no Inform' : `not ${want}`) : want} carrying ${this.utils.printExpected(eventCode)} from ${subject}${sinceText}${window}`,
        `Received: ${count} matching Inform(s); ${seen.length} Inform(s) recorded${seen.length ? ':' : ''}`,
        ...bounded(seen.map(formatInformLine)),
        ...otherCpesNote(seen.length, otherCpes()),
      ].join('\n'),
  };
}

// ---- toHaveReceivedRpc ----------------------------------------------------------------

/** Options of `toHaveReceivedRpc` (third argument). */
export interface ToHaveReceivedRpcOptions {
  /** Milliseconds to wait for the RPC (default 2000; `.not` checks once unless given). */
  timeout?: number;
  /** Only sessions started at or after this time. */
  since?: Since;
  /** On a fleet: only this CPE. */
  cpe?: number | string;
}

/**
 * Partial deep match: every key of `expected` must match in `actual`; arrays in
 * `expected` must each find a (partially) matching element in `actual`, in any order
 * (so `{ parameterList: [{ name: 'X' }] }` matches an SPV that sets X among others).
 * Leaves and asymmetric matchers go through the runner's `equals`.
 */
export function partialMatch(ctx: Pick<MatcherContext, 'equals'>, actual: unknown, expected: unknown): boolean {
  if (isObject(expected) && typeof (expected as { asymmetricMatch?: unknown }).asymmetricMatch === 'function') return ctx.equals(actual, expected);
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return false;
    return expected.every((e) => actual.some((a) => partialMatch(ctx, a, e)));
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return false;
    return Object.keys(expected).every((k) => k in actual && partialMatch(ctx, actual[k], expected[k]));
  }
  return ctx.equals(actual, expected);
}

interface RpcSeen {
  cpeId: string;
  sessionId: number;
  name: string;
  summary: string;
  message: unknown;
}

function isAcsRequest(m: unknown): boolean {
  const name = messageName(m);
  return name !== undefined && name !== 'Fault' && !name.endsWith('Response');
}

function messageName(m: unknown): string | undefined {
  if (!isObject(m)) return undefined;
  if (m['name'] === 'Unknown' && typeof m['method'] === 'string') return m['method'];
  return typeof m['name'] === 'string' ? m['name'] : undefined;
}

/**
 * `await expect(cpe | fleet).toHaveReceivedRpc(name, partial?, options?)`: the CPE
 * received the RPC `name` from the ACS, and its parsed request matches `partial`.
 */
export async function toHaveReceivedRpc(
  this: MatcherContext,
  received: unknown,
  name: unknown,
  partial?: unknown,
  options: ToHaveReceivedRpcOptions = {},
): Promise<MatcherResult> {
  const hint = this.utils.matcherHint('toHaveReceivedRpc', 'received', 'name', {
    isNot: this.isNot ?? false,
    promise: this.promise ?? '',
    ...(partial === undefined ? {} : { secondArgument: 'partial' }),
  });
  let cpes: readonly CpeView[];
  if (isFleet(received)) cpes = options.cpe === undefined ? received.cpes : [received.cpe(options.cpe)];
  else if (isCpe(received)) cpes = [received];
  else throw new MatcherUsageError(`toHaveReceivedRpc: received value must be a Cpe or a Fleet, got ${describeValue(received)}`);
  const since = sinceMs(options.since);
  const timeoutMs = this.isNot && options.timeout === undefined ? 0 : (options.timeout ?? 2000);

  const seen = (): RpcSeen[] =>
    cpes.flatMap((c) =>
      c.sessions
        .filter((s) => s.startedAt >= since)
        .flatMap((s) =>
          s.entries
            // ACS *requests* only: InformResponse & co. and Faults answer the CPE's own requests.
            .filter((e) => e.dir === 'acs->cpe' && isAcsRequest(e.message))
            .map((e) => ({ cpeId: c.id, sessionId: s.id, name: messageName(e.message) ?? '?', summary: e.summary, message: e.message })),
        ),
    );
  const matches = (r: RpcSeen): boolean => this.equals(r.name, name) && (partial === undefined || partialMatch(this, r.message, partial));
  await waitUntil(() => seen().some(matches), timeoutMs, subscribeAll(cpes));

  const all = seen();
  const hit = all.find(matches);
  const sameName = all.filter((r) => this.equals(r.name, name));
  const subject = cpes.length === 1 ? cpes[0]!.id : `any of ${cpes.length} CPE(s)`;
  return {
    pass: hit !== undefined,
    message: () => {
      const out = [hint, ''];
      if (this.isNot) {
        out.push(`Expected: no ${this.utils.printExpected(name)} request${partial === undefined ? '' : ' matching'} to ${subject}`);
        if (partial !== undefined) out.push(`  partial: ${indent(this.utils.printExpected(partial))}`);
        if (hit) out.push(`Received: ${hit.cpeId} got it in session #${hit.sessionId}: ${hit.summary}`, `  ${indent(this.utils.printReceived(hit.message))}`);
        return out.join('\n');
      }
      out.push(`Expected: ${subject} to receive ${this.utils.printExpected(name)}${timeoutMs > 0 ? ` within ${timeoutMs} ms` : ''}`);
      if (partial !== undefined) out.push(`  matching: ${indent(this.utils.printExpected(partial))}`);
      if (sameName.length > 0) {
        out.push(`Received: ${sameName.length} ${String(sameName[0]!.name)} request(s), none matching; the last one:`, `  ${indent(this.utils.printReceived(sameName[sameName.length - 1]!.message))}`);
      } else {
        out.push(`Received: no such request; ACS requests seen (${all.length}):`);
      }
      out.push(...bounded(all.map((r) => `  ${r.cpeId}  session #${r.sessionId}  ${r.summary}`)));
      return out.join('\n');
    },
  };
}

// ---- toHaveCompletedDiagnostic --------------------------------------------------------

/** Options of `toHaveCompletedDiagnostic`. */
export interface ToHaveCompletedDiagnosticOptions {
  /** Milliseconds to wait (default 2000; with `.not`, 0 unless given). */
  timeout?: number;
}

/**
 * `await expect(cpe).toHaveCompletedDiagnostic('IPPing')`: a run of that diagnostic
 * ended in its `complete` state and a later Inform delivered `8 DIAGNOSTICS COMPLETE`
 * (TR-069 Table 7). `IPPing` also names `IPPingDiagnostics` (TR-098).
 */
export async function toHaveCompletedDiagnostic(this: MatcherContext, received: unknown, name: unknown, options: ToHaveCompletedDiagnosticOptions = {}): Promise<MatcherResult> {
  if (!isCpe(received)) throw new MatcherUsageError(`toHaveCompletedDiagnostic: received value must be a Cpe (e.g. fleet.cpe(1)), got ${describeValue(received)}`);
  if (typeof name !== 'string' || name === '') throw new MatcherUsageError(`toHaveCompletedDiagnostic: name must be a diagnostic's object name such as 'IPPing', got ${describeValue(name)}`);
  const c = received;
  const timeoutMs = this.isNot && options.timeout === undefined ? 0 : (options.timeout ?? 2000);
  const runs = (): readonly DiagnosticRunView[] => (c.diagnosticRuns ?? []).filter((r) => sameDiagnostic(name, r.name));
  const reported = (r: DiagnosticRunView): boolean => c.informs.some((i) => i.ok && i.time >= r.endedAt && i.events.some((e) => e.eventCode === '8 DIAGNOSTICS COMPLETE'));
  const done = (): boolean => runs().some((r) => r.complete && reported(r));
  await waitUntil(done, timeoutMs, subscribeAll([c]));
  const pass = done();
  const hint = this.utils.matcherHint('toHaveCompletedDiagnostic', 'cpe', 'name', { isNot: this.isNot ?? false, promise: this.promise ?? '' });
  return {
    pass,
    message: () => {
      const seen = runs();
      const lines = seen.map((r) => `  ${r.name} ended in ${JSON.stringify(r.state)}${r.complete ? '' : ' (not its complete state)'}${reported(r) ? ', reported with 8 DIAGNOSTICS COMPLETE' : ', not yet reported with 8 DIAGNOSTICS COMPLETE'}`);
      return [
        hint,
        '',
        `Expected: ${c.id} ${this.isNot ? 'not ' : ''}to complete diagnostic ${this.utils.printExpected(name)} and report it with 8 DIAGNOSTICS COMPLETE${timeoutMs > 0 ? ` within ${timeoutMs} ms` : ''}`,
        `Received: ${seen.length} run(s) of it${seen.length ? ':' : ` (runs of other diagnostics: ${(c.diagnosticRuns ?? []).map((r) => r.name).join(', ') || 'none'})`}`,
        ...bounded(lines),
      ].join('\n');
    },
  };
}

// ---- toHaveParameterValue --------------------------------------------------------------

/** `expect(cpe).toHaveParameterValue(path, value)`: the CPE's tree holds `value` (or an asymmetric matcher) at `path` now. */
export function toHaveParameterValue(this: MatcherContext, received: unknown, path: string, value: unknown): MatcherResult {
  if (!isCpe(received)) throw new MatcherUsageError(`toHaveParameterValue: received value must be a Cpe (e.g. fleet.cpe(1)), got ${describeValue(received)}`);
  if (typeof path !== 'string') throw new MatcherUsageError(`toHaveParameterValue: path must be a parameter path string, got ${describeValue(path)}`);
  const actual = received.params.getValue(path);
  // A typo in the path must not make `.not.toHaveParameterValue` pass silently.
  if (actual === undefined) throw new MatcherUsageError(`toHaveParameterValue: ${received.id} has no parameter ${path}`);
  const pass = this.equals(actual, value);
  const hint = this.utils.matcherHint('toHaveParameterValue', 'cpe', 'path', { isNot: this.isNot ?? false, secondArgument: 'value' });
  return {
    pass,
    message: () =>
      [
        hint,
        '',
        `Parameter: ${path}`,
        `Expected: ${this.isNot ? 'not ' : ''}${this.utils.printExpected(value)}`,
        `Received: ${this.utils.printReceived(actual)}`,
      ].join('\n'),
  };
}

// ---- toHaveCompletedSessions ----------------------------------------------------------

function sessionLine(s: SessionView): string {
  const state = s.endedAt === undefined ? 'running' : s.ok ? 'ok' : `failed${s.error ? `: ${s.error}` : ''}`;
  return `  ${s.cpeId}  session #${s.id}  ${eventsText(s.events)}  ${state}`;
}

/**
 * `expect(cpe | fleet).toHaveCompletedSessions(n)`: exactly `n` sessions ended
 * successfully (on a fleet: in total). Counts what the bounded transcript still holds
 * (default 50 sessions per CPE).
 */
export function toHaveCompletedSessions(this: MatcherContext, received: unknown, n: unknown): MatcherResult {
  let cpes: readonly CpeView[];
  if (isFleet(received)) cpes = received.cpes;
  else if (isCpe(received)) cpes = [received];
  else throw new MatcherUsageError(`toHaveCompletedSessions: received value must be a Cpe or a Fleet, got ${describeValue(received)}`);
  const sessions = cpes.flatMap((c) => c.sessions);
  const completed = sessions.filter((s) => s.ok && s.endedAt !== undefined).length;
  const pass = this.equals(completed, n);
  const hint = this.utils.matcherHint('toHaveCompletedSessions', 'received', 'n', { isNot: this.isNot ?? false });
  return {
    pass,
    message: () =>
      [
        hint,
        '',
        `Expected: ${this.isNot ? 'not ' : ''}${this.utils.printExpected(n)} completed session(s)`,
        `Received: ${this.utils.printReceived(completed)} completed of ${sessions.length} recorded:`,
        ...bounded(sessions.map(sessionLine)),
      ].join('\n'),
  };
}

// ---- transfers and firmware (issue 15) ---------------------------------------------------

/** What `toHaveCompletedTransfer` looks for; every given field must match. */
export interface CompletedTransferExpectation {
  commandKey?: string | AsymmetricMatch;
  faultCode?: number | AsymmetricMatch;
  faultString?: string | AsymmetricMatch;
}
/** An asymmetric matcher as both runners shape it. */
type AsymmetricMatch = { asymmetricMatch(other: unknown): boolean };

interface TransferLine {
  cpeId: string;
  commandKey: string;
  faultCode: number;
  faultString: string;
}

/** TransferCompletes a CPE sent that the ACS acknowledged (TransferCompleteResponse next). */
function completedTransfers(c: CpeView): TransferLine[] {
  const out: TransferLine[] = [];
  for (const s of c.sessions) {
    const e = s.entries;
    for (let i = 0; i < e.length; i++) {
      const m = e[i]!.message;
      if (e[i]!.dir !== 'cpe->acs' || !isObject(m) || m['name'] !== 'TransferComplete') continue;
      const next = e.slice(i + 1).find((x) => x.dir === 'acs->cpe');
      if (!next || !next.summary.includes('TransferCompleteResponse')) continue;
      const f = isObject(m['faultStruct']) ? m['faultStruct'] : {};
      out.push({ cpeId: c.id, commandKey: String(m['commandKey'] ?? ''), faultCode: Number(f['faultCode'] ?? 0), faultString: String(f['faultString'] ?? '') });
    }
  }
  return out;
}

/**
 * `expect(cpe | fleet).toHaveCompletedTransfer({ commandKey?, faultCode?, faultString? })`:
 * the CPE (on a fleet: any CPE) sent a TransferComplete with those fields and the ACS
 * acknowledged it. Reads the transcript now (messages must be kept: the default).
 */
export function toHaveCompletedTransfer(this: MatcherContext, received: unknown, expected: CompletedTransferExpectation = {}): MatcherResult {
  let cpes: readonly CpeView[];
  if (isFleet(received)) cpes = received.cpes;
  else if (isCpe(received)) cpes = [received];
  else throw new MatcherUsageError(`toHaveCompletedTransfer: received value must be a Cpe or a Fleet, got ${describeValue(received)}`);
  if (!isObject(expected)) throw new MatcherUsageError(`toHaveCompletedTransfer: expected { commandKey?, faultCode?, faultString? }, got ${describeValue(expected)}`);
  const lines = cpes.flatMap(completedTransfers);
  const want = expected as Record<string, unknown>;
  const hit = lines.some((l) => Object.keys(want).every((k) => this.equals((l as unknown as Record<string, unknown>)[k], want[k])));
  const hint = this.utils.matcherHint('toHaveCompletedTransfer', 'received', 'expected', { isNot: this.isNot ?? false });
  return {
    pass: hit,
    message: () =>
      [
        hint,
        '',
        `Expected: ${this.isNot ? 'no' : 'a'} TransferComplete matching ${this.utils.printExpected(expected)}`,
        `Received: ${lines.length} acknowledged TransferComplete(s)${lines.length ? ':' : ''}`,
        ...bounded(lines.map((l) => `  ${l.cpeId}  CommandKey=${JSON.stringify(l.commandKey)}  FaultCode=${l.faultCode}${l.faultString ? ` ${l.faultString}` : ''}`)),
      ].join('\n'),
  };
}

/**
 * `expect(cpe).toHaveFirmware('7.2.1')`: the running firmware version (the profile's
 * `transfer.firmware.versionPath`, else `<root>.DeviceInfo.SoftwareVersion`) is `version`.
 */
export function toHaveFirmware(this: MatcherContext, received: unknown, version: unknown): MatcherResult {
  if (!isCpe(received)) throw new MatcherUsageError(`toHaveFirmware: received value must be a Cpe (e.g. fleet.cpe(1)), got ${describeValue(received)}`);
  const r = received as CpeView & { firmwareVersion?: string };
  const actual = 'firmwareVersion' in r ? r.firmwareVersion : (r.params.getValue('Device.DeviceInfo.SoftwareVersion') ?? r.params.getValue('InternetGatewayDevice.DeviceInfo.SoftwareVersion'));
  if (actual === undefined) throw new MatcherUsageError(`toHaveFirmware: ${received.id} has no firmware version leaf (transfer.firmware.versionPath or DeviceInfo.SoftwareVersion)`);
  const hint = this.utils.matcherHint('toHaveFirmware', 'cpe', 'version', { isNot: this.isNot ?? false });
  return {
    pass: this.equals(actual, version),
    message: () => [hint, '', `Expected: ${this.isNot ? 'not ' : ''}${this.utils.printExpected(version)}`, `Received: ${this.utils.printReceived(actual)} (${received.id})`].join('\n'),
  };
}

// ---- software modules (issue 15, TR-157) -------------------------------------------------

/** What `toHaveInstalledModule` may also require of the unit. */
export interface InstalledModuleExpectation {
  version?: string | AsymmetricMatch;
  vendor?: string | AsymmetricMatch;
  uuid?: string | AsymmetricMatch;
}

/** An installed deployment unit as `Cpe.installedModules()` lists it. */
interface ModuleView {
  name: string;
  version: string;
  vendor: string;
  uuid: string;
  deploymentUnitRef: string;
}

/**
 * `expect(cpe).toHaveInstalledModule('demo-app', { version? , vendor?, uuid? })`: the CPE
 * has that deployment unit installed now (ChangeDUState / USP InstallDU, TR-157).
 */
export function toHaveInstalledModule(this: MatcherContext, received: unknown, name: unknown, expected: InstalledModuleExpectation = {}): MatcherResult {
  const list = isCpe(received) ? (received as CpeView & { installedModules?: () => ModuleView[] }).installedModules : undefined;
  if (!isCpe(received) || typeof list !== 'function') throw new MatcherUsageError(`toHaveInstalledModule: received value must be a Cpe (e.g. fleet.cpe(1)), got ${describeValue(received)}`);
  if (!isObject(expected)) throw new MatcherUsageError(`toHaveInstalledModule: expected { version?, vendor?, uuid? } as the second argument, got ${describeValue(expected)}`);
  const modules = list.call(received);
  const want = expected as Record<string, unknown>;
  const hit = modules.some((m) => this.equals(m.name, name) && Object.keys(want).every((k) => this.equals((m as unknown as Record<string, unknown>)[k], want[k])));
  const hint = this.utils.matcherHint('toHaveInstalledModule', 'cpe', 'name', { isNot: this.isNot ?? false });
  return {
    pass: hit,
    message: () =>
      [
        hint,
        '',
        `Expected: ${this.isNot ? 'no' : 'an'} installed module ${this.utils.printExpected(name)}${Object.keys(want).length ? ` with ${this.utils.printExpected(expected)}` : ''}`,
        `Received: ${modules.length} installed module(s) on ${received.id}${modules.length ? ':' : ''}`,
        ...bounded(modules.map((m) => `  ${m.name} ${m.version}${m.vendor ? ` (${m.vendor})` : ''}  UUID=${m.uuid}  ${m.deploymentUnitRef}`)),
      ].join('\n'),
  };
}

// ---- CR response matchers ------------------------------------------------------------

function statusOf(res: unknown, matcher: string): number {
  if (isObject(res)) {
    if (typeof res['status'] === 'number') return res['status'];
    if (typeof res['statusCode'] === 'number') return res['statusCode'];
  }
  throw new MatcherUsageError(`${matcher}: received value must be a CR response with a numeric status or statusCode (CrResult, fetch Response, undici response), got ${describeValue(res)}`);
}

/** Case-insensitive header lookup over a fetch `Headers`, a plain record, or an undici header record. */
export function headerOf(res: unknown, name: string): string | undefined {
  if (!isObject(res)) return undefined;
  const h = res['headers'];
  if (!isObject(h)) return undefined;
  if (typeof h['get'] === 'function') {
    const v = (h as unknown as { get(n: string): string | null }).get(name);
    return v ?? undefined;
  }
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(h)) {
    if (k.toLowerCase() !== want) continue;
    if (Array.isArray(v)) return v.join(', ');
    return v === undefined || v === null ? undefined : String(v);
  }
  return undefined;
}

/** `Received: 503` plus the headers that explain it, one per line. */
function crReceived(ctx: MatcherContext, res: unknown, status: number, headers: readonly string[]): string[] {
  const lines = [`Received: ${ctx.utils.printReceived(status)}`];
  for (const h of headers) {
    const v = headerOf(res, h);
    if (v !== undefined) lines.push(`  ${h}: ${ctx.utils.printReceived(v)}`);
  }
  return lines;
}

/** Multi-line values (printed objects) indented under their label. */
function indent(text: string, by = '  '): string {
  return text.split('\n').join(`\n${by}`);
}

/** Options of `toBeThrottled`. */
export interface ToBeThrottledOptions {
  /** Expected Retry-After in whole seconds (a number or an asymmetric matcher). */
  retryAfter?: unknown;
}

/**
 * `expect(res).toBeThrottled({ retryAfter? })`: 503 Service Unavailable with a
 * Retry-After header of whole seconds (seed: rounded up so the retry clears the window).
 */
export function toBeThrottled(this: MatcherContext, received: unknown, options: ToBeThrottledOptions = {}): MatcherResult {
  const status = statusOf(received, 'toBeThrottled');
  const header = headerOf(received, 'retry-after');
  // RFC 9110 §10.2.3: delay-seconds is 1*DIGIT.
  const seconds = header !== undefined && /^\d+$/.test(header.trim()) ? Number(header.trim()) : undefined;
  const retryOk = options.retryAfter === undefined || (seconds !== undefined && this.equals(seconds, options.retryAfter));
  const pass = status === 503 && seconds !== undefined && retryOk;
  const hint = this.utils.matcherHint('toBeThrottled', 'response', options.retryAfter === undefined ? '' : '{ retryAfter }', { isNot: this.isNot ?? false });
  const want = `503 with Retry-After${options.retryAfter === undefined ? ' (whole seconds)' : ` ${this.utils.printExpected(options.retryAfter)}`}`;
  return {
    pass,
    message: () =>
      [
        hint,
        '',
        `Expected: ${this.isNot ? 'not ' : ''}${want}`,
        ...crReceived(this, received, status, ['retry-after', 'www-authenticate']),
        ...(status === 503 && header !== undefined && seconds === undefined ? [`  Retry-After ${JSON.stringify(header)} is not delay-seconds (RFC 9110 §10.2.3)`] : []),
      ].join('\n'),
  };
}

/** Options of `toBeUnauthorized`. */
export interface ToBeUnauthorizedOptions {
  /**
   * The challenge scheme expected in WWW-Authenticate (`'digest'`, `'basic'`, case
   * insensitive), or `false` for a 401 with NO challenge (the seed's fail-closed
   * answer while the CR credentials are not populated).
   */
  scheme?: 'digest' | 'basic' | 'Digest' | 'Basic' | false;
}

/** `expect(res).toBeUnauthorized({ scheme? })`: 401, and WWW-Authenticate names `scheme`. */
export function toBeUnauthorized(this: MatcherContext, received: unknown, options: ToBeUnauthorizedOptions = {}): MatcherResult {
  const status = statusOf(received, 'toBeUnauthorized');
  const challenge = headerOf(received, 'www-authenticate');
  const challengeScheme = challenge?.trim().split(/\s+/)[0]?.toLowerCase();
  let schemeOk = true;
  if (options.scheme === false) schemeOk = challenge === undefined;
  else if (options.scheme !== undefined) schemeOk = challengeScheme === options.scheme.toLowerCase();
  const pass = status === 401 && schemeOk;
  const hint = this.utils.matcherHint('toBeUnauthorized', 'response', options.scheme === undefined ? '' : '{ scheme }', { isNot: this.isNot ?? false });
  const want =
    options.scheme === false ? '401 without a WWW-Authenticate challenge' : options.scheme === undefined ? '401' : `401 with a WWW-Authenticate ${options.scheme} challenge`;
  return {
    pass,
    message: () =>
      [hint, '', `Expected: ${this.isNot ? 'not ' : ''}${want}`, ...crReceived(this, received, status, ['www-authenticate', 'retry-after'])].join('\n'),
  };
}

/** `expect(res).toBeAccepted()`: the CR was accepted (200 OK or 204 No Content). */
export function toBeAccepted(this: MatcherContext, received: unknown): MatcherResult {
  const status = statusOf(received, 'toBeAccepted');
  const pass = status === 200 || status === 204;
  const hint = this.utils.matcherHint('toBeAccepted', 'response', '', { isNot: this.isNot ?? false });
  return {
    pass,
    message: () =>
      [hint, '', `Expected: ${this.isNot ? 'not ' : ''}200 or 204`, ...crReceived(this, received, status, ['www-authenticate', 'retry-after'])].join('\n'),
  };
}

// ---- toHaveWokenVia ----------------------------------------------------------------

/** A wake-up path: the seed's HTTP Connection Request, Annex G's UDP one, Annex K's XMPP one. */
export type WakePath = 'http' | 'udp' | 'xmpp';

/** Options of `toHaveWokenVia`. */
export interface ToHaveWokenViaOptions {
  /** The CPE (`3`, `'cpe-3'`); default: any CPE of the fleet. */
  cpe?: number | string;
  /** Only Connection Requests accepted at or after this time (fleet clock ms, or a Date). */
  since?: Since;
  /** Milliseconds to wait (default 5000; `.not` checks once unless given). */
  timeout?: number;
}

/**
 * `await expect(fleet).toHaveWokenVia('udp', { cpe: 'cpe-2' })`: a Connection Request
 * by that path was accepted for the CPE and a session carrying `6 CONNECTION REQUEST`
 * started at or after it.
 */
export async function toHaveWokenVia(this: MatcherContext, received: unknown, path: unknown, options: ToHaveWokenViaOptions = {}): Promise<MatcherResult> {
  const hint = this.utils.matcherHint('toHaveWokenVia', 'fleet', 'path', { isNot: this.isNot ?? false, promise: this.promise ?? '' });
  if (path !== 'http' && path !== 'udp' && path !== 'xmpp') throw new MatcherUsageError(`toHaveWokenVia: path must be 'http', 'udp' or 'xmpp', got ${describeValue(path)}`);
  if (!isFleet(received) || typeof received.crRequests !== 'function') {
    throw new MatcherUsageError(`toHaveWokenVia: received value must be a Fleet (it reads fleet.crRequests()), got ${describeValue(received)}`);
  }
  const fleet = received;
  const cpes = options.cpe === undefined ? fleet.cpes : [fleet.cpe(options.cpe)];
  const since = sinceMs(options.since);
  const timeoutMs = this.isNot && options.timeout === undefined ? 0 : (options.timeout ?? 5000);
  const viaOf = (o: CrOutcomeView): WakePath => (o.via === 'udp' || o.via === 'xmpp' ? o.via : 'http');
  const woken = (c: CpeView): boolean => {
    const accepted = fleet.crRequests!(c.id).filter((o) => o.reason === 'accepted' && viaOf(o) === path && o.time >= since);
    const first = accepted[0];
    return first !== undefined && c.sessions.some((s) => s.startedAt >= first.time - 1 && s.events.some((e) => e.eventCode === '6 CONNECTION REQUEST'));
  };
  await waitUntil(() => cpes.some(woken), timeoutMs, subscribeAll(cpes));
  const pass = cpes.some(woken);
  const outcomes = cpes.flatMap((c) => fleet.crRequests!(c.id)).filter((o) => o.time >= since);
  const subject = options.cpe === undefined ? `any of ${cpes.length} CPE(s)` : cpes[0]!.id;
  return {
    pass,
    message: () =>
      [
        hint,
        '',
        `Expected: ${this.isNot ? 'no' : 'a'} ${path.toUpperCase()} Connection Request accepted for ${subject} and followed by a 6 CONNECTION REQUEST session${timeoutMs > 0 ? ` within ${timeoutMs} ms` : ''}`,
        `Received: ${outcomes.length} Connection Request outcome(s)${outcomes.length ? ':' : ''}`,
        ...bounded(outcomes.map((o) => `  ${o.cpeId ?? '?'}  ${viaOf(o).toUpperCase()} ${o.status === 0 ? '' : `${o.status} `}${o.reason}`)),
      ].join('\n'),
  };
}

/** Every matcher, keyed by name: what the entry points pass to `expect.extend`. */
export const cpeSimMatchers = {
  // USP (issue 21): on a FakeUspController (./usp-matchers.ts).
  toHaveNotified: tracked('toHaveNotified', toHaveNotified),
  toHaveValueChange: tracked('toHaveValueChange', toHaveValueChange),
  toBeUspError,
  // Tracked: a call nobody awaits fails its test (./unawaited.ts) instead of passing it.
  toHaveInformed: tracked('toHaveInformed', toHaveInformed),
  toHaveReceivedRpc: tracked('toHaveReceivedRpc', toHaveReceivedRpc),
  toHaveCompletedDiagnostic: tracked('toHaveCompletedDiagnostic', toHaveCompletedDiagnostic),
  toHaveParameterValue,
  toHaveCompletedSessions,
  toHaveCompletedTransfer,
  toHaveFirmware,
  toHaveInstalledModule,
  toBeThrottled,
  toBeUnauthorized,
  toBeAccepted,
  toHaveWokenVia: tracked('toHaveWokenVia', toHaveWokenVia),
};
