/**
 * One watchdog pass: read the secrets, ask GetAccountInfo, read what the previous pass recorded and when the
 * receiver last verified a callback, judge (findings.ts), record the transition with a versioned conditional
 * write, then publish one alert per condition that opened or cleared. Only the winner of the write publishes,
 * so two overlapping or duplicated scheduled runs open and clear each condition exactly once. An alert SNS
 * refused (provably not sent) is undone in the state so the next pass says it again; one whose outcome is
 * unknown is kept (it may have gone out: at most once beats twice for a state change that is repeated anyway).
 *
 * Incidents (watchdog/incidents.ts, when deps.incidents is set): an opening alert goes out only for an incident that
 * opened (with its escalation level and acknowledge link); a clearing whose incident was resolved leaves the one
 * "resolved" notice to the notifier instead of its own "cleared" alert.
 *
 * Pure orchestration over ports (no AWS imports); the deadline bounds every call, so a pass always ends with a
 * decision before the function's timeout, whatever the API or AWS does.
 */
import { BUDGET, type Deadline } from '../deadline';
import { errorMessage } from '../errors';
import { METRICS } from '../contract';
import type { Log, Publisher, SecretsSource } from '../ports';
import { renderCleared, renderOpened } from '../render/watchdog';
import { AuthRefusedError } from '../voximplant/errors';
import type { AccountInfo, CallOptions } from '../voximplant/management-api';
import {
  ASSESS_DEFAULTS,
  assess,
  CONDITIONS,
  revert,
  transition,
  type AssessOptions,
  type Cleared,
  type Finding,
  type WatchState,
} from './findings';
import type { CallbackSightings, WatchStateStore } from './ports';
import type { IncidentDeps } from '../incidents/track';
import { trackConditions } from './incidents';

/** Counts and values for CloudWatch metrics (EMF); names from METRICS.names. */
export interface WatchMetrics {
  count(name: string, value: number): void;
  /** A value as it is now (not a count): an age in seconds, a number of open conditions. */
  gauge(name: string, value: number, unit: 'Seconds' | 'Count'): void;
}

export interface WatchDeps {
  readonly secrets: SecretsSource;
  /** The Management API client (management-api.ts), or anything answering like it. */
  readonly api: { getAccountInfo(options?: CallOptions): Promise<AccountInfo> };
  readonly store: WatchStateStore;
  readonly publisher: Publisher;
  readonly log: Log;
  readonly metrics: WatchMetrics;
  /** The stack's WebhookUrl. */
  readonly webhookUrl: string;
  readonly consoleUrl: string;
  /** Epoch ms. */
  readonly now: () => number;
  readonly assess?: AssessOptions;
  /** Incidents (INCIDENT_TABLE_NAME); undefined: off, the watchdog alerts on its own as before. */
  readonly incidents?: IncidentDeps;
}

export interface PassOptions {
  /** Judge and report only: no state write, no alert, no metric (`npm run check-account`). */
  readonly dry?: boolean;
}

/** What a pass found and did. */
export type PassResult =
  | {
      readonly kind: 'checked';
      /** Every condition that holds now, open before or not. */
      readonly findings: readonly Finding[];
      readonly opened: readonly Finding[];
      readonly cleared: readonly Cleared[];
      /** Another pass wrote the state first: this one published nothing. */
      readonly superseded: boolean;
      /** Alerts refused by SNS, undone in the state for the next pass. */
      readonly unsent: number;
      readonly sightings: CallbackSightings;
      readonly info: AccountInfo;
    }
  /** The API refused the stack's credentials: counted (ManagementApiAuthRefused), no alert, state unchanged. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** The API, SSM or the state table could not be asked in time: counted, state unchanged. */
  | { readonly kind: 'unavailable'; readonly reason: string };

/** Kept back from the deadline after publishing, for the write that undoes a refused alert. */
const REVERT_MS = BUDGET.settleMs;
/** At most this for the pass's incident calls (off the request path: more than the webhook's BUDGET.incidentMs). */
const WATCHDOG_INCIDENT_MS = 5000;

/** Runs one pass; never throws for anything a dependency does. */
export async function runPass(deps: WatchDeps, deadline: Deadline, options: PassOptions = {}): Promise<PassResult> {
  const { log, metrics } = deps;
  const count = (name: string, value = 1) => {
    if (!options.dry) metrics.count(name, value);
  };
  const askBy = deadline.child(REVERT_MS + BUDGET.settleMs);

  let secrets;
  try {
    secrets = await deps.secrets.get(askBy.signal);
  } catch (error) {
    count(METRICS.names.watchdogUnavailable);
    log.error('Watchdog: secrets unavailable', { error: errorMessage(error) });
    return { kind: 'unavailable', reason: `secrets unavailable: ${errorMessage(error)}` };
  }
  const accountId = secrets.accountId;

  const [info, stored, sightings] = await Promise.allSettled([
    deps.api.getAccountInfo({ signal: askBy.signal }),
    deps.store.read(accountId, askBy.signal),
    deps.store.sightings(accountId, askBy.signal),
  ]);
  if (info.status === 'rejected') {
    const error = info.reason;
    if (error instanceof AuthRefusedError) {
      count(METRICS.names.apiAuthRefused);
      log.error('Watchdog: the Management API refused the stack credentials', { error: errorMessage(error) });
      return { kind: 'refused', reason: errorMessage(error) };
    }
    count(METRICS.names.watchdogUnavailable);
    log.error('Watchdog: GetAccountInfo failed', { error: errorMessage(error) });
    return { kind: 'unavailable', reason: errorMessage(error) };
  }
  // The age metric needs only the sightings; a dry pass needs no state either (it judges from an empty one).
  const seen: CallbackSightings = sightings.status === 'fulfilled' ? sightings.value : {};
  if (sightings.status === 'rejected')
    log.warn('Watchdog: could not read the callback sightings', { error: errorMessage(sightings.reason) });
  const now = deps.now();
  if (seen.lastVerifiedAt !== undefined && !options.dry) {
    metrics.gauge(METRICS.names.lastCallbackAge, Math.max(0, Math.round((now - seen.lastVerifiedAt) / 1000)), 'Seconds');
  }
  if (stored.status === 'rejected' && !options.dry) {
    count(METRICS.names.watchdogUnavailable);
    log.error('Watchdog: could not read its state', { error: errorMessage(stored.reason) });
    return { kind: 'unavailable', reason: `state unavailable: ${errorMessage(stored.reason)}` };
  }
  const previous: WatchState = stored.status === 'fulfilled' ? stored.value.state : { open: {}, balance: {} };
  const version = stored.status === 'fulfilled' ? stored.value.version : 0;

  const salts = [...new Set(secrets.credentials.map((c) => c.salt))];
  const assessment = assess(
    info.value,
    { webhookUrl: deps.webhookUrl, salts, lastMinBalanceAt: seen.lastMinBalanceAt },
    previous.balance,
    now,
    deps.assess ?? ASSESS_DEFAULTS,
  );
  const step = transition(previous, assessment, now);
  const result = { kind: 'checked' as const, findings: assessment.findings, info: info.value, sightings: seen };
  if (options.dry) return { ...result, opened: step.opened, cleared: step.cleared, superseded: false, unsent: 0 };

  let won: boolean;
  try {
    won = await deps.store.write(accountId, step.next, version, askBy.signal);
  } catch (error) {
    count(METRICS.names.watchdogUnavailable);
    log.error('Watchdog: could not record its state; nothing published', { error: errorMessage(error) });
    return { kind: 'unavailable', reason: `state unavailable: ${errorMessage(error)}` };
  }
  if (!won) {
    log.info('Watchdog: another pass recorded this state first; nothing published', { version });
    return { ...result, opened: [], cleared: [], superseded: true, unsent: 0 };
  }

  const tracked = await trackConditions(
    deps,
    Number(accountId),
    step.opened,
    step.cleared,
    info.value,
    secrets,
    deadline.child(REVERT_MS + BUDGET.publishMs).within(WATCHDOG_INCIDENT_MS).signal,
  );
  count(METRICS.names.incidentStoreUnavailable, tracked.unavailable);
  const render = { accountId, consoleUrl: deps.consoleUrl, now };
  const openedEvents = step.opened
    .filter((finding) => !tracked.folded.has(finding.condition))
    .map((finding) => {
      const tag = tracked.tagOf(finding.condition);
      const alert = renderOpened(finding, { ...render, acknowledgeUrls: tag?.acknowledgeUrls });
      return {
        condition: finding.condition,
        alert: tag === undefined ? alert : { ...alert, escalation: tag.escalation, incident: tag.incident },
      };
    });
  const events = [
    ...openedEvents,
    ...step.cleared
      .filter((cleared) => !tracked.resolved.has(cleared.condition))
      .map((cleared) => ({ condition: cleared.condition, alert: renderCleared(cleared, render) })),
  ];
  let unsent: Array<{ condition: (typeof CONDITIONS)[number] }> = [];
  if (events.length > 0) {
    const outcome = await deps.publisher.publish(
      events.map((e) => e.alert),
      deadline.child(REVERT_MS).signal,
    );
    const failed = new Set(outcome.failed);
    unsent = events.filter((e) => failed.has(e.alert));
    count(METRICS.names.published, outcome.published.length);
    count(METRICS.names.publishFailures, outcome.failed.length);
    count(METRICS.names.publishAmbiguous, outcome.ambiguous.length);
    if (unsent.length > 0) {
      await tracked.withdraw(
        unsent.map((e) => e.condition),
        deadline.signal,
      );
      try {
        await deps.store.write(accountId, revert(step.next, previous, unsent), version + 1, deadline.signal);
      } catch (error) {
        log.error('Watchdog: could not undo the refused alerts in its state; they are not repeated', { error: errorMessage(error) });
      }
    }
  }
  metrics.gauge(METRICS.names.watchdogOpen, Object.keys(step.next.open).length, 'Count');
  log.info('Watchdog pass', {
    findings: assessment.findings.map((f) => f.condition),
    opened: step.opened.map((f) => f.condition),
    cleared: step.cleared.map((c) => c.condition),
    folded: [...tracked.folded],
    resolved: [...tracked.resolved],
    unsent: unsent.map((e) => e.condition),
    lastVerifiedAt: seen.lastVerifiedAt,
  });
  return { ...result, opened: step.opened, cleared: step.cleared, superseded: false, unsent: unsent.length };
}
