// A failing test prints the CWMP transcript (onTestFailed from the test context) on
// Vitest 3.2 too: runs failing/transcript.failing.ts in a child Vitest 3.2.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const vitestBin = createRequire(import.meta.url).resolve('vitest/vitest.mjs');

test('the failing test prints its transcript and the matcher message', async () => {
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [vitestBin, 'run', '--config', 'failing/vitest.config.ts'],
      { cwd: here, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' }, timeout: 60_000, maxBuffer: 8 * 1024 * 1024 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, output: `${stdout}\n${stderr}`.replace(/\u001b\[[0-9;]*m/g, '') }),
    );
  });
  expect(code, output).toBe(1);
  expect(output).toMatch(/1 failed/);
  expect(output).toContain('Expected: an Inform carrying "2 PERIODIC" from cpe-2 within 100 ms');
  const printed = output.slice(output.indexOf('stderr | transcript.failing.ts > V1'));
  expect(printed, output).toContain('cpe-sim: CWMP transcript of 2 of 2 active CPE(s)');
  expect(printed).toContain('── cpe-2 (DIG-002) ─ 2 session(s)');
  expect(printed).toMatch(/→ Inform \[6 CONNECTION REQUEST\] SN=DIG-002/);
}, 60_000);
