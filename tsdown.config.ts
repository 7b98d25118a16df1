import { defineConfig } from 'tsdown';
import { rawText } from './tools/raw-text.mjs';

const deps = {
  // get-port is ESM-only; bundle it so the CJS build loads under Jest.
  alwaysBundle: ['get-port'],
  neverBundle: ['fastify', '@fastify/swagger', 'prom-client', 'vitest', '@jest/globals', 'jest-environment-node', '@jest/types', 'msw', 'msw/node', 'expect'],
};

// Dual ESM + CJS: Jest 30 on Node 20 cannot load an ESM-only package (docs/decisions/001-build.md).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    vitest: 'src/testing/vitest.ts',
    jest: 'src/testing/jest.ts',
    'jest-environment': 'src/testing/jest-environment.ts',
    msw: 'src/acs/msw.ts',
    cli: 'src/cli/main.ts',
    admin: 'src/admin/index.ts',
  },
  format: {
    esm: {},
    cjs: {
      // A per-format override is a resolved config: alwaysBundle is a function here.
      deps: {
        neverBundle: deps.neverBundle,
        skipNodeModulesBundle: false,
        // @xmpp/client (XMPP Connection Requests, Annex K) and its @xmpp/* parts are
        // ESM-only: Jest 30's CommonJS sandbox on Node 20 cannot require() them. The CJS
        // build carries them (and what they import) inside; the ESM build imports the
        // installed package. aedes (the fake USP Controller's embedded broker) is ESM-only
        // too; its own dependencies are CommonJS and not ours, so they come along inside.
        alwaysBundle: (id, importer) => id === 'get-port' || id === 'aedes' || /^@xmpp\//.test(id) || /[\\/]node_modules[\\/]@xmpp[\\/]/.test(importer ?? ''),
      },
    },
  },
  dts: true,
  sourcemap: true,
  clean: true,
  platform: 'node',
  target: 'node20',
  // The dashboard's browser files (`?raw` imports) are inlined as strings.
  plugins: [rawText()],
  deps,
  outputOptions: {
    // Without this, rolldown split shared code into chunks that required each other
    // (core → launch → fleet → core), and in CJS a class then extended `undefined`.
    // One library chunk has no cycle. Runner-specific modules (vitest, jest, msw,
    // CLI) stay out of it, so require('cpe-sim') never loads vitest or msw.
    codeSplitting: {
      // The `.d.ts` modules (rolldown-plugin-dts) must stay out of the group: caught
      // by it, the declarations landed in lib-*.mjs, no lib-*.d.mts was written and
      // every public type imported from it (Fleet, Cpe, FakeAcs…) became untyped.
      groups: [{ name: 'lib', test: /[\\/]src[\\/](?!testing[\\/]|cli[\\/]|admin[\\/]|acs[\\/]msw\.ts)(?!.*\.d\.[cm]?ts$)/ }],
    },
  },
});
