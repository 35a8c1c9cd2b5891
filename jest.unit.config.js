/**
 * npm run test:unit: the fast layer. Deciders, handlers, fulfilment and
 * reactors on the in-memory event store: no Redis, no store process.
 * Files are named by kind, as Emmett does: *.unit.spec.ts, *.int.spec.ts
 * (real processes, Redis, the store), *.e2e.spec.ts (over HTTP).
 */
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.unit.spec.ts'],
};
