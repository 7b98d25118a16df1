import { execFileSync } from 'node:child_process';

/**
 * curl is the independent HTTP client of the interop tests (a Digest implementation
 * nobody here wrote). When it is missing those tests are skipped, visibly.
 */
export const hasCurl: boolean = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('SKIPPED: curl is not installed; the curl interoperability tests did not run');
    return false;
  }
})();
