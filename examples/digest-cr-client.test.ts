// Example 1: your ACS's Digest Connection Request client, tested against a fleet.
// `sendConnectionRequest` stands for the code under test (in a real project it is
// imported from your ACS); cpe-sim plays the CPEs and checks the outcome.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect } from 'vitest';
import { withCpeFleet } from 'cpe-sim/vitest';

// ---- the code under test: a minimal RFC 7616 Digest (MD5, qop=auth) CR client ----
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

async function sendConnectionRequest(url: string, username: string, password: string): Promise<Response> {
  const challenge = await fetch(url);
  const header = challenge.headers.get('www-authenticate') ?? '';
  if (challenge.status !== 401 || !/^Digest /i.test(header)) return challenge;
  const param = (name: string) => new RegExp(`${name}="?([^",]*)"?`, 'i').exec(header)?.[1] ?? '';
  const realm = param('realm');
  const nonce = param('nonce');
  const uri = new URL(url).pathname;
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const ha1 = md5(`${username}:${realm}:${password}`);
  const ha2 = md5(`GET:${uri}`);
  const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  const authorization = `Digest username="${username}", realm="${realm}", nonce="${nonce}", uri="${uri}", qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", algorithm=MD5`;
  return fetch(url, { headers: { authorization } });
}

// ---- the tests -----------------------------------------------------------------------
const test = withCpeFleet({
  profile: 'tr181-hgw', // a shipped profile, by name (works in an installed project too)
  count: 3,
});

describe('Digest Connection Request client', () => {
  test('wakes exactly the CPE it addresses', async ({ fleet }) => {
    const cpe = fleet.cpe('cpe-2');
    const res = await sendConnectionRequest(cpe.crUrl!, 'cr-cpe-2', 'secret-cpe-2');

    expect(res).toBeAccepted();
    await expect(cpe).toHaveInformed('6 CONNECTION REQUEST');
    await expect(fleet).not.toHaveInformed('6 CONNECTION REQUEST', { cpe: 'cpe-1' });
  });

  test('is rejected with a Digest challenge when the password is wrong', async ({ fleet }) => {
    const cpe = fleet.cpe(1);
    const res = await sendConnectionRequest(cpe.crUrl!, 'cr-cpe-1', 'not-the-password');

    expect(res).toBeUnauthorized({ scheme: 'digest' });
    await expect(cpe).not.toHaveInformed('6 CONNECTION REQUEST', { timeout: 200 });
  });

  test('the ACS sees the session the CR started', async ({ fleet, acs }) => {
    expect(await sendConnectionRequest(fleet.cpe(3).crUrl!, 'cr-cpe-3', 'secret-cpe-3')).toBeAccepted();
    await expect(acs).toHaveInformed('6 CONNECTION REQUEST', { cpe: 'cpe-3' });
  });
});
