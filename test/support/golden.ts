import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** fixtures/cwmp/golden/, where the byte-for-byte Inform goldens live. */
export const GOLDEN_DIR = fileURLToPath(new URL('../../fixtures/cwmp/golden/', import.meta.url));

/** Compares `actual` with a golden file byte for byte; `UPDATE_GOLDEN=1` rewrites the file first. */
export function expectGolden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN_DIR + file, actual);
  expect(actual).toBe(readFileSync(GOLDEN_DIR + file, 'utf8'));
}
