/**
 * A USP agent's notification side over a real ParameterTree, without MTPs: a recording
 * notifier (acks, fails or holds each send), a scripted device and a manual clock.
 */
import { Scheduler, type Clock } from '../../src/clock/index.js';
import { GeneratorClock, Template, createParameterTree, type ParameterTree } from '../../src/datamodel/index.js';
import type { LeafDef, Profile, TableDef, XsdType } from '../../src/profile/types.js';
import type { Logger } from '../../src/log/index.js';
import { streamFor } from '../../src/random/index.js';
import type { UspBootCause, UspDevice, UspLifecycleEvent, UspDiagnosticResult } from '../../src/usp/device.js';
import { UspNotifications, type NotificationSender } from '../../src/usp/notify.js';
import type { Notify } from '../../src/usp/types.js';
import { withUspObjects } from '../../src/usp/index.js';
import { leaf, makeProfile, table } from '../datamodel/helpers.js';

export const CTL = 'self::ctl';
export const CTL2 = 'self::ctl2';

/** A manual clock: time moves only in advance(); due timers fire in order. */
export function manualClock(start = Date.UTC(2026, 0, 1)): Clock & { advance(ms: number): void } {
  let now = start;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 0;
  return {
    speed: 1,
    now: () => now,
    setTimer(fn: () => void, ms: number) {
      const id = next++;
      timers.push({ at: now + Math.max(0, ms), fn, id });
      return id;
    },
    clearTimer(h: unknown) {
      timers = timers.filter((t) => t.id !== h);
    },
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > end) break;
        timers.shift();
        now = Math.max(now, t.at);
        t.fn();
      }
      now = end;
    },
  };
}

const row = (specs: [string, XsdType, string, boolean][]): LeafDef[] => specs.map(([p, type, v, w]) => leaf(p, v, { type, writable: w }));
const S = 'xsd:string' as const;
const B = 'xsd:boolean' as const;

/** A FirmwareImage table (TR-181 2.19 DeviceInfo.FirmwareImage.{i}), which usp/mount.ts does not mount. */
export function firmwareObjects(): TableDef[] {
  return [
    table('Device.DeviceInfo.FirmwareImage.', 2, row([
      ['Name', S, '', false],
      ['Version', S, '', false],
      ['Available', B, 'false', true],
      ['Status', S, 'NoImage', false],
      ['BootFailureLog', S, '', false],
    ])),
  ];
}

/** `profile` with the LocalAgent objects as the agent mounts them (usp/mount.ts) and a FirmwareImage table. */
export function withLocalAgent(profile: Profile): Profile {
  const p = withUspObjects(profile, { mqtt: false, websocket: false });
  return { ...p, objects: [...p.objects, ...firmwareObjects()] };
}

/** {@link withLocalAgent} over the datamodel tests' profile, with Hosts, an IPPing object and two generators (a counter, a drift). */
export function uspProfile(over: Partial<Profile> = {}): Profile {
  const base = makeProfile();
  return withLocalAgent(makeProfile({
    parameters: [
      ...base.parameters,
      leaf('Device.LocalAgent.EndpointID', 'os::00D09E-LAB'),
      leaf('Device.IP.Diagnostics.IPPing.DiagnosticsState', 'None', { writable: true }),
      leaf('Device.IP.Diagnostics.IPPing.Host', '', { writable: true }),
      leaf('Device.IP.Diagnostics.IPPing.SuccessCount', '0', { type: 'xsd:unsignedInt' }),
      leaf('Device.DeviceInfo.ActiveFirmwareImage', 'Device.DeviceInfo.FirmwareImage.1'),
      leaf('Device.DeviceInfo.BootFirmwareImage', 'Device.DeviceInfo.FirmwareImage.1', { writable: true }),
      leaf('Device.WiFi.Radio.1.Stats.PacketsSent', '0', { type: 'xsd:unsignedInt' }),
      leaf('Device.WiFi.Radio.1.Stats.Noise', '-90', { type: 'xsd:int' }),
    ],
    generators: [
      { type: 'counter', path: 'Device.WiFi.Radio.1.Stats.PacketsSent', intervalMs: 60_000, min: 0, max: 1_000_000, step: 5, jitter: 0 },
      { type: 'drift', path: 'Device.WiFi.Radio.1.Stats.Noise', intervalMs: 60_000, min: -95, max: -85, stepMax: 3 },
    ],
    ...over,
  }));
}

/** One recorded send. */
export interface Sent {
  controllerId: string;
  notify: Notify;
  msgId: string;
}

/** Records every Notify; `mode` decides what a send_resp send does. */
export class RecordingNotifier implements NotificationSender {
  readonly endpointId = 'os::00D09E-LAB';
  readonly sent: Sent[] = [];
  /** ack: NotifyResp arrives; fail: timeout / MTP loss. */
  mode: 'ack' | 'fail' = 'ack';
  controllers(): readonly string[] {
    return [CTL, CTL2];
  }
  sendNotify(controllerId: string, notify: Notify, opts?: { msgId?: string }): Promise<void> {
    this.sent.push({ controllerId, notify: structuredClone(notify), msgId: opts?.msgId ?? '' });
    if (notify.send_resp && this.mode === 'fail') return Promise.reject(new Error('no NotifyResp in time'));
    return Promise.resolve();
  }
  /** The sends of one kind (`value_change`, `event` …). */
  of(kind: NonNullable<Notify['notification']>): Sent[] {
    return this.sent.filter((s) => s.notify.notification === kind);
  }
}

/** A device whose lifecycle the test drives; records what commands asked. */
export class FakeDevice implements UspDevice {
  up = true;
  version = '1.0.0';
  readonly calls: { what: 'reboot' | 'factoryReset' | 'activate'; boot: UspBootCause; version?: string; cwmp?: { rebootCommandKey?: string } }[] = [];
  private readonly listeners = new Set<(e: UspLifecycleEvent) => void>();
  diagnosticsList: { name: string; objectPath: string }[] = [];
  diagnosticRun: ((name: string, inputs: Record<string, string>) => Promise<UspDiagnosticResult>) | undefined;
  onLifecycle(l: (e: UspLifecycleEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(e: UspLifecycleEvent): void {
    this.up = e.kind === 'up';
    for (const l of [...this.listeners]) l(e);
  }
  reboot(boot: UspBootCause): void {
    this.calls.push({ what: 'reboot', boot });
  }
  factoryReset(boot: UspBootCause): void {
    this.calls.push({ what: 'factoryReset', boot });
  }
  activateFirmware(version: string, boot: UspBootCause, cwmp?: { rebootCommandKey?: string }): void {
    this.calls.push({ what: 'activate', boot, version, ...(cwmp ? { cwmp } : {}) });
    // The box boots into it (what the Cpe adapter writes to the version leaf while dark).
    this.version = version;
  }
  firmwareVersion(): string | undefined {
    return this.version;
  }
  /** What `idle()` answers (Activate() WhenIdle windows). */
  idleNow = true;
  idle(): boolean {
    return this.idleNow;
  }
  runDiagnostic(name: string, inputs: Record<string, string>): Promise<UspDiagnosticResult> {
    if (!this.diagnosticRun) return Promise.reject(new Error('no diagnostics'));
    return this.diagnosticRun(name, inputs);
  }
  diagnostics(): readonly { name: string; objectPath: string }[] {
    return this.diagnosticsList;
  }
}

export interface Rig {
  tree: ParameterTree;
  template: Template;
  clock: ReturnType<typeof manualClock>;
  scheduler: Scheduler;
  gens: GeneratorClock;
  notifier: RecordingNotifier;
  device: FakeDevice;
  usp: UspNotifications;
  /** Adds a subscription as a Controller's Add would (row, params, then the agent's afterAdd). */
  subscribe(p: { id?: string; notifType: string; ref: string; retry?: boolean; persistent?: boolean; ttl?: number; expiration?: number; enable?: boolean; controller?: string }): string;
}

/** A tree with the LocalAgent tables and notifications wired; `self::ctl` is Controller 1, `self::ctl2` Controller 2. */
export function rig(opts: { profile?: Profile; device?: FakeDevice; bootWithoutSubscription?: boolean; onBoardEveryStart?: boolean; logger?: Logger } = {}): Rig {
  const template = Template.compile(opts.profile ?? uspProfile());
  const clock = manualClock();
  const scheduler = new Scheduler(clock);
  const gens = new GeneratorClock(() => clock.now());
  const tree = createParameterTree(template, { index: 1, id: 'cpe-1', seed: 7n }, gens);
  // Controller 1 as mounted, a second one added; both onboarded (OnBoardRequest tests opt out).
  const second = `Device.LocalAgent.Controller.${tree.addObject('Device.LocalAgent.Controller.')}.`;
  for (const [row, id] of [['Device.LocalAgent.Controller.1.', CTL], [second, CTL2]] as const) {
    tree.setInternal(`${row}EndpointID`, id);
    tree.setInternal(`${row}OnBoardingComplete`, 'true');
  }
  const notifier = new RecordingNotifier();
  const device = opts.device ?? new FakeDevice();
  const usp = new UspNotifications({ tree, template, notifier, scheduler, random: streamFor(7n, 'cpe-1:usp'), device, generators: gens, bootWithoutSubscription: opts.bootWithoutSubscription, onBoardEveryStart: opts.onBoardEveryStart, logger: opts.logger });
  const subscribe: Rig['subscribe'] = (p) => {
    const path = `Device.LocalAgent.Subscription.${tree.addObject('Device.LocalAgent.Subscription.', 'usp')}.`;
    const entries = [
      { name: `${path}Enable`, value: String(p.enable ?? true) },
      { name: `${path}NotifType`, value: p.notifType },
      { name: `${path}ReferenceList`, value: p.ref },
      { name: `${path}NotifRetry`, value: String(p.retry ?? false) },
      { name: `${path}Persistent`, value: String(p.persistent ?? false) },
      { name: `${path}TimeToLive`, value: String(p.ttl ?? 0) },
      { name: `${path}NotifExpiration`, value: String(p.expiration ?? 0) },
      ...(p.id !== undefined ? [{ name: `${path}ID`, value: p.id }] : []),
    ];
    tree.setValues(entries, 'usp');
    usp.beforeCommit({ kind: 'add', objPath: path, params: Object.fromEntries(entries.map((e) => [e.name.slice(path.length), e.value])), controllerId: p.controller ?? CTL });
    return path;
  };
  return { tree, template, clock, scheduler, gens, notifier, device, usp, subscribe };
}

/** Lets queued promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** Waits (real time, bounded) until `pred` holds; fails with `what` otherwise. */
export async function until(pred: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
