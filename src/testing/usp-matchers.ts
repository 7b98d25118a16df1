/**
 * The USP matchers (issue 21), one implementation for Vitest and Jest like the CWMP
 * ones in ./matchers.ts: plain functions over a structural view of the fake USP
 * Controller, so they work on objects from either build. Failure messages carry the
 * USP transcript of the agent (what was sent and received, decoded).
 * @module
 */
import type { Notify } from '../usp/index.js';
import { notifySummary } from '../controller/index.js';
import { MatcherUsageError, partialMatch, type MatcherContext, type MatcherResult, type Since } from './matchers.js';

/** A Notify as the Controller records it (`UspNotifyRecord`). */
export interface UspNotifyView {
  readonly time: number;
  readonly agentId: string;
  readonly msgId: string;
  readonly notify: Notify;
}

/** The parts of a `FakeUspController` the matchers read. */
export interface UspControllerView {
  readonly endpointId: string;
  readonly notifies: readonly UspNotifyView[];
  transcript(agentId?: string, opts?: { since?: number; max?: number }): string;
  /** The EndpointID an alias (`cpe-3`) stands for. */
  resolve?(key: string): string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
function isController(v: unknown): v is UspControllerView {
  return isObject(v) && typeof v['endpointId'] === 'string' && Array.isArray(v['notifies']) && typeof v['transcript'] === 'function';
}

/** The notification kinds of TR-369 Notify (the `notification` oneof), by their spec names. */
export type UspNotifyKind = 'Event' | 'ValueChange' | 'ObjectCreation' | 'ObjectDeletion' | 'OperationComplete' | 'OnBoardRequest';

const KIND_MEMBER: Record<UspNotifyKind, keyof Notify> = {
  Event: 'event',
  ValueChange: 'value_change',
  ObjectCreation: 'obj_creation',
  ObjectDeletion: 'obj_deletion',
  OperationComplete: 'oper_complete',
  OnBoardRequest: 'on_board_req',
};

/** Options of `toHaveNotified` and `toHaveValueChange`. */
export interface ToHaveNotifiedOptions {
  /** The agent: its EndpointID, or an alias the fixture registered (`'cpe-2'`, or `2`). Default: any agent. */
  agent?: string | number;
  /** Milliseconds to wait (default 5000; with `.not`, 0 unless given). */
  timeout?: number;
  /** Only Notifies received at or after this time (ms or a Date). */
  since?: Since;
  /** Exactly this many matching Notifies (default: at least one). */
  times?: number;
  /**
   * A partial match on the Notify (snake_case as on the wire), e.g.
   * `{ subscription_id: 'boot', event: { params: { Cause: 'LocalReboot' } } }`.
   */
  notify?: object;
}

function agentOf(ctl: UspControllerView, a: string | number | undefined): string | undefined {
  if (a === undefined) return undefined;
  const key = typeof a === 'number' ? `cpe-${a}` : a;
  return ctl.resolve ? ctl.resolve(key) : key;
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) {
    await new Promise<void>((r) => {
      const t = setTimeout(r, Math.min(10, Math.max(1, deadline - Date.now())));
      t.unref?.();
    });
  }
}

function indentBlock(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** What `what` selects: an event (`'Boot!'`, `'Device.Boot!'`) or a notification kind. */
function selector(what: unknown): (n: Notify) => boolean {
  if (typeof what !== 'string' || what === '') {
    throw new MatcherUsageError(`toHaveNotified: expected an event name ending in "!" ('Boot!', 'Device.LocalAgent.TransferComplete!') or a kind (${Object.keys(KIND_MEMBER).join(', ')}), got ${JSON.stringify(what)}`);
  }
  if (what.endsWith('!')) return (n) => n.event !== undefined && (n.event.event_name === what || `${n.event.obj_path}${n.event.event_name}` === what);
  const member = KIND_MEMBER[what as UspNotifyKind];
  if (!member) throw new MatcherUsageError(`toHaveNotified: ${JSON.stringify(what)} is neither an event name (ending in "!") nor a notification kind (${Object.keys(KIND_MEMBER).join(', ')})`);
  return (n) => n[member] !== undefined;
}

async function notified(
  ctx: MatcherContext,
  name: string,
  received: unknown,
  expectedText: string,
  pick: (n: Notify) => boolean,
  options: ToHaveNotifiedOptions,
): Promise<MatcherResult> {
  if (!isController(received)) throw new MatcherUsageError(`${name}: received value must be a FakeUspController (createFakeUspController(), or the \`controller\` fixture), got ${typeof received}`);
  const ctl = received;
  const agent = agentOf(ctl, options.agent);
  const since = options.since === undefined ? -Infinity : typeof options.since === 'number' ? options.since : options.since.getTime();
  const timeoutMs = ctx.isNot && options.timeout === undefined ? 0 : (options.timeout ?? 5000);
  const fromAgent = (): UspNotifyView[] => ctl.notifies.filter((r) => (agent === undefined || r.agentId === agent) && r.time >= since);
  const matching = (): UspNotifyView[] => fromAgent().filter((r) => pick(r.notify) && (options.notify === undefined || partialMatch(ctx, r.notify, options.notify)));
  const satisfied = (): boolean => (options.times === undefined ? matching().length >= 1 : matching().length >= options.times);
  if (timeoutMs > 0) await waitFor(satisfied, timeoutMs);
  const count = matching().length;
  const pass = options.times === undefined ? count >= 1 : count === options.times;
  const who = agent ?? 'any agent';
  const hint = ctx.utils.matcherHint(name, 'controller', 'expected', { isNot: ctx.isNot ?? false, promise: ctx.promise ?? '' });
  return {
    pass,
    message: () => {
      const seen = fromAgent();
      const want = options.times === undefined ? 'a Notify' : `exactly ${options.times} Notify(s)`;
      return [
        hint,
        '',
        `Expected: ${ctx.isNot ? 'no ' : ''}${ctx.isNot ? 'Notify' : want} ${expectedText} from ${who}${options.notify ? ` matching ${ctx.utils.printExpected(options.notify)}` : ''}${timeoutMs > 0 ? ` within ${timeoutMs} ms` : ''}`,
        `Received: ${count} matching; ${seen.length} Notify(s) from ${who}${seen.length ? ':' : ''}`,
        ...seen.slice(-20).map((r) => `  ${r.agentId} ${r.msgId}: ${notifySummary(r.notify)}`),
        '',
        indentBlock(ctl.transcript(agent, { max: 30 })),
      ].join('\n');
    },
  };
}

/**
 * `await expect(controller).toHaveNotified('Boot!', { agent })`: the Controller received
 * a Notify carrying that event (`'Boot!'`, `'Device.Boot!'`) or of that kind
 * (`'ValueChange'`, `'ObjectCreation'`, `'OnBoardRequest'` …).
 */
export function toHaveNotified(this: MatcherContext, received: unknown, what: unknown, options: ToHaveNotifiedOptions = {}): Promise<MatcherResult> {
  return notified(this, 'toHaveNotified', received, this.utils.printExpected(what), selector(what), options);
}

/**
 * `await expect(controller).toHaveValueChange('Device.WiFi.SSID.1.SSID', 'lab', { agent })`:
 * a ValueChange Notify for that parameter (a string or an asymmetric matcher), with
 * that value when given.
 */
export function toHaveValueChange(this: MatcherContext, received: unknown, path: unknown, value?: unknown, options: ToHaveNotifiedOptions = {}): Promise<MatcherResult> {
  if (path === undefined || path === '') throw new MatcherUsageError('toHaveValueChange: expected a parameter path such as "Device.WiFi.SSID.1.SSID"');
  const pick = (n: Notify): boolean => n.value_change !== undefined && this.equals(n.value_change.param_path, path) && (value === undefined || this.equals(n.value_change.param_value, value));
  const text = `ValueChange of ${this.utils.printExpected(path)}${value === undefined ? '' : ` to ${this.utils.printExpected(value)}`}`;
  return notified(this, 'toHaveValueChange', received, text, pick, options);
}

/**
 * `await expect(ctl.set(...)).rejects.toBeUspError(7021)`: the value is a USP error
 * (`UspError`, `UspErrorResponse`) with that TR-369 code (any code when omitted).
 */
export function toBeUspError(this: MatcherContext, received: unknown, errCode?: unknown): MatcherResult {
  const isUsp = received instanceof Error && received.name === 'UspError' && typeof (received as { errCode?: unknown }).errCode === 'number';
  const code = isUsp ? (received as unknown as { errCode: number }).errCode : undefined;
  const pass = isUsp && (errCode === undefined || this.equals(code, errCode));
  const hint = this.utils.matcherHint('toBeUspError', 'received', errCode === undefined ? '' : 'errCode', { isNot: this.isNot ?? false });
  return {
    pass,
    message: () =>
      [
        hint,
        '',
        `Expected: ${this.isNot ? 'not ' : ''}a USP error${errCode === undefined ? '' : ` with err_code ${this.utils.printExpected(errCode)}`}`,
        `Received: ${isUsp ? `USP error ${code}: ${(received as Error).message}` : received instanceof Error ? `${received.name}: ${received.message}` : this.utils.printReceived(received)}`,
      ].join('\n'),
  };
}
