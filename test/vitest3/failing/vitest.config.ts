// Config of the deliberately failing file that ../transcript.spec.ts runs in a
// child Vitest 3.2; the job's own config never includes it.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['*.failing.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
