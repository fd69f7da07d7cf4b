/**
 * The pipeline for one request body, in phases: parse → verify → claim → confirm and track (incidents) → render →
 * publish → settle → respond. Both entry paths use it: the webhook (http.ts) and the parked-retry queue (queue.ts).
 * Only the interfaces in ports.ts reach the outside world, so this file runs the same against AWS,
 * moto, or plain test doubles. Each phase returns new values and decides items' outcomes by their
 * position in the request; the metrics of a request are counted in one place, once its answer is decided.
 *
 * Over 400 lines because the phases read best in one file, top to bottom, each a short function.
 */
import type { Alert, CallbackItem, Secrets, Severity } from './model';
import { isForwarded, type Config } from './config';
import { BUDGET, type Deadline } from './deadline';
import { errorMessage } from './errors';
import { METRICS } from './contract';
import { parseEnvelope, parseItem, safeTypeName } from './parse';
import { confirmBalances, type ConfirmationFor } from './confirm';
import type {
  AccountInfoSource,
  CallbackKey,
  Claim,
  Counters,
  DedupeStore,
  HeldClaim,
  Log,
  ParkedRequest,
  Publisher,
  PublishResult,
  SecretsSource,
} from './ports';
import { RENDERED_FIELDS, renderAlert } from './render';
import { trackIncidents, type IncidentDeps, type IncidentTag } from './incidents/track';
import { verify } from './signature';
import type { CallbackSightingLog } from './watchdog/ports';

/** What the pipeline calls: its configuration, the edges it reads and writes, a log and counters. */
export interface Deps {
  readonly config: Config;
  readonly secrets: SecretsSource;
  readonly dedupe: DedupeStore;
  readonly publisher: Publisher;
  readonly log: Log;
  readonly counters: Counters;
  /** Voximplant's Management API, to confirm balance alerts (confirm.ts); undefined: confirmation off. */
  readonly accountInfo?: AccountInfoSource;
  /** Tells the watchdog a callback was verified; optional, never throws, runs alongside the claims. */
  readonly sightings?: CallbackSightingLog;
  /** Incidents (incidents/track.ts); undefined: off, every alert a one-off. */
  readonly incidents?: IncidentDeps;
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
type ItemOutcome = 'accepted' | 'duplicate' | 'folded' | 'ignored' | 'rejected' | 'failed' | 'ambiguous';

/** One item as logged (never its hash or other fields). */
interface ItemReport {
  readonly callbackId?: number;
  readonly type: string;
  readonly outcome: ItemOutcome;
  readonly reason?: string;
}

/** A phase's verdict on the item at `index` in the request; a later phase's verdict replaces an earlier one. */
interface Decision {
  readonly index: number;
  readonly outcome: ItemOutcome;
  readonly reason?: string;
}

/** A well-formed item and its position in the request. */
interface Entry {
  readonly index: number;
  readonly item: CallbackItem;
}

/** A verified, new, forwarded item whose claim lets it be alerted ('new', 'final' or 'unavailable'). */
interface Claimant extends Entry {
  readonly claim: Claim;
}

/** Metric counts by their key in METRICS.names; a key absent is not counted at all. */
type Metrics = Partial<Record<keyof typeof METRICS.names, number>>;

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
/** Bounds the size of the per-request log line; counts cover the rest. */
const MAX_LOGGED_ITEMS = 50;

/**
 * Handles one body `{"callbacks":[...]}` (a webhook request's, or a parked one's) and decides its outcome.
 * Never throws for anything a dependency or the sender does; a dependency failure becomes `retry`.
 * Decides by `deadline`: every dependency call is aborted by then, and a call that did not finish counts
 * as failed. Publishing ends BUDGET.settleMs early, to leave time to complete or release the claims;
 * reading secrets and claiming, which have a fallback, get at most BUDGET.fallbackCallMs each.
 */
export async function receive(body: string, deps: Deps, deadline: Deadline, options: ReceiveOptions = {}): Promise<Outcome> {
  const publishBy = deadline.child(BUDGET.settleMs);
  const parsed = parseBody(body, options);
  if (!parsed.ok) return refused(parsed.reason, deps.log);

  const verified = await verifyItems(parsed.wellFormed, deps.secrets, publishBy, options);
  if (!verified.ok) return secretsUnavailable(verified.error, parsed.reports, parsed.wellFormed, deps);
  const checked = decide(parsed.reports, verified.decisions);
  const verification = verificationMetrics(checked);
  if (verification.verified === 0) return unauthorized(checked, verification, parsed.wellFormed.length, deps);

  const claimed = await claimItems(verified.accepted, deps, publishBy.within(BUDGET.fallbackCallMs).signal, deadline.signal);
  const [confirmationFor, tracked] = await Promise.all([
    confirmBalances(
      deps,
      claimed.toAlert.map(({ item }) => item),
      publishBy,
    ),
    trackIncidents(deps, claimed.toAlert, claimed.fresh, verified.secrets, publishBy),
  ]);
  const alerts = renderAlerts(tracked.toAlert, deps.config, confirmationFor, tracked.tagOf);
  const published = await deps.publisher.publish([...alerts.keys()].sort(byUrgency), publishBy.signal);
  const settled = await settle(published, alerts, tracked.folded, deps.dedupe, deadline.signal);

  const reports = decide(checked, [...claimed.decisions, ...settled.decisions]);
  const toRetry = [...claimed.busy.map(({ item }) => item), ...settled.toRetry];
  const incidents = { incidentStoreUnavailable: tracked.unavailable };
  return respond(
    { reports, verification, claims: claimed.claims, published, settledUnknown: settled.settledUnknown, toRetry, incidents },
    deps,
  );
}

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

// Phase 1: parse. Every item gets a report, 'rejected' until a later phase decides otherwise.

type ParsedBody =
  | { readonly ok: false; readonly reason: string }
  | { readonly ok: true; readonly reports: readonly ItemReport[]; readonly wellFormed: readonly Entry[] };

function parseBody(body: string, options: ReceiveOptions): ParsedBody {
  const envelope = parseEnvelope(body);
  if (!envelope.ok) return envelope;
  const reports: ItemReport[] = [];
  const wellFormed: Entry[] = [];
  for (const [index, raw] of envelope.items.entries()) {
    const parsed = parseItem(raw, { signed: !options.verified });
    const type = safeTypeName((raw as { type?: unknown } | null)?.type);
    if (parsed.ok) wellFormed.push({ index, item: parsed.item });
    const callbackId = parsed.ok ? parsed.item.callbackId : parsed.callbackId;
    const reason = parsed.ok ? {} : { reason: `malformed ${parsed.fields.join(',')}` };
    reports.push({ callbackId, type, outcome: 'rejected', ...reason });
  }
  return { ok: true, reports, wellFormed };
}

// Phase 2: verify. Forged or malformed requests are answered without touching SSM.

type Verified =
  | { readonly ok: false; readonly error: unknown }
  | {
      readonly ok: true;
      readonly decisions: readonly Decision[];
      readonly accepted: readonly Entry[];
      /** The secrets read to verify; undefined for a parked body (verified before) or no well-formed item. */
      readonly secrets?: Secrets;
    };

async function verifyItems(wellFormed: readonly Entry[], source: SecretsSource, by: Deadline, options: ReceiveOptions): Promise<Verified> {
  if (wellFormed.length === 0) return { ok: true, decisions: [], accepted: [] };
  let secrets: Secrets | undefined;
  try {
    secrets = options.verified ? undefined : await source.get(by.within(BUDGET.fallbackCallMs).signal);
  } catch (error) {
    return { ok: false, error };
  }
  const seen = new Set<string>();
  const decisions = wellFormed.map(({ index, item }): Decision => {
    const result = secrets === undefined ? ({ ok: true } as const) : verify(item, secrets);
    if (!result.ok) return { index, outcome: 'rejected', reason: result.reason };
    const key = `${item.accountId}#${item.callbackId}`;
    const outcome = seen.has(key) ? 'duplicate' : 'accepted';
    seen.add(key);
    return { index, outcome };
  });
  return { ok: true, decisions, accepted: wellFormed.filter((_, i) => decisions[i].outcome === 'accepted'), secrets };
}

// Phase 3: claim. Forwarded items are claimed for alerting; the others are consumed (claimed and completed).

interface Claimed {
  readonly decisions: readonly Decision[];
  /** The claims of the forwarded items, for the metrics. */
  readonly claims: readonly Claim[];
  /** Held by another attempt that may never alert: retried later. */
  readonly busy: readonly Entry[];
  readonly toAlert: readonly Claimant[];
  /** Every item newly claimed (or claimed without suppression), forwarded or not: what incidents may act on. */
  readonly fresh: readonly CallbackItem[];
}

async function claimItems(accepted: readonly Entry[], deps: Deps, claimBy: AbortSignal, completeBy: AbortSignal): Promise<Claimed> {
  const forwarded = accepted.filter(({ item }) => isForwarded(deps.config, item.type));
  const notForwarded = accepted.filter(({ item }) => !isForwarded(deps.config, item.type));
  const [claims, consumed] = await Promise.all([
    Promise.all(forwarded.map(({ item }) => deps.dedupe.claim(item, claimBy))),
    Promise.all(notForwarded.map(({ item }) => consume(deps.dedupe, item, claimBy, completeBy))),
    deps.sightings?.note(
      accepted[0].item.accountId,
      accepted.some(({ item }) => item.type === 'min_balance'),
      claimBy,
    ),
  ]);
  const claimants = forwarded.map((entry, i) => ({ ...entry, claim: claims[i] }));
  const busy = claimants.filter(({ claim }) => claim === 'busy');
  const decisions: Decision[] = [
    ...notForwarded.map(({ index }, i) => ({ index, outcome: consumed[i] === 'duplicate' ? 'duplicate' : 'ignored' }) as const),
    ...claimants.filter(({ claim }) => claim === 'duplicate').map(({ index }) => ({ index, outcome: 'duplicate' }) as const),
    ...busy.map(({ index }) => ({ index, outcome: 'failed', reason: 'claimed by another attempt' }) as const),
  ];
  const toAlert = claimants.filter(({ claim }) => claim !== 'duplicate' && claim !== 'busy');
  // A replayed payment (duplicate) resolves nothing: only a callback's first verified delivery acts.
  const fresh = [
    ...toAlert.map(({ item }) => item),
    ...notForwarded.filter((_, i) => consumed[i] !== 'duplicate' && consumed[i] !== 'busy').map(({ item }) => item),
  ];
  return { decisions, claims, busy, toAlert, fresh };
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

// Phase 4, confirm (confirm.ts), asks for the balance behind balance alerts. Phases 5 and 6: render, then publish
// (in receive()) in order of urgency.

/**
 * One alert per claimant, keyed by the alert (identity) so the publish result leads back to its claim. An alert that
 * opened an incident carries its escalation level, key and (email) acknowledge links.
 */
function renderAlerts(
  toAlert: readonly Claimant[],
  config: Config,
  confirmationFor: ConfirmationFor,
  tagOf: (item: CallbackItem) => IncidentTag | undefined,
): ReadonlyMap<Alert, Claimant> {
  return new Map(
    toAlert.map((claimant) => {
      const tag = tagOf(claimant.item);
      const alert = renderAlert(claimant.item, {
        consoleUrl: config.consoleUrl,
        alertLanguage: config.alertLanguage,
        confirmation: confirmationFor(claimant.item),
        ...(tag === undefined ? {} : { acknowledgeUrls: tag.acknowledgeUrls }),
      });
      return [tag === undefined ? alert : { ...alert, escalation: tag.escalation, incident: tag.incident }, claimant];
    }),
  );
}

/** Money running out comes first: min_balance, then by severity, then in the order received. */
function byUrgency(a: Alert, b: Alert): number {
  const rank = (alert: Alert) => (alert.type === 'min_balance' ? -1 : SEVERITY_ORDER[alert.severity]);
  return rank(a) - rank(b);
}

// Phase 7: settle every held claim by its publish outcome (a folded repeat is done, like a duplicate); what is not
// done is retried.

interface Settled {
  readonly decisions: readonly Decision[];
  readonly toRetry: readonly CallbackItem[];
  /** Final publishes whose outcome is unknown too: settled as alerted. */
  readonly settledUnknown: readonly Alert[];
}

const held = (claim: Claim): claim is HeldClaim => claim === 'new' || claim === 'final';

async function settle(
  result: PublishResult,
  alerts: ReadonlyMap<Alert, Claimant>,
  folded: readonly Claimant[],
  dedupe: DedupeStore,
  by: AbortSignal,
): Promise<Settled> {
  const claimant = (alert: Alert) => alerts.get(alert)!;
  // The final publish allowed after an unknown outcome: whatever its own outcome, the callback is done.
  const settledUnknown = result.ambiguous.filter((alert) => claimant(alert).claim === 'final');
  // It may have gone out: one more publish, and only one, is left to the parked retry.
  const retriedUnknown = result.ambiguous.filter((alert) => claimant(alert).claim !== 'final');
  await Promise.all([
    ...[...result.published, ...settledUnknown].map((alert) => (held(claimant(alert).claim) ? dedupe.complete(alert, by) : undefined)),
    ...result.failed.map((alert) => {
      const { claim } = claimant(alert);
      return held(claim) ? dedupe.release(alert, claim, by) : undefined;
    }),
    ...retriedUnknown.map((alert) => (claimant(alert).claim === 'new' ? dedupe.recordAmbiguous(alert, by) : undefined)),
    ...folded.map(({ item, claim }) => (held(claim) ? dedupe.complete(item, by) : undefined)),
  ]);
  const decisions: Decision[] = [
    ...folded.map(({ index }) => ({ index, outcome: 'folded' }) as const),
    ...result.failed.map((alert) => ({ index: claimant(alert).index, outcome: 'failed' }) as const),
    ...retriedUnknown.map((alert) => ({ index: claimant(alert).index, outcome: 'ambiguous' }) as const),
  ];
  const toRetry = [...result.failed, ...retriedUnknown].map((alert) => claimant(alert).item);
  return { decisions, toRetry, settledUnknown };
}

// Phase 8: respond. The answer, its log line and the request's metrics.

/** The reports with each decision applied in order (new objects; a later decision wins). */
function decide(reports: readonly ItemReport[], decisions: readonly Decision[]): ItemReport[] {
  const byIndex = new Map(decisions.map((decision) => [decision.index, decision]));
  return reports.map((report, index) => {
    const decision = byIndex.get(index);
    if (decision === undefined) return report;
    return { ...report, outcome: decision.outcome, ...(decision.reason === undefined ? {} : { reason: decision.reason }) };
  });
}

function count(counters: Counters, metrics: Metrics): void {
  for (const [key, value] of Object.entries(metrics) as Array<[keyof typeof METRICS.names, number]>) {
    counters.count(METRICS.names[key], value);
  }
}

function refused(reason: string, log: Log): Outcome {
  log.warn('Request refused', { statusCode: 400, reason });
  return { kind: 'done', statusCode: 400, body: { message: 'expected a JSON body {"callbacks":[...]} with at least one callback' } };
}

function secretsUnavailable(error: unknown, reports: readonly ItemReport[], wellFormed: readonly Entry[], deps: Deps): Outcome {
  count(deps.counters, { received: reports.length, secretsUnavailable: 1 });
  deps.log.error('Secrets unavailable: cannot verify callbacks', { error: errorMessage(error), items: reports.slice(0, MAX_LOGGED_ITEMS) });
  const parked = {
    body: parkedBody(
      wellFormed.map(({ item }) => item),
      true,
    ),
    verified: false,
  };
  return { kind: 'retry', reason: 'secrets unavailable', parked };
}

/** Counts of the verify phase, for every request whose items could be checked. */
function verificationMetrics(reports: readonly ItemReport[]) {
  const rejected = reports.filter((r) => r.outcome === 'rejected').length;
  return {
    received: reports.length,
    verified: reports.length - rejected,
    rejected,
    badSignature: reports.filter((r) => r.reason === 'bad_hash').length,
  };
}

function unauthorized(reports: readonly ItemReport[], verification: Metrics, wellFormed: number, deps: Deps): Outcome {
  // Well-formed but unverifiable: wrong account id or wrong salt/key in SSM, or a forgery (alarmed).
  count(deps.counters, { ...verification, ...(wellFormed > 0 ? { unverifiable: 1 } : {}) });
  deps.log.warn('No callback verified', { statusCode: 401, items: reports.slice(0, MAX_LOGGED_ITEMS) });
  return { kind: 'done', statusCode: 401, body: { message: 'unauthorized' } };
}

interface Delivery {
  readonly reports: readonly ItemReport[];
  /** Counted when the items were verified (later phases never reject). */
  readonly verification: ReturnType<typeof verificationMetrics>;
  readonly claims: readonly Claim[];
  readonly published: PublishResult;
  readonly settledUnknown: readonly Alert[];
  readonly toRetry: readonly CallbackItem[];
  readonly incidents: Pick<Metrics, 'incidentStoreUnavailable'>;
}

/** The answer's counts, the log line's summary and the metrics of a request whose items were checked. */
function summarize({ reports, verification, claims, published, incidents }: Delivery) {
  const tally = (outcome: ItemOutcome) => reports.filter((r) => r.outcome === outcome).length;
  const counts: Counts = {
    accepted: tally('accepted'),
    // A repeat folded into an open incident is, to the sender, a duplicate: handled, not alerted again.
    duplicates: tally('duplicate') + tally('folded'),
    ignored: tally('ignored'),
    rejected: verification.rejected,
  };
  const busy = claims.filter((c) => c === 'busy').length;
  const failed = published.failed.length;
  const summary = {
    ...counts,
    folded: tally('folded'),
    failed,
    ambiguous: tally('ambiguous'),
    busy,
    items: reports.slice(0, MAX_LOGGED_ITEMS),
  };
  const metrics: Metrics = {
    ...verification,
    duplicates: tally('duplicate'),
    ignored: counts.ignored,
    published: published.published.length,
    publishFailures: failed,
    publishAmbiguous: published.ambiguous.length,
    dedupeUnavailable: claims.filter((c) => c === 'unavailable').length,
    busy,
    incidentRepeatsFolded: tally('folded'),
    ...incidents,
  };
  return { counts, summary, metrics };
}

function respond(delivery: Delivery, { log, counters }: Deps): Outcome {
  const { counts, summary, metrics } = summarize(delivery);
  count(counters, metrics);
  // Only the items still to be alerted are parked, verified: a retry needs no secrets and no hash.
  const parked = { body: parkedBody(delivery.toRetry, false), verified: true };
  if (delivery.settledUnknown.length > 0) {
    log.error('Final publish outcome unknown too: settled as alerted (at most two alerts)', {
      callbackIds: delivery.settledUnknown.map((alert) => alert.callbackId),
    });
  }
  if (summary.failed > 0) {
    log.error('Alerts not published: the request must be retried', summary);
    return { kind: 'retry', reason: 'publish failed', counts, parked };
  }
  if (summary.ambiguous > 0) {
    log.error('Alerts published with an unknown outcome: the request is retried, with one more publish each', summary);
    return { kind: 'retry', reason: 'publish outcome unknown', counts, parked };
  }
  if (summary.busy > 0) {
    log.warn('Callbacks claimed by another attempt that has not finished: the request must be retried', summary);
    return { kind: 'retry', reason: 'claimed by another attempt', counts, parked };
  }
  log.info('Callbacks processed', summary);
  return { kind: 'done', statusCode: 200, body: counts };
}
