/**
 * Attaching a command to the running local stack (`configure --local`, `check-account --local`): its state file,
 * the moto endpoint and the Management API it was started with.
 */
import { ENV } from '../lambda/contract';
import { UsageError } from './errors';
import { motoEnv } from './moto';
import { readState, statePath, type LocalStackState } from './state';

/**
 * For a command's `--local`: the running local stack, with this process's AWS SDK pointed at it (moto endpoint
 * or region) and, unless VOXIMPLANT_API_URL is set already, at the Management API the stack was started with.
 * Throws UsageError naming `npm start` when none runs.
 */
export function useLocalStack(env: NodeJS.ProcessEnv = process.env): LocalStackState {
  const state = readState(statePath(env));
  if (!state) throw new UsageError(`no local stack is running (no live state file at ${statePath(env)}): start it with \`npm start\``);
  if (state.motoEndpoint) Object.assign(env, motoEnv(state.motoEndpoint, state.region));
  else env.AWS_REGION = state.region;
  if (!env[ENV.voximplantApiUrl] && state.voximplantApiUrl) env[ENV.voximplantApiUrl] = state.voximplantApiUrl;
  return state;
}
