/**
 * Runs a deliberately failing suite in a child Vitest (its own config under
 * test/testing/…) and resolves with what a user's CI log would show: stdout and stderr,
 * colours stripped. The child exits 1 (its tests fail on purpose): only the output matters.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export function runChildVitest(config: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise<string>((resolve) => {
    execFile(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', '--config', config],
      { cwd: root, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: '1', ...env }, timeout: 60_000, maxBuffer: 8 * 1024 * 1024 },
      (_err, stdout, stderr) => resolve(`${stdout}\n${stderr}`.replace(new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g'), '')),
    );
  });
}
