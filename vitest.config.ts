import { defineConfig } from 'vitest/config';
import { projects } from './vitest.workspace.js';

export default defineConfig({
  test: {
    projects,
    // Each project reports its own count in the summary.
    reporters: ['default'],
  },
});
