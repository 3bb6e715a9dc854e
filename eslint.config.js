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
              group: ['**/workers/engine', '**/workers/runtime/*', '**/workers/engine.worker'],
              message: 'Talk to the engine through src/engine-client.ts.',
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
