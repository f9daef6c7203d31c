// Lint with type information, and fence the layers: src/core never sees `vscode` (ARCHITECTURE.md 5.3).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const vscodeImports = {
  paths: [
    { name: 'vscode', message: 'src/core must not depend on VS Code; put this in src/ext.' },
    { name: 'vscode-languageclient', message: 'src/core must not depend on VS Code; put this in src/ext.' },
    { name: 'vscode-languageclient/node', message: 'src/core must not depend on VS Code; put this in src/ext.' },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'out/**',
      'test-results/**',
      'test/cluster/**/*.mjs',
      '**/*.js',
      'bench/tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.mjs', 'scripts/*.mjs', 'scripts/lib/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['describe', 'it', 'test', 'suite', 'before', 'after'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...vscodeImports,
          patterns: [{ group: ['**/ext/**', '**/extension'], message: 'src/core must not import the VS Code layer.' }],
        },
      ],
    },
  },
  {
    files: ['src/core/common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...vscodeImports,
          patterns: [{ group: ['../*', '!./*'], message: 'core/common imports nothing else from the project.' }],
        },
      ],
    },
  },
  {
    files: ['src/core/resources/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...vscodeImports,
          patterns: [
            {
              group: ['../kube/*', '../streams/*', '../yaml/*', '**/ext/**'],
              message: 'core/resources depends only on common (and watch types).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/unit/**/*.ts', 'test/cluster/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', vscodeImports] },
  },
);
