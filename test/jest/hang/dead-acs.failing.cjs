// Every describe here FAILS on purpose; test/testing/runner-hang.int.test.ts checks
// the output and that Jest exits by itself.
const http = require('node:http');
const path = require('node:path');
const { useCpeFleet } = require('cpe-sim/jest');

const profile = path.join(__dirname, '../../../fixtures/profiles/tr181-digest.yaml');
const servers = [];
/** A loopback "ACS" (ports come from the parent test: useCpeFleet needs the URL at collection time). */
function server(handler) {
  const s = http.createServer(handler);
  servers.push(s);
  return s;
}
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

const PORT_500 = Number(process.env.HANG_PORT_500);
const PORT_SILENT = Number(process.env.HANG_PORT_SILENT);
server((req, res) => req.resume().on('end', () => res.writeHead(500).end('acs: database is down'))).listen(PORT_500, '127.0.0.1');
server(() => undefined).listen(PORT_SILENT, '127.0.0.1');

describe('J1 an ACS answering 500', () => {
  const sim = useCpeFleet({ profile, count: 2, acsUrl: `http://127.0.0.1:${PORT_500}/acs` });
  test('boots', () => {
    expect(sim.fleet.cpes).toHaveLength(2);
  });
});

describe('J2 a silent ACS and the hook timeout first', () => {
  const sim = useCpeFleet({ profile, count: 1, acsUrl: `http://127.0.0.1:${PORT_SILENT}/acs`, bootstrapTimeoutMs: 60000, hookTimeout: 1000 });
  test('boots', () => {
    expect(sim.fleet.cpes).toHaveLength(1);
  });
});

describe('J3 a forgotten await', () => {
  const sim = useCpeFleet({ profile, count: 1, cr: false });
  test('toHaveInformed without await', () => {
    expect(sim.fleet.cpe(1)).toHaveInformed('2 PERIODIC');
  });
  test('the next test passes', () => {
    expect(1).toBe(1);
  });
});
