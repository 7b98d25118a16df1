/**
 * `Subscription.{i}.TriggerAction` and `TriggerConfigSettings` (TR-181 2.16+): what a
 * subscription does when it fires. `Notify` (the default) sends the Notify; `Config`
 * applies the row's configuration instead; `NotifyAndConfig` does both. The settings
 * are a comma-separated list of `Path=Value` entries, each a full parameter path, as
 * BBF's TP-469 tests 1.93/1.94 write them
 * (`Device.LocalAgent.Subscription.3.Enable=false`).
 *
 * The configuration is applied by the agent itself, as one atomic write of origin
 * `'usp'` after the event that fired it (never inside the tree's own listener), so
 * what it changes is seen like any other USP write: ValueChange subscriptions fire
 * and CWMP reports it to the ACS. A chain of triggers feeding each other is cut after
 * {@link MAX_TRIGGER_CASCADE} applications.
 * @module
 */
import type { ParameterTree, Template } from '../datamodel/index.js';
import type { Logger } from '../log/index.js';
import { valueError } from './messages/common.js';
import { supportedModel } from './paths.js';
import { listItems, supportedPath } from './refpath.js';
import type { WriteRefusal } from './subscriptions.js';

/** Subscription.{i}.TriggerAction values (TR-181 2.16). */
export const TRIGGER_ACTIONS = ['Notify', 'Config', 'NotifyAndConfig'] as const;
/** One of {@link TRIGGER_ACTIONS}. */
export type TriggerAction = (typeof TRIGGER_ACTIONS)[number];

/** Levels of triggers firing triggers (a configuration whose write fires another) before the chain is cut. */
export const MAX_TRIGGER_CASCADE = 32;

/** One `Path=Value` entry of TriggerConfigSettings. */
export interface TriggerSetting {
  path: string;
  value: string;
}

/** A row's TriggerAction; an empty or unknown value (a CWMP write is not checked) acts as the default, Notify. */
export function triggerActionOf(value: string): TriggerAction {
  return (TRIGGER_ACTIONS as readonly string[]).includes(value) ? (value as TriggerAction) : 'Notify';
}

/**
 * Parses TriggerConfigSettings. The value splits at the first `=` of each entry, so
 * a value may itself contain `=` (not `,`: that separates entries).
 * @throws Error naming the entry and the expected form.
 */
export function parseTriggerConfig(text: string): TriggerSetting[] {
  return listItems(text).map((entry) => {
    const eq = entry.indexOf('=');
    const path = eq < 0 ? '' : entry.slice(0, eq).trim();
    if (eq <= 0 || path === '') throw new Error(`entry ${JSON.stringify(entry)} is not Path=Value (e.g. Device.LocalAgent.Subscription.1.Enable=false)`);
    if (!/^Device\.([A-Za-z0-9_-]+\.)*[A-Za-z_][A-Za-z0-9_-]*$/.test(path)) {
      throw new Error(`entry ${JSON.stringify(entry)}: ${JSON.stringify(path)} is not a full parameter path (Device.… with instance numbers, no wildcard, search, command or event)`);
    }
    return { path, value: entry.slice(eq + 1).trim() };
  });
}

/**
 * Checks a Controller's write to TriggerAction or TriggerConfigSettings before it
 * applies: the enumeration, and that each setting is `Path=Value` naming a writable
 * parameter of the supported model with a value of its type (so a typo is refused now,
 * not lost at trigger time). Undefined = allowed.
 */
export function checkTriggerWrite(path: string, value: string, template: Template | undefined): WriteRefusal | undefined {
  if (path.endsWith('.TriggerAction')) {
    if (!(TRIGGER_ACTIONS as readonly string[]).includes(value)) {
      return { err_code: 7012, err_msg: `${path}: ${JSON.stringify(value)} is not a TriggerAction (expected one of ${TRIGGER_ACTIONS.join(', ')})` };
    }
    return undefined;
  }
  if (!path.endsWith('.TriggerConfigSettings')) return undefined;
  let settings: TriggerSetting[];
  try {
    settings = parseTriggerConfig(value);
  } catch (err) {
    return { err_code: 7012, err_msg: `${path}: ${(err as Error).message}` };
  }
  if (template === undefined) return undefined;
  const model = supportedModel(template);
  for (const s of settings) {
    const generic = supportedPath(s.path);
    const cut = generic.lastIndexOf('.');
    const param = model.objects.get(generic.slice(0, cut + 1))?.params.get(generic.slice(cut + 1));
    if (param === undefined) return { err_code: 7012, err_msg: `${path}: ${s.path} is not a parameter of this device's data model` };
    if (!param.writable) return { err_code: 7012, err_msg: `${path}: ${s.path} is read-only; a trigger writes only what a Controller could write` };
    const bad = valueError(param.type, s.path, s.value, s.path);
    if (bad) return { err_code: 7012, err_msg: `${path}: ${bad.err_msg}` };
  }
  return undefined;
}

/**
 * Applies the configurations of fired subscriptions, one after another, outside the
 * tree listener that fired them. A configuration that fires further triggers queues
 * them one level deeper; past {@link MAX_TRIGGER_CASCADE} levels (two triggers
 * rewriting each other's watched leaf forever) the rest is dropped and logged.
 */
export class TriggerConfigApplier {
  private readonly queue: { subscription: string; settings: string; depth: number }[] = [];
  /** Rows waiting in the queue: a row firing again before its turn is applied once (what it writes is the same). */
  private readonly queued = new Set<string>();
  private draining = false;
  /** Depth of the configuration being applied now; what it fires goes one deeper. */
  private current = -1;

  constructor(
    private readonly tree: ParameterTree,
    private readonly log: Logger,
  ) {}

  /** Queues the TriggerConfigSettings of the subscription row `subscription` (its path, for the log). */
  enqueue(subscription: string, settings: string): void {
    const depth = this.current + 1;
    if (depth >= MAX_TRIGGER_CASCADE) {
      this.log.warn('usp trigger config loop cut', { subscription, settings, depth, limit: MAX_TRIGGER_CASCADE });
      return;
    }
    if (this.queued.has(subscription)) return;
    this.queued.add(subscription);
    this.queue.push({ subscription, settings, depth });
    if (this.draining) return;
    this.draining = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        this.queued.delete(item.subscription);
        this.current = item.depth;
        this.apply(item.subscription, item.settings);
      }
    } finally {
      this.current = -1;
      this.draining = false;
      this.queued.clear();
      this.queue.length = 0;
    }
  }

  private apply(subscription: string, text: string): void {
    try {
      const settings = parseTriggerConfig(text);
      if (settings.length === 0) return;
      // One setValues: all of the row's settings or none (a USP Set with allow_partial false).
      this.tree.setValues(settings.map((s) => ({ name: s.path, value: s.value })), 'usp');
    } catch (err) {
      this.log.warn('usp trigger config not applied', { subscription, settings: text, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
