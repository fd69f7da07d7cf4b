/**
 * The watchdog's side of incidents (lambda/incidents): a condition that opens opens its incident (by 'watchdog',
 * OPENED_BY_CONDITION), and only an incident that really opened gets the watchdog's opening alert (one a callback
 * already opened is folded into, silently); a condition that clears resolves its incident, and then the notifier's
 * single "resolved" notice replaces the watchdog's own "cleared" alert. Every pass that reads a balance at or
 * above min_balance_to_notify resolves 'low_balance', and `frozen === false` resolves 'account_frozen'.
 *
 * A store failure falls back to the watchdog's alerts as before (opened and cleared alone), counted as
 * METRICS.names.incidentStoreUnavailable. Pure orchestration over the IncidentStore port: no AWS imports.
 */
import { errorMessage } from '../errors';
import type { Secrets } from '../model';
import type { Log } from '../ports';
import { open, resolve, withdraw } from '../incidents/lifecycle';
import {
  DEFAULT_REMINDER_SCHEDULE,
  incidentKeyString,
  OPENED_BY_CONDITION,
  OPENING_LEVEL,
  type Incident,
  type IncidentKey,
  type IncidentKind,
} from '../incidents/model';
import { acknowledgeUrl } from '../incidents/ack-token';
import { newIncidentId, type IncidentDeps, type IncidentTag } from '../incidents/track';
import { update } from '../incidents/update';
import type { AccountInfo } from '../voximplant/management-api';
import type { Cleared, Condition, Finding } from './findings';

/** What the pass publishes after its incident step. */
export interface ConditionIncidents {
  /** The tag of an opening alert whose incident opened; undefined: untracked (store failed, or incidents off). */
  readonly tagOf: (condition: Condition) => IncidentTag | undefined;
  /** Openings folded into an incident already open (a callback's): no alert. */
  readonly folded: ReadonlySet<Condition>;
  /** Clearings whose incident was resolved (by this pass, or by a payment during the condition): no "cleared" alert. */
  readonly resolved: ReadonlySet<Condition>;
  /** Incident calls that failed. */
  readonly unavailable: number;
  /** Withdraws the incidents of openings whose alert SNS refused, so the next pass alerts again. Never throws. */
  readonly withdraw: (conditions: readonly Condition[], signal: AbortSignal) => Promise<void>;
}

const UNTRACKED: ConditionIncidents = {
  tagOf: () => undefined,
  folded: new Set(),
  resolved: new Set(),
  unavailable: 0,
  withdraw: async () => undefined,
};

/** The kinds a pass resolves from what GetAccountInfo said, besides its clearings. */
export function resolvedByAccount(info: Pick<AccountInfo, 'balance' | 'minBalanceToNotify' | 'frozen'>): IncidentKind[] {
  const kinds: IncidentKind[] = [];
  if (info.balance !== undefined && info.minBalanceToNotify !== undefined && info.balance >= info.minBalanceToNotify)
    kinds.push('low_balance');
  if (info.frozen === false) kinds.push('account_frozen');
  return kinds;
}

/**
 * Opens the incidents of `opened`, resolves those of `cleared` and of resolvedByAccount(info), all at once within
 * `signal`. `secrets` carry the acknowledge key for the links. Never throws.
 */
export async function trackConditions(
  deps: { readonly incidents?: IncidentDeps; readonly log: Log },
  accountId: number,
  opened: readonly Finding[],
  cleared: readonly Cleared[],
  info: AccountInfo,
  secrets: Secrets,
  signal: AbortSignal,
): Promise<ConditionIncidents> {
  const incidents = deps.incidents;
  if (incidents === undefined) return UNTRACKED;
  const now = incidents.now();
  const keyOf = (kind: IncidentKind): IncidentKey => ({ accountId, kind, subject: '' });
  const failed = (error: unknown) => {
    deps.log.error('Watchdog: incident store unavailable', { error: errorMessage(error) });
    return undefined;
  };

  const openings = opened.map(async (finding) => {
    const key = keyOf(OPENED_BY_CONDITION[finding.condition]);
    const { balance, currency } = finding.facts;
    const opening = {
      at: now,
      by: 'watchdog',
      facts: { ...(balance === undefined ? {} : { balance }), ...(currency === undefined ? {} : { currency }) },
      newIncidentId: (incidents.newIncidentId ?? newIncidentId)(),
    };
    const done = await update(
      incidents.store,
      key,
      (current) => {
        const { decision, next } = open(current, key, opening, incidents.schedule ?? DEFAULT_REMINDER_SCHEDULE);
        return { result: decision, next };
      },
      signal,
    ).catch(failed);
    return { condition: finding.condition, decision: done?.result, incident: done?.incident };
  });
  const kinds = [...new Set([...cleared.map((c) => OPENED_BY_CONDITION[c.condition]), ...resolvedByAccount(info)])];
  const resolutions = kinds.map(async (kind) => {
    const done = await update(
      incidents.store,
      keyOf(kind),
      (current) => ({ result: undefined, next: resolve(current, { at: now, by: 'watchdog' }) }),
      signal,
    ).catch(failed);
    return { kind, done };
  });
  const [openResults, resolveResults] = await Promise.all([Promise.all(openings), Promise.all(resolutions)]);

  const ackKey = secrets.ackKey;
  const tags = new Map<Condition, IncidentTag>();
  const withdrawable = new Map<Condition, Incident>();
  for (const { condition, decision, incident } of openResults) {
    if (decision !== 'opened' || incident === undefined) continue;
    withdrawable.set(condition, incident);
    const url = incidents.apiUrl !== undefined && ackKey ? acknowledgeUrl(incident, incidents.apiUrl, ackKey, now) : undefined;
    tags.set(condition, {
      escalation: OPENING_LEVEL,
      incident: incidentKeyString(incident.key),
      acknowledgeUrls: url === undefined ? [] : [url],
    });
  }
  const resolvedKinds = new Map(resolveResults.map(({ kind, done }) => [kind, done]));
  // The incident covered the condition: this pass resolved it, or something else did while the condition was open.
  const covered = (c: Cleared) => {
    const done = resolvedKinds.get(OPENED_BY_CONDITION[c.condition]);
    const resolvedAt = done?.incident?.resolvedAt;
    return done !== undefined && (done.written || (resolvedAt !== undefined && resolvedAt >= c.since));
  };
  return {
    tagOf: (condition) => tags.get(condition),
    folded: new Set(openResults.filter((r) => r.decision === 'folded').map((r) => r.condition)),
    resolved: new Set(cleared.filter(covered).map((c) => c.condition)),
    unavailable: openResults.filter((r) => r.decision === undefined).length + resolveResults.filter((r) => r.done === undefined).length,
    withdraw: async (conditions, withdrawBy) => {
      await Promise.all(
        conditions.flatMap((condition) => {
          const incident = withdrawable.get(condition);
          if (incident === undefined) return [];
          return [
            update(
              incidents.store,
              incident.key,
              (current) => ({ result: undefined, next: withdraw(current, incident.incidentId, now) }),
              withdrawBy,
            ).catch(failed),
          ];
        }),
      );
    },
  };
}
