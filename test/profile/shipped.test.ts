// Shipped profiles by name (issue 18 item 3): `fixtures/profiles/…` paths exist in this
// repository only; a name works in an installed project too.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProfile, shippedProfileNames, shippedProfilePath } from '../../src/profile/index.js';

const dir = fileURLToPath(new URL('../../fixtures/profiles/', import.meta.url));

describe('shipped profiles', () => {
  it('every fixtures/profiles/*.yaml is listed by name', () => {
    const files = readdirSync(dir).filter((n) => n.endsWith('.yaml')).map((n) => n.replace(/\.yaml$/, '')).sort();
    expect(shippedProfileNames()).toEqual(files);
    expect(files).toEqual(expect.arrayContaining(['tr181-digest', 'tr181-hgw', 'tr098-basic']));
  });

  it('loadProfile takes a shipped name', async () => {
    const p = await loadProfile('tr181-digest');
    expect(p.source).toBe(`${dir}tr181-digest.yaml`);
    expect(p.fleet.count).toBe(3);
    expect(shippedProfilePath('tr181-hgw')).toBe(`${dir}tr181-hgw.yaml`);
  });

  it('only bare names are names: paths and file names stay paths', () => {
    expect(shippedProfilePath('tr181-digest.yaml')).toBeUndefined();
    expect(shippedProfilePath('./tr181-digest')).toBeUndefined();
    expect(shippedProfilePath('no-such-profile')).toBeUndefined();
  });

  it('a profile that is not found names the working directory and lists the shipped names', async () => {
    const err = await loadProfile('tr181-digst').catch((e: Error) => e);
    expect(String(err)).toContain('tr181-digst: (file): cannot read the profile: ENOENT');
    expect(String(err)).toContain(`looked for relative to ${process.cwd()}`);
    expect(String(err)).toMatch(/shipped profiles, usable by name: .*tr181-digest, tr181-hgw/);
  });
});
