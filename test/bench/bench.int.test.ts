/**
 * Smoke test of the bench harness (issue 7): `bench/run.mjs --quick` on a small
 * subset runs end to end and writes a results file of the promised shape. No timing
 * is asserted: only that the cases ran and produced finite numbers.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- plain .mjs harness without type declarations
import { evaluateTargets, formatTargetValue, percentile, validateResultsFile, TARGETS } from '../../bench/lib/harness.mjs';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cpe-sim-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench harness', () => {
  it('runs a quick subset and writes valid results JSON with machine, cases and target verdicts', async () => {
    const out = join(dir, 'quick.json');
    await run(process.execPath, ['--expose-gc', 'bench/run.mjs', '--quick', '--only', 'codec,datamodel-memory,fixture-overhead,cr-roundtrip,transport-floor', '--out', out], { cwd: root, timeout: 60_000 });
    const file = validateResultsFile(JSON.parse(readFileSync(out, 'utf8')));
    expect(file.quick).toBe(true);
    expect(file.machine.cores).toBeGreaterThan(0);
    expect(file.results.map((r: { id: string }) => r.id)).toEqual(['codec', 'datamodel-memory n=1000', 'cr-roundtrip scheme=digest n=1', 'fixture-overhead', 'transport-floor boot n=200']);
    for (const r of file.results) expect(r, `${r.id}: ${r.error ?? ''}`).toMatchObject({ ok: true });
    const cr = file.results.find((r: { id: string }) => r.id.startsWith('cr-roundtrip'));
    expect(cr.metrics.n).toBe(30);
    expect(cr.metrics.p50Ms).toBeGreaterThan(0);
    expect(cr.metrics.p99Ms).toBeGreaterThanOrEqual(cr.metrics.p50Ms);
    const fixture = file.targets.find((t: { id: string }) => t.id === 'fixture-overhead');
    expect(['PASS', 'MISS']).toContain(fixture.verdict);
    expect(file.targets.find((t: { id: string }) => t.id === 'boot-10k-rss').verdict).toBe('NOT RUN');
    const floor = file.results.find((r: { id: string }) => r.id.startsWith('transport-floor'));
    expect(floor.metrics).toMatchObject({ n: 200, concurrency: 16 });
    expect(floor.metrics.bootMs).toBeGreaterThan(0);
    // The floor carries the real bootstrap Inform, captured from a one-CPE fleet.
    expect(floor.metrics.informBytes).toBeGreaterThan(1000);
  }, 60_000);

  it('shows the transport floor next to a time target when the floor case ran', () => {
    const t = TARGETS.find((x: { id: string }) => x.id === 'boot-10k-time');
    const boot = { id: t.caseId, ok: true, metrics: { bootMs: 8000 } };
    const [alone] = evaluateTargets([boot], [t]);
    expect(alone).toMatchObject({ value: 8000, floor: null, verdict: 'MISS' });
    expect(formatTargetValue(alone)).toBe('8,000 ms');
    const [withFloor] = evaluateTargets([boot, { id: t.floor.caseId, ok: true, metrics: { bootMs: 4900 } }], [t]);
    expect(withFloor).toMatchObject({ value: 8000, floor: 4900, verdict: 'MISS' });
    expect(formatTargetValue(withFloor)).toBe('8,000 ms (transport floor 4,900 ms)');
  });

  it('rejects a results file without machine facts or case descriptions', () => {
    expect(() => validateResultsFile({ schema: 1, machine: {}, results: [{ id: 'x', measures: '', ok: true, metrics: {} }], targets: [] })).toThrow(/machine\.cores.*measures describes the case.*numeric metrics/);
  });

  it('marks targets PASS below the limit, MISS at or above it, ERROR for a failed case', () => {
    const t = TARGETS.find((x: { id: string }) => x.id === 'boot-10k-time');
    const verdicts = (bootMs: number, ok = true) => evaluateTargets([{ id: t.caseId, ok, metrics: { bootMs } }], [t])[0].verdict;
    expect(verdicts(2999)).toBe('PASS');
    expect(verdicts(3000)).toBe('MISS');
    expect(verdicts(1, false)).toBe('ERROR');
    expect(evaluateTargets([], [t])[0].verdict).toBe('NOT RUN');
  });

  it('computes nearest-rank percentiles', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile([], 50)).toBeNaN();
  });
});
