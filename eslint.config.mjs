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

const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'URL',
    'URLSearchParams',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'Buffer',
    'fetch',
    'AbortController',
    'AbortSignal',
    'TextDecoder',
    'TextEncoder',
    'structuredClone',
    'queueMicrotask',
    'performance',
    'window',
    'document',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', 'test-results/**', '**/*.js', 'bench/tmp/**'] },
  js.configs.recommended,
  // Plain JavaScript scripts (build, runners): the recommended rules, no type information.
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: nodeGlobals, sourceType: 'module', ecmaVersion: 2023 },
    rules: { 'no-empty': ['error', { allowEmptyCatch: true }] },
  },
  // TypeScript: type-checked rules.
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
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
              group: ['../kube/clusterClient', '../streams/*', '../yaml/*', '**/ext/**'],
              message: 'core/resources is pure: descriptors, formatting, patch builders.',
            },
          ],
        },
      ],
    },
  },
  {
    // The MCP server runs in its own Node process, outside VS Code.
    files: ['src/mcp/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', vscodeImports] },
  },
  {
    files: ['test/unit/**/*.ts', 'test/fakes/**/*.ts', 'test/cluster/**/*.ts', 'bench/**/*.ts'],
    // The probes run inside VS Code's extension host (the bench's extensionTestsPath).
    ignores: ['bench/activationProbe.ts', 'bench/hostMemoryProbe.ts'],
    rules: { 'no-restricted-imports': ['error', vscodeImports] },
  },
);
