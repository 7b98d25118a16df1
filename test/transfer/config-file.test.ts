import { describe, expect, it } from 'vitest';
import { formatConfigFile, parseConfigFile } from '../../src/transfer/index.js';

describe('vendor configuration file (CWMP Upload, USP Backup()/Restore())', () => {
  it('round-trips values, a tab inside a value and CRLF line ends included', () => {
    const values = [
      { name: 'Device.A', type: 'xsd:string', value: 'x\ty' },
      { name: 'Device.B', type: 'xsd:unsignedInt', value: '7' },
      { name: 'Device.C', type: 'xsd:string', value: '' },
    ];
    const text = formatConfigFile(values);
    expect(text).toBe('Device.A\txsd:string\tx\ty\nDevice.B\txsd:unsignedInt\t7\nDevice.C\txsd:string\t\n');
    expect(parseConfigFile(text)).toEqual(values);
    expect(parseConfigFile(text.replace(/\n/g, '\r\n'))).toEqual(values);
  });

  it('names the first line that is not Name<TAB>type<TAB>value', () => {
    expect(() => parseConfigFile('Device.A\txsd:string\tok\n\nnot a config line\n')).toThrow(/line 3 is not Name<TAB>type<TAB>value: "not a config line"/);
    expect(() => parseConfigFile('\tno-name\tv')).toThrow(/line 1/);
  });
});
