/** npm run test:abuse: the embedded store under misuse and hostile clients, one file at a time, with the base config's transforms. */
const base = require('./jest.config');

module.exports = {
  ...base,
  maxWorkers: 1,
  testMatch: ['<rootDir>/test/abuse/**/*.int.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 120_000,
};
