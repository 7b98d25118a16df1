import type { TestProjectConfiguration } from 'vitest/config';

/**
 * The test projects. Vitest 4 no longer reads this file on its own, so
 * vitest.config.ts imports this list into `test.projects`: this file is the one
 * place the projects are declared.
 */
/**
 * The dashboard's stylesheets are imported as text (`?raw`, src/admin/dashboard.ts);
 * Vitest blanks every CSS file it does not process, `?raw` ones included.
 */
const css = { include: [/[\\/]src[\\/].*\.css(\?raw)?$/] };

export const projects: TestProjectConfiguration[] = [
  {
    test: {
      name: 'unit',
      include: ['test/**/*.test.ts'],
      // test/vitest3 installs the packed package with its dependencies, some of which
      // ship their own *.test.ts (pino, under fastify): never ours to run.
      exclude: ['test/**/*.int.test.ts', 'test/jest/**', 'test/vitest3/**', '**/node_modules/**'],
      environment: 'node',
      css,
    },
  },
  {
    test: {
      name: 'integration',
      include: ['test/**/*.int.test.ts'],
      exclude: ['test/jest/**', 'test/vitest3/**', '**/node_modules/**'],
      environment: 'node',
      css,
      testTimeout: 20_000,
      hookTimeout: 20_000,
    },
  },
  {
    // Examples import 'cpe-sim/vitest' exactly as a user would; the alias points at
    // the sources so examples run without a rebuild (the built package is covered
    // by test/package/*.int.test.ts and the Jest run).
    resolve: {
      alias: [
        { find: /^cpe-sim\/vitest$/, replacement: new URL('./src/testing/vitest.ts', import.meta.url).pathname },
        { find: /^cpe-sim\/msw$/, replacement: new URL('./src/acs/msw.ts', import.meta.url).pathname },
        { find: /^cpe-sim$/, replacement: new URL('./src/index.ts', import.meta.url).pathname },
      ],
    },
    test: {
      name: 'examples',
      include: ['examples/**/*.test.ts'],
      exclude: ['examples/jest/**', 'node_modules/**'],
      environment: 'node',
      css,
      testTimeout: 20_000,
    },
  },
];
