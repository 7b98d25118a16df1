// The fixtures' `usp` option is checked when the file is collected, like every other
// option: a typo fails clearly instead of starting a fleet without USP.
import { describe, expect, it } from 'vitest';
import { checkFleetOptions, toFleetOptions } from '../../src/testing/options.js';
import { uspControllerOf } from '../../src/testing/usp.js';
import type { Fleet } from '../../src/fleet/index.js';

describe('the usp fixture option', () => {
  it('takes true, false or { mtp, controller }', () => {
    for (const usp of [true, false, {}, { mtp: 'mqtt' }, { mtp: 'mqtt-websocket' }, { mtp: 'websocket' }, { controller: { endpointId: 'self::x' } }]) {
      expect(() => checkFleetOptions({ profile: 'tr181-hgw', usp }, 'withCpeFleet')).not.toThrow();
    }
  });

  it('names what is wrong', () => {
    expect(() => checkFleetOptions({ profile: 'tr181-hgw', usp: 'yes' }, 'withCpeFleet')).toThrow(/withCpeFleet: usp must be true or an object such as \{ mtp: 'websocket' \}, got "yes"/);
    expect(() => checkFleetOptions({ profile: 'tr181-hgw', usp: { mtp: 'stomp' } }, 'withCpeFleet')).toThrow(/usp\.mtp must be 'mqtt', 'mqtt-websocket' or 'websocket', got "stomp"/);
    expect(() => checkFleetOptions({ profile: 'tr181-hgw', usp: { broker: 'x' } }, 'useCpeFleet')).toThrow(/useCpeFleet: unknown usp option\(s\) "broker"; valid: mtp, controller/);
  });

  it('is the fixture\'s own: startFleet gets its usp from the started Controller, not from the option', async () => {
    const out = await toFleetOptions({ profile: 'tr181-hgw', usp: true });
    expect(out.usp).toBeUndefined();
  });

  it('uspControllerOf a fleet started without usp says how to get one', () => {
    expect(() => uspControllerOf({} as Fleet)).toThrow(/exists only when the fleet is started with \{ usp: true \}/);
  });
});
