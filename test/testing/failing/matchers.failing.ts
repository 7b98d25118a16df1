// Every test here FAILS on purpose: failure-output.int.test.ts runs this file in a
// child Vitest and checks the failure messages and the transcript printed by
// onTestFailed. The messages are also the samples quoted in docs/testing.md.
import { fileURLToPath } from 'node:url';
import { expect, test as plain } from 'vitest';
import { createCpeFleet, uspControllerOf, withCpeFleet } from '../../../src/testing/vitest.js';

const profile = fileURLToPath(new URL('../../../fixtures/profiles/tr181-hgw.yaml', import.meta.url));
const test = withCpeFleet({ profile, count: 2 });
const cr = (n: number) => ({ username: `cr-cpe-${n}`, password: `secret-cpe-${n}` });

test('F1 toHaveInformed', async ({ fleet, acs }) => {
  expect(await acs.connectionRequest(fleet.cpe(2).crUrl!, cr(2))).toBeAccepted();
  await expect(fleet.cpe(2)).toHaveInformed('6 CONNECTION REQUEST');
  await expect(fleet).toHaveInformed('2 PERIODIC', { cpe: 'cpe-2', timeout: 100 });
});

test('F2 not.toHaveInformed', async ({ fleet }) => {
  await expect(fleet.cpe(1)).not.toHaveInformed('0 BOOTSTRAP');
});

test('F3 toHaveReceivedRpc', async ({ fleet, acs }) => {
  const gpv = acs.rpc('cpe-1', { name: 'GetParameterValues', parameterNames: ['Device.DeviceInfo.SoftwareVersion'] }, { timeoutMs: 5000 });
  expect(await acs.connectionRequest(fleet.cpe(1).crUrl!, cr(1))).toBeAccepted();
  await gpv;
  await expect(fleet.cpe(1)).toHaveReceivedRpc('GetParameterValues', { parameterNames: ['Device.DeviceInfo.SoftwareVersion'] });
  await expect(fleet.cpe(1)).toHaveReceivedRpc('SetParameterValues', { parameterList: [{ name: 'Device.ManagementServer.PeriodicInformInterval', value: '60' }] }, { timeout: 100 });
});

test('F4 toHaveParameterValue', async ({ fleet }) => {
  expect(fleet.cpe(1)).toHaveParameterValue('Device.DeviceInfo.SoftwareVersion', '2.0.0');
});

test('F5 toHaveCompletedSessions', async ({ fleet }) => {
  expect(fleet).toHaveCompletedSessions(3);
});

test('F6 toBeThrottled', async ({ fleet, acs }) => {
  expect(await acs.connectionRequest(fleet.cpe(1).crUrl!, cr(1))).toBeThrottled({ retryAfter: 5 });
});

test('F7 toBeUnauthorized', async ({ fleet }) => {
  expect(await fetch(fleet.cpe(1).crUrl!)).toBeUnauthorized({ scheme: 'basic' });
});

test('F8 toBeAccepted', async ({ fleet, acs }) => {
  expect(await acs.connectionRequest(fleet.cpe(1).crUrl!, { username: 'cr-cpe-1', password: 'wrong' })).toBeAccepted();
});

plain('F9 createCpeFleet prints the transcript too', async () => {
  const fleet = await createCpeFleet({ profile, count: 1 });
  await expect(fleet.cpe(1)).toHaveInformed('6 CONNECTION REQUEST', { timeout: 50 });
});

plain('F10 USP: a failing test prints the USP transcript', async () => {
  const fleet = await createCpeFleet({ profile, count: 1, usp: true });
  const controller = uspControllerOf(fleet);
  await controller.getValues('cpe-1', 'Device.DeviceInfo.SoftwareVersion');
  await expect(controller).toHaveValueChange('Device.DeviceInfo.SoftwareVersion', '9.9.9', { agent: 'cpe-1', timeout: 50 });
});
