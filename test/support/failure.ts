/** Matcher tests: running an assertion that must fail and reading its message. */
const ANSI = new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g');

/** Runs an assertion that must fail; returns its message without colours. */
export async function failure(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (e) {
    return (e as Error).message.replace(ANSI, '');
  }
  throw new Error('expected the assertion to fail, it passed');
}
