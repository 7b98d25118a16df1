/**
 * Issue 20, as a user of the CLI meets it: hostile profiles and a URL with a password
 * end with exit 2 and one clear message, at once, and the password is never echoed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionRequest } from '../../src/acs/index.js';
import { summarize } from '../../src/cwmp/index.js';
import { createLogger, redactUrl } from '../../src/log/index.js';
import { run } from './io.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const DIGEST = `${root}fixtures/profiles/tr181-digest.yaml`;
const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('hostile profiles exit 2 with one named problem', () => {
  it('the 307-byte alias bomb of the study: refused at once with file:line:col', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [prev, cur] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi']) lines.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(',')}]`);
    const bomb = file('bomb.yaml', lines.join('\n') + '\n');
    const r = await run(['--profile', bomb]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bomb}:6:8: (yaml): aliases expand this document to more than 100,000 extra nodes`);
  });

  it('--max-profile-size lowers the limit; the message names it and how to raise it', async () => {
    const r = await run(['--profile', DIGEST, '--max-profile-size', '1KiB']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the file is 2\.\d KiB, more than the 1 KiB limit for a profile; raise it with --max-profile-size \(CPE_SIM_MAX_PROFILE_SIZE, config maxProfileSize\)/);
    const env = await run(['--profile', DIGEST], { CPE_SIM_MAX_PROFILE_SIZE: '2000' });
    expect(env.stderr).toMatch(/more than the 2000 bytes limit/);
    const bad = await run(['--profile', DIGEST, '--max-profile-size', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--max-profile-size: invalid value "lots": expected a size in bytes such as 4MiB');
  });

  it('--max-value-size bounds one value', async () => {
    const r = await run(['--profile', DIGEST, '--max-value-size', '4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/tr181-digest\.yaml:\d+:\d+: \(yaml\): a value of \d+ bytes is longer than the 4 bytes limit for one value/);
  });

  it('a realm with CR/LF is refused at load, named (it would answer every CR with 500)', async () => {
    const p = file('realm.yaml', readFileSync(DIGEST, 'utf8').replace('realm: cpe-sim', 'realm: "cpe\\r\\nsim"'));
    const r = await run(['--profile', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/realm\.yaml:\d+:10: connectionRequest\.realm: invalid realm "cpe\\r\\nsim": it contains a carriage return \(CR\) at offset 3/);
  });
});

describe('URL credentials are never echoed (issue 20 item 6)', () => {
  it.each([
    ['flag', ['--acs-url', 'http://acs:PW-f1@127.0.0.1:9/cwmp'], {}],
    ['env var', [], { CPE_SIM_ACS_URL: 'http://acs:PW-e1@127.0.0.1:9/cwmp' }],
    ['unparsable URL', ['--acs-url', 'http://acs:PW-u1@[nope/cwmp'], {}],
    ['password with an @', ['--acs-url', 'http://acs:PW@x1@127.0.0.1:9/cwmp'], {}],
  ])('--acs-url from a %s is refused without its password', async (_n, argv, env) => {
    const r = await run(['--profile', DIGEST, ...argv], env as Record<string, string>);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('acs:***@');
    expect(r.stderr).not.toMatch(/PW|x1@/);
  });

  it('redactUrl hides the password (or a lone userinfo) of every URL in a text', () => {
    expect(redactUrl('to "http://acs:PW@127.0.0.1:9/cwmp" and https://tok@h/x, not a@b.c')).toBe('to "http://acs:***@127.0.0.1:9/cwmp" and https://***@h/x, not a@b.c');
    expect(redactUrl('http://u:p@ss@h/')).toBe('http://u:***@h/');
  });

  it('log lines redact URLs in the message and in every field', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', write: (l) => lines.push(l) });
    log.info('fleet starting at http://acs:PW1@h/cwmp', { acs: 'http://acs:PW2@h/cwmp' });
    createLogger({ level: 'info', format: 'json', write: (l) => lines.push(l) }).warn('x', { url: 'http://acs:PW3@h/' });
    expect(lines.join('\n')).not.toMatch(/PW\d/);
    expect(lines[0]).toContain('http://acs:***@h/cwmp');
  });

  it('the CR client (a URL from an Inform) and transcript summaries do not show it either', async () => {
    await expect(connectionRequest('ftp://acs:PW@127.0.0.1:9/cr')).rejects.toThrow(/^Connection Request URL ftp:\/\/acs:\*\*\*@127\.0\.0\.1:9\/cr uses ftp:/);
    await expect(connectionRequest('http://acs:PW@[x/cr')).rejects.toThrow(/^Connection Request URL "http:\/\/acs:\*\*\*@\[x\/cr" is not a valid URL/);
    const line = summarize({ name: 'Download', commandKey: 'k', fileType: '1 Firmware Upgrade Image', url: 'http://u:PW@files/fw.bin', username: '', password: '', fileSize: 0, targetFileName: '', delaySeconds: 0, successURL: '', failureURL: '' });
    expect(line).toContain('http://u:***@files/fw.bin');
  });
});
