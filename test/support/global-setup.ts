/**
 * One moto server for the whole run, on a free port, behind an SNS limits check: MOTO_ENDPOINT is a
 * FaultProxy with no faults in front of moto, so every PublishBatch any suite sends through it is refused as
 * AWS would refuse it (lambda/sns-limits.ts; moto accepts what AWS refuses). Workers inherit MOTO_ENDPOINT
 * through the environment; each integration suite creates its own uniquely named resources, so suites never
 * see each other's data.
 */
import { startMoto, type MotoServer } from '../../tools/moto';
import { FaultProxy } from './fault-proxy';

declare global {
  // eslint-disable-next-line no-var
  var __MOTO__: MotoServer | undefined;
  // eslint-disable-next-line no-var
  var __SNS_LIMITS_CHECK__: FaultProxy | undefined;
}

export default async function globalSetup(): Promise<void> {
  const moto = await startMoto();
  globalThis.__MOTO__ = moto;
  const check = await new FaultProxy(moto.endpoint).start();
  globalThis.__SNS_LIMITS_CHECK__ = check;
  process.env.MOTO_ENDPOINT = check.endpoint;
}
