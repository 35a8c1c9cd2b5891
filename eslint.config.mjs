// ESLint with typescript-eslint's recommended type-checked rules; Prettier owns the layout.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'bench/results/**',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Nest's lifecycle hooks and handlers may be async by contract without awaiting.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests, benches and tools read JSON answers and events as loosely as a client would.
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts', 'libs/*/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Specs pass methods of their harnesses around (close, output) as plain functions.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
