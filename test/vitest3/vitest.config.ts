// The Vitest 3.2 job (npm run test:vitest3 at the repository root). Everything here
// runs under the Vitest 3.2 installed in ./node_modules, against the *packed*
// cpe-sim (npm ci --install-links copies it), so cpe-sim's `import 'vitest'`
// resolves to 3.2 too.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*.spec.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
