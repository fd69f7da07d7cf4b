/**
 * `npm run bench:bytes`: bytes per alert published, as SNS counts them against its size
 * limits (message + subject + attributes, lambda/sns-limits.ts `entryBytes`), before and after the message was
 * cut down, for every callback type lambda/render/ knows (with its sample data, lambda/render/samples.ts) and for the
 * largest alerts lambda/render/ lets through (long lists of multi-byte values). Pure computation: no AWS, no moto.
 *
 * "Before" is the entry shape publish-plan.ts replaced, rebuilt here for the comparison only: the email text
 * in `default` and `email`, and the alert as JSON under each of `email-json`, `sqs`, `lambda`, `http`, `https`.
 */
import type { Alert } from '../lambda/callback';
import { DEFAULTS } from '../lambda/config';
import { parseItem } from '../lambda/parse';
import { planBatches, toBatchEntry } from '../lambda/publish-plan';
import { KNOWN_TYPES, renderAlert } from '../lambda/render';
import { entryBytes, SNS_LIMITS, type BatchEntry } from '../lambda/sns-limits';
import { buildCallback, sampleCallback } from '../tools/callbacks';
import { BENCH_VOX as VOX } from './support';
import { cyrillicRenewals, emojiCertificates } from '../tools/large-callbacks';
import { parseCommandLine } from '../tools/cli';
import { median } from './stats';

parseCommandLine(
  process.argv.slice(2),
  'Usage: npm run bench:bytes\n\nPrints bytes per alert published (message + subject + attributes) before and after the message diet,\nfor every known callback type and for the largest alerts the renderer lets through. No AWS, no moto.',
  {},
);

/** The entry shape before issue 11 (seven copies of the email text), for the "before" column only. */
function entryBefore(alert: Alert): BatchEntry {
  const structured = JSON.stringify(alert);
  const { MessageAttributes, Subject } = toBatchEntry(alert, '0');
  return {
    Id: '0',
    Subject,
    MessageStructure: 'json',
    Message: JSON.stringify({
      default: alert.email,
      email: alert.email,
      sms: alert.sms,
      'email-json': structured,
      sqs: structured,
      lambda: structured,
      http: structured,
      https: structured,
    }),
    MessageAttributes,
  };
}

function rendered(raw: Record<string, unknown>): Alert {
  const parsed = parseItem(raw);
  if (!parsed.ok) throw new Error(`sample did not parse: ${parsed.fields.join(', ')}`);
  return renderAlert(parsed.item, { consoleUrl: DEFAULTS.consoleUrl });
}

const row = (name: string, alert: Alert) => {
  const before = entryBytes(entryBefore(alert));
  const after = entryBytes(toBatchEntry(alert, '0'));
  return { name, before, after };
};

const samples = KNOWN_TYPES.map((type, i) => row(type, rendered(sampleCallback(VOX, { callbackId: 1000 + i, type }))));
const large = [
  row('renewed_subscriptions, 12 numbers, Cyrillic details', rendered(cyrillicRenewals(VOX, 1))),
  row('expiring_certificates, 12, emoji names', rendered(emojiCertificates(VOX, 2))),
];

const pad = (text: string | number, width: number) => String(text).padStart(width);
const ratio = (before: number, after: number) => `${(before / after).toFixed(2)}×`;
const lines: string[] = ['Bytes per alert published (message + subject + attributes), before → after', ''];
lines.push(`${'callback'.padEnd(52)} ${pad('before', 9)} ${pad('after', 9)} ${pad('ratio', 7)}`);
for (const r of [...samples, ...large])
  lines.push(`${r.name.padEnd(52)} ${pad(r.before, 9)} ${pad(r.after, 9)} ${pad(ratio(r.before, r.after), 7)}`);
lines.push('');
const summary = (name: string, rows: ReadonlyArray<{ before: number; after: number }>) => {
  const before = rows.map((r) => r.before);
  const after = rows.map((r) => r.after);
  lines.push(
    `${name}: median ${median(before)} → ${median(after)} B (${ratio(median(before), median(after))}), ` +
      `max ${Math.max(...before)} → ${Math.max(...after)} B (${ratio(Math.max(...before), Math.max(...after))})`,
  );
};
summary(`every known type (${samples.length}), sample data`, samples);
summary('the largest alerts render.ts lets through', large);

// The requests: a min_balance and nine large alerts, as one call before and as planned now.
for (const [name, make] of [
  ['nine Cyrillic renewals', cyrillicRenewals],
  ['nine emoji certificate lists', emojiCertificates],
] as const) {
  const alerts = [rendered(buildCallback(VOX, { callbackId: 1 })), ...Array.from({ length: 9 }, (_, i) => rendered(make(VOX, 2 + i)))];
  const before = alerts.reduce((sum, a) => sum + entryBytes(entryBefore(a)), 0);
  const calls = planBatches(alerts).map((call) => call.reduce((sum, { entry }) => sum + entryBytes(entry), 0));
  lines.push(
    `min_balance + ${name}: before one call of ${before} B (limit ${SNS_LIMITS.maxBatchBytes}: ${before > SNS_LIMITS.maxBatchBytes ? 'refused' : 'accepted'}); ` +
      `now ${calls.length} call(s) of ${calls.join(', ')} B`,
  );
}
console.log(lines.join('\n'));
