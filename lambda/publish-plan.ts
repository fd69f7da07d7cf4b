/**
 * How alerts become SNS PublishBatch calls: one entry per alert, each bounded under SNS's message size limit,
 * packed in order into calls bounded by entries and by bytes (sns-limits.ts). Pure: no AWS, no I/O.
 *
 * The message (MessageStructure `json`) carries only what subscribers need: `email` the email text, `sms`
 * the SMS text, and `default` the alert as compact JSON. SNS sends `default` to every protocol without a
 * key of its own (sqs, lambda, http, https, email-json, firehose), so one JSON copy serves all programmatic
 * subscribers; `default` is the one key SNS requires (Publish API reference, MessageStructure).
 */
import type { Alert } from './model';
import { MESSAGE_ATTRIBUTES } from './contract';
import { entryBytes, SNS_LIMITS, type BatchEntry } from './sns-limits';

/**
 * Bytes kept free under each of SNS's size limits (per message and per call), for what SNS might count
 * beyond the documented parts: ids, MessageStructure, encodings.
 */
export const SIZE_MARGIN_BYTES = 4_096;
export const MESSAGE_BUDGET_BYTES = SNS_LIMITS.maxMessageBytes - SIZE_MARGIN_BYTES;
export const BATCH_BUDGET_BYTES = SNS_LIMITS.maxBatchBytes - SIZE_MARGIN_BYTES;

/** One alert's PublishBatch entry (the SDK's PublishBatchRequestEntry, structurally). */
export type AlertEntry = BatchEntry & { readonly Id: string; readonly Message: string; readonly MessageStructure: 'json' };

/** The PublishBatch entry for one alert. `id` must be unique in its call (sns-limits.ts, entry id rules). */
export function toBatchEntry(alert: Alert, id: string): AlertEntry {
  return {
    Id: id,
    Subject: alert.subject,
    MessageStructure: 'json',
    Message: JSON.stringify({ default: JSON.stringify(alert), email: alert.email, sms: alert.sms }),
    MessageAttributes: {
      [MESSAGE_ATTRIBUTES.callbackType]: { DataType: 'String', StringValue: alert.type },
      [MESSAGE_ATTRIBUTES.severity]: { DataType: 'String', StringValue: alert.severity },
      ...(alert.escalation === undefined
        ? {}
        : { [MESSAGE_ATTRIBUTES.escalation]: { DataType: 'Number', StringValue: String(alert.escalation) } }),
    },
  };
}

/** What the planner counts for one entry: SNS's count plus the id and structure it does not document. */
const plannedBytes = (entry: BatchEntry): number =>
  entryBytes(entry) + Buffer.byteLength(entry.Id ?? '') + Buffer.byteLength(entry.MessageStructure ?? '');

const sizeOf = (alert: Alert): number => plannedBytes(toBatchEntry(alert, '0'));

/** A bullet line of a list in the email (lambda/render/ writes `- entry`, and `- and N more` after a capped list). */
const BULLET = /^- /;
const MORE = /^- and (\d+) more$/;

/** A run of bullet lines: the entries shown, how many more the tail already said there are, their cost. */
interface List {
  readonly shown: string[];
  hidden: number;
  bytes: number;
}

/** About what one email line costs in the entry: escaped once in `email`, twice inside the `default` JSON. */
const lineCost = (line: string): number =>
  Buffer.byteLength(JSON.stringify(line)) + Buffer.byteLength(JSON.stringify(JSON.stringify(line)));

/** The email as plain lines and bullet lists. */
function segments(email: string): Array<string | List> {
  const result: Array<string | List> = [];
  let list: List | undefined;
  for (const line of email.split('\n')) {
    if (!BULLET.test(line)) {
      list = undefined;
      result.push(line);
      continue;
    }
    if (list === undefined) result.push((list = { shown: [], hidden: 0, bytes: 0 }));
    const more = MORE.exec(line);
    if (more) list.hidden += Number(more[1]);
    else {
      list.shown.push(line);
      list.bytes += lineCost(line);
    }
  }
  return result;
}

const joinSegments = (parts: ReadonlyArray<string | List>): string =>
  parts
    .flatMap((part) => (typeof part === 'string' ? [part] : [...part.shown, ...(part.hidden > 0 ? [`- and ${part.hidden} more`] : [])]))
    .join('\n');

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
 * important parts go first: entries of the email's largest lists, from the end, each list keeping its first
 * entry and saying `- and N more`; then, if that is not enough, the email's tail. Subject and SMS are bounded
 * by their own contracts (model.ts) and never cut here.
 */
export function fitAlert(alert: Alert, budget = MESSAGE_BUDGET_BYTES): Alert {
  let size = sizeOf(alert);
  if (size <= budget) return alert;
  const parts = segments(alert.email);
  const lists = parts.filter((part): part is List => typeof part !== 'string');
  let fitted = alert;
  while (size > budget) {
    // Drop by estimate, then measure exactly: one serialization per round, not one per line.
    let estimate = size;
    while (estimate > budget) {
      const largest = lists.reduce<List | undefined>((a, b) => (b.shown.length > 1 && (!a || b.bytes > a.bytes) ? b : a), undefined);
      if (largest === undefined) return cutEmail({ ...alert, email: joinSegments(parts) }, budget);
      const cost = lineCost(largest.shown.pop()!);
      largest.hidden += 1;
      largest.bytes -= cost;
      estimate -= cost;
    }
    fitted = { ...alert, email: joinSegments(parts) };
    size = sizeOf(fitted);
  }
  return fitted;
}

/** One alert planned into a call: the alert as given (for the result) and the entry that carries it. */
export interface PlannedEntry {
  readonly alert: Alert;
  readonly entry: AlertEntry;
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
