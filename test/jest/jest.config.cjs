// A real Jest 30 run against the BUILT CommonJS output (dist/*.cjs), as a Jest user
// on Node 20 would load cpe-sim: proves the CJS build and the jest entry point work.
// The suites run in cpe-sim/jest-environment, as a user who opts in would.
const path = require('node:path');
const root = path.resolve(__dirname, '../..');
module.exports = {
  rootDir: root,
  // Resolved through package.json "exports" (self-reference) to dist/jest-environment.cjs.
  testEnvironment: 'cpe-sim/jest-environment',
  testMatch: ['<rootDir>/test/jest/*.test.cjs', '<rootDir>/examples/jest/**/*.test.cjs'],
  moduleNameMapper: {
    '^cpe-sim$': '<rootDir>/dist/index.cjs',
    '^cpe-sim/jest$': '<rootDir>/dist/jest.cjs',
  },
  testTimeout: 20000,
};
