// Config of the deliberately failing suite that test/testing/runner-hang.int.test.ts
// runs in a child Jest against the BUILT package: Jest's default timeouts, no
// --forceExit: the run must end by itself when the ACS under test is dead.
const path = require('node:path');
const root = path.resolve(__dirname, '../../..');
module.exports = {
  rootDir: root,
  testEnvironment: 'cpe-sim/jest-environment',
  testMatch: ['<rootDir>/test/jest/hang/*.failing.cjs'],
  moduleNameMapper: {
    '^cpe-sim/jest$': '<rootDir>/dist/jest.cjs',
  },
};
