/**
 * Unit tests talk to no emulator: throwaway credentials and a region for the SDK clients they build, and an
 * endpoint on the discard port, so a unit test that reaches the network by mistake fails at once (ECONNREFUSED)
 * instead of finding a real service.
 */
Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
});
