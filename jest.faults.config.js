/** npm run test:faults: the fault suite alone, one file at a time, with the base config's transforms. */
const base = require('./jest.config');

module.exports = {
  ...base,
  maxWorkers: 1,
  testMatch: ['<rootDir>/test/faults/faults.int.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 15 * 60_000,
};
