/**
 * How alerts become SNS PublishBatch calls: one entry per alert, each bounded under SNS's message size limit,
 * packed in order into calls bounded by entries and by bytes (sns-limits.ts). Pure: no AWS, no I/O.
 *
 * The message (MessageStructure `json`) carries only what subscribers need: `email` the email text, `sms`
 * the SMS text, and `default` the alert as compact JSON. SNS sends `default` to every protocol without a
 * key of its own (sqs, lambda, http, https, email-json, firehose), so one JSON copy serves all programmatic
 * subscribers; `default` is the one key SNS requires (Publish API reference, MessageStructure).
 */
import type { Alert } from './callback';
import { MESSAGE_ATTRIBUTES } from './names';
import { entryBytes, SNS_LIMITS, type BatchEntry } from './sns-limits';

/**
 * Bytes kept free under each of SNS's size limits (per message and per call), for what SNS might count
 * beyond the documented parts: ids, MessageStructure, encodings.
 */
export const SIZE_MARGIN_BYTES = 4_096;
export const MESSAGE_BUDGET_BYTES = SNS_LIMITS.maxMessageBytes - SIZE_MARGIN_BYTES;
export const BATCH_BUDGET_BYTES = SNS_LIMITS.maxBatchBytes - SIZE_MARGIN_BYTES;

/** The PublishBatch entry for one alert. `id` must be unique in its call (sns-limits.ts, entry id rules). */
export function toBatchEntry(alert: Alert, id: string): BatchEntry & { readonly MessageStructure: 'json' } {
  return {
    Id: id,
    Subject: alert.subject,
    MessageStructure: 'json',
    Message: JSON.stringify({ default: JSON.stringify(alert), email: alert.email, sms: alert.sms }),
    MessageAttributes: {
      [MESSAGE_ATTRIBUTES.callbackType]: { DataType: 'String', StringValue: alert.type },
      [MESSAGE_ATTRIBUTES.severity]: { DataType: 'String', StringValue: alert.severity },
    },
  };
}

/** What the planner counts for one entry: SNS's count plus the id and structure it does not document. */
const plannedBytes = (entry: BatchEntry): number =>
  entryBytes(entry) + Buffer.byteLength(entry.Id ?? '') + Buffer.byteLength(entry.MessageStructure ?? '');

const sizeOf = (alert: Alert): number => plannedBytes(toBatchEntry(alert, '0'));

/** A bullet line of a list in the email (render.ts writes `- entry`, and `- and N more` after a capped list). */
const BULLET = /^- /;
const MORE = /^- and (\d+) more$/;

/** The email's bullet lists: line ranges [start, end) of consecutive bullets, and what the tail already hides. */
function lists(lines: readonly string[]) {
  const found: Array<{ start: number; end: number; hidden: number; bytes: number }> = [];
  for (let i = 0; i < lines.length; ) {
    if (!BULLET.test(lines[i])) {
      i += 1;
      continue;
    }
    const start = i;
    let bytes = 0;
    while (i < lines.length && BULLET.test(lines[i])) bytes += Buffer.byteLength(lines[i++]);
    const more = MORE.exec(lines[i - 1]);
    found.push({ start, end: more ? i - 1 : i, hidden: more ? Number(more[1]) : 0, bytes });
  }
  return found;
}

/** Drops the last shown entry of the email's largest list that still shows more than one, or answers undefined. */
function dropOneListEntry(email: string): string | undefined {
  const lines = email.split('\n');
  const candidates = lists(lines).filter((list) => list.end - list.start > 1);
  if (candidates.length === 0) return undefined;
  const largest = candidates.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const hadMore = lines[largest.end] !== undefined && MORE.test(lines[largest.end]) ? 1 : 0;
  lines.splice(largest.end - 1, 1 + hadMore, `- and ${largest.hidden + 1} more`);
  return lines.join('\n');
}

const ELLIPSIS = '…';

/** The longest prefix of `email` (whole code points, plus an ellipsis) whose alert fits `budget`. */
function cutEmail(alert: Alert, budget: number): Alert {
  const points = Array.from(alert.email);
  let low = 0;
  let high = points.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (sizeOf({ ...alert, email: points.slice(0, mid).join('') + ELLIPSIS }) <= budget) low = mid;
    else high = mid - 1;
  }
  return { ...alert, email: points.slice(0, low).join('') + ELLIPSIS };
}

/**
 * The alert as it will be published: unchanged when its entry fits `budget` bytes; otherwise the least
 * important parts go first: entries of the email's longest lists, one at a time from the end, each list
 * keeping its first entry and saying `- and N more`; then, if that is not enough, the email's tail. Subject
 * and SMS are bounded by their own contracts (callback.ts) and never cut here.
 */
export function fitAlert(alert: Alert, budget = MESSAGE_BUDGET_BYTES): Alert {
  let fitted = alert;
  while (sizeOf(fitted) > budget) {
    const email = dropOneListEntry(fitted.email);
    if (email === undefined) return cutEmail(fitted, budget);
    fitted = { ...fitted, email };
  }
  return fitted;
}

/** One alert planned into a call: the alert as given (for the result) and the entry that carries it. */
export interface PlannedEntry {
  readonly alert: Alert;
  readonly entry: BatchEntry & { readonly MessageStructure: 'json' };
}

/**
 * Packs alerts, in the order given (most urgent first, so `min_balance` is in the first call), into
 * PublishBatch calls of at most SNS_LIMITS.maxBatchEntries entries and BATCH_BUDGET_BYTES bytes, each entry
 * fitted under MESSAGE_BUDGET_BYTES (fitAlert). Entry ids are the position in the call ("0".."9").
 */
export function planBatches(alerts: readonly Alert[]): PlannedEntry[][] {
  const calls: PlannedEntry[][] = [];
  let current: PlannedEntry[] = [];
  let bytes = 0;
  for (const alert of alerts) {
    let entry = toBatchEntry(alert, '0');
    let size = plannedBytes(entry);
    if (size > MESSAGE_BUDGET_BYTES) {
      entry = toBatchEntry(fitAlert(alert), '0');
      size = plannedBytes(entry);
    }
    if (current.length > 0 && (current.length === SNS_LIMITS.maxBatchEntries || bytes + size > BATCH_BUDGET_BYTES)) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ alert, entry: { ...entry, Id: String(current.length) } });
    bytes += size;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}
