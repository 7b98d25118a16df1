// Config of the deliberately failing suite that failure-output.int.test.ts runs in
// a child Vitest: it is never part of the main projects (they match *.test.ts).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.failing.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
