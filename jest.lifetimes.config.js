/** npm run test:lifetimes: whole generated lives against the reference model, alone, with the base config's transforms. */
const base = require('./jest.config');

module.exports = {
  ...base,
  maxWorkers: 1,
  testMatch: ['<rootDir>/test/lifetimes/lifetimes.int.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // A passing run takes about three minutes; a failing one shrinks for up to LIFETIMES_SHRINK_MS (the spec sets its own timeout).
  testTimeout: 40 * 60_000,
};
