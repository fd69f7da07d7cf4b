/**
 * One low-balance incident's timeline on the local stack (moto, the real receiver behind the API Gateway-like
 * server, the notifier on its timer), with a compressed reminder schedule: a signed min_balance callback opens
 * it, the notifier reminds, a signed card_payment resolves it, and the notifier says "resolved". Prints when
 * each alert reached the inbox, from the moment the min_balance callback was sent.
 *
 * Usage: npm run bench:incident [-- <reminderSchedule> <notifier interval ms>]   (default: 5s,10s 1000)
 * Scaled to the real schedule (30m,2h,6h,12h) and the stack's 1-minute notifier, the reminder comes 30 min
 * (+ up to 1 min) after the opening and "resolved" within a minute of the payment.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoIncidentStore } from '../lambda/aws/dynamo-incidents';
import { ENV } from '../lambda/contract';
import { Deadline } from '../lambda/deadline';
import type { IncidentKey } from '../lambda/incidents/model';
import { parseReminderSchedule } from '../lambda/incidents/schedule';
import { buildCallback, envelope } from '../local/callbacks';
import { VOX } from '../local/fixtures';
import { parseAlert, type InboxMessage } from '../local/provision';
import { startLocalStack } from '../local/stack';

interface Seen {
  readonly at: number;
  readonly type: string;
  readonly escalation?: number;
  readonly subject?: string;
}

async function main(): Promise<void> {
  const [scheduleText = '5s,10s', intervalText = '1000'] = process.argv.slice(2);
  const schedule = parseReminderSchedule(scheduleText);
  const intervalMs = Number(intervalText);
  // The payment must be forwarded too, so its alert shows when the receiver handled it.
  process.env[ENV.alertTypes] = '*';
  const seen: Seen[] = [];
  const stack = await startLocalStack({
    secrets: { ...VOX, ackKey: randomBytes(32).toString('base64url') },
    quietFunctionLogs: true,
    notifier: { intervalMs, reminderSchedule: scheduleText },
    onAlert: (message: InboxMessage) => {
      const alert = parseAlert(message);
      seen.push({ at: performance.now(), type: alert?.type ?? '?', escalation: alert?.escalation, subject: message.subject });
    },
  });
  const dynamodb = new DynamoDBClient({});
  const store = new DynamoIncidentStore(dynamodb, stack.resources.incidentTableName);
  const key: IncidentKey = { accountId: Number(VOX.accountId), kind: 'low_balance', subject: '' };
  const waitFor = async (what: (s: Seen) => boolean, label: string, ms = 120_000): Promise<Seen> => {
    const until = performance.now() + ms;
    for (;;) {
      const found = seen.find(what);
      if (found) return found;
      if (performance.now() > until) throw new Error(`no ${label} within ${ms / 1000} s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const post = (callback: Record<string, unknown>) =>
    fetch(stack.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: envelope(callback) });
  const signal = () => Deadline.in(5000).signal;
  try {
    const t0 = performance.now();
    const answer = await post(buildCallback(VOX, { callbackId: 9001, type: 'min_balance' }));
    if (answer.status !== 200) throw new Error(`min_balance answered ${answer.status}`);
    const opening = await waitFor((s) => s.type === 'min_balance', 'opening alert');
    const opened = await store.get(key, signal());
    if (opened?.status !== 'open') throw new Error('the receiver did not open the low-balance incident');
    const reminder = await waitFor((s) => s.type === 'incident_reminder', 'reminder');
    const paidAt = performance.now();
    const paid = await post(buildCallback(VOX, { callbackId: 9002, type: 'card_payment', data: { amount: 100 } }));
    if (paid.status !== 200) throw new Error(`card_payment answered ${paid.status}`);
    const payment = await waitFor((s) => s.type === 'card_payment', 'payment alert');
    if ((await store.get(key, signal()))?.status !== 'resolved') throw new Error('the card_payment did not resolve the incident');
    const resolved = await waitFor((s) => s.type === 'incident_resolved', '"resolved" notice');
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`Incident timeline on the local stack (moto), schedule ${scheduleText}, notifier every ${intervalMs} ms`);
    console.log(`  min_balance sent                      0.00 s`);
    console.log(`  opening alert in the inbox            ${s(opening.at - t0)}`);
    console.log(
      `  reminder 1 (escalation ${reminder.escalation}) in the inbox ${s(reminder.at - t0)}  (due at ${s(schedule.offsetsMs[0] ?? schedule.repeatMs)})`,
    );
    console.log(`  card_payment sent                     ${s(paidAt - t0)}`);
    console.log(`  payment alert in the inbox            ${s(payment.at - t0)}`);
    console.log(`  "resolved" in the inbox               ${s(resolved.at - t0)}  (${s(resolved.at - paidAt)} after the payment)`);
    console.log(`  "resolved" says: ${resolved.subject}`);
  } finally {
    dynamodb.destroy();
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
