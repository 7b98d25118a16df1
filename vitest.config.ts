import { defineConfig } from 'vitest/config';
import { projects } from './vitest.workspace.js';

export default defineConfig({
  test: {
    projects,
    // The summary reporter prints each project's own count (issue: prove every project runs).
    reporters: ['default', './test/support/project-summary-reporter.ts'],
  },
});
