// USP agents (issue 21): a USP-only fleet of N tr181-minimal CPEs, each a TR-369 Agent with
// its own MQTT 5.0 client on one Mosquitto (a child process: 10,000 broker-side sockets
// would not fit this process's descriptors next to the agents' own). Memory after every
// agent's MTP is up, per agent; then Notify throughput: every agent sends `notifies`
// ValueChange Notifies (send_resp false) and one Controller client counts them arriving;
// with `periodicS`, every agent then gets an Event subscription on Device.LocalAgent.Periodic!
// with PeriodicNotifInterval = periodicS, and the Controller counts `periodicRounds` rounds.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../build.mjs';
import { round, settledMemory } from '../lib/harness.mjs';

export const measures =
  'USP agents: startFleet({ tr181-minimal, count: N, usp: { broker: a child-process Mosquitto, mqttVersion 5 }, USP only (no CWMP) }) until every agent\'s MQTT MTP is up (connected, subscribed, mqtt_connect sent); RSS/heap after two full GCs and a pause, bytes per agent = (after - before)/N; then each agent sends `notifies` Notify records (send_resp false) and a Controller client on usp/v1/controller/# counts them: notifiesPerS = N·notifies / time until the last arrived. periodicS > 0: each agent\'s Controller.1 gets PeriodicNotifInterval = periodicS and a Periodic! Event subscription; heap growth per subscribed agent (its one scheduler job included), and periodicPerS = Periodic! Notifies counted over periodicRounds intervals / that time.';

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => spawnSync('test', ['-x', p]).status === 0);

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startMosquitto() {
  if (!MOSQUITTO) throw new Error('mosquitto is not installed (apt-get install -y mosquitto)');
  const dir = mkdtempSync(join(tmpdir(), 'bench-mosquitto-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_connections -1\nmax_queued_messages 0\nmax_inflight_messages 0\nlog_dest none\n`, { mode: 0o644 });
  const proc = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    stop() {
      proc.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Subscribes one agent's Controller.1 to Device.LocalAgent.Periodic! the way a Controller's
 * Add would leave the row (Recipient is the agent's to fill; written here as the agent does).
 */
function subscribePeriodic(cpe, periodicS) {
  const t = cpe.params;
  const row = `Device.LocalAgent.Subscription.${t.addObject('Device.LocalAgent.Subscription.', 'usp')}.`;
  t.setValues([
    { name: 'Device.LocalAgent.Controller.1.PeriodicNotifInterval', value: String(periodicS) },
    { name: `${row}ID`, value: 'periodic' },
    { name: `${row}NotifType`, value: 'Event' },
    { name: `${row}ReferenceList`, value: 'Device.LocalAgent.Periodic!' },
    { name: `${row}Enable`, value: 'true' },
  ], 'usp');
  t.setInternal(`${row}Recipient`, 'Device.LocalAgent.Controller.1');
}

export async function run(lib, { n, notifies = 5, periodicS = 0, periodicRounds = 3 }) {
  lib.disableAllocationSitePretenuring();
  const broker = await startMosquitto();
  try {
    const loaded = await lib.loadProfile(join(ROOT, 'fixtures/profiles/tr181-minimal'));
    const profile = { ...loaded, eventSchedule: { ...loaded.eventSchedule, bootDelayMs: 0, bootRampMs: 0 } };
    const { default: mqtt } = await import('mqtt');
    const ctl = await mqtt.connectAsync({ host: '127.0.0.1', port: broker.port, protocolVersion: 5, clientId: 'bench-controller', reconnectPeriod: 0 });
    // QoS 1 and an unbounded queue: 50,000 Notifies in a burst must not be dropped by the broker on the way to the one subscriber.
    await ctl.subscribeAsync('usp/v1/controller/#', { qos: 1 });
    let received = 0;
    let lastAt = 0n;
    ctl.on('message', () => {
      received++;
      lastAt = process.hrtime.bigint();
    });
    const before = await settledMemory();
    const t0 = process.hrtime.bigint();
    const fleet = await lib.startFleet({ profile, count: n, cwmp: false, cr: false, usp: { broker: `127.0.0.1:${broker.port}`, mqttVersion: '5', onlineTimeoutMs: 120_000 }, waitFor: 'bootstrap' });
    const upMs = Number(process.hrtime.bigint() - t0) / 1e6;
    try {
      const online = fleet.uspAgents.filter((a) => a.online).length;
      if (online < n) throw new Error(`${n - online} of ${n} agents are not online`);
      const after = await settledMemory();
      // Connect records are in; count only the Notifies from here.
      await new Promise((r) => setTimeout(r, 500));
      received = 0;
      const t1 = process.hrtime.bigint();
      const sends = [];
      for (const a of fleet.uspAgents) {
        const [ctlId] = a.controllers();
        for (let k = 0; k < notifies; k++) sends.push(a.sendNotify(ctlId, { subscription_id: 'bench', send_resp: false, value_change: { param_path: 'Device.DeviceInfo.UpTime', param_value: String(k) } }));
      }
      await Promise.all(sends);
      const want = n * notifies;
      const deadline = Date.now() + 120_000;
      while (received < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (received < want) throw new Error(`the Controller received ${received} of ${want} Notifies (memory once up: ${after.rssMiB} MiB RSS, ${Math.round((after.rss - before.rss) / n)} B/agent)`);
      const notifyMs = Number(lastAt - t1) / 1e6;
      const periodic = {};
      if (periodicS > 0) {
        for (const cpe of fleet.cpes) subscribePeriodic(cpe, periodicS);
        const subscribed = await settledMemory();
        // Count from a round boundary on: the grid is each agent's own start, so ticks spread over the interval.
        received = 0;
        const t2 = process.hrtime.bigint();
        await new Promise((r) => setTimeout(r, periodicS * 1000 * periodicRounds));
        const windowMs = Number(process.hrtime.bigint() - t2) / 1e6;
        Object.assign(periodic, {
          periodicS,
          periodicBytesPerAgentHeap: Math.round((subscribed.heapUsed - after.heapUsed) / n),
          periodicNotifies: received,
          periodicExpected: n * periodicRounds,
          periodicPerS: Math.round(received / (windowMs / 1000)),
        });
      }
      return {
        n,
        upMs: round(upMs, 0),
        rssMiB: after.rssMiB,
        heapUsedMiB: after.heapUsedMiB,
        bytesPerAgentRss: Math.round((after.rss - before.rss) / n),
        bytesPerAgentHeap: Math.round((after.heapUsed - before.heapUsed) / n),
        notifies: want,
        notifyMs: round(notifyMs, 0),
        notifiesPerS: Math.round(want / (notifyMs / 1000)),
        ...periodic,
      };
    } finally {
      await fleet.close();
      await ctl.endAsync(true);
    }
  } finally {
    broker.stop();
  }
}
