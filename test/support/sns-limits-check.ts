/**
 * The run's SNS limits check as its own process: a FaultProxy with no faults in front of moto (its SNS limits
 * check always on; fault-proxy.ts). Its own process, because a test that blocks its event loop (a
 * `spawnSync` of the deploy bundle, with jest running in band) must not block the check its child talks to.
 *
 * Usage (global-setup.ts): tsx test/support/sns-limits-check.ts <moto endpoint>. Prints `LISTENING <endpoint>`,
 * then one `REFUSED <json>` line per refused PublishBatch; exits when its stdin closes (its parent is gone).
 */
import { FaultProxy } from './fault-proxy';

async function main(): Promise<void> {
  const target = process.argv[2];
  if (!target) throw new Error('usage: sns-limits-check.ts <moto endpoint>');
  const check = await new FaultProxy(target).start();
  const push = check.snsLimitRefusals.push.bind(check.snsLimitRefusals);
  check.snsLimitRefusals.push = (...refusals) => {
    for (const refusal of refusals) process.stdout.write(`REFUSED ${JSON.stringify(refusal)}\n`);
    return push(...refusals);
  };
  process.stdout.write(`LISTENING ${check.endpoint}\n`);
  process.stdin.resume();
  process.stdin.on('close', () => void check.stop().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
