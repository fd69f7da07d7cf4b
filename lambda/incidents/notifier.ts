/**
 * One notifier run (issue 15): read the active incidents, and for each one take its next notice (a pending
 * "acknowledged" or "resolved", else a due reminder) with a versioned conditional write (update.ts) that
 * re-checks nextNotice on the fresh record; then publish what this run took. Only the writer whose write
 * landed publishes, so two overlapping runs send each notice once. A notice SNS refused (provably not sent)
 * is undone in the record (lifecycle.undoNotice) so the next run sends it; one whose outcome is unknown is kept
 * (it may have gone out: at most once).
 *
 * One notice per incident per run: an incident holds at most one pending notice at a time in practice
 * (resolve() replaces an unsent "acknowledged"), and anything left goes out on the next run, a minute later.
 *
 * Pure orchestration over ports (no AWS imports): the deadline bounds every call, so a run always ends with a
 * decision before the function's timeout.
 */
import { BUDGET, type Deadline } from '../deadline';
import { errorMessage } from '../errors';
import { METRICS } from '../contract';
import type { Log, Publisher } from '../ports';
import type { AlertLanguage } from '../render/i18n';
import { renderIncidentNotice } from '../render/incident';
import { acknowledgeUrl } from './ack-token';
import { nextNotice, undoNotice, type Notice } from './lifecycle';
import { incidentKeyString, type Incident, type ReminderSchedule } from './model';
import type { AckKeySource, IncidentStore } from './ports';
import { update } from './update';

/** The acknowledge key (SSM `<prefix>/ack-key`): undefined when the stack has none. Throws when it cannot be read. */

/** Counts and gauges for CloudWatch metrics (EMF); names from METRICS.names. */
export interface NotifierMetrics {
  count(name: string, value: number): void;
  gauge(name: string, value: number): void;
}

export interface NotifierDeps {
  readonly store: IncidentStore;
  readonly publisher: Publisher;
  readonly ackKey: AckKeySource;
  readonly log: Log;
  readonly metrics: NotifierMetrics;
  readonly schedule: ReminderSchedule;
  readonly consoleUrl: string;
  /** The HTTP API's stage URL (the webhook's): acknowledge links are `<base>ack/<token>`. Undefined: no links. */
  readonly ackBaseUrl?: string;
  readonly alertLanguage?: AlertLanguage;
  /** Epoch ms. */
  readonly now: () => number;
}

/** What one run did; `kind` 'unavailable' when the incident table could not be read (nothing sent). */
export interface NotifierRun {
  readonly kind: 'done' | 'unavailable';
  /** Incidents open or acknowledged at the run (the OpenIncidents gauge). */
  readonly open: number;
  /** Notices published, by kind. */
  readonly sent: Readonly<Record<Notice['kind'], number>>;
  /** Refused by SNS, undone for the next run. */
  readonly refused: number;
  /** Outcome unknown: kept, not sent again. */
  readonly ambiguous: number;
  /** Incidents whose record could not be read or written this run (tried again next run). */
  readonly storeFailures: number;
  /** Incidents with work left when the deadline came (tried again next run). */
  readonly skipped: number;
}

/** Kept back from the deadline after publishing, for the writes that undo refused notices. */
const UNDO_MS = BUDGET.settleMs;
/** No incident's claim is started with less than this left: its publish (two 1.5 s attempts) and the undo must fit. */
const CLAIM_MIN_MS = BUDGET.publishMs + UNDO_MS;

interface Taken {
  /** The record before the notice was taken: what the notice is about. */
  readonly before: Incident;
  /** The record as this run wrote it (its version). */
  readonly after: Incident;
  readonly notice: Notice;
}

/** Runs once; never throws for anything a dependency does. */
export async function runNotifier(deps: NotifierDeps, deadline: Deadline): Promise<NotifierRun> {
  const { log, metrics } = deps;
  const sent = { reminder: 0, acknowledged: 0, resolved: 0 };
  const claimBy = deadline.child(CLAIM_MIN_MS);
  let incidents: readonly Incident[];
  try {
    incidents = await deps.store.active(claimBy.signal);
  } catch (error) {
    metrics.count(METRICS.names.notifierFailures, 1);
    log.error('Notifier: could not read the incident table; nothing sent', { error: errorMessage(error) });
    return { kind: 'unavailable', open: 0, sent, refused: 0, ambiguous: 0, storeFailures: 1, skipped: 0 };
  }
  const open = incidents.filter((i) => i.status !== 'resolved').length;
  metrics.gauge(METRICS.names.openIncidents, open);

  const now = deps.now();
  const due = incidents.filter((incident) => nextNotice(incident, now, deps.schedule) !== undefined);
  let storeFailures = 0;
  let skipped = 0;
  const taken = (
    await Promise.all(
      due.map(async (incident): Promise<Taken | undefined> => {
        if (claimBy.remainingMs() === 0) {
          skipped += 1;
          return undefined;
        }
        try {
          // Re-checked on the fresh record: a run that lost the race finds nothing due and publishes nothing.
          const {
            result,
            incident: after,
            written,
          } = await update(
            deps.store,
            incident.key,
            (current) => {
              const step = current === undefined ? undefined : nextNotice(current, now, deps.schedule);
              return step === undefined ? { result: undefined } : { result: { before: current!, notice: step.notice }, next: step.next };
            },
            claimBy.signal,
          );
          return written && result !== undefined && after !== undefined ? { ...result, after } : undefined;
        } catch (error) {
          storeFailures += 1;
          log.error('Notifier: could not take the next notice of an incident', {
            incident: incidentKeyString(incident.key),
            error: errorMessage(error),
          });
          return undefined;
        }
      }),
    )
  ).filter((t): t is Taken => t !== undefined);

  let refused = 0;
  let ambiguous = 0;
  if (taken.length > 0) {
    const ackKey = taken.some((t) => t.notice.kind === 'reminder') ? await readAckKey(deps, claimBy.signal) : undefined;
    const alerts = taken.map((t) => renderIncidentNotice(t.before, t.notice, renderOptions(deps, t, now, ackKey)));
    const outcome = await deps.publisher.publish(alerts, deadline.child(UNDO_MS).signal);
    const failed = new Set(outcome.failed);
    for (const alert of outcome.published) {
      const kind = taken[alerts.indexOf(alert)].notice.kind;
      sent[kind] += 1;
    }
    refused = outcome.failed.length;
    ambiguous = outcome.ambiguous.length;
    metrics.count(METRICS.names.published, outcome.published.length);
    metrics.count(METRICS.names.remindersSent, sent.reminder);
    metrics.count(METRICS.names.noticesSent, sent.acknowledged + sent.resolved);
    metrics.count(METRICS.names.publishFailures, refused);
    metrics.count(METRICS.names.publishAmbiguous, ambiguous);
    metrics.count(METRICS.names.notifierFailures, refused);
    const undo = taken.filter((_, i) => failed.has(alerts[i]));
    await Promise.all(
      undo.map(async (t) => {
        try {
          // Only if nobody changed the record since: a newer write (a fold, an acknowledgement) wins over the undo.
          if (!(await deps.store.put(undoNotice(t.before, t.after), t.after.version, deadline.signal))) {
            log.warn('Notifier: a refused notice was not undone (the incident changed meanwhile)', {
              incident: incidentKeyString(t.before.key),
            });
          }
        } catch (error) {
          log.error('Notifier: could not undo a refused notice; it is not sent again', {
            incident: incidentKeyString(t.before.key),
            error: errorMessage(error),
          });
        }
      }),
    );
  }
  if (storeFailures > 0) metrics.count(METRICS.names.notifierFailures, storeFailures);
  // Only runs that had work log a line: an idle run every minute would be 43,200 lines a month saying nothing.
  if (due.length > 0)
    log.info('Notifier run', { active: incidents.length, open, due: due.length, sent, refused, ambiguous, storeFailures, skipped });
  return { kind: 'done', open, sent, refused, ambiguous, storeFailures, skipped };
}

/** The acknowledge key, or undefined (none set, or SSM did not answer: a reminder without a link beats none). */
async function readAckKey(deps: NotifierDeps, signal: AbortSignal): Promise<string | undefined> {
  if (deps.ackBaseUrl === undefined) return undefined;
  try {
    return await deps.ackKey.get(signal);
  } catch (error) {
    deps.log.warn('Notifier: could not read the acknowledge key; reminders go out without a link', { error: errorMessage(error) });
    return undefined;
  }
}

function renderOptions(deps: NotifierDeps, t: Taken, now: number, ackKey: string | undefined) {
  const ackUrl =
    t.notice.kind === 'reminder' && ackKey !== undefined && deps.ackBaseUrl !== undefined
      ? acknowledgeUrl(t.before, deps.ackBaseUrl, ackKey, now)
      : undefined;
  return {
    consoleUrl: deps.consoleUrl,
    now,
    ...(deps.alertLanguage ? { alertLanguage: deps.alertLanguage } : {}),
    ...(ackUrl ? { ackUrl } : {}),
  };
}
