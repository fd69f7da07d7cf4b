/**
 * Alerts → PublishBatch calls (lambda/publish-plan.ts): the per-protocol message, trimming under the message
 * limit, and packing by entries and bytes, each call checked against SNS's limits (lambda/sns-limits.ts).
 */
import fc from 'fast-check';
import type { Alert } from '../../../lambda/model';
import { DEFAULTS } from '../../../lambda/config';
import { parseItem } from '../../../lambda/parse';
import { BATCH_BUDGET_BYTES, fitAlert, MESSAGE_BUDGET_BYTES, planBatches, toBatchEntry } from '../../../lambda/publish-plan';
import { renderAlert } from '../../../lambda/render';
import { checkPublishBatch, entryBytes, SNS_LIMITS } from '../../../lambda/sns-limits';
import { buildCallback } from '../../../local/callbacks';
import { VOX } from '../../../local/fixtures';
import { cyrillicRenewals, emojiCertificates } from '../../../local/large-callbacks';

const alert = (callbackId: number, email = 'Your balance is low.'): Alert => ({
  accountId: 1234567,
  callbackId,
  type: 'min_balance',
  severity: 'critical',
  subject: 'Voximplant: balance low',
  email,
  sms: 'Balance low',
});

function rendered(raw: Record<string, unknown>): Alert {
  const parsed = parseItem(raw);
  if (!parsed.ok) throw new Error('fixture did not parse');
  return renderAlert(parsed.item, { consoleUrl: DEFAULTS.consoleUrl });
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;
const callBytes = (call: ReturnType<typeof planBatches>[number]) => call.reduce((sum, { entry }) => sum + entryBytes(entry), 0);

describe('toBatchEntry', () => {
  it('carries the email text once for email, the SMS for sms, and the alert as JSON in default for every other protocol', () => {
    const big = rendered(cyrillicRenewals(VOX, 1));
    const entry = toBatchEntry(big, '3');
    const message = JSON.parse(entry.Message) as Record<string, string>;
    expect(Object.keys(message).sort()).toEqual(['default', 'email', 'sms']);
    expect(message.email).toBe(big.email);
    expect(message.sms).toBe(big.sms);
    expect(JSON.parse(message.default)).toEqual(big);
    // The email's first list entry: once in `email`, once inside the JSON's email, once in its chat text
    // (Alert.chat, for the chat relays; the entry this replaced had it 7 times).
    const line = big.email.split('\n').find((l) => l.startsWith('- '))!;
    expect(big.chat?.description).toContain(line.slice(0, 40));
    expect(occurrences(entry.Message, line.slice(0, 40))).toBe(3);
    expect(checkPublishBatch([entry])).toBeUndefined();
  });
});

describe('fitAlert', () => {
  const listEmail = (name: string, entries: number, each: number, more = 0) => [
    `${name}:`,
    ...Array.from({ length: entries }, (_, i) => `- ${name} ${i} ${'Ж'.repeat(each)}`),
    ...(more ? [`- and ${more} more`] : []),
  ];
  const email = (...blocks: string[][]) =>
    ['Summary.', '', ...blocks.flatMap((b) => [...b, '']), 'Control panel: x', '--', 'footer'].join('\n');
  const size = (a: Alert) => entryBytes(toBatchEntry(a, '0')) + 1 + 4; // as the planner counts: + id + "json"

  it('leaves an alert that fits as it is', () => {
    const small = alert(1);
    expect(fitAlert(small)).toBe(small);
  });

  it('drops entries of the largest list first, from its end, and says how many more there are', () => {
    const big = alert(1, email(listEmail('Numbers', 10, 500), listEmail('Small', 3, 10)));
    const budget = size(big) - 5_000; // more than two large entries (about 2 KB each: in email and in JSON), less than three
    const fitted = fitAlert(big, budget);
    expect(size(fitted)).toBeLessThanOrEqual(budget);
    const lines = fitted.email.split('\n');
    expect(lines.filter((l) => l.startsWith('- Numbers'))).toHaveLength(7);
    expect(lines).toContain('- and 3 more');
    expect(lines.filter((l) => l.startsWith('- Small'))).toHaveLength(3); // the small list is untouched
    expect(lines.slice(-3)).toEqual(['Control panel: x', '--', 'footer']);
  });

  it('adds to an existing "and N more", and keeps every list’s first entry', () => {
    const big = alert(1, email(listEmail('Numbers', 10, 500, 5)));
    const fitted = fitAlert(big, size(alert(1, email(listEmail('Numbers', 1, 500, 14)))));
    expect(fitted.email.split('\n').filter((l) => l.startsWith('- '))).toEqual([`- Numbers 0 ${'Ж'.repeat(500)}`, '- and 14 more']);
  });

  it('cuts the email’s tail, on a code point, when no list is left to shorten', () => {
    const big = alert(1, `Summary ${'🔔'.repeat(100_000)}`); // 400 KB, no list
    const fitted = fitAlert(big);
    expect(size(fitted)).toBeLessThanOrEqual(MESSAGE_BUDGET_BYTES);
    expect(size(fitted)).toBeGreaterThan(MESSAGE_BUDGET_BYTES - 100);
    expect(fitted.email).toMatch(/^Summary (🔔)+…$/u);
    expect(fitted.subject).toBe(big.subject);
    expect(fitted.sms).toBe(big.sms);
  });
});

describe('planBatches', () => {
  it('the issue’s inputs: a min_balance and nine large alerts go out in calls SNS accepts, min_balance first', () => {
    for (const make of [cyrillicRenewals, emojiCertificates]) {
      const alerts = [rendered(buildCallback(VOX, { callbackId: 1 })), ...Array.from({ length: 9 }, (_, i) => rendered(make(VOX, 2 + i)))];
      const calls = planBatches(alerts);
      for (const call of calls) expect(checkPublishBatch(call.map(({ entry }) => entry))).toBeUndefined();
      expect(calls[0][0].alert.type).toBe('min_balance');
      expect(calls.flat().map(({ alert: a }) => a)).toEqual(alerts);
      // Nothing needed trimming: lambda/render/'s caps keep each alert far below the message limit.
      for (const { alert: a, entry } of calls.flat()) expect(JSON.parse(entry.Message).email).toBe(a.email);
    }
  });

  it('starts a new call when the next entry would pass the byte budget, even under 10 entries', () => {
    const big = (id: number) => alert(id, 'x'.repeat(60_000)); // about 120 KB an entry
    const calls = planBatches([big(1), big(2), big(3), alert(4)]);
    expect(calls.map((call) => call.map(({ alert: a }) => a.callbackId))).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(calls.map((call) => call.map(({ entry }) => entry.Id))).toEqual([
      ['0', '1'],
      ['0', '1'],
    ]);
  });

  it('any alerts: in order, at most 10 a call, within the byte budget, and every call accepted by SNS’s checks', () => {
    const line = fc.string({ unit: 'binary', maxLength: 200 }).map((s) => s.replace(/[\p{Cs}\n]/gu, '?'));
    const anAlert = fc.record({
      lines: fc.array(line, { maxLength: 30 }),
      bullets: fc.array(
        fc.array(
          line.map((l) => `- ${l}`),
          { maxLength: 12 },
        ),
        { maxLength: 3 },
      ),
      repeat: fc.integer({ min: 1, max: 80 }),
    });
    fc.assert(
      fc.property(fc.array(anAlert, { minLength: 1, maxLength: 15 }), (specs) => {
        const alerts = specs.map(({ lines, bullets, repeat }, i) =>
          alert(i, [...lines, ...bullets.flatMap((b) => ['List:', ...b, ''])].join('\n').repeat(repeat) || 'x'),
        );
        const calls = planBatches(alerts);
        expect(calls.flat().map(({ alert: a }) => a.callbackId)).toEqual(alerts.map((a) => a.callbackId));
        for (const call of calls) {
          expect(call.length).toBeLessThanOrEqual(SNS_LIMITS.maxBatchEntries);
          expect(callBytes(call)).toBeLessThanOrEqual(BATCH_BUDGET_BYTES);
          expect(checkPublishBatch(call.map(({ entry }) => entry))).toBeUndefined();
        }
      }),
      { numRuns: 30 },
    );
  });
});
