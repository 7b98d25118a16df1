/**
 * Smoke test of `npm run stress` (issue 20): a quick subset runs against the built
 * package on loopback, stops by itself and reports every check as passed. No figure is
 * asserted except the behaviour the checks stand for.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-stress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('stress script', () => {
  it('a quick subset passes every check and writes its results', async () => {
    const out = join(dir, 'stress.json');
    const ids = ['cr-fuzz', 'concurrent-crs', 'hostile-profiles', 'timer-overflow'];
    await run(process.execPath, ['--expose-gc', 'bench/stress.mjs', '--quick', '--only', ids.join(','), '--out', out], { cwd: root, timeout: 90_000 });
    const file = JSON.parse(readFileSync(out, 'utf8')) as { quick: boolean; rows: { id: string; ok: boolean; failures: string[]; metrics: Record<string, unknown> }[] };
    expect(file.quick).toBe(true);
    expect(file.rows.map((r) => r.id)).toEqual(ids);
    for (const r of file.rows) expect(r.failures, r.id).toEqual([]);
    expect(file.rows.find((r) => r.id === 'concurrent-crs')?.metrics.statuses).toEqual({ 200: 1, 503: 99 });
    expect(file.rows.find((r) => r.id === 'timer-overflow')?.metrics.overflowWarnings).toBe(0);
  }, 120_000);
});
