const { CwmpFault, isCwmpFault } = require('cpe-sim');

test('the CJS build loads under Jest and its error classes work', () => {
  const f = new CwmpFault(9008);
  expect(isCwmpFault(f)).toBe(true);
  expect(f.faultString).toBe('Attempt to set a non-writable parameter');
});

test('require("cpe-sim") alone registers the matchers on Jest\'s expect', () => {
  // No require('cpe-sim/jest') in this file: without the registration this is
  // "expect(...).toBeAccepted is not a function".
  expect({ status: 204 }).toBeAccepted();
  expect({ status: 401, headers: {} }).not.toBeAccepted();
});

test('the admin entry (fastify, prom-client) loads from the CJS build and serves a fleet', async () => {
  const { startFleet } = require('cpe-sim');
  const { startAdminServer } = require('cpe-sim/admin');
  const fleet = await startFleet({ profile: 'tr181-digest', count: 1 });
  try {
    const admin = await startAdminServer(fleet);
    try {
      const res = await fetch(`${admin.url}/cpes/cpe-1`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ id: 'cpe-1', state: 'idle' });
    } finally {
      await admin.close();
    }
  } finally {
    await fleet.close();
  }
});

test('the USP codec (protobufjs) loads from the CJS build and decodes a golden Error Msg', () => {
  const { decodeMsg, encodeMsg, errorMsg } = require('cpe-sim');
  const golden = '0a030a0139120a1a080d591b0000120178';
  expect(Buffer.from(encodeMsg(errorMsg('9', 7001, 'x'))).toString('hex')).toBe(golden);
  expect(decodeMsg(Buffer.from(golden, 'hex')).body.error.err_code).toBe(7001);
});
