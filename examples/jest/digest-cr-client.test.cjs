// Example 5: example 1 in Jest (CommonJS). `sendConnectionRequest` stands for your
// ACS's Digest Connection Request client; cpe-sim plays the CPEs.
const { createHash, randomBytes } = require('node:crypto');
const { useCpeFleet } = require('cpe-sim/jest');

// ---- the code under test: a minimal RFC 7616 Digest (MD5, qop=auth) CR client ----
const md5 = (s) => createHash('md5').update(s).digest('hex');

async function sendConnectionRequest(url, username, password) {
  const challenge = await fetch(url);
  const header = challenge.headers.get('www-authenticate') ?? '';
  if (challenge.status !== 401 || !/^Digest /i.test(header)) return challenge;
  const param = (name) => new RegExp(`${name}="?([^",]*)"?`, 'i').exec(header)?.[1] ?? '';
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
describe('Digest Connection Request client', () => {
  const sim = useCpeFleet({ profile: 'tr181-hgw', count: 3 });

  test('wakes exactly the CPE it addresses', async () => {
    const cpe = sim.fleet.cpe('cpe-2');
    const res = await sendConnectionRequest(cpe.crUrl, 'cr-cpe-2', 'secret-cpe-2');

    expect(res).toBeAccepted();
    await expect(cpe).toHaveInformed('6 CONNECTION REQUEST');
    await expect(sim.fleet).not.toHaveInformed('6 CONNECTION REQUEST', { cpe: 'cpe-1' });
  });

  test('is rejected with a Digest challenge when the password is wrong', async () => {
    const cpe = sim.fleet.cpe(1);
    const res = await sendConnectionRequest(cpe.crUrl, 'cr-cpe-1', 'not-the-password');

    expect(res).toBeUnauthorized({ scheme: 'digest' });
    await expect(cpe).not.toHaveInformed('6 CONNECTION REQUEST', { timeout: 200 });
  });

  test('the ACS sees the session the CR started', async () => {
    expect(await sendConnectionRequest(sim.fleet.cpe(3).crUrl, 'cr-cpe-3', 'secret-cpe-3')).toBeAccepted();
    await expect(sim.acs).toHaveInformed('6 CONNECTION REQUEST', { cpe: 'cpe-3' });
  });
});
