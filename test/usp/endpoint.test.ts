import { describe, expect, it } from 'vitest';
import { createParameterTree, Template } from '../../src/datamodel/index.js';
import { ConfigError } from '../../src/errors/index.js';
import { profileFromObject } from '../../src/profile/index.js';
import { encodeInstanceIdPart, endpointIdOf, osEndpointId } from '../../src/usp/index.js';
import { tr181Profile } from '../support/profile.js';

describe('USP endpoint ids (TR-369 §2.2.2, usp-notes §2)', () => {
  it('builds os::<OUI>-<Serial> in the spec form and os::<OUI><Serial> in the seed form', () => {
    expect(osEndpointId('00256D', '0123456789')).toBe('os::00256D-0123456789');
    expect(osEndpointId('ECFC2F', 'XU2033K7Q2M4RB', 'cpe-labs')).toBe('os::ECFC2FXU2033K7Q2M4RB');
  });

  it('percent-encodes what the instance-id alphabet lacks, % included, in upper-case hex', () => {
    expect(encodeInstanceIdPart('A-b.c_9')).toBe('A-b.c_9');
    expect(encodeInstanceIdPart('SN 1/2:%')).toBe('SN%201%2F2%3A%25');
    expect(encodeInstanceIdPart('é')).toBe('%C3%A9');
    expect(osEndpointId('00256D', 'a/b')).toBe('os::00256D-a%2Fb');
  });

  it('refuses an instance-id over 50 characters, and empty parts, naming them', () => {
    expect(osEndpointId('00256D', 'x'.repeat(43))).toHaveLength(4 + 50);
    expect(() => osEndpointId('00256D', 'x'.repeat(44))).toThrow(/at most 50 characters.*got 51/);
    expect(() => osEndpointId('', 'SN')).toThrow(ConfigError);
    expect(() => osEndpointId('00256D', 'SN', 'other' as 'spec')).toThrow(/"spec" or "cpe-labs"/);
  });

  it("reads the OUI and the stamped serial from the CPE's tree through deviceIdPaths", () => {
    const template = Template.compile(profileFromObject(tr181Profile('SN', 3, []), '<test>'));
    const tree = createParameterTree(template, { index: 2, id: 'cpe-2' });
    expect(endpointIdOf(tree, template.profile)).toBe(`os::00D09E-${tree.getValue('Device.DeviceInfo.SerialNumber')}`);
    expect(endpointIdOf(tree, template.profile)).toBe('os::00D09E-SN-2');
    expect(endpointIdOf(tree, template.profile, 'cpe-labs')).toBe('os::00D09ESN-2');
  });
});
