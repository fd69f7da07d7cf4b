/** Every test worker talks to the run's moto server (started by global-setup) with throwaway credentials. */
import { motoEnv } from '../../local/moto';

const endpoint = process.env.MOTO_ENDPOINT;
if (!endpoint) throw new Error('MOTO_ENDPOINT is not set: run the tests through jest (global-setup starts moto)');
Object.assign(process.env, motoEnv(endpoint));
