import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// Loads the BUILT package by its own name (Node's package self-reference), as a
// user's ESM or CommonJS code would: proves the exports map, both formats, and that
// every entry point evaluates without a bundler or a TypeScript loader.
const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const entries = ['cpe-sim', 'cpe-sim/vitest', 'cpe-sim/jest', 'cpe-sim/msw', 'cpe-sim/admin'] as const;

describe('built package (npm test builds first)', () => {
  it('every entry point has ESM and CJS files with declarations', () => {
    for (const name of ['index', 'vitest', 'jest', 'msw', 'admin']) {
      for (const ext of ['mjs', 'cjs', 'd.mts', 'd.cts']) expect(existsSync(`${root}/dist/${name}.${ext}`), `${name}.${ext}`).toBe(true);
    }
  });

  it('the main entry loads as ESM and as CJS and exports the same names', async () => {
    const esm = await run(process.execPath, ['--input-type=module', '-e', "const m = await import('cpe-sim'); console.log(JSON.stringify(Object.keys(m).sort()))"], { cwd: root });
    const cjs = await run(process.execPath, ['-e', "console.log(JSON.stringify(Object.keys(require('cpe-sim')).sort()))"], { cwd: root });
    const esmKeys = JSON.parse(esm.stdout) as string[];
    expect(esmKeys).toContain('CwmpFault');
    expect(esmKeys).toContain('ProfileError');
    expect(JSON.parse(cjs.stdout)).toEqual(esmKeys);
  });

  it('the msw and admin entries load in both formats', async () => {
    for (const entry of entries.filter((e) => e === 'cpe-sim/msw' || e === 'cpe-sim/admin')) {
      await run(process.execPath, ['--input-type=module', '-e', `await import('${entry}')`], { cwd: root });
      await run(process.execPath, ['-e', `require('${entry}')`], { cwd: root });
    }
  });
});
