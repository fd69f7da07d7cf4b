// ESLint (flat config): typescript-eslint's recommended rules, plus the one rule the layout depends on:
// the receiver's core (lambda/ outside lambda/aws/ and the entry handler.ts) imports no AWS SDK, Powertools or
// Lambda runtime code, so it runs the same against AWS, moto or plain test doubles. Formatting is Prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Packages only the edges (lambda/aws/*, lambda/handler.ts) may import; type-only imports stay allowed. */
const EDGE_ONLY = ['@aws-sdk/*', '@smithy/*', '@aws-lambda-powertools/*', 'aws-lambda'];

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.ci/node/', '.venv/', 'coverage/', 'bench-results/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      // Non-null assertions mark facts the code established a line earlier; `any` stays banned.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // Plain CommonJS config and fixtures.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests load fresh module copies with jest.isolateModules (require), and read CloudFormation JSON loosely.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['lambda/**/*.ts'],
    ignores: [
      'lambda/aws/**',
      'lambda/handler.ts',
      'lambda/watchdog/handler.ts',
      'lambda/incidents/handler.ts',
      'lambda/incidents/ack-handler.ts',
      'lambda/chat/handler.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: EDGE_ONLY,
              allowTypeImports: true,
              message: 'The core imports no AWS or Lambda runtime code: put it behind a port (lambda/ports.ts) in lambda/aws/.',
            },
          ],
        },
      ],
    },
  },
);
