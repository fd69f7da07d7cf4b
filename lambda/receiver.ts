/**
 * The pipeline for one request body: parse → verify → dedupe → render → publish → outcome.
 * Both entry paths use it: the webhook (webhook.ts) and the parked-retry queue (retry.ts).
 * Only the interfaces in ports.ts reach the outside world, so this file runs the same against AWS,
 * moto, or plain test doubles.
 */
import type { Alert, CallbackItem, Severity } from './callback';
import { isForwarded, type Config } from './config';
import { BUDGET, type Deadline } from './deadline';
import { describe } from './errors';
import { METRICS } from './names';
import { parseEnvelope, parseItem, safeTypeName } from './parse';
import type {
  CallbackKey,
  Claim,
  Counters,
  DedupeStore,
  HeldClaim,
  Log,
  ParkedRequest,
  Publisher,
  RetryQueue,
  SecretsSource,
} from './ports';
import { RENDERED_FIELDS, renderAlert } from './render';
import { verify } from './signature';

export interface Deps {
  readonly config: Config;
  readonly secrets: SecretsSource;
  readonly dedupe: DedupeStore;
  readonly publisher: Publisher;
  readonly retryQueue: RetryQueue;
  readonly log: Log;
  readonly counters: Counters;
}

export interface Counts {
  readonly accepted: number;
  readonly duplicates: number;
  readonly ignored: number;
  readonly rejected: number;
}

/**
 * `done`: a final answer (200 with counts, 400 not an envelope, 401 nothing verified).
 * `retry`: a dependency failed before every verified new callback was published; `parked` holds the
 * items still to be handled, to be processed again later (see ParkedRequest).
 */
export type Outcome =
  | { readonly kind: 'done'; readonly statusCode: 200 | 400 | 401; readonly body: Counts | { readonly message: string } }
  | {
      readonly kind: 'retry';
      readonly reason: string;
      readonly counts?: Counts;
      readonly parked: Pick<ParkedRequest, 'body' | 'verified'>;
    };

export interface ReceiveOptions {
  /** The body was parked after its items were verified (ParkedRequest.verified): they are not verified again. */
  readonly verified?: boolean;
}

/**
 * What happened to one item; `failed` means verified and new but not published, `ambiguous` published with
 * an unknown outcome, one more publish still allowed (a retry settles it).
 */
type ItemOutcome = 'accepted' | 'duplicate' | 'ignored' | 'rejected' | 'failed' | 'ambiguous';

interface ItemReport {
  readonly callbackId?: number;
  readonly type: string;
  outcome: ItemOutcome;
  readonly reason?: string;
}

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
/** Bounds the size of the per-request log line; counts cover the rest. */
const MAX_LOGGED_ITEMS = 50;

/**
 * Only what a retry needs of an item: its envelope fields, the top-level fields the renderer reads, the
 * type's own data, and the hash only while the item is still unverified. Personal fields the renderer
 * never shows (account_email, ...) are not kept in the queue. Own properties only; `Object.fromEntries`
 * keeps a `__proto__` key as plain data.
 */
export function parkable(fields: Readonly<Record<string, unknown>>, keepHash: boolean): Record<string, unknown> {
  const keys = ['callback_id', 'account_id', 'type', ...RENDERED_FIELDS, ...(keepHash ? ['hash'] : [])];
  if (typeof fields.type === 'string') keys.push(fields.type);
  return Object.fromEntries(keys.filter((key) => Object.prototype.hasOwnProperty.call(fields, key)).map((key) => [key, fields[key]]));
}

function parkedBody(items: readonly CallbackItem[], keepHash: boolean): string {
  return JSON.stringify({ callbacks: items.map((item) => parkable(item.fields, keepHash)) });
}

/**
 * Takes a verified callback of a type that is not alerted out of play: claimed and completed at once, so
 * a captured id and hash can be used once only, and only as what they first were (a replay of an ignored
 * `card_payment` with `type: "min_balance"` is a duplicate, not an alert in the attacker's words).
 */
async function consume(dedupe: DedupeStore, key: CallbackKey, claimBy: AbortSignal, completeBy: AbortSignal): Promise<Claim> {
  const claim = await dedupe.claim(key, claimBy);
  if (claim === 'new' || claim === 'final') await dedupe.complete(key, completeBy);
  return claim;
}

/** Money running out comes first: min_balance, then by severity, then in the order received. */
function byUrgency(a: Alert, b: Alert): number {
  const rank = (alert: Alert) => (alert.type === 'min_balance' ? -1 : SEVERITY_ORDER[alert.severity]);
  return rank(a) - rank(b);
}

/**
 * Handles one body `{"callbacks":[...]}` (a webhook request's, or a parked one's) and decides its outcome.
 * Never throws for anything a dependency or the sender does; a dependency failure becomes `retry`.
 * Decides by `deadline`: every dependency call is aborted by then, and a call that did not finish counts
 * as failed. Publishing ends BUDGET.settleMs early, to leave time to complete or release the claims;
 * reading secrets and claiming, which have a fallback, get at most BUDGET.fallbackCallMs each.
 */
export async function receive(body: string, deps: Deps, deadline: Deadline, options: ReceiveOptions = {}): Promise<Outcome> {
  const { config, log, counters } = deps;
  const publishBy = deadline.child(BUDGET.settleMs);
  const envelope = parseEnvelope(body);
  if (!envelope.ok) {
    log.warn('Request refused', { statusCode: 400, reason: envelope.reason });
    return { kind: 'done', statusCode: 400, body: { message: 'expected a JSON body {"callbacks":[...]} with at least one callback' } };
  }
  counters.count(METRICS.names.received, envelope.items.length);

  const reports: ItemReport[] = [];
  const wellFormed: Array<{ item: CallbackItem; report: ItemReport }> = [];
  for (const raw of envelope.items) {
    const parsed = parseItem(raw, { signed: !options.verified });
    const type = safeTypeName((raw as { type?: unknown } | null)?.type);
    if (parsed.ok) {
      const report: ItemReport = { callbackId: parsed.item.callbackId, type, outcome: 'rejected' };
      reports.push(report);
      wellFormed.push({ item: parsed.item, report });
    } else {
      reports.push({ callbackId: parsed.callbackId, type, outcome: 'rejected', reason: `malformed ${parsed.fields.join(',')}` });
    }
  }

  // Forged or malformed requests are answered without touching SSM.
  let verified: Array<{ item: CallbackItem; report: ItemReport }> = [];
  if (wellFormed.length > 0) {
    let secrets;
    try {
      secrets = options.verified ? undefined : await deps.secrets.get(publishBy.within(BUDGET.fallbackCallMs).signal);
    } catch (error) {
      counters.count(METRICS.names.secretsUnavailable, 1);
      log.error('Secrets unavailable: cannot verify callbacks', { error: describe(error), items: reports.slice(0, MAX_LOGGED_ITEMS) });
      const parked = {
        body: parkedBody(
          wellFormed.map(({ item }) => item),
          true,
        ),
        verified: false,
      };
      return { kind: 'retry', reason: 'secrets unavailable', parked };
    }
    const seen = new Set<string>();
    verified = wellFormed.filter(({ item, report }) => {
      const result = secrets === undefined ? ({ ok: true } as const) : verify(item, secrets);
      if (!result.ok) {
        Object.assign(report, { reason: result.reason });
        return false;
      }
      const key = `${item.accountId}#${item.callbackId}`;
      report.outcome = seen.has(key) ? 'duplicate' : 'accepted';
      seen.add(key);
      return report.outcome === 'accepted';
    });
  }

  const verifiedCount = reports.filter((r) => r.outcome !== 'rejected').length;
  const rejectedCount = reports.length - verifiedCount;
  counters.count(METRICS.names.verified, verifiedCount);
  counters.count(METRICS.names.rejected, rejectedCount);
  counters.count(METRICS.names.badSignature, reports.filter((r) => r.reason === 'bad_hash').length);
  if (verifiedCount === 0) {
    // Well-formed but unverifiable: wrong account id or wrong salt/key in SSM, or a forgery (alarmed).
    if (wellFormed.length > 0) counters.count(METRICS.names.unverifiable, 1);
    log.warn('No callback verified', { statusCode: 401, items: reports.slice(0, MAX_LOGGED_ITEMS) });
    return { kind: 'done', statusCode: 401, body: { message: 'unauthorized' } };
  }

  const forwarded = verified.filter(({ item }) => isForwarded(config, item.type));
  const notForwarded = verified.filter(({ item }) => !isForwarded(config, item.type));

  const claimBy = publishBy.within(BUDGET.fallbackCallMs).signal;
  const [claims, consumed] = await Promise.all([
    Promise.all(forwarded.map(({ item }) => deps.dedupe.claim(item, claimBy))),
    Promise.all(notForwarded.map(({ item }) => consume(deps.dedupe, item, claimBy, deadline.signal))),
  ]);
  notForwarded.forEach(({ report }, i) => {
    report.outcome = consumed[i] === 'duplicate' ? 'duplicate' : 'ignored';
  });
  const toAlert = new Map<Alert, { claim: Claim; report: ItemReport; item: CallbackItem }>();
  const toRetry: CallbackItem[] = [];
  forwarded.forEach(({ item, report }, i) => {
    const claim = claims[i];
    if (claim === 'duplicate') {
      report.outcome = 'duplicate';
      return;
    }
    if (claim === 'busy') {
      // Another attempt holds the claim and may never alert: not a duplicate, so retry later.
      Object.assign(report, { outcome: 'failed', reason: 'claimed by another attempt' });
      toRetry.push(item);
      return;
    }
    toAlert.set(renderAlert(item, { consoleUrl: config.consoleUrl, alertLanguage: config.alertLanguage }), { claim, report, item });
  });

  const { published, failed, ambiguous } = await deps.publisher.publish([...toAlert.keys()].sort(byUrgency), publishBy.signal);
  const held = (claim: Claim): claim is HeldClaim => claim === 'new' || claim === 'final';
  // The final publish allowed after an unknown outcome: whatever its own outcome, the callback is done.
  const settledUnknown = ambiguous.filter((alert) => toAlert.get(alert)!.claim === 'final');
  await Promise.all([
    ...[...published, ...settledUnknown].map((alert) =>
      held(toAlert.get(alert)!.claim) ? deps.dedupe.complete(alert, deadline.signal) : undefined,
    ),
    ...failed.map((alert) => {
      const { claim, report, item } = toAlert.get(alert)!;
      report.outcome = 'failed';
      toRetry.push(item);
      return held(claim) ? deps.dedupe.release(alert, claim, deadline.signal) : undefined;
    }),
    ...ambiguous.map((alert) => {
      const { claim, report, item } = toAlert.get(alert)!;
      if (claim === 'final') return undefined;
      // It may have gone out: one more publish, and only one, is left to the parked retry.
      report.outcome = 'ambiguous';
      toRetry.push(item);
      return claim === 'new' ? deps.dedupe.recordAmbiguous(alert, deadline.signal) : undefined;
    }),
  ]);

  const tally = (outcome: ItemOutcome) => reports.filter((r) => r.outcome === outcome).length;
  const counts: Counts = {
    accepted: tally('accepted'),
    duplicates: tally('duplicate'),
    ignored: tally('ignored'),
    rejected: rejectedCount,
  };
  counters.count(METRICS.names.duplicates, counts.duplicates);
  counters.count(METRICS.names.ignored, counts.ignored);
  counters.count(METRICS.names.published, published.length);
  counters.count(METRICS.names.publishFailures, failed.length);
  counters.count(METRICS.names.publishAmbiguous, ambiguous.length);
  counters.count(METRICS.names.dedupeUnavailable, claims.filter((c) => c === 'unavailable').length);
  const busy = claims.filter((c) => c === 'busy').length;
  counters.count(METRICS.names.busy, busy);

  const unknown = tally('ambiguous');
  const summary = { ...counts, failed: failed.length, ambiguous: unknown, busy, items: reports.slice(0, MAX_LOGGED_ITEMS) };
  // Only the items still to be alerted are parked, verified: a retry needs no secrets and no hash.
  const parked = { body: parkedBody(toRetry, false), verified: true };
  if (settledUnknown.length > 0) {
    log.error('Final publish outcome unknown too: settled as alerted (at most two alerts)', {
      callbackIds: settledUnknown.map((alert) => alert.callbackId),
    });
  }
  if (failed.length > 0) {
    log.error('Alerts not published: the request must be retried', summary);
    return { kind: 'retry', reason: 'publish failed', counts, parked };
  }
  if (unknown > 0) {
    log.error('Alerts published with an unknown outcome: the request is retried, with one more publish each', summary);
    return { kind: 'retry', reason: 'publish outcome unknown', counts, parked };
  }
  if (busy > 0) {
    log.warn('Callbacks claimed by another attempt that has not finished: the request must be retried', summary);
    return { kind: 'retry', reason: 'claimed by another attempt', counts, parked };
  }
  log.info('Callbacks processed', summary);
  return { kind: 'done', statusCode: 200, body: counts };
}
