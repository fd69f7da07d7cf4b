/**
 * The credential chain of the deploy bundle: the stack's esbuild `alias` puts this module in place of
 * `@aws-sdk/credential-provider-node`. Lambda hands the function its role's credentials in
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, so the environment is the only source the
 * receiver needs; the rest of the default chain (ini files, SSO, web identity, process, container and
 * instance metadata, and the nested STS/SSO clients they load) is a quarter of the bundle and of its
 * import time (`npm run bench`). Tests and `npm start` run the source with the full chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
