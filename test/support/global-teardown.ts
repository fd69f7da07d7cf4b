/**
 * Stops the run's moto and its SNS limits check. A PublishBatch the check refused means the code under test
 * sent what AWS would refuse: fail the run even if no assertion noticed (a 202 and a parked request look
 * healthy), naming each refusal.
 */
export default async function globalTeardown(): Promise<void> {
  const check = globalThis.__SNS_LIMITS_CHECK__;
  if (check && check.child.exitCode === null) {
    const exited = new Promise((resolve) => check.child.once('exit', resolve));
    check.child.stdin?.end(); // the check exits when its stdin closes
    await exited;
  }
  await globalThis.__MOTO__?.stop();
  const refusals = check?.refusals ?? [];
  if (refusals.length > 0) {
    throw new Error(
      `SNS would have refused ${refusals.length} PublishBatch call(s) that moto accepts:\n` +
        refusals.map(({ code, message }) => `  ${code}: ${message}`).join('\n'),
    );
  }
}
