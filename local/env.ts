/**
 * The environment a local stack (or a command that starts one) must not inherit from the shell that runs it:
 * settings that would point it at other AWS endpoints, other secrets or another state file, or change the
 * receiver's own configuration. Used by `npm run load` for its own stack and by the tests that run the tools
 * as a user would.
 */
import { ENV } from '../lambda/contract';

/** Prefixes of variables that configure AWS access, the secrets, moto, the local stack or Powertools. */
const SETTING_PREFIX = /^(AWS_|VOX_|MOTO_|LOCAL_STACK_|POWERTOOLS_)/;
/** The local server's address (`npm start`'s PORT and HOST) and every variable the receiver reads (lambda/contract.ts ENV). */
const SETTINGS = new Set<string>(['PORT', 'HOST', ...Object.values(ENV)]);

/** Whether `name` is one of the settings above. */
export function isLocalSetting(name: string): boolean {
  return SETTING_PREFIX.test(name) || SETTINGS.has(name);
}

/** A copy of `env` without the local stack's and the receiver's settings: a user's plain shell. */
export function withoutLocalSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !isLocalSetting(name)));
}
