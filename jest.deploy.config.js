/**
 * `npm run rehearse-deploy`: the deploy rehearsal (test/deploy), on its own because it runs the real CDK CLI
 * against its own moto server for about a minute; `npm test` (jest.config.js) leaves it out. No global moto:
 * the suite starts a private one, so nothing another suite created can show up in its stack.
 */
// The SDK's "Node.js 20 support ends in 2027" notice, printed by every client in this process: noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/deploy'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // cdk synth, once, before the tests are collected: they are named after the template's resources.
  globalSetup: '<rootDir>/test/deploy/global-setup.ts',
  verbose: true,
  testTimeout: 60_000,
};
