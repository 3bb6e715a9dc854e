import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // The UI thread never loads the runtime: only the worker imports onnxruntime-web.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['onnxruntime-web', 'onnxruntime-web/*', 'onnxruntime-node'],
              message: 'Only workers/ may import ONNX Runtime.',
            },
            {
              group: ['**/workers/**', '**/test-support/**'],
              message:
                'The UI talks to the engine through src/engine-client.ts and shared/engine-api.ts; code both sides use lives in shared/.',
            },
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
