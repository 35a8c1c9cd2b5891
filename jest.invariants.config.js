/** npm run test:invariants: the invariant suite alone, with the base config's transforms. */
const base = require('./jest.config');

module.exports = {
  ...base,
  maxWorkers: 1,
  testMatch: ['<rootDir>/test/invariants/invariants.int.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 15 * 60_000,
};
