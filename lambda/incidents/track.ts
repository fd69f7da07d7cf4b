/**
 * The webhook's incident phase ("track", between claim and publish in pipeline.ts): a verified, newly claimed
 * callback whose type opens an incident (OPENED_BY_CALLBACK) opens it or folds into it; one whose type resolves
 * incidents (RESOLVED_BY_CALLBACK) resolves them. Every other callback costs no incident call at all.
 *
 * Never loses an alert: a store that fails or runs out of time leaves the opening alert to go out as a one-off
 * (no link, no reminders) and counts METRICS.names.incidentStoreUnavailable. A resolve that fails is not retried
 * here: the callback stays answered 200 (a 5xx would make Voximplant resend a payment to redo a state write whose
 * only cost, when missed, is reminders that a later payment, the watchdog's balance pass or an acknowledgement
 * stops). Pure orchestration over the IncidentStore port: no AWS imports.
 *
 * Protocol facts (docs/protocol.md): `sip_registration_fail` / `sip_registration_recovered` carry
 * `sip_registrations: [{sip_registration_id, status_code, error_message?}]` inside the type's own object; the body
 * is unsigned (only callback_id is covered by the hash), so every value read here is bounded and checked.
 */
import { randomBytes } from 'node:crypto';
import type { CallbackItem, Secrets } from '../model';
import { BUDGET, untilAborted, type Deadline } from '../deadline';
import { errorMessage } from '../errors';
import type { Log } from '../ports';
import { list, num, prop, text } from '../render/fields';
import { acknowledgeUrl } from './ack-token';
import { open, resolve } from './lifecycle';
import {
  DEFAULT_REMINDER_SCHEDULE,
  incidentKeyString,
  OPENED_BY_CALLBACK,
  OPENING_LEVEL,
  RESOLVED_BY_CALLBACK,
  type Incident,
  type IncidentFacts,
  type IncidentKey,
  type ReminderSchedule,
} from './model';
import type { IncidentStore } from './ports';
import { update } from './update';

/** What the receiver needs to track incidents (pipeline.ts Deps.incidents); absent: incidents are off. */
export interface IncidentDeps {
  readonly store: IncidentStore;
  /** Epoch ms. */
  readonly now: () => number;
  readonly schedule?: ReminderSchedule;
  /** A new incidentId: 32 lowercase hex characters (default: 16 random bytes). */
  readonly newIncidentId?: () => string;
  /** The HTTP API's base URL (config.apiUrl); undefined: alerts carry no acknowledge link. */
  readonly apiUrl?: string;
}

/** At most this many SIP registrations of one callback open or resolve an incident each; the rest stay in the alert only. */
export const MAX_SIP_INCIDENTS = 10;
/** A registration id as the acknowledge token accepts it (ack-token.ts): decimal digits. */
const REGISTRATION_ID = /^\d{1,20}$/;

export const newIncidentId = (): string => randomBytes(16).toString('hex');

/** The type's own data of an item, as the renderer reads it: `item[type][type][name]`, else `item[type][name]`. */
function typeField(item: Pick<CallbackItem, 'type' | 'fields'>, name: string): unknown {
  const outer = prop(item.fields, item.type);
  const inner = prop(prop(outer, item.type), name);
  return inner !== undefined ? inner : prop(outer, name);
}

/** The SIP registrations a callback names: distinct, decimal ids, at most MAX_SIP_INCIDENTS, with their status. */
export function sipRegistrations(
  item: Pick<CallbackItem, 'type' | 'fields'>,
): Array<{ readonly id: string; readonly facts: IncidentFacts }> {
  const seen = new Map<string, IncidentFacts>();
  for (const entry of list(typeField(item, 'sip_registrations')).items) {
    const raw = prop(entry, 'sip_registration_id') ?? entry;
    const id = typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0 ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
    if (!REGISTRATION_ID.test(id) || seen.has(id)) continue;
    const statusCode = num(prop(entry, 'status_code'));
    const errorMessage = text(prop(entry, 'error_message'));
    seen.set(id, {
      ...(statusCode === undefined || !Number.isSafeInteger(statusCode) ? {} : { statusCode }),
      ...(errorMessage === undefined ? {} : { errorMessage }),
    });
    if (seen.size === MAX_SIP_INCIDENTS) break;
  }
  return [...seen].map(([id, facts]) => ({ id, facts }));
}

/** What an incident may show of the callback that opened it: balance, currency and language, bounded. */
function callbackFacts(item: Pick<CallbackItem, 'fields'>): IncidentFacts {
  const balance = num(prop(item.fields, 'balance'));
  const currency = text(prop(item.fields, 'currency'), 8);
  const languageCode = text(prop(item.fields, 'language_code'), 8);
  const accountName = text(prop(item.fields, 'account_name'), 64);
  return {
    ...(accountName === undefined ? {} : { accountName }),
    ...(balance === undefined ? {} : { balance }),
    ...(currency === undefined ? {} : { currency }),
    ...(languageCode === undefined ? {} : { languageCode }),
  };
}

/** The incidents one verified callback opens, with the facts each records; [] for every other type. */
export function openedBy(
  item: Pick<CallbackItem, 'type' | 'accountId' | 'fields'>,
): Array<{ readonly key: IncidentKey; readonly facts: IncidentFacts }> {
  const kind = Object.prototype.hasOwnProperty.call(OPENED_BY_CALLBACK, item.type) ? OPENED_BY_CALLBACK[item.type] : undefined;
  if (kind === undefined) return [];
  const facts = callbackFacts(item);
  if (kind !== 'sip_registration') return [{ key: { accountId: item.accountId, kind, subject: '' }, facts }];
  return sipRegistrations(item).map((r) => ({ key: { accountId: item.accountId, kind, subject: r.id }, facts: { ...facts, ...r.facts } }));
}

/** The incidents one verified callback resolves; [] for every other type. */
export function resolvedBy(item: Pick<CallbackItem, 'type' | 'accountId' | 'fields'>): IncidentKey[] {
  const kinds = Object.prototype.hasOwnProperty.call(RESOLVED_BY_CALLBACK, item.type) ? RESOLVED_BY_CALLBACK[item.type] : [];
  return kinds.flatMap((kind): IncidentKey[] =>
    kind === 'sip_registration'
      ? sipRegistrations(item).map((r) => ({ accountId: item.accountId, kind, subject: r.id }))
      : [{ accountId: item.accountId, kind, subject: '' }],
  );
}

/** What an alert carries about the incident it opened (model.ts Alert.escalation / incident, and the email's links). */
export interface IncidentTag {
  readonly escalation: number;
  /** incidentKeyString of the first incident the callback opened. */
  readonly incident: string;
  readonly acknowledgeUrls: readonly string[];
}

export interface Tracked<T> {
  /** The callbacks still to be alerted: opened an incident, or opened none (a one-off, or the store failed). */
  readonly toAlert: readonly T[];
  /** Folded into incidents already open: not alerted, completed like a duplicate. */
  readonly folded: readonly T[];
  /** The tag of an alert that opened an incident; undefined for the others. */
  readonly tagOf: (item: CallbackItem) => IncidentTag | undefined;
  /** Incident calls that failed or had no time: their alerts go out untracked, their resolves are missed. */
  readonly unavailable: number;
}

/** What one opening did; undefined when the store failed or ran out of time. */
type Opened = { readonly decision: 'opened' | 'folded'; readonly incident?: Incident } | undefined;

/**
 * The phase: opens or folds the incidents of `toAlert` (verified, newly claimed, forwarded), resolves those of
 * `fresh` (every verified, newly claimed callback, forwarded or not: payments usually are not), all at once
 * within BUDGET.incidentMs and never into the time publishing needs (`publishBy` less BUDGET.publishMs).
 * `secrets`: the ones verification read (undefined on a parked retry: read here, once, only if an incident
 * opened and links are on). Never throws.
 */
export async function trackIncidents<T extends { readonly item: CallbackItem }>(
  deps: { readonly incidents?: IncidentDeps; readonly secrets: { get(signal: AbortSignal): Promise<Secrets> }; readonly log: Log },
  toAlert: readonly T[],
  fresh: readonly CallbackItem[],
  secrets: Secrets | undefined,
  publishBy: Deadline,
): Promise<Tracked<T>> {
  const incidents = deps.incidents;
  const opens = toAlert.map(({ item }) => openedBy(item));
  const resolves = fresh.flatMap((item) => resolvedBy(item).map((key) => ({ key, by: item.type })));
  const untracked: Tracked<T> = { toAlert, folded: [], tagOf: () => undefined, unavailable: 0 };
  if (incidents === undefined || (opens.every((o) => o.length === 0) && resolves.length === 0)) return untracked;

  const by = publishBy.child(BUDGET.publishMs).within(BUDGET.incidentMs);
  const calls = opens.reduce((n, o) => n + o.length, 0) + resolves.length;
  if (by.remainingMs() < BUDGET.confirmMinMs) {
    deps.log.warn('Incidents not tracked: no time left', { calls });
    return { ...untracked, unavailable: calls };
  }
  const signal = by.signal;
  const now = incidents.now();
  const schedule = incidents.schedule ?? DEFAULT_REMINDER_SCHEDULE;
  /** The call's result, or undefined (logged) when the store failed or ran out of time. */
  const attempt = async <R>(run: () => Promise<R>): Promise<R | undefined> => {
    try {
      // untilAborted: a store that ignores its signal still cannot hold the alerts back.
      return await untilAborted(run(), signal);
    } catch (error) {
      deps.log.error('Incident store unavailable', { error: errorMessage(error) });
      return undefined;
    }
  };
  const [opened, resolved] = await Promise.all([
    Promise.all(
      toAlert.map(({ item }, i) =>
        Promise.all(
          opens[i].map(({ key, facts }) =>
            attempt(async (): Promise<Opened> => {
              const opening = {
                at: now,
                by: item.type,
                callbackId: item.callbackId,
                facts,
                newIncidentId: (incidents.newIncidentId ?? newIncidentId)(),
              };
              const done = await update(
                incidents.store,
                key,
                (current) => {
                  const { decision, next } = open(current, key, opening, schedule);
                  return { result: decision, next };
                },
                signal,
              );
              return { decision: done.result, incident: done.incident };
            }),
          ),
        ),
      ),
    ),
    Promise.all(
      resolves.map(({ key, by: resolvedBy }) =>
        attempt(async () => {
          await update(
            incidents.store,
            key,
            (current) => ({ result: undefined, next: resolve(current, { at: now, by: resolvedBy }) }),
            signal,
          );
          return 'done' as const;
        }),
      ),
    ),
  ]);

  const unavailable = [...opened.flat(), ...resolved].filter((o) => o === undefined).length;
  // A callback is folded only when every incident it names was already open; any failure or opening alerts.
  const isFolded = (outcomes: readonly Opened[]) => outcomes.length > 0 && outcomes.every((o) => o?.decision === 'folded');
  const openedIncidents = opened.map((outcomes) =>
    outcomes.flatMap((o) => (o?.decision === 'opened' && o.incident !== undefined ? [o.incident] : [])),
  );
  const urls = await acknowledgeUrls(deps, incidents, openedIncidents.flat(), secrets, signal, now);
  const tags = new Map<CallbackItem, IncidentTag>();
  toAlert.forEach(({ item }, i) => {
    const mine = openedIncidents[i];
    if (mine.length === 0) return;
    tags.set(item, {
      escalation: OPENING_LEVEL,
      incident: incidentKeyString(mine[0].key),
      acknowledgeUrls: mine.flatMap((incident) => urls.get(incident) ?? []),
    });
  });
  return {
    toAlert: toAlert.filter((_, i) => !isFolded(opened[i])),
    folded: toAlert.filter((_, i) => isFolded(opened[i])),
    tagOf: (item) => tags.get(item),
    unavailable,
  };
}

/** The links of the incidents that opened; none when links are off, or the acknowledge key cannot be read in time. */
async function acknowledgeUrls(
  deps: { readonly secrets: { get(signal: AbortSignal): Promise<Secrets> }; readonly log: Log },
  incidents: IncidentDeps,
  opened: readonly Incident[],
  secrets: Secrets | undefined,
  signal: AbortSignal,
  now: number,
): Promise<ReadonlyMap<Incident, string>> {
  const apiUrl = incidents.apiUrl;
  if (opened.length === 0 || apiUrl === undefined) return new Map();
  let ackKey = secrets?.ackKey;
  if (secrets === undefined) {
    // A parked retry is verified already and read no secrets: the key is read now, only because a link is due.
    try {
      ackKey = (await untilAborted(deps.secrets.get(signal), signal)).ackKey;
    } catch (error) {
      deps.log.warn('Acknowledge links left out: the acknowledge key could not be read', { error: errorMessage(error) });
      return new Map();
    }
  }
  if (ackKey === undefined || ackKey === '') {
    deps.log.warn('Acknowledge links left out: no acknowledge key in SSM');
    return new Map();
  }
  return new Map(opened.map((incident) => [incident, acknowledgeUrl(incident, apiUrl, ackKey, now)]));
}
