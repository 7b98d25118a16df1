/**
 * The agent's notifications (usp-notes §4.9, §5, §7): subscriptions firing through
 * one delivery path with `send_resp` and the TR-369 retry back-off, `Boot!` to each
 * Controller subscribed to it, `OnBoardRequest`, model events (`TransferComplete!` …),
 * OperationComplete, and the Operate handler. One instance per agent; the agent (B)
 * creates it once its MTP is up and calls {@link UspNotifications.onAgentStart}.
 * @module
 */
import type { ScheduledJob, Scheduler } from '../clock/index.js';
import type { GeneratorClock, ParameterTree, Template } from '../datamodel/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { checkRequestedState } from '../swmod/index.js';
import type { Rng } from '../random/index.js';
import type { UspDevice, UspBootCause } from './device.js';
import { uspRetryPolicyFrom, uspRetryWaitMs } from './backoff.js';
import { controllerRow, controllerRows } from './controllers.js';
import { UspError } from './errors.js';
import { AGENT_SUPPORTED_PROTOCOL_VERSIONS } from './messages/supported.js';
import { UspOperations, type OperationsHost } from './operate/index.js';
import { UpTimeLeaf } from './uptime.js';
import { leavesOf, treeSearch, type SearchMatcher } from './refpath.js';
import { LOCAL_AGENT_PATHS, Subscriptions, type NotifyBody, type SubscriptionRow, type SubscriptionsOptions, type WriteRefusal } from './subscriptions.js';
import { checkPeriodicWrite, PERIODIC_EVENT, PeriodicNotifications, type PeriodicNotificationsOptions } from './periodic.js';
import { checkResultTypeFilterWrite, eventWanted } from './transfer-policy.js';
import { TriggerConfigApplier, triggerActionOf } from './trigger.js';
import type { Notify, Operate, OperateResp, UspMap } from './types.js';
import type { NotifyWaiter } from './agent.js';

/** What this module needs from the agent to send notifications: the `UspNotifier` of agent.ts (contract seam 3) satisfies it. */
export interface NotificationSender {
  readonly endpointId: string;
  /** EndpointIDs of enabled Controller rows the agent can reach now. */
  controllers(): readonly string[];
  /**
   * Sends one Notify to that Controller. With send_resp: resolves on the matching
   * NotifyResp, rejects on timeout or MTP loss; without: resolves once published.
   */
  sendNotify(controllerId: string, notify: Notify, opts?: { msgId?: string }): Promise<void>;
  /** The same without a promise (the agent's `sendNotifyTo`): used when present, for a Notify that waits for its NotifyResp. */
  sendNotifyTo?(controllerId: string, notify: Notify, msgId: string, waiter: NotifyWaiter): void;
  /** Resolves once answers and records on their way have left (the agent's `flushed`); absent: nothing to wait for. */
  flushed?(): Promise<void>;
}

/** Options of {@link UspNotifications}. */
export interface UspNotificationsOptions {
  tree: ParameterTree;
  /** The tree's template: unique keys of new rows, device-id paths of OnBoardRequest. */
  template: Template;
  notifier: NotificationSender;
  /** The fleet's scheduler (its `clock` is the simulated time of CreationDate, TimeToLive, retries). */
  scheduler: Scheduler;
  /** The CPE's seeded stream for the retry jitter and msg_id prefix. */
  random: Rng;
  device: UspDevice;
  /** The fleet's generator clock (generated leaves under ValueChange subscriptions). */
  generators?: GeneratorClock | undefined;
  logger?: Logger | undefined;
  /**
   * cpe-labs compatibility (usp-notes §7.2, open question 4): also send `Boot!` to a
   * Controller with no Event subscription covering `Device.Boot!`, with subscription_id
   * `boot` and send_resp false. Default false: the spec's subscription-gated Boot!.
   */
  bootWithoutSubscription?: boolean | undefined;
  /**
   * cpe-labs compatibility (usp-notes §7.3, open question 4): an `OnBoardRequest` to every
   * enabled Controller at every start, whatever its OnBoardingComplete says, with
   * subscription_id `onboard` and send_resp false (fire and forget). Default false: the
   * spec's, sent (and retried until acknowledged) only while OnBoardingComplete is false.
   */
  onBoardEveryStart?: boolean | undefined;
}

/** One object a USP Add or Set is about to commit (the dispatcher's `UspObjectChange`, contract seam 2). */
export interface UspCommitChange {
  kind: 'add' | 'set';
  /** Instance path, e.g. 'Device.LocalAgent.Subscription.3.'. */
  objPath: string;
  /** Relative param name → value, as the request wrote it. */
  params: Readonly<Record<string, string>>;
  /** The Controller's EndpointID. */
  controllerId: string;
}

/**
 * One Notify with send_resp waiting for its NotifyResp or its next retry. It is its own
 * {@link NotifyWaiter}: the agent tells it how each attempt ended, with no promise or
 * closure per attempt (issue 21: 10,000 agents each keep their OnBoardRequest here).
 * @internal Exported for the type of {@link UspNotifications.settled} only.
 */
export class PendingNotify implements NotifyWaiter {
  /** Retries so far. */
  attempt = 0;
  job: ScheduledJob | undefined = undefined;

  constructor(
    private readonly owner: UspNotifications,
    readonly controllerId: string,
    readonly notify: Notify,
    readonly msgId: string,
    /** Simulated ms after which it is dropped; undefined = until delivered or restart. */
    readonly deadline: number | undefined,
    /** The subscription row that fired it: a retry is dropped when the row is gone. */
    readonly subscription: { path: string; id: string } | undefined,
    /** An OnBoardRequest (R-NOT.5): once delivered, OnBoardingRestartTime may ask again. */
    readonly onBoard: boolean,
  ) {}

  notifySettled(err: Error | undefined): void {
    this.owner.settled(this, err);
  }
}

/**
 * One agent's subscriptions, notifications and commands.
 *
 * It is also the options object of its own parts (Subscriptions, PeriodicNotifications,
 * UspOperations: their `tree`, `scheduler`, `fire` … are its fields and methods), and it
 * keeps the fields it uses rather than its options object (issue 21: 10,000 agents each
 * held three options objects and the closures they carried).
 */
export class UspNotifications implements SubscriptionsOptions, PeriodicNotificationsOptions, OperationsHost {
  /** The Subscription table. */
  readonly subscriptions: Subscriptions;
  /** Operate and the Request table. */
  readonly operations: UspOperations;
  /** `Device.LocalAgent.Periodic!`, timed per Controller. */
  readonly periodic: PeriodicNotifications;
  readonly tree: ParameterTree;
  readonly template: Template;
  readonly scheduler: Scheduler;
  readonly device: UspDevice;
  readonly generators: GeneratorClock | undefined;
  readonly logger: Logger;
  private searchMatcher: SearchMatcher | undefined;
  private readonly notifier: NotificationSender;
  private readonly random: Rng;
  private readonly bootWithoutSubscription: boolean;
  private readonly onBoardEveryStart: boolean;
  /** TriggerConfigSettings of subscriptions firing with a Config action (made at the first one: most agents never have one). */
  private triggerConfig: TriggerConfigApplier | undefined;
  private readonly pending = new Set<PendingNotify>();
  private readonly msgPrefix: string;
  private seq = 0;
  private starts = 0;
  private closed = false;
  private readonly offLifecycle: () => void;
  private readonly upTime: UpTimeLeaf;
  private beforeCommitHook: ((change: UspCommitChange) => void) | undefined;
  private operateHook: ((req: Operate, controllerId: string) => Promise<OperateResp | undefined>) | undefined;
  /** OnBoardRequest re-sends waiting for OnBoardingRestartTime; made at the first (issue 21: an empty Set per agent). */
  private onboardJobs: Set<ScheduledJob> | undefined;

  constructor(opts: UspNotificationsOptions) {
    this.tree = opts.tree;
    this.template = opts.template;
    this.scheduler = opts.scheduler;
    this.device = opts.device;
    this.generators = opts.generators;
    this.logger = opts.logger ?? silentLogger;
    this.notifier = opts.notifier;
    this.random = opts.random;
    this.bootWithoutSubscription = opts.bootWithoutSubscription === true;
    this.onBoardEveryStart = opts.onBoardEveryStart === true;
    this.msgPrefix = `notify-${opts.random.nextU64().toString(16).padStart(16, '0').slice(0, 8)}`;
    this.subscriptions = new Subscriptions(this);
    this.subscriptions.reconcile();
    this.periodic = new PeriodicNotifications(this);
    this.operations = new UspOperations(this);
    this.upTime = new UpTimeLeaf(opts.tree, opts.scheduler.clock);
    this.offLifecycle = opts.device.onLifecycle((e) => {
      // Queued notifications and running commands die with the device (§7.1); a cut
      // uplink keeps them: the retries' back-off carries them over the outage.
      if (e.kind === 'down' && e.why !== 'link') {
        this.dropPending();
        this.operations.abortAll();
      }
      // 'up' with a boot cause is a restart (§7.1): LocalAgent.UpTime counts from 0 again.
      if (e.kind === 'up' && e.boot !== undefined) this.upTime.restarted();
    });
  }

  /**
   * `[expr]` segments of references, judged with the dispatcher's typed comparison. Made at
   * the first reference with a search to judge (most agents never have one).
   */
  get search(): SearchMatcher {
    return (this.searchMatcher ??= treeSearch(this.tree, this.template));
  }

  /** {@link OperationsHost.notifications}: the commands report through this service. */
  get notifications(): this {
    return this;
  }

  /** {@link OperationsHost.flushed}: the agent's, when it has one. */
  get flushed(): (() => Promise<void>) | undefined {
    const { notifier } = this;
    return notifier.flushed ? () => notifier.flushed!() : undefined;
  }

  /** {@link SubscriptionsOptions.onLocalAgentChange}: the Periodic! schedule re-reads the tree. */
  onLocalAgentChange(): void {
    // Optional chaining: the subscriptions reconcile before the schedule exists, and nothing fires in between.
    this.periodic?.changed();
  }

  /**
   * The dispatcher's `beforeCommit` hook (contract seam 2). A Set of a Subscription row is
   * checked before it writes (ReferenceList immutable once set, ID unique per Recipient,
   * NotifType); an Add of one gets its agent-owned leaves (Recipient, CreationDate, ID)
   * after its params applied. A Set of a software-module EU's RequestedState is checked by
   * the TR-181 rules CWMP's SPV uses (`checkRequestedState`). A refusal throws a UspError
   * naming the parameter.
   */
  get beforeCommit(): (change: UspCommitChange) => void {
    // Made at the first request, then kept (one function, as the dispatcher hook always was): an arrow field was a closure in every agent (issue 21).
    return (this.beforeCommitHook ??= (change) => this.checkCommit(change));
  }

  private checkCommit(change: UspCommitChange): void {
    if (change.kind === 'set' && change.objPath.startsWith(LOCAL_AGENT_PATHS.controller)) return this.checkControllerSet(change);
    const sw = this.template.profile.softwareModules;
    if (sw !== undefined && change.kind === 'set' && change.params.RequestedState !== undefined) {
      // TR-181 RequestedState rules, shared with CWMP's SPV: 7012 Invalid value, nothing written.
      const refused = checkRequestedState(this.tree, sw, `${change.objPath}RequestedState`, change.params.RequestedState);
      if (refused) throw new UspError(refused.uspCode, refused.message, [{ param_path: `${change.objPath}RequestedState`, err_code: refused.uspCode, err_msg: refused.message }]);
    }
    if (!change.objPath.startsWith(LOCAL_AGENT_PATHS.subscription)) return;
    const refuse = (r: WriteRefusal, param?: string): never => {
      throw new UspError(r.err_code, r.err_msg, param === undefined ? [] : [{ param_path: `${change.objPath}${param}`, err_code: r.err_code, err_msg: r.err_msg }]);
    };
    if (change.kind === 'set') {
      for (const [name, value] of Object.entries(change.params)) {
        const refused = this.subscriptions.checkWrite(`${change.objPath}${name}`, value, change.controllerId);
        if (refused) refuse(refused, name);
      }
      return;
    }
    // An Add's values are checked like a Set's (ID and ReferenceList have their own Add rules below).
    for (const leaf of ['NotifType', 'TriggerAction', 'TriggerConfigSettings'] as const) {
      const value = change.params[leaf];
      if (value === undefined) continue;
      const refused = this.subscriptions.checkWrite(`${change.objPath}${leaf}`, value, change.controllerId);
      if (refused) refuse(refused, leaf);
    }
    const refused = this.subscriptions.created(change.objPath, change.controllerId, this.scheduler.clock.now());
    if (refused) refuse(refused, 'ID');
  }

  /**
   * A Set of Controller leaves this module acts on: PeriodicNotifInterval (range [1:])
   * and TransferCompletePolicy.ResultTypeFilter (its enumeration), refused with 7012
   * naming the parameter.
   */
  private checkControllerSet(change: UspCommitChange): void {
    for (const [name, value] of Object.entries(change.params)) {
      const path = `${change.objPath}${name}`;
      const refused = checkPeriodicWrite(path, value) ?? checkResultTypeFilterWrite(path, value);
      if (refused) throw new UspError(refused.err_code, refused.err_msg, [{ param_path: path, err_code: refused.err_code, err_msg: refused.err_msg }]);
    }
  }

  /** The dispatcher's Operate handler (contract seam 2): one function, made at the first request. */
  get operate(): (req: Operate, controllerId: string) => Promise<OperateResp | undefined> {
    return (this.operateHook ??= (req, controllerId) => this.operations.operate(req, controllerId));
  }

  /**
   * The agent (re)started and its MTP is up (§7.1): on a restart, non-persistent
   * subscriptions, Request rows and pending retries are dropped; then OnBoardRequest
   * where §7.3 wants it, then `Boot!` (§7.2) with `boot`'s cause.
   */
  onAgentStart(boot: UspBootCause): void {
    if (this.closed) return;
    if (this.starts++ > 0) {
      this.dropPending();
      this.operations.abortAll();
      this.operations.clearRequests();
      this.subscriptions.dropNonPersistent();
    }
    for (const c of controllerRows(this.tree)) {
      if (c.endpointId === '' || !c.enabled) continue;
      if (this.onBoardEveryStart) this.deliver(c.endpointId, { ...this.onBoardRequest(), subscription_id: 'onboard', send_resp: false }, undefined, undefined);
      // R-NOT.5: a Controller that has not said OnBoardingComplete=true is asked again at each start.
      else if (this.tree.getValue(`${c.path}OnBoardingComplete`) === 'false') this.sendOnBoardRequest(c.endpointId);
    }
    this.sendBoot(boot);
  }

  /**
   * OnBoardRequest (R-NOT.5/6) to one Controller: send_resp true, subscription_id "",
   * retried without expiry until a NotifyResp; then, while OnBoardingComplete stays
   * false, again after OnBoardingRestartTime seconds (0 = never).
   */
  sendOnBoardRequest(controllerId: string): void {
    this.deliver(controllerId, this.onBoardRequest(), undefined, undefined, true);
  }

  /** An OnBoardRequest was answered: while OnBoardingComplete stays false, ask again after OnBoardingRestartTime seconds (0 = never). */
  private onBoardDelivered(controllerId: string): void {
    const { tree } = this;
    const row = controllerRow(tree, controllerId)?.path.slice(0, -1);
    const restart = Number(row === undefined ? 0 : (tree.getValue(`${row}.OnBoardingRestartTime`) ?? 0));
    if (!(restart > 0) || row === undefined) return;
    const job = this.scheduler.after(restart * 1000, () => {
      this.onboardJobs?.delete(job);
      if (!this.closed && tree.getValue(`${row}.OnBoardingComplete`) === 'false' && tree.getValue(`${row}.EndpointID`) === controllerId) this.sendOnBoardRequest(controllerId);
    });
    (this.onboardJobs ??= new Set()).add(job);
  }

  /** The OnBoardRequest Notify of this device (R-NOT.5): send_resp true, subscription_id "". */
  private onBoardRequest(): Notify {
    const { tree, template } = this;
    const ids = template.profile.deviceIdPaths;
    return {
      subscription_id: '',
      send_resp: true,
      notification: 'on_board_req',
      on_board_req: {
        oui: tree.getValue(ids.oui) ?? '',
        product_class: tree.getValue(ids.productClass) ?? '',
        serial_number: tree.getValue(ids.serialNumber) ?? '',
        agent_supported_protocol_versions: AGENT_SUPPORTED_PROTOCOL_VERSIONS,
      },
    };
  }

  /**
   * `Device.Boot!` (§7.2): once per start to each enabled Controller with an enabled
   * Event subscription covering it, carrying that row's ID and NotifRetry;
   * ParameterMap from that Controller's enabled BootParameter rows, expanded now.
   */
  sendBoot(boot: UspBootCause): void {
    for (const c of controllerRows(this.tree)) {
      if (c.endpointId === '' || !c.enabled) continue;
      const row = c.path.slice(0, -1);
      const endpointId = c.endpointId;
      const params: UspMap = {
        Cause: boot.cause,
        CommandKey: boot.commandKey,
        Reason: boot.reason,
        FirmwareUpdated: String(boot.firmwareUpdated),
        ParameterMap: JSON.stringify(this.bootParameters(row)),
      };
      const body: NotifyBody = { notification: 'event', event: { obj_path: 'Device.', event_name: 'Boot!', params } };
      const sub = this.subscriptions.matching('Event', 'Device.Boot!').find((s) => s.recipient === row);
      if (sub) this.fire(sub, body);
      else if (this.bootWithoutSubscription) this.deliver(endpointId, { subscription_id: 'boot', send_resp: false, ...body }, undefined, undefined);
    }
  }

  /** A model event (`TransferComplete!`, `DUStateChange!` …) of the object `objPath` (ends with '.'), to each covering Event subscription. */
  event(objPath: string, eventName: string, params: UspMap): void {
    const path = `${objPath}${eventName}`;
    for (const s of this.subscriptions.matching('Event', path)) {
      // A Controller's TransferCompletePolicy may not want this outcome (transfer-policy.ts).
      if (!eventWanted(this.tree, s.recipient, path, params)) continue;
      this.fire(s, { notification: 'event', event: { obj_path: objPath, event_name: eventName, params } });
    }
  }

  /** An async command ended (§4.8): OperationComplete to each covering subscription. */
  operationComplete(objPath: string, commandName: string, commandKey: string, outcome: { output: UspMap } | { err_code: number; err_msg: string }): void {
    const body: NotifyBody = {
      notification: 'oper_complete',
      oper_complete:
        'output' in outcome
          ? { obj_path: objPath, command_name: commandName, command_key: commandKey, operation_resp: 'req_output_args', req_output_args: { output_args: outcome.output } }
          : { obj_path: objPath, command_name: commandName, command_key: commandKey, operation_resp: 'cmd_failure', cmd_failure: { err_code: outcome.err_code, err_msg: outcome.err_msg } },
    };
    for (const s of this.subscriptions.matching('OperationComplete', `${objPath}${commandName}`)) this.fire(s, body);
  }

  /** The commands Operate runs, for GetSupportedDM (the dispatcher's `supportedCommands`). */
  get supportedCommands(): { path: string; input: readonly string[]; output: readonly string[]; type: 'CMD_SYNC' | 'CMD_ASYNC' }[] {
    return this.operations.commands.map((c) => ({ path: c.path, input: c.input, output: c.output, type: c.async ? 'CMD_ASYNC' : 'CMD_SYNC' }));
  }

  /** The events this agent sends, for GetSupportedDM (the dispatcher's `supportedEvents`). */
  get supportedEvents(): { path: string; args: readonly string[] }[] {
    const out = [
      { path: 'Device.Boot!', args: ['Cause', 'CommandKey', 'Reason', 'FirmwareUpdated', 'ParameterMap'] },
      { path: PERIODIC_EVENT.path, args: [] },
      { path: 'Device.LocalAgent.TransferComplete!', args: ['Command', 'CommandKey', 'Requestor', 'TransferType', 'Affected', 'TransferURL', 'StartTime', 'CompleteTime', 'FaultCode', 'FaultString'] },
    ];
    const sw = this.template.profile.softwareModules;
    if (sw) out.push({ path: `${sw.path}DUStateChange!`, args: ['UUID', 'DeploymentUnitRef', 'Version', 'CurrentState', 'Resolved', 'ExecutionUnitRefList', 'StartTime', 'CompleteTime', 'OperationPerformed', 'Fault.FaultCode', 'Fault.FaultString'] });
    return out;
  }

  /** Notifications waiting for a NotifyResp or a retry (for tests and stats). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Stops everything: listeners, retries, TimeToLive jobs, running commands. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.offLifecycle();
    this.upTime.stop();
    this.dropPending();
    for (const j of this.onboardJobs ?? []) j.cancel();
    this.onboardJobs?.clear();
    this.operations.close();
    this.periodic.close();
    this.subscriptions.close();
  }

  // ---- delivery -------------------------------------------------------------------

  /** `{"path":"value"}` of the Controller's enabled BootParameter rows, patterns expanded now. */
  private bootParameters(controllerRow: string): Record<string, string> {
    const { tree } = this;
    const table = `${controllerRow}.BootParameter.`;
    const out: Record<string, string> = {};
    if (!tree.has(table)) return out;
    for (const r of tree.getNames(table, true)) {
      const enable = tree.getValue(`${r.name}Enable`);
      const name = tree.getValue(`${r.name}ParameterName`) ?? '';
      if ((enable !== 'true' && enable !== '1') || name === '') continue;
      for (const leaf of leavesOf(tree, name, this.search)) {
        const v = tree.get(leaf);
        if (v) out[leaf] = v.hidden ? '' : v.value;
      }
    }
    return out;
  }

  /**
   * A subscription fired: its TriggerAction (TR-181 2.16) decides whether the Notify
   * goes (`Notify`, `NotifyAndConfig`) and whether its TriggerConfigSettings are
   * applied (`Config`, `NotifyAndConfig`; after the Notify is on its way).
   */
  fire(sub: SubscriptionRow, body: NotifyBody): void {
    // A subscription whose Controller row is disabled or gone is inert: no Notify, no Config.
    if (this.closed || this.subscriptions.controllerOf(sub.recipient) === undefined) return;
    const action = triggerActionOf(sub.triggerAction);
    if (action !== 'Config') this.notifySubscriber(sub, body);
    if (action !== 'Notify') (this.triggerConfig ??= new TriggerConfigApplier(this.tree, this.logger)).enqueue(sub.path, sub.triggerConfigSettings);
  }

  private notifySubscriber(sub: SubscriptionRow, body: NotifyBody): void {
    const controllerId = this.subscriptions.controllerOf(sub.recipient);
    if (controllerId === undefined) return;
    const notify: Notify = { subscription_id: sub.id, send_resp: sub.notifRetry, ...body };
    const deadline = sub.notifRetry && sub.notifExpiration > 0 ? this.scheduler.clock.now() + sub.notifExpiration * 1000 : undefined;
    this.deliver(controllerId, notify, deadline, { path: sub.path, id: sub.id });
  }

  private deliver(controllerId: string, notify: Notify, deadline: number | undefined, subscription: PendingNotify['subscription'], onBoard = false): void {
    const msgId = `${this.msgPrefix}-${++this.seq}`;
    if (!notify.send_resp) {
      this.notifier.sendNotify(controllerId, notify, { msgId }).catch((err: unknown) => {
        this.logger.debug('usp notify not sent', { controller: controllerId, msg_id: msgId, error: err instanceof Error ? err.message : String(err) });
      });
      return;
    }
    const p = new PendingNotify(this, controllerId, notify, msgId, deadline, subscription, onBoard);
    this.pending.add(p);
    this.attempt(p);
  }

  private attempt(p: PendingNotify): void {
    // R-NOT.3 / obuspa: a retry resends the identical message (same msg_id).
    const { notifier } = this;
    if (notifier.sendNotifyTo) notifier.sendNotifyTo(p.controllerId, p.notify, p.msgId, p);
    else notifier.sendNotify(p.controllerId, p.notify, { msgId: p.msgId }).then(() => p.notifySettled(undefined), (err: unknown) => p.notifySettled(err as Error));
  }

  /** @internal How one attempt of `p` ended (its {@link NotifyWaiter} side). */
  settled(p: PendingNotify, err: Error | undefined): void {
    if (err === undefined) {
      if (this.pending.delete(p) && p.onBoard) this.onBoardDelivered(p.controllerId);
      return;
    }
    if (!this.pending.has(p) || this.closed) return;
    this.scheduleRetry(p, err);
  }

  private scheduleRetry(p: PendingNotify, err: unknown): void {
    const { tree, scheduler, random } = this;
    // R-NOT.2/3: the recipient's USPNotifRetry* leaves, the formula every USP retry shares.
    const row = controllerRow(tree, p.controllerId)?.path;
    const policy = uspRetryPolicyFrom(row && tree.getValue(`${row}USPNotifRetryMinimumWaitInterval`), row && tree.getValue(`${row}USPNotifRetryIntervalMultiplier`));
    p.attempt++;
    const wait = uspRetryWaitMs(p.attempt, policy, () => random.float());
    const due = scheduler.clock.now() + wait;
    if (p.deadline !== undefined && due > p.deadline) {
      this.pending.delete(p);
      this.logger.info('usp notify expired', { controller: p.controllerId, msg_id: p.msgId, retries: p.attempt - 1 });
      return;
    }
    this.logger.debug('usp notify retry', { controller: p.controllerId, msg_id: p.msgId, retry: p.attempt, wait_ms: wait, error: err instanceof Error ? err.message : String(err) });
    p.job = scheduler.at(due, () => {
      p.job = undefined;
      if (!this.pending.has(p) || this.closed) return;
      // obuspa drops a retried notification once its subscription row is deleted; a row
      // disabled meanwhile sends nothing either (TR-181 Subscription.{i}.Enable).
      const s = p.subscription;
      if (s && (tree.getValue(`${s.path}ID`) !== s.id || tree.getValue(`${s.path}Enable`) !== 'true')) {
        this.pending.delete(p);
        return;
      }
      this.attempt(p);
    });
  }

  private dropPending(): void {
    for (const p of this.pending) p.job?.cancel();
    this.pending.clear();
  }
}
