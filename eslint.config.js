import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// What the UI thread never imports, tests included: the runtime (only the worker loads
// onnxruntime-web) and the engine's own code.
const uiImportBans = [
  {
    group: ['onnxruntime-web', 'onnxruntime-web/*', 'onnxruntime-node'],
    message: 'Only workers/ may import ONNX Runtime.',
  },
  {
    group: ['**/workers/**'],
    message:
      'The UI talks to the engine through src/engine-client.ts and shared/engine-api.ts; code both sides use lives in shared/.',
  },
];

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', { patterns: uiImportBans }],
    },
  },
  {
    // The UI's production code never imports test support (its tests may).
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...uiImportBans,
            { group: ['**/test-support/**'], message: 'Test support is for tests and benchmarks only.' },
          ],
        },
      ],
    },
  },
  {
    // The engine and the code both sides share never reach into the UI, and production code never
    // into test support.
    files: ['workers/**/*.ts', 'shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/src/**'], message: 'The engine does not depend on the UI.' },
            { group: ['**/test-support/**'], message: 'Test support is for tests and benchmarks only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(src|test-support)/|(^|/)workers/(?!pipeline/sampler-registry$)',
              message: 'shared/ depends on nothing of either side.',
            },
            {
              group: ['../workers/pipeline/sampler-registry'],
              allowTypeImports: true,
              message: 'shared/ takes only the SamplerName type from the registry, never its code.',
            },
          ],
        },
      ],
    },
  },
  { files: ['**/*.mjs', '*.config.{js,ts}'], languageOptions: { globals: globals.node } },
  {
    // noUncheckedIndexedAccess makes every typed-array read `T | undefined`; inside bounds-checked
    // numeric loops `!` is the honest spelling, so the type checker, not this rule, guards them.
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
