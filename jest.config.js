/**
 * Nest 12 ships ESM only; Jest on Node 20 cannot load it, so @swc/jest
 * transforms node_modules/@nestjs as well as our TypeScript.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  maxWorkers: 2,
  testTimeout: 30_000,
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|@apidevtools|uuid|fast-check|pure-rand|file-type|strtok3|token-types|uint8array-extras|@tokenizer|@fastify|content-disposition)/)',
  ],
  moduleNameMapper: { '^@app/([^/]+)(.*)$': '<rootDir>/libs/$1/src$2' },
  testMatch: ['<rootDir>/{apps,libs,test}/**/*.spec.ts'],
  // The fault, invariant, abuse and lifetimes suites run alone (npm run test:faults, test:invariants, test:abuse, test:lifetimes): each starts its own processes and loads the machine.
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/test/faults/faults.int.spec.ts',
    '<rootDir>/test/invariants/invariants.int.spec.ts',
    '<rootDir>/test/abuse/',
    '<rootDir>/test/lifetimes/lifetimes.int.spec.ts',
  ],
};
