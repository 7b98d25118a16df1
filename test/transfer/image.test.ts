import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ImageInspector, compareVersions, versionFromHead, versionFromUrl, checkTransferUrl } from '../../src/transfer/index.js';

describe('versionFromUrl (ref §7.2, fetch: false)', () => {
  it.each([
    ['http://h/fw/gw-7.2.1.img', 'gw-7.2.1'],
    ['http://h/fw/7.2.1', '7.2.1'],
    ['http://h/gw.tar.gz', 'gw.tar'],
    ['http://h/gw-7.2.1.img?sig=1.bin', 'gw-7.2.1'],
    ['http://h/.img', undefined],
    ['http://h/fw/', undefined],
    ['http://h', undefined],
  ])('%s → %s', (url, v) => expect(versionFromUrl(url)).toBe(v));
});

describe('versionFromHead (ref §7.2, fetch: true)', () => {
  it('the first line starting with the header decides, trimmed; an empty rest is no version', () => {
    expect(versionFromHead(Buffer.from('junk\n  cpe-labs-firmware-version:  7.2.1 \ncpe-labs-firmware-version: 9\n'))).toBe('7.2.1');
    expect(versionFromHead(Buffer.from('cpe-labs-firmware-version:\ncpe-labs-firmware-version: 9\n'))).toBeUndefined();
    expect(versionFromHead(Buffer.from('no header here'))).toBeUndefined();
  });
  it('looks only at the first 64 KiB', () => {
    const late = Buffer.concat([Buffer.alloc(65_536, 0x41), Buffer.from('\ncpe-labs-firmware-version: 1\n')]);
    expect(versionFromHead(late)).toBeUndefined();
  });
});

describe('ImageInspector', () => {
  it('hashes the payload after the empty line across chunk borders, keeping only the head', () => {
    const payload = Buffer.alloc(200_000, 7);
    const sha = createHash('sha256').update(payload).digest('hex');
    const img = Buffer.concat([Buffer.from(`cpe-labs-firmware-version: 2.0\ncpe-labs-firmware-sha256: ${sha}\n\n`), payload]);
    const insp = new ImageInspector();
    for (let i = 0; i < img.length; i += 1000) insp.write(img.subarray(i, i + 1000));
    expect(insp.finish()).toEqual({ version: '2.0', declaredSha256: sha, sha256: sha, bytes: img.length });
  });
  it('a small image (all of it in the head) is inspected too', () => {
    const insp = new ImageInspector();
    insp.write(Buffer.from('cpe-labs-firmware-version: 1\n\nabc'));
    expect(insp.finish()).toMatchObject({ version: '1', sha256: createHash('sha256').update('abc').digest('hex') });
  });
});

describe('compareVersions', () => {
  it('numeric parts compare as numbers', () => {
    expect(compareVersions('7.10.0', '7.9.9')).toBeGreaterThan(0);
    expect(compareVersions('7.2.1', '7.2.1')).toBe(0);
    expect(compareVersions('7.2', '7.2.1')).toBeLessThan(0);
    expect(compareVersions('7.2-rc1', '7.2-rc2')).toBeLessThan(0);
  });
});

describe('checkTransferUrl', () => {
  it('accepts http/https/ftp, refuses userinfo (9003) and other schemes (9013)', () => {
    expect(checkTransferUrl('https://h/x').href).toBe('https://h/x');
    expect(checkTransferUrl('ftp://h/x').href).toBe('ftp://h/x');
    expect(() => checkTransferUrl('http://u@h/x')).toThrow(expect.objectContaining({ faultCode: 9003 }));
    expect(() => checkTransferUrl('gopher://h/x')).toThrow(expect.objectContaining({ faultCode: 9013 }));
    expect(() => checkTransferUrl('tftp://h/x')).toThrow(expect.objectContaining({ faultCode: 9013 }));
    expect(() => checkTransferUrl('/relative')).toThrow(expect.objectContaining({ faultCode: 9003 }));
  });
});
