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
    await run(process.execPath, ['--expose-gc', 'bench/run.mjs', '--quick', '--only', 'codec,datamodel-memory,fixture-overhead,cr-roundtrip,transport-floor,metrics-overhead', '--out', out], { cwd: root, timeout: 90_000 });
    const file = validateResultsFile(JSON.parse(readFileSync(out, 'utf8')));
    expect(file.quick).toBe(true);
    expect(file.machine.cores).toBeGreaterThan(0);
    expect(file.results.map((r: { id: string }) => r.id)).toEqual(['codec', 'datamodel-memory n=1000', 'cr-roundtrip scheme=digest n=1', 'fixture-overhead', 'transport-floor boot n=200', 'transport-floor boot n=200 threads=2', 'metrics-overhead n=200']);
    for (const r of file.results) expect(r, `${r.id}: ${r.error ?? ''}`).toMatchObject({ ok: true });
    const cr = file.results.find((r: { id: string }) => r.id.startsWith('cr-roundtrip'));
    expect(cr.metrics.n).toBe(30);
    expect(cr.metrics.p50Ms).toBeGreaterThan(0);
    expect(cr.metrics.p99Ms).toBeGreaterThanOrEqual(cr.metrics.p50Ms);
    const fixture = file.targets.find((t: { id: string }) => t.id === 'fixture-overhead');
    expect(['PASS', 'MISS']).toContain(fixture.verdict);
    expect(file.targets.find((t: { id: string }) => t.id === 'boot-10k-rss').verdict).toBe('NOT RUN');
    const floor = file.results.find((r: { id: string }) => r.id === 'transport-floor boot n=200');
    expect(floor.metrics).toMatchObject({ n: 200, concurrency: 16, threads: 1 });
    expect(floor.metrics.bootMs).toBeGreaterThan(0);
    // The floor carries the real bootstrap Inform, captured from a one-CPE fleet.
    expect(floor.metrics.informBytes).toBeGreaterThan(1000);
    // The two-core floor ran its sessions in worker threads and waited for all of them.
    const floor2 = file.results.find((r: { id: string }) => r.id === 'transport-floor boot n=200 threads=2');
    expect(floor2.metrics).toMatchObject({ n: 200, concurrency: 16, threads: 2, informBytes: floor.metrics.informBytes });
    expect(floor2.metrics.bootMs).toBeGreaterThan(0);
    // Issue 19: both sides booted (the "on" side checked its metrics counted every bootstrap).
    const metrics = file.results.find((r: { id: string }) => r.id === 'metrics-overhead n=200');
    expect(metrics.metrics).toMatchObject({ n: 200, rounds: 1 });
    for (const k of ['bootMsOff', 'bootMsOn', 'cpuMsOff', 'cpuMsOn']) expect(metrics.metrics[k], k).toBeGreaterThan(0);
    for (const k of ['overheadPct', 'cpuOverheadPct']) expect(Number.isFinite(metrics.metrics[k]), k).toBe(true);
    expect(['PASS', 'MISS', 'NOT RUN']).toContain(file.targets.find((t: { id: string }) => t.id === 'metrics-overhead').verdict);
  }, 90_000);

  it('shows the transport floors that ran next to a time target, each with its core count', () => {
    const t = TARGETS.find((x: { id: string }) => x.id === 'boot-10k-time');
    const boot = { id: t.caseId, ok: true, metrics: { bootMs: 8000 } };
    const [alone] = evaluateTargets([boot], [t]);
    expect(alone).toMatchObject({ value: 8000, floors: [], verdict: 'MISS' });
    expect(formatTargetValue(alone)).toBe('8,000 ms');
    const [oneCore, twoCores] = t.floors.map((f: { caseId: string }) => f.caseId);
    expect([oneCore, twoCores]).toEqual(['transport-floor boot n=10000', 'transport-floor boot n=10000 threads=2']);
    const [withOne] = evaluateTargets([boot, { id: oneCore, ok: true, metrics: { bootMs: 4900 } }], [t]);
    expect(withOne).toMatchObject({ floors: [{ label: 'one core', value: 4900 }] });
    expect(formatTargetValue(withOne)).toBe('8,000 ms (transport floor 4,900 ms on one core)');
    const [withBoth] = evaluateTargets([boot, { id: oneCore, ok: true, metrics: { bootMs: 4900 } }, { id: twoCores, ok: true, metrics: { bootMs: 3300 } }], [t]);
    expect(formatTargetValue(withBoth)).toBe('8,000 ms (transport floor 4,900 ms on one core, 3,300 ms on two cores)');
    // A floor row that failed is left out rather than shown as a number.
    const [failed] = evaluateTargets([boot, { id: oneCore, ok: false, error: 'x' }], [t]);
    expect(failed.floors).toEqual([]);
    const cr = TARGETS.find((x: { id: string }) => x.id === 'cr-none-p50');
    const [crRow] = evaluateTargets([{ id: cr.caseId, ok: true, metrics: { p50Ms: 1.1 } }, { id: 'transport-floor cr', ok: true, metrics: { p50Ms: 0.8 } }], [cr]);
    expect(formatTargetValue(crRow)).toBe('1.1 ms (transport floor 0.8 ms)');
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
