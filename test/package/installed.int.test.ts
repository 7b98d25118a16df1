// The packed package installed into an empty project, tried as a new user would
// (issue 18): shipped profiles by name and by export, the --help examples as written,
// the matchers typed under @types/jest globals, and a dead ACS failing a Jest run
// fast with a clear message. `npm pack` of the built package (npm test builds first);
// the project lives in the repository (.package-test-*) so the package's own dependencies (undici,
// yaml…), Jest, TypeScript and @types/jest resolve from its node_modules, while
// `cpe-sim` itself resolves only to the unpacked tarball.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unusedPort } from '../support/ports.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' };
let project = '';


/** Runs a command in the project; resolves with its exit code and output (never rejects). */
function inProject(file: string, args: string[], timeout = 60_000): Promise<{ code: number | null; killed: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: project, env, timeout, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, killed: err?.killed === true, output: `${stdout}\n${stderr}` }),
    );
  });
}

beforeAll(async () => {
  // Outside node_modules (Jest ignores test files there) and outside the test globs.
  project = await realpath(await mkdtemp(join(root, '.package-test-')));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], { cwd: root, env });
  const tarball = stdout.trim().split('\n').at(-1)!;
  await mkdir(join(project, 'node_modules/cpe-sim'), { recursive: true });
  await run('tar', ['xzf', join(project, tarball), '-C', join(project, 'node_modules/cpe-sim'), '--strip-components', '1']);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'acs-tests', private: true, version: '1.0.0' }));
}, 60_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

// Each test starts node, tsc or Jest on the packed package: seconds on an idle machine, but the
// full suite runs them beside everything else, so the budget is the child's own timeout.
describe('installed package', { timeout: 90_000 }, () => {
  it('exports the shipped profiles and resolves them by name', async () => {
    const cjs = await inProject(process.execPath, ['-e', "console.log(require.resolve('cpe-sim/profiles/tr181-digest.yaml')); console.log(require('cpe-sim').shippedProfileNames().join(','))"]);
    expect(cjs.output).toContain(join(project, 'node_modules/cpe-sim/fixtures/profiles/tr181-digest.yaml'));
    expect(cjs.output).toMatch(/tr181-digest,tr181-hgw/);
    const esm = await inProject(process.execPath, ['--input-type=module', '-e', "const { loadProfile } = await import('cpe-sim'); const p = await loadProfile('tr181-hgw'); console.log(p.source)"]);
    expect(esm.output).toContain(join(project, 'node_modules/cpe-sim/fixtures/profiles/tr181-hgw.yaml'));
  });

  it('a profile that is not found names the working directory and the shipped names', async () => {
    const r = await inProject(process.execPath, ['node_modules/cpe-sim/bin/cpe-sim', '--profile', 'fixtures/profiles/tr181-digest.yaml']);
    expect(r.code).toBe(2);
    expect(r.output).toContain(`looked for relative to ${project}`);
    expect(r.output).toMatch(/shipped profiles, usable by name: .*tr181-digest/);
  });

  it('the docs\' Node 20 example (try/finally instead of `await using`) runs as written in plain Node ESM', async () => {
    const doc = await readFile(join(root, 'docs/testing.md'), 'utf8');
    const code = /<!-- node20-example -->\n```js\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(code).toBeDefined();
    await writeFile(join(project, 'example.mjs'), code!);
    const r = await inProject(process.execPath, ['example.mjs']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/CR answered 200; the CPE informed in session #\d+/);
  });

  it('the first --help example runs as written', async () => {
    const help = await inProject(process.execPath, ['node_modules/cpe-sim/bin/cpe-sim', '--help']);
    const example = /Examples:\n {2}cpe-sim (.+)\n/.exec(help.output)?.[1];
    expect(example).toBe('--profile tr181-digest');
    const r = await inProject(process.execPath, ['node_modules/cpe-sim/bin/cpe-sim', ...example!.split(' ')]);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('every CPE delivered 0 BOOTSTRAP');
  });

  it('types the matchers under @types/jest globals, RPC names included', async () => {
    await writeFile(
      join(project, 'globals.test.ts'),
      [
        "import { useCpeFleet } from 'cpe-sim/jest';",
        "const sim = useCpeFleet({ profile: 'tr181-hgw', count: 1 });",
        "test('typed', async () => {",
        '  expect(await sim.acs.connectionRequest(sim.fleet.cpe(1).crUrl!)).toBeUnauthorized({ scheme: "digest" });',
        "  await expect(sim.fleet.cpe(1)).toHaveInformed('0 BOOTSTRAP');",
        "  await expect(sim.fleet).toHaveReceivedRpc('GetParameterValues', {}, { timeout: 10 });",
        '  // @ts-expect-error a misspelt RPC name does not compile',
        "  await expect(sim.fleet).toHaveReceivedRpc('GetParameterVals');",
        '});',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['jest', 'node'], skipLibCheck: false }, files: ['globals.test.ts'] }),
    );
    const r = await inProject(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
    expect(r.output.trim()).toBe('');
    expect(r.code).toBe(0);
  });

  it('a Jest run against a dead ACS fails with the BootstrapError and exits by itself', async () => {
    const port = await unusedPort();
    await writeFile(
      join(project, 'dead.test.cjs'),
      [
        "const { useCpeFleet } = require('cpe-sim/jest');",
        `const sim = useCpeFleet({ profile: 'tr181-digest', acsUrl: 'http://127.0.0.1:${port}/acs' });`,
        "test('boots', () => expect(sim.fleet.cpes).toHaveLength(3));",
        '',
      ].join('\n'),
    );
    // Jest's budget: its 5 s hook timeout plus a few seconds; no --forceExit.
    const r = await inProject(process.execPath, [join(root, 'node_modules/jest/bin/jest.js'), '--ci', '--rootDir', project, 'dead.test.cjs'], 30_000);
    expect(r.killed, r.output).toBe(false);
    expect(r.code).toBe(1);
    expect(r.output).toContain(`BootstrapError: 3 of 3 CPEs did not deliver 0 BOOTSTRAP to http://127.0.0.1:${port}/acs`);
    // The error code leads, also in Jest's vm context (where node's errors are not `instanceof Error`).
    expect(r.output).toMatch(/cpe-1: ECONNREFUSED connect ECONNREFUSED 127\.0\.0\.1/);
    expect(r.output).not.toContain('did not exit one second after the test run');
  });

  it('ships the dashboard inlined: the admin server of the installed package serves its page and files (ESM), and timelineHtml works from CJS', async () => {
    const esm = await inProject(process.execPath, [
      '--input-type=module',
      '-e',
      [
        "const { startFleet } = await import('cpe-sim');",
        "const { startAdminServer } = await import('cpe-sim/admin');",
        "const fleet = await startFleet({ profile: 'tr181-digest', count: 1 });",
        'const admin = await startAdminServer(fleet);',
        "for (const p of ['/', '/dashboard/app.js', '/dashboard/timeline.js', '/dashboard/timeline.css', '/dashboard/dashboard.css']) { const r = await fetch(admin.url + p); console.log(p, r.status, (await r.text()).length); }",
        'await admin.close(); await fleet.close();',
      ].join('\n'),
    ]);
    expect(esm.code, esm.output).toBe(0);
    for (const m of esm.output.matchAll(/^(\/\S*) (\d+) (\d+)$/gm)) {
      expect(m[2], m[1]).toBe('200');
      expect(Number(m[3]), m[1]).toBeGreaterThan(1000);
    }
    expect([...esm.output.matchAll(/^\/\S* 200 /gm)]).toHaveLength(5);
    const cjs = await inProject(process.execPath, ['-e', "const html = require('cpe-sim').timelineHtml({ title: 't', createdAt: 0, cpes: [] }); console.log(html.includes('CpeSimTimeline') && html.includes('.cpesim-timeline'))"]);
    expect(cjs.output.trim()).toBe('true');
  });
});
