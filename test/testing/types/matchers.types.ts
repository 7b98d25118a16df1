// Compile-only type test (checked by `tsc --noEmit` in `npm test`, never executed):
// proves the Vitest and the Jest module augmentations both type cpe-sim's matchers,
// and that wrong calls do not compile. If an augmentation broke, the plain calls
// below would fail ("Property 'toHaveInformed' does not exist") and the
// expect-error directives would become "unused directive" errors.
import { expect, expectTypeOf } from 'vitest';
import { expect as jestExpect } from '@jest/globals';
import type { CrResult, Cpe, Fleet, FakeAcs, FakeUspController } from '../../../src/testing/vitest.js';
import type { Fault, GetParameterValuesResponse, RebootResponse } from '../../../src/index.js';
import type {} from '../../../src/testing/jest.js';

declare const cpe: Cpe;
declare const fleet: Fleet;
declare const acs: FakeAcs;
declare const res: CrResult;
declare const controller: FakeUspController;

export async function vitestTypes(): Promise<void> {
  await expect(cpe).toHaveInformed('6 CONNECTION REQUEST', { timeout: 500, times: 1, since: Date.now() });
  await expect(fleet).toHaveInformed(expect.stringMatching(/BOOT/), { cpe: 'cpe-3' });
  await expect(acs).not.toHaveInformed('1 BOOT');
  await expect(cpe).toHaveReceivedRpc('SetParameterValues', { parameterList: [{ name: 'Device.X', value: expect.any(String) }] });
  await expect(cpe).toHaveCompletedDiagnostic('IPPing', { timeout: 500 });
  expect(cpe).toHaveParameterValue('Device.DeviceInfo.SoftwareVersion', '1.0.0');
  expect(fleet).toHaveCompletedSessions(3);
  expect(res).toBeThrottled({ retryAfter: 5 });
  expect(res).toBeUnauthorized({ scheme: 'digest' });
  expect(res).not.toBeAccepted();
  expect(cpe).toHaveCompletedTransfer({ commandKey: 'fw-1', faultCode: 0 });
  expect(fleet).not.toHaveCompletedTransfer({ faultCode: expect.any(Number) });
  expect(cpe).toHaveFirmware('7.2.1');
  expect(cpe).toHaveInstalledModule('demo-app');
  expect(cpe).not.toHaveInstalledModule(expect.stringMatching(/^demo/), { version: '2.0.0', vendor: expect.any(String) });
  // @ts-expect-error the second argument is an object of fields, not a version string
  expect(cpe).toHaveInstalledModule('demo-app', '2.0.0');
  // The async matchers return promises (they must be awaited); the others do not.
  // (A Promise of the received value with Vitest alone; of void when @types/jest's global
  // Matchers, which Vitest's assertions extend too, are augmented in the same program, as here.)
  expectTypeOf(expect(cpe).toHaveInformed('1 BOOT')).toExtend<PromiseLike<unknown>>();
  expectTypeOf(expect(res).toBeAccepted()).not.toEqualTypeOf<Promise<CrResult>>();

  // @ts-expect-error a misspelt RPC name does not compile (issue 18)
  await expect(cpe).toHaveReceivedRpc('GetParameterVals');
  await expect(cpe).toHaveReceivedRpc(expect.stringMatching(/^Get/));
  // acs.rpc is narrowed by the request: the response of THAT RPC, or a Fault.
  const gpv = await acs.rpc('cpe-1', { name: 'GetParameterValues', parameterNames: ['Device.'] });
  expectTypeOf(gpv).toEqualTypeOf<GetParameterValuesResponse | Fault>();
  if (gpv.name === 'GetParameterValuesResponse') expectTypeOf(gpv.parameterList).toBeArray();
  expectTypeOf(await acs.rpc('cpe-1', { name: 'Reboot', commandKey: 'k' })).toEqualTypeOf<RebootResponse | Fault>();
  // @ts-expect-error a misspelt request name does not compile either
  await acs.rpc('cpe-1', { name: 'GetParameterVals', parameterNames: [] });

  // @ts-expect-error an event code is a string (or an asymmetric matcher), not a number
  await expect(cpe).toHaveInformed(6);
  // @ts-expect-error unknown option
  await expect(cpe).toHaveInformed('1 BOOT', { within: 5 });
  // @ts-expect-error Retry-After is whole seconds
  expect(res).toBeThrottled({ retryAfter: '5' });
  // @ts-expect-error a fault code is a number
  expect(cpe).toHaveCompletedTransfer({ faultCode: '9010' });
  // @ts-expect-error a firmware version is a string
  expect(cpe).toHaveFirmware(721);
  // @ts-expect-error CR auth is basic or digest
  expect(res).toBeUnauthorized({ scheme: 'ntlm' });

  // USP (issue 21): on the fake Controller.
  await expect(controller).toHaveNotified('Boot!', { agent: 'cpe-1', notify: { event: { params: { Cause: 'LocalReboot' } } }, timeout: 500 });
  await expect(controller).toHaveValueChange('Device.WiFi.SSID.1.SSID', expect.stringMatching(/lab/), { agent: 2, times: 1 });
  await expect(controller.get('cpe-1', 'Device.Nope.')).rejects.toBeUspError(7026);
  expectTypeOf(expect(controller).toHaveNotified('Boot!')).toExtend<PromiseLike<unknown>>();
  // @ts-expect-error the agent option is an EID, an alias or a CPE number
  await expect(controller).toHaveNotified('Boot!', { agent: true });
  // @ts-expect-error an err_code is a number
  expect(new Error('x')).toBeUspError('7026');
}

export async function jestTypes(): Promise<void> {
  await jestExpect(cpe).toHaveInformed('6 CONNECTION REQUEST', { timeout: 500 });
  await jestExpect(cpe).toHaveCompletedDiagnostic('IPPing');
  await jestExpect(fleet).toHaveReceivedRpc('GetParameterValues');
  jestExpect(cpe).toHaveParameterValue('Device.DeviceInfo.SoftwareVersion', jestExpect.stringMatching(/^1/));
  jestExpect(res).toBeThrottled();
  jestExpect(res).not.toBeUnauthorized({ scheme: 'basic' });
  jestExpect(cpe).toHaveCompletedSessions(1);
  jestExpect(res).toBeAccepted();
  jestExpect(cpe).toHaveCompletedTransfer({ commandKey: jestExpect.stringMatching(/^fw/), faultCode: 9010 });
  jestExpect(cpe).toHaveFirmware('7.2.1');
  jestExpect(cpe).toHaveInstalledModule('demo-app', { version: '1.0.0' });

  // @ts-expect-error RPC names are typed under Jest too
  await jestExpect(cpe).toHaveReceivedRpc('GetParameterVals');
  // @ts-expect-error unknown field
  jestExpect(cpe).toHaveCompletedTransfer({ key: 'fw-1' });
  // @ts-expect-error toHaveCompletedSessions takes a count
  jestExpect(cpe).toHaveCompletedSessions('one');
  // @ts-expect-error toBeAccepted takes no argument
  jestExpect(res).toBeAccepted(200);

  await jestExpect(controller).toHaveNotified('ValueChange', { agent: 'cpe-1' });
  await jestExpect(controller).toHaveValueChange('Device.X');
  jestExpect(new Error('x')).not.toBeUspError(7026);
  // @ts-expect-error toHaveNotified needs what to look for
  await jestExpect(controller).toHaveNotified();
}
