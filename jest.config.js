/**
 * Two projects. `unit` (test/unit) runs pure logic and adapters against in-process doubles: no moto, no Python
 * (`npm run test:unit`). `integration` (test/integration, test/infra) shares one moto server started by its global
 * setup. The deploy rehearsal runs on its own (`npm run rehearse-deploy`, jest.deploy.config.js).
 * Jest runs TypeScript through ts-jest in transpile-only mode (isolatedModules in tsconfig.json); `npm run
 * typecheck` does the type checking once.
 */
const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      roots: ['<rootDir>/test/unit'],
      setupFiles: ['<rootDir>/test/support/unit-env.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration', '<rootDir>/test/infra'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      setupFiles: ['<rootDir>/test/support/aws-env.ts'],
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
