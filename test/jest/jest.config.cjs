// A real Jest 30 run against the BUILT CommonJS output (dist/*.cjs), as a Jest user
// on Node 20 would load cpe-sim: proves the CJS build and the jest entry point work.
const path = require('node:path');
const root = path.resolve(__dirname, '../..');
module.exports = {
  rootDir: root,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/jest/**/*.test.cjs', '<rootDir>/examples/jest/**/*.test.cjs'],
  moduleNameMapper: {
    '^cpe-sim$': '<rootDir>/dist/index.cjs',
    '^cpe-sim/jest$': '<rootDir>/dist/jest.cjs',
  },
  testTimeout: 20000,
};
