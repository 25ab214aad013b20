// Lint with type information (typescript-eslint, flat config): the rules that need the type checker catch
// what tsc alone lets through, above all promises nobody awaits (a lost error is a lost verdict).
// `npm run lint`; CI runs it before the tests (.ci/run).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Plain JavaScript (the bundle runner scripts) is outside the TypeScript project.
  { ignores: ['node_modules/', 'dist/', '.cache/', '.staging/', '.moderation/', 'bench/out/', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Every promise is awaited, returned or explicitly voided: a floating one loses its error.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Numbers and arrays print fine in messages; objects (and unknown) still need an explicit String()/JSON.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowArray: true, allowBoolean: true }],
      // An async function without await is how a synchronous body satisfies an interface that returns a promise.
      '@typescript-eslint/require-await': 'off',
      // JSON from the network, files and SDKs is validated with zod at the edge; the casts after that are deliberate.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The browser page (console/page/, its own tsconfig with the DOM): it may import the server's answer
    // types, never server or Node code (esbuild would try to bundle it), and has no Node globals.
    files: ['console/page/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require', 'module', '__dirname', '__filename', 'global'],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'The page runs in the browser.' },
            {
              group: ['../server/*', '../../server/*'],
              allowTypeImports: true,
              message: 'The page imports server code as types only.',
            },
            {
              // Anything outside console/ as types only, except pure shared helpers whose own imports are
              // types (bundled as they are), so the page names things exactly as the workflow does.
              regex: '^(\\.\\./){2,3}(?!\\.\\./)(?!functions/shared/checked-views\\.js$)',
              allowTypeImports: true,
              message: 'The page imports server code as types only (pure type-only-import helpers are listed in eslint.config.js).',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests: chai's property assertions (expect(x).to.be.true) are expressions.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unused-expressions': 'off' },
  },
);
