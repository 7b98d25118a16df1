import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSimArgs } from '../../src/cli/options.js';
import { ConfigError } from '../../src/errors/index.js';
import { start } from '../cli/io.js';

const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-admin-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cpe-sim --admin-addr', () => {
  it('serves the admin API on loopback for ":0" (from the environment), with the token required and never logged', async () => {
    const token = 'tok-7f3e-cli';
    const sim = start(['--profile', 'tr181-digest', '--count', '2', '--log-format', 'json'], { CPE_SIM_ADMIN_ADDR: ':0', CPE_SIM_ADMIN_TOKEN: token });
    try {
      const [, url] = await sim.waitFor(/"msg":"admin API ready"[^\n]*?"url":"([^"]+)"/, 'stderr');
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await sim.waitFor(/running in daemon mode \(admin API enabled\)/, 'stderr');
      const ok = await request(`${url}/cpes`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.statusCode).toBe(200);
      expect(((await ok.body.json()) as { total: number }).total).toBe(2);
      const denied = await request(`${url}/metrics`);
      await denied.body.dump();
      expect(denied.statusCode).toBe(401);
    } finally {
      sim.stop();
    }
    expect(await sim.done).toBe(0);
    expect(sim.stderr).not.toContain(token);
  });

  it('takes adminAddr/adminToken from a config file; a token without an address, or with --workers, is a ConfigError', () => {
    const cfg = join(dir, 'c.yaml');
    writeFileSync(cfg, 'profile: tr181-digest\nadminAddr: "127.0.0.1:9100"\nadminToken: t\n');
    const r = parseSimArgs(['--config', cfg], {}, dir);
    expect(r.kind === 'run' && r.settings.adminAddr).toBe('127.0.0.1:9100');
    expect(r.kind === 'run' && r.settings.adminToken).toBe('t');
    expect(() => parseSimArgs(['--profile', 'tr181-digest', '--admin-token', 't'], {})).toThrow(/--admin-token has no effect without --admin-addr/);
    expect(() => parseSimArgs(['--profile', 'tr181-digest', '--admin-addr', ':0', '--workers', '2'], {})).toThrow(ConfigError);
    expect(() => parseSimArgs(['--profile', 'tr181-digest', '--admin-addr', 'nowhere'], {})).toThrow(/--admin-addr: invalid value/);
  });
});
