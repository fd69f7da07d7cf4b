/**
 * How an incident changes, pure: open or fold, resolve, acknowledge, and what the notifier sends next. No AWS,
 * no clock (`at`/`now` are arguments), no randomness (the caller passes a new incidentId), so any sequence of
 * events replays in a table test. Each function returns the next record (version unchanged: the store adds 1
 * on write) or undefined when nothing changes, so a caller writes only what changed.
 *
 * The invariants the property tests check: at most one "resolved" per opening, never one without an opening,
 * no reminder after acknowledgement or resolution.
 */
import { OPENING_LEVEL, type Incident, type IncidentFacts, type IncidentKey, type PendingNotice, type ReminderSchedule } from './model';

export interface Opening {
  /** Epoch ms. */
  readonly at: number;
  /** A callback type, or `watchdog`. */
  readonly by: string;
  readonly callbackId?: number;
  readonly facts: IncidentFacts;
  /** 32 lowercase hex: used only if this opens a new incident. */
  readonly newIncidentId: string;
}

/**
 * 'opened': a new incident (or the same opening callback again, retried): send its alert.
 * 'folded': it was already open or acknowledged, or this is a late retry of the callback that opened an incident
 * since resolved: no alert (the notifier sends a reminder if one is due).
 */
export type OpenDecision = 'opened' | 'folded';

/** When reminder `n` (1-based) of an incident opened at `openedAt` is due: the offsets, then every repeatMs. */
export function reminderDueAt(openedAt: number, n: number, schedule: ReminderSchedule): number {
  const { offsetsMs, repeatMs } = schedule;
  if (n <= offsetsMs.length) return openedAt + offsetsMs[n - 1];
  const last = offsetsMs.length === 0 ? 0 : offsetsMs[offsetsMs.length - 1];
  return openedAt + last + (n - offsetsMs.length) * repeatMs;
}

/** Opens `key` at `opening.at`, or folds into the incident already open or acknowledged. */
export function open(
  current: Incident | undefined,
  key: IncidentKey,
  opening: Opening,
  schedule: ReminderSchedule,
): { readonly decision: OpenDecision; readonly next?: Incident } {
  const sameOpening = opening.callbackId !== undefined && current?.openingCallbackId === opening.callbackId;
  // A late retry (parked request) of the callback that opened an incident since resolved: its problem is over,
  // so it neither reopens (reminders for a fixed problem) nor alerts again.
  if (current?.status === 'resolved' && sameOpening) return { decision: 'folded' };
  if (current !== undefined && current.status !== 'resolved') {
    if (sameOpening) return { decision: 'opened' };
    return {
      decision: 'folded',
      next: {
        ...current,
        lastSeenAt: Math.max(current.lastSeenAt, opening.at),
        repeats: current.repeats + 1,
        facts: { ...current.facts, ...opening.facts },
      },
    };
  }
  // A resolved record is replaced: an unsent "resolved" of the previous opening is superseded by the new alert.
  return {
    decision: 'opened',
    next: {
      key,
      incidentId: opening.newIncidentId,
      status: 'open',
      openedAt: opening.at,
      openedBy: opening.by,
      ...(opening.callbackId === undefined ? {} : { openingCallbackId: opening.callbackId }),
      lastSeenAt: opening.at,
      repeats: 0,
      level: OPENING_LEVEL,
      nextReminderAt: reminderDueAt(opening.at, 1, schedule),
      pendingNotices: [],
      facts: opening.facts,
      version: current?.version ?? 0,
    },
  };
}

/** Resolves an open or acknowledged incident; undefined when there is none to resolve. */
export function resolve(current: Incident | undefined, resolution: { readonly at: number; readonly by: string }): Incident | undefined {
  if (current === undefined || current.status === 'resolved') return undefined;
  const { nextReminderAt: _, ...rest } = current;
  return {
    ...rest,
    status: 'resolved',
    resolvedAt: resolution.at,
    resolvedBy: resolution.by,
    // Only "resolved" is left to say: an acknowledgement not yet announced is covered by it.
    pendingNotices: ['resolved'],
  };
}

export type AckOutcome = 'acknowledged' | 'already-acknowledged' | 'resolved' | 'not-found';

/** Acknowledges the opening `incidentId` of the incident: reminders stop, the others are told. */
export function acknowledge(
  current: Incident | undefined,
  ack: { readonly incidentId: string; readonly at: number; readonly by?: string },
): { readonly outcome: AckOutcome; readonly next?: Incident } {
  if (current === undefined || current.incidentId !== ack.incidentId) return { outcome: 'not-found' };
  if (current.status === 'resolved') return { outcome: 'resolved' };
  if (current.status === 'acknowledged') return { outcome: 'already-acknowledged' };
  const { nextReminderAt: _, ...rest } = current;
  return {
    outcome: 'acknowledged',
    next: {
      ...rest,
      status: 'acknowledged',
      acknowledgedAt: ack.at,
      ...(ack.by === undefined ? {} : { acknowledgedBy: ack.by }),
      pendingNotices: [...current.pendingNotices, 'acknowledged'],
    },
  };
}

/**
 * What the notifier sends next about `incident` at `now`, and the record after it: a pending notice first
 * (oldest), else a due reminder (level + 1). Undefined when nothing is due. A reminder that is long overdue
 * (the notifier was down) is sent once, and the next one is scheduled after `now`, not in the past.
 */
export type Notice =
  | { readonly kind: PendingNotice; readonly level: number }
  | { readonly kind: 'reminder'; readonly level: number; readonly reminder: number };

export function nextNotice(
  incident: Incident,
  now: number,
  schedule: ReminderSchedule,
): { readonly notice: Notice; readonly next: Incident } | undefined {
  const [pending, ...rest] = incident.pendingNotices;
  if (pending !== undefined) return { notice: { kind: pending, level: incident.level }, next: { ...incident, pendingNotices: rest } };
  if (incident.status !== 'open' || incident.nextReminderAt === undefined || incident.nextReminderAt > now) return undefined;
  const reminder = incident.level; // reminder n raises the level from n to n + 1
  let following = reminder + 1;
  while (reminderDueAt(incident.openedAt, following, schedule) <= now) following += 1;
  return {
    notice: { kind: 'reminder', level: incident.level + 1, reminder },
    next: { ...incident, level: incident.level + 1, nextReminderAt: reminderDueAt(incident.openedAt, following, schedule) },
  };
}

/** Undoes a notice whose publish was refused (provably not sent), so the next run sends it again. */
export function undoNotice(before: Incident, after: Incident): Incident {
  return { ...before, version: after.version };
}

/**
 * Withdraws an opening whose alert was refused (provably not sent): closed without a notice, so the next opening
 * of the same key opens (and alerts) again instead of folding into an incident nobody was told of. Undefined
 * unless `current` is still that opening, untouched by reminders or acknowledgement.
 */
export function withdraw(current: Incident | undefined, incidentId: string, at: number): Incident | undefined {
  if (current === undefined || current.incidentId !== incidentId || current.status !== 'open' || current.level !== OPENING_LEVEL)
    return undefined;
  const { nextReminderAt: _, ...rest } = current;
  return { ...rest, status: 'resolved', resolvedAt: at, resolvedBy: 'withdrawn', pendingNotices: [] };
}
