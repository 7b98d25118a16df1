// `cpe-sim --usp-broker` without --acs-url: a USP-only daemon (the seed's behaviour), each
// CPE an agent announcing itself to the Controller over a real broker on 127.0.0.1.
import { afterEach, expect, it } from 'vitest';
import { RawController, startAedes } from '../usp/agent-harness.js';
import { start } from './io.js';

const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined);
});

it('--usp-broker without --acs-url runs USP-only agents until stopped, with the seed\'s endpoint id form and controller id', async () => {
  const broker = await startAedes();
  open.push(broker);
  const ctl = await RawController.connect(broker.port, 4);
  open.push(ctl);
  const r = start(['--profile', 'tr181-digest', '--count', '2', '--usp-broker', `127.0.0.1:${broker.port}`, '--usp-controller-id', 'self::ctl', '--usp-endpoint-id-format', 'cpe-labs'], { CPE_SIM_USP_MQTT_VERSION: '3.1.1' });
  await r.waitFor(/running in daemon mode \(USP agents running\)/, 'stderr');
  await expect.poll(() => ctl.inbox.filter((x) => x.record.record_type === 'mqtt_connect').map((x) => x.record.to_id)).toEqual(['self::ctl', 'self::ctl']);
  expect(ctl.inbox.every((x) => /^os::[0-9A-F]{6}[^-]/.test(x.record.from_id))).toBe(true);
  // No CWMP: nothing was printed by an embedded ACS.
  expect(r.stdout).toBe('');
  r.stop();
  expect(await r.done).toBe(0);
  // Stopping says goodbye: a Disconnect record from each agent.
  await expect.poll(() => ctl.inbox.filter((x) => x.record.record_type === 'disconnect').length).toBe(2);
});
