// Config of the deliberately failing suite that failure-html.int.test.ts runs in a
// child Vitest (transcriptOnFailure: 'html'); never part of the main projects.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.failing-html.ts'],
    environment: 'node',
    testTimeout: 20_000,
    // The timeline's stylesheet is imported as text (see vitest.workspace.ts).
    css: { include: [/[\\/]src[\\/].*\.css(\?raw)?$/] },
  },
});
