// Config of the deliberately failing suite that runner-hang.int.test.ts runs in a
// child Vitest: Vitest's DEFAULT timeouts (5 s), as a new user has them.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.failing.ts'],
    environment: 'node',
  },
});
