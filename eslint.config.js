// @ts-check
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // docs/.vitepress/cache holds the docs dev server's prebundled dependencies; its build, docs/.vitepress/dist, is a dist.
  globalIgnores(['**/__generated__/**', '**/dist/**', '**/node_modules/**', 'docs/.vitepress/cache/**']),
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Types come from the root tsconfig.json, which includes every source folder; these files are outside it.
        projectService: { allowDefaultProject: ['eslint.config.js', '.dependency-cruiser.cjs', 'docs/.vitepress/config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // What this linter is here for first; stated so that no change of preset can weaken them.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // noUncheckedIndexedAccess is on: `rows[0]!` after a statement that returns one row is how the code states what it knows.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `async` without `await` is how the code meets Promise-returning interfaces (plugin hooks, fetch and key stubs), and it turns a throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      // Messages print counts, exit codes (null when signalled), `undefined` and patterns as they are; objects and `any` still need an explicit conversion.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowNullish: true, allowRegExp: true, allowAny: false, allowBoolean: false, allowNever: false }],
      // `() => resolve()` and `(error) => (error ? reject(error) : resolve())` callbacks are the project's style.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // `const { password_hash: _hash, ...row } = user` drops a field on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['test/**', '**/test/**'],
    rules: {
      // Suites declare `let stack: Stack` filled in beforeAll; afterAll's `stack?.stop()` still runs when beforeAll failed.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  {
    files: ['test/**'],
    rules: {
      // Tests compare against vitest's asymmetric matchers (`expect.any`, `expect.stringMatching`) and read parsed JSON, both typed `any`; GraphQL answers are typed (test/support/graphql.ts).
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    files: ['sdk/test/types.fixture.ts'],
    rules: {
      // The compile-only fixture uses `void value;` to mark a value used, and to hold a @ts-expect-error on a bare expression.
      '@typescript-eslint/no-meaningless-void-operator': 'off',
    },
  },
);
