/**
 * Operate (TR-369, usp-notes §4.8) and the `Device.LocalAgent.Request.{i}.` table:
 * a command path (or search) resolves to one result per matched object; failures
 * are `cmd_failure`, never an Error [R-OPR.1]; async commands get a Request row
 * (Requested → Active → removed) and an OperationComplete. The commands themselves
 * live beside this file, one module per family.
 * @module
 */
import type { ScheduledJob, Scheduler } from '../../clock/index.js';
import type { ParameterTree, Template } from '../../datamodel/index.js';
import type { Logger } from '../../log/index.js';
import type { UspDevice } from '../device.js';
import { setIfPresent } from '../controllers.js';
import { UspError } from '../errors.js';
import { parsePath, resolvePaths } from '../paths.js';
import { LOCAL_AGENT_PATHS } from '../subscriptions.js';
import type { Operate, OperateResp, OperationResult, UspMap } from '../types.js';
import { deviceCommands } from './device.js';
import { diagnosticsCommands } from './diagnostics.js';
import { FirmwareBanks } from './firmware.js';
import { swmodCommands } from './swmod.js';
import { vendorConfigCommands } from './vendorfile.js';

/** A command's failure: becomes `cmd_failure` (Operate) or OperationComplete's. */
export class CommandFailure extends Error {
  override name = 'CommandFailure';
  constructor(
    readonly errCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a running command sees. */
export interface CommandRun {
  /** The object the command runs on, ending with '.' (`Device.DeviceInfo.FirmwareImage.1.`). */
  objPath: string;
  commandKey: string;
  /** EndpointID of the Controller that asked. */
  controllerId: string;
  /** Input arguments with the defaults of missing optional ones left to the command. */
  inputs: UspMap;
  /** Aborted by `Request.{i}.Cancel()` or when the device goes down. */
  signal: AbortSignal;
}

/** One supported command. */
export interface CommandDef {
  /** Supported-model path: `Device.Reboot()`, `Device.DeviceInfo.FirmwareImage.{i}.Download()`. */
  path: string;
  async: boolean;
  /** Input argument names (GetSupportedDM). */
  input: readonly string[];
  /** Output argument names (GetSupportedDM). */
  output: readonly string[];
  /** Input arguments that must be present (7027 otherwise, R-OPR.5). */
  mandatory: readonly string[];
  /**
   * Checks the input arguments before anything starts (no Request row for an async
   * command): throws {@link CommandFailure} (7027) to refuse them in the OperateResp.
   */
  check?(inputs: UspMap, objPath: string): void;
  /** Runs it: output arguments, or throws {@link CommandFailure}. */
  run(run: CommandRun): Promise<UspMap>;
  /**
   * Sync commands that act on the device after answering (Reboot(), FactoryReset():
   * usp-notes §7.4 "reply first, then act"): called once the OperateResp is out.
   */
  after?(run: CommandRun): void;
  /**
   * Async commands whose work continues after OperationComplete (firmware activation,
   * §7.5: Request row closed and OperationComplete sent before the reboot).
   */
  afterComplete?(run: CommandRun, output: UspMap): void;
}

/** What commands need from their agent. */
export interface OperationsHost {
  tree: ParameterTree;
  template: Template;
  device: UspDevice;
  scheduler: Scheduler;
  logger: Logger;
  /**
   * Resolves once the agent's answers and notifications on their way have left: a
   * command that takes the device down waits for it (its OperateResp / OperationComplete
   * must not die with the MTP). Absent: nothing to wait for.
   */
  flushed?: (() => Promise<void>) | undefined;
  notifications: {
    event(objPath: string, eventName: string, params: UspMap): void;
    operationComplete(objPath: string, commandName: string, commandKey: string, outcome: { output: UspMap } | { err_code: number; err_msg: string }): void;
    sendOnBoardRequest(controllerId: string): void;
  };
}

/** Simulated ms between answering Reboot()/FactoryReset() and acting, so the OperateResp leaves before the MTP drops. */
export const ACT_DELAY_MS = 2_000;

interface Running {
  controller: AbortController;
  requestPath: string;
}

/** Operate for one agent. */
export class UspOperations {
  /** Made at the first Operate or GetSupportedDM (issue 21: most agents never get one, and 10,000 copies of every command's definition cost ~1 KB each). */
  private defsMemo: Map<string, CommandDef> | undefined;
  private readonly firmware: FirmwareBanks;
  // Made at the first command (issue 21: most agents never run one; an empty Set is ~150 bytes).
  private running: Set<Running> | undefined;
  private jobs: Set<ScheduledJob> | undefined;
  /** Bumped by {@link abortAll}: acts waiting for the agent's flush are dropped. */
  private generation = 0;

  constructor(private readonly host: OperationsHost) {
    // Eager: the firmware bank keeps the running image's row true across reboots, Operate or not.
    this.firmware = new FirmwareBanks(host);
  }

  private get defs(): Map<string, CommandDef> {
    if (this.defsMemo) return this.defsMemo;
    const { host, firmware } = this;
    const defs = new Map<string, CommandDef>();
    for (const d of [...deviceCommands(host, this, (boot) => firmware.rebootInto(boot)), ...firmware.commands(), ...diagnosticsCommands(host), ...swmodCommands(host), ...vendorConfigCommands(host)]) defs.set(d.path, d);
    return (this.defsMemo = defs);
  }

  /** Stops running work and the commands' own listeners (the agent is closing). */
  close(): void {
    this.abortAll();
    this.firmware.close();
  }

  /** Supported command paths (`{i}` form), for tests and GetSupportedDM. */
  get commands(): readonly CommandDef[] {
    return [...this.defs.values()];
  }

  /**
   * Answers one Operate: one OperationResult per matched object; undefined when
   * send_resp is false (the commands still run, R-OPR.4).
   * @throws UspError 7026 when the path names no supported command, 7008 when it is no command path.
   */
  async operate(req: Operate, controllerId: string): Promise<OperateResp | undefined> {
    const command = req.command;
    const parsed = parsePath(command); // 7008 for bad syntax
    if (parsed.end !== 'command') throw new UspError(7008, `Operate command ${JSON.stringify(command)} is not a command path (expected e.g. 'Device.Reboot()')`);
    const name = parsed.leaf;
    // 7026 outside the supported model; a followed reference leading nowhere is 7016 (strict, as obuspa).
    const targets: { objPath: string; def: CommandDef }[] = [];
    for (const resolved of resolvePaths(this.host.tree, this.host.template, parsed, { strict: true })) {
      const supported = `${resolved.target.path}${name}`;
      if (!this.defs.has(supported)) throw new UspError(7026, `${command} is not a command this agent supports (known: ${[...this.defs.keys()].join(', ')})`);
      const def = this.defs.get(supported)!;
      // A search that matches nothing is a success with no results (R-MSG.4a); an exact
      // path to an object that does not exist is 7016.
      if (resolved.objects.length === 0 && !resolved.search) throw new UspError(7016, `${command}: ${command.slice(0, command.length - name.length)} does not exist`);
      targets.push(...resolved.objects.map((objPath) => ({ objPath, def })));
    }
    const results: OperationResult[] = [];
    for (const t of targets) results.push(await this.start(t.objPath, name, t.def, req, controllerId));
    return req.send_resp ? { operation_results: results } : undefined;
  }

  private async start(objPath: string, name: string, def: CommandDef, req: Operate, controllerId: string): Promise<OperationResult> {
    const executed = `${objPath}${name}`;
    const failure = (err_code: number, err_msg: string): OperationResult => ({ executed_command: executed, operation_resp: 'cmd_failure', cmd_failure: { err_code, err_msg } });
    const missing = def.mandatory.filter((a) => !Object.hasOwn(req.input_args, a));
    if (missing.length > 0) return failure(7027, `${executed} needs the input argument${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    try {
      def.check?.(req.input_args, objPath);
    } catch (err) {
      return failure(...failureOf(err));
    }
    const controller = new AbortController();
    const run: CommandRun = { objPath, commandKey: req.command_key, controllerId, inputs: req.input_args, signal: controller.signal };
    if (!def.async) {
      try {
        const output = await def.run(run);
        if (def.after) {
          const after = def.after;
          this.whenSent(() => {
            const job = this.host.scheduler.after(ACT_DELAY_MS, () => {
              this.jobs?.delete(job);
              after(run);
            });
            (this.jobs ??= new Set()).add(job);
          });
        }
        return { executed_command: executed, operation_resp: 'req_output_args', req_output_args: { output_args: output } };
      } catch (err) {
        return failure(...failureOf(err));
      }
    }
    const requestPath = this.addRequest(executed, req.command_key, controllerId);
    const entry: Running = { controller, requestPath };
    (this.running ??= new Set()).add(entry);
    void this.runAsync(def, run, name, entry);
    return { executed_command: executed, operation_resp: 'req_obj_path', req_obj_path: requestPath };
  }

  private async runAsync(def: CommandDef, run: CommandRun, name: string, entry: Running): Promise<void> {
    const { tree, notifications } = this.host;
    // Let the OperateResp (with req_obj_path) go out before the row turns Active.
    await Promise.resolve();
    this.setStatus(entry.requestPath, 'Active');
    let outcome: { output: UspMap } | { err_code: number; err_msg: string };
    // Cancel() ends the run at once even when its work cannot be interrupted.
    const aborted = new Promise<never>((_, reject) => run.signal.addEventListener('abort', () => reject(run.signal.reason as Error), { once: true }));
    try {
      outcome = { output: await Promise.race([def.run(run), aborted]) };
    } catch (err) {
      const [err_code, err_msg] = failureOf(err);
      outcome = { err_code, err_msg };
    }
    if (!this.running?.delete(entry)) return; // the device went down: the work died with it
    const canceled = run.signal.aborted;
    this.setStatus(entry.requestPath, canceled ? 'Canceled' : 'output' in outcome ? 'Success' : 'Error');
    if (tree.has(entry.requestPath)) tree.deleteObject(entry.requestPath, 'internal');
    notifications.operationComplete(run.objPath, name, run.commandKey, outcome);
    const { afterComplete } = def;
    if ('output' in outcome && afterComplete) {
      const output = outcome.output;
      this.whenSent(() => afterComplete(run, output));
    }
  }

  /**
   * Runs `act` once the answers and notifications already on their way have left the
   * agent (usp-notes §7.4 "reply first, then act", §7.5 OperationComplete before the
   * activation reboot); dropped when the device goes down first.
   */
  private whenSent(act: () => void): void {
    const flushed = this.host.flushed;
    if (flushed === undefined) return act();
    const generation = this.generation;
    const go = (): void => {
      if (generation === this.generation) act();
    };
    flushed().then(go, go);
  }

  /** `Request.{i}.Cancel()`: the run ends with 7023 (R-OPR.3). */
  cancel(requestPath: string): boolean {
    for (const r of this.running ?? []) {
      if (r.requestPath !== requestPath) continue;
      this.setStatus(requestPath, 'Canceling');
      r.controller.abort(new CommandFailure(7023, `${requestPath.slice(0, -1)} was canceled by Request.{i}.Cancel()`));
      return true;
    }
    return false;
  }

  /** Async work dies with the device (§4.8): no OperationComplete. */
  abortAll(): void {
    this.generation++;
    const all = [...(this.running ?? [])];
    this.running?.clear();
    for (const r of all) r.controller.abort(new CommandFailure(7002, 'the device went down'));
    for (const j of this.jobs ?? []) j.cancel();
    this.jobs?.clear();
  }

  /** §7.1 on a restart: Request rows are dropped. */
  clearRequests(): void {
    const { tree } = this.host;
    if (!tree.has(LOCAL_AGENT_PATHS.request)) return;
    for (const r of tree.getNames(LOCAL_AGENT_PATHS.request, true)) tree.deleteObject(r.name, 'internal');
  }

  private addRequest(command: string, commandKey: string, controllerId: string): string {
    const { tree } = this.host;
    const table = LOCAL_AGENT_PATHS.request;
    if (!tree.has(table)) throw new UspError(7003, `${command} is asynchronous but this device has no ${table} table to track it`);
    const path = `${table}${tree.addObject(table, 'internal')}.`;
    setIfPresent(tree, `${path}Originator`, controllerId);
    setIfPresent(tree, `${path}Command`, command);
    setIfPresent(tree, `${path}CommandKey`, commandKey);
    setIfPresent(tree, `${path}Status`, 'Requested');
    return path;
  }

  private setStatus(requestPath: string, status: string): void {
    setIfPresent(this.host.tree, `${requestPath}Status`, status);
  }
}

/** [err_code, err_msg] of whatever a command threw. */
export function failureOf(err: unknown): [number, string] {
  if (err instanceof CommandFailure) return [err.errCode, err.message];
  if (err instanceof UspError) return [err.errCode, err.message];
  return [7022, err instanceof Error ? err.message : String(err)];
}

/** A boolean input argument (`true`/`false`/`1`/`0`), or `fallback` when absent. */
export function boolInput(inputs: UspMap, name: string, fallback: boolean): boolean {
  const v = inputs[name];
  if (v === undefined || v === '') return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new CommandFailure(7027, `input argument ${name} must be a boolean (true or false), got ${JSON.stringify(v)}`);
}
