/**
 * Issue 20: loading a profile needs memory proportional to its text, under ~10 bytes of heap
 * per byte. Checked without timing and without a heap snapshot: a fresh node (the BUILT
 * package: `npm test` builds first) must load a generated 4 MiB profile within an old-space
 * limit of what it needs for a tiny profile plus 11 × the text. A load that needed the ~13–14×
 * of before (or the ~73× of a JSON profile composed whole) runs out of heap there, and the
 * child exits non-zero.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bigProfile } from '../../bench/lib/big-profile.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MiB = 1024 * 1024;
/**
 * Bytes of heap a load may need per byte of profile text. It measured ~9.3 with this
 * package (~9.0 in `npm run bench`), 13–14 before the validator and the tree were made
 * compact; the bound leaves room for the GC's own variation.
 */
const PER_BYTE = 11;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cpe-sim-load-memory-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads `file` with the built package in a fresh node whose old space is `limitMiB`; the child's exit status and stderr. */
function loadIn(file: string, limitMiB: number): { ok: boolean; stderr: string } {
  const script = `const { loadProfile } = await import('cpe-sim');
const p = await loadProfile(${JSON.stringify(file)}, { maxProfileBytes: 64 * 1024 * 1024 });
if (p.parameters.length === 0) process.exit(3);`;
  // Only the flags given here (NODE_OPTIONS could carry another heap limit).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS'));
  const r = spawnSync(process.execPath, [`--max-old-space-size=${limitMiB}`, '--input-type=module', '-e', script], { cwd: root, env, encoding: 'utf8', timeout: 300_000 });
  return { ok: r.status === 0, stderr: r.stderr };
}

/** The smallest old-space limit (MiB, to 2) `file` loads in, searched in [lo, hi]. */
function needed(file: string, lo: number, hi: number): number {
  const top = loadIn(file, hi);
  if (!top.ok) throw new Error(`${file} does not load even with ${hi} MiB of old space:\n${top.stderr}`);
  while (hi - lo > 2) {
    const mid = Math.round((lo + hi) / 2);
    if (loadIn(file, mid).ok) hi = mid;
    else lo = mid;
  }
  return hi;
}

describe('memory of a load (issue 20), in fresh node processes with a heap limit', () => {
  /** What the package and a tiny profile need: the limit below is this plus PER_BYTE × the text. */
  let base = 0;
  beforeAll(() => {
    const tiny = join(dir, 'tiny.yaml');
    writeFileSync(tiny, bigProfile(1000));
    base = needed(tiny, 8, 48);
  }, 120_000);

  /** Writes `text` and expects a fresh node to load it within base + PER_BYTE × its size. */
  function expectLoadsWithinBound(name: string, text: string): void {
    const file = join(dir, name);
    writeFileSync(file, text);
    const limit = base + Math.ceil((PER_BYTE * text.length) / MiB);
    const r = loadIn(file, limit);
    expect(r.stderr.match(/heap limit|out of memory/i)?.[0] ?? '', `needs more than ${limit} MiB (base ${base} MiB + ${PER_BYTE} × ${(text.length / MiB).toFixed(1)} MiB)`).toBe('');
    expect(r.ok, r.stderr).toBe(true);
  }

  it(`a 4 MiB block-style profile loads within ${PER_BYTE} bytes of heap per byte of text`, () => {
    expectLoadsWithinBound('big.yaml', bigProfile(4 * MiB));
  }, 300_000);

  it(`the same profile as one JSON document (one flow collection) loads within ${PER_BYTE} bytes of heap per byte of text too`, () => {
    // Indented by one space, as JSON is usually written: ~1.3× the YAML text.
    expectLoadsWithinBound('big.json', JSON.stringify(parse(bigProfile(3 * MiB)), null, 1));
  }, 300_000);
});
