import { defineConfig } from 'tsdown';

// Dual ESM + CJS: Jest 30 on Node 20 cannot load an ESM-only package (docs/decisions/001-build.md).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    vitest: 'src/testing/vitest.ts',
    jest: 'src/testing/jest.ts',
    msw: 'src/acs/msw.ts',
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  platform: 'node',
  target: 'node20',
  // get-port is ESM-only; bundle it so the CJS build loads under Jest.
  noExternal: ['get-port'],
  external: ['vitest', '@jest/globals', 'msw', 'msw/node', 'expect'],
});
