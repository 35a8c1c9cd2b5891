/**
 * The boundaries of the code (docs/architecture.md, "Boundaries"), checked by `npm run lint`.
 * Each failure prints the forbidden arrow, `from → to`, under the rule's name.
 *
 * In apps/api/src the folders http, auth and budgets are shared: they serve every route and own none.
 * Every other folder is a feature (a slice), and each of its subfolders is one use case.
 */
const SHARED = '(http|auth|budgets)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Files that import each other in a loop cannot be understood, tested or moved one at a time.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-slice-to-slice',
      severity: 'error',
      comment:
        'A feature of apps/api imports its own files, the shared folders (http, auth, budgets) and libs, never another feature.',
      from: { path: '^apps/api/src/([^/]+)/', pathNot: `^apps/api/src/${SHARED}/` },
      to: { path: '^apps/api/src/[^/]+/', pathNot: ['^apps/api/src/$1/', `^apps/api/src/${SHARED}/`] },
    },
    {
      name: 'no-use-case-to-use-case',
      severity: 'error',
      comment:
        "A use case's folder imports its feature's own files (beside the feature's module), never another use case's folder.",
      from: { path: '^apps/api/src/([^/]+)/([^/]+)/', pathNot: `^apps/api/src/${SHARED}/` },
      to: { path: '^apps/api/src/$1/[^/]+/', pathNot: '^apps/api/src/$1/$2/' },
    },
    {
      name: 'no-shared-to-feature',
      severity: 'error',
      comment:
        'The shared folders of apps/api (http, auth, budgets) sit below the features: they import no feature and not the app root.',
      from: { path: `^apps/api/src/${SHARED}/` },
      to: { path: '^apps/api/src/', pathNot: `^apps/api/src/${SHARED}/` },
    },
    {
      name: 'no-import-of-app-root',
      severity: 'error',
      comment: 'main.ts, create-api.ts and api.module.ts assemble the app: nothing inside it imports them.',
      from: { path: '^apps/api/src/[^/]+/' },
      to: { path: '^apps/api/src/[^/]+\\.ts$' },
    },
    {
      name: 'no-lib-to-app',
      severity: 'error',
      comment:
        'libs hold what the deployables share; a lib that imports an app would make that app a library of the others.',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'libs/domain imports only itself and the Node standard library (type-only imports too): no framework, no other lib.',
      from: { path: '^libs/domain/', pathNot: '\\.spec\\.ts$' },
      to: { dependencyTypesNot: ['core'], pathNot: '^libs/domain/' },
    },
    {
      name: 'domain-source-not-testing',
      severity: 'error',
      comment: "libs/domain/testing holds spec helpers outside the build: the domain's own code does not import them.",
      from: { path: '^libs/domain/src/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^libs/domain/testing/' },
    },
    {
      name: 'domain-specs-stay-in-domain',
      severity: 'error',
      comment:
        "The domain's specs may use test libraries, but no other lib and no app: the domain is tested on its own.",
      from: { path: '^libs/domain/.*\\.spec\\.ts$' },
      to: { path: '^(apps|libs|test|tools|bench)/', pathNot: '^libs/domain/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules stays out of the cruise but in the graph, so a rule sees an import of a package.
    exclude: { path: '^(dist|coverage|data)/' },
    // Type-only imports are arrows too: `import type` ties the code as much as a value import does.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
