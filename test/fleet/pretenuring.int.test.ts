/**
 * disableAllocationSitePretenuring from the BUILT package (npm test builds first), in
 * fresh node processes: a setting of the whole process cannot be tested in the test's own.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

// With --trace-pretenuring-statistics V8 prints a line for every allocation site it
// judges at a young collection, and none once pretenuring is off. The churn below
// makes its literals judged with thousands of objects each; loading the package
// before the call makes a few small ones (about a hundred objects), which are not
// counted because V8's own output cannot be ordered against the script's.
const CHURN = `
const keep = [];
for (let i = 0; i < 200000; i++) keep.push({ i, kids: [i] });
let sink;
for (let i = 0; i < 1000000; i++) sink = { i, kids: [i] };
`;
async function churnJudged(nodeFlags: string[], call: boolean): Promise<{ judged: number; returned: string }> {
  const script = `const { disableAllocationSitePretenuring } = await import('cpe-sim');
const returned = ${call ? 'disableAllocationSitePretenuring()' : "'not called'"};
${CHURN}
console.log('returned=' + returned);`;
  // Only the node flags each test gives (NODE_OPTIONS could add --expose-gc or the like, never this flag).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS'));
  const { stdout } = await run(process.execPath, [...nodeFlags, '--trace-pretenuring-statistics', '--input-type=module', '-e', script], { cwd: root, env, maxBuffer: 64 * 1024 * 1024 });
  const counts = [...stdout.matchAll(/pretenuring: AllocationSite\([^)]*\): \(created, found, ratio\) \((\d+),/g)].map((m) => Number(m[1]));
  return { judged: counts.filter((n) => n >= 1000).length, returned: /returned=(\S+)/.exec(stdout)?.[1] ?? '' };
}

describe('disableAllocationSitePretenuring (built package, fresh node processes)', () => {
  it('turns pretenuring off for the rest of the process', async () => {
    const before = await churnJudged([], false);
    expect(before.judged).toBeGreaterThan(0);
    const after = await churnJudged([], true);
    expect(after).toEqual({ judged: 0, returned: 'true' });
  });

  it('leaves an explicit --allocation-site-pretenuring on the node command line alone', async () => {
    const r = await churnJudged(['--allocation-site-pretenuring'], true);
    expect(r.returned).toBe('false');
    expect(r.judged).toBeGreaterThan(0);
  });
});
