// Config of the deliberately failing suite that ../environment.test.cjs runs in a
// child Jest: the built cpe-sim/jest-environment, as a user opts in to it.
const path = require('node:path');
const root = path.resolve(__dirname, '../../..');
module.exports = {
  rootDir: root,
  // Resolved through package.json "exports" (self-reference) to dist/jest-environment.cjs.
  testEnvironment: 'cpe-sim/jest-environment',
  testMatch: ['<rootDir>/test/jest/failing/*.failing.cjs'],
  moduleNameMapper: {
    '^cpe-sim/jest$': '<rootDir>/dist/jest.cjs',
  },
  testTimeout: 20000,
};
