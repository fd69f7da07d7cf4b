/**
 * One moto server for the whole run, on a free port. Workers inherit MOTO_ENDPOINT through the environment;
 * each integration suite creates its own uniquely named resources, so suites never see each other's data.
 */
import { startMoto, type MotoServer } from '../../tools/moto';

declare global {
  // eslint-disable-next-line no-var
  var __MOTO__: MotoServer | undefined;
}

export default async function globalSetup(): Promise<void> {
  const moto = await startMoto();
  globalThis.__MOTO__ = moto;
  process.env.MOTO_ENDPOINT = moto.endpoint;
}
