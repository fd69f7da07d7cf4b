/** Jest runs TypeScript through ts-jest in transpile-only mode (isolatedModules in tsconfig.json); `npm run typecheck` does the type checking once. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The deploy rehearsal runs on its own: `npm run rehearse-deploy` (jest.deploy.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/deploy/'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  setupFiles: ['<rootDir>/test/support/aws-env.ts'],
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
};
