/**
 * Stops the run's moto and its SNS limits check. A PublishBatch the check refused means the code under test
 * sent what AWS would refuse: fail the run even if no assertion noticed (a 202 and a parked request look
 * healthy), naming each refusal.
 */
export default async function globalTeardown(): Promise<void> {
  const check = globalThis.__SNS_LIMITS_CHECK__;
  await check?.stop();
  await globalThis.__MOTO__?.stop();
  const refusals = check?.snsLimitRefusals ?? [];
  if (refusals.length > 0) {
    throw new Error(
      `SNS would have refused ${refusals.length} PublishBatch call(s) that moto accepts:\n` +
        refusals.map(({ code, message }) => `  ${code}: ${message}`).join('\n'),
    );
  }
}
