// The `behaviour` block (cpe-sim's own; docs/misbehaving-devices.md): parsed into rules,
// every problem reported with its position.
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../src/profile/index.js';
import { isProfileError } from '../../src/errors/index.js';

const BASE = `deviceIdPaths:
  manufacturer: Device.DeviceInfo.Manufacturer
  oui: Device.DeviceInfo.ManufacturerOUI
  productClass: Device.DeviceInfo.ProductClass
  serialNumber: Device.DeviceInfo.SerialNumber
parameters:
  - {path: Device.DeviceInfo.Manufacturer, value: Example}
  - {path: Device.DeviceInfo.ManufacturerOUI, value: 00D09E}
  - {path: Device.DeviceInfo.ProductClass, value: HGW}
  - {path: Device.DeviceInfo.SerialNumber, value: SN}
`;

function problems(yaml: string): string {
  try {
    parseProfile(BASE + yaml, 'p.yaml');
  } catch (err) {
    if (isProfileError(err)) return err.message;
    throw err;
  }
  return '';
}

describe('behaviour block', () => {
  it('reads band, share and every quirk', () => {
    const p = parseProfile(
      BASE +
        `behaviour:
  - instances: "2-5"
    share: 0.5
    fault: {rpc: SetParameterValues, code: 9002, string: injected}
    delay: {ms: 250, rpc: GetParameterValues}
    dropCookies: true
    retryCount: 3
    closeBefore: empty
`,
      'p.yaml',
    );
    expect(p.behaviour).toEqual([
      {
        instances: { from: 2, to: 5 },
        share: 0.5,
        quirks: { fault: { rpc: 'SetParameterValues', code: 9002, string: 'injected' }, delay: { ms: 250, rpc: 'GetParameterValues' }, dropCookies: true, retryCount: 3, closeBefore: 'empty' },
      },
    ]);
  });

  it('reports each bad entry at its position', () => {
    const msg = problems(`behaviour:
  - dropCookie: true
  - fault: {rpc: SetParameterValues, code: 42}
  - share: 2
    wrongId: "not a name"
  - instances: "5-2"
    retryCount: -1
  - {}
`);
    expect(msg).toMatch(/p\.yaml:12:5: behaviour\[0\]\.dropCookie: unknown key "dropCookie" \(did you mean dropCookies\?\)/);
    expect(msg).not.toMatch(/behaviour\[0\]: names no quirk/);
    expect(msg).toMatch(/p\.yaml:13:\d+: behaviour\[1\]\.fault\.code: expected an integer from 9000 to 9899, found 42/);
    expect(msg).toMatch(/p\.yaml:14:\d+: behaviour\[2\]\.share: expected a number from 0 to 1, found 2/);
    expect(msg).toMatch(/p\.yaml:15:\d+: behaviour\[2\]\.wrongId: expected a message or RPC name/);
    expect(msg).toMatch(/p\.yaml:16:\d+: behaviour\[3\]\.instances: expected "N" or "N-M"/);
    expect(msg).toMatch(/p\.yaml:17:\d+: behaviour\[3\]\.retryCount: expected an integer/);
    expect(msg).toMatch(/behaviour\[4\]: names no quirk/);
  });
});
