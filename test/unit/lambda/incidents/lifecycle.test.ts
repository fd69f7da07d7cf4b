/**
 * lambda/incidents/lifecycle.ts as tables, with an injected clock (plain epoch-ms arguments): the reminder
 * schedule, open/fold, resolve, acknowledge and what the notifier sends next.
 */
import { acknowledge, nextNotice, open, reminderDueAt, resolve, undoNotice, type Opening } from '../../../../lambda/incidents/lifecycle';
import { DEFAULT_REMINDER_SCHEDULE, type Incident, type IncidentKey } from '../../../../lambda/incidents/model';

const MIN = 60_000;
const H = 60 * MIN;
const T0 = 1_700_000_000_000;
const key: IncidentKey = { accountId: 42, kind: 'low_balance', subject: '' };
const S = DEFAULT_REMINDER_SCHEDULE;
const opening = (over: Partial<Opening> = {}): Opening => ({
  at: T0,
  by: 'min_balance',
  callbackId: 7,
  facts: { balance: 3, currency: 'USD' },
  newIncidentId: 'a'.repeat(32),
  ...over,
});
/** The record as the store would hold it after the opening write. */
const opened = (over: Partial<Opening> = {}): Incident => ({ ...open(undefined, key, opening(over), S).next!, version: 1 });

describe('reminderDueAt (default schedule: 30 min, 2 h, 6 h, then every 12 h)', () => {
  it.each([
    [1, 30 * MIN],
    [2, 2 * H],
    [3, 6 * H],
    [4, 18 * H],
    [5, 30 * H],
    [6, 42 * H],
  ])('reminder %i is due %i ms after the opening', (n, offset) => {
    expect(reminderDueAt(T0, n, S) - T0).toBe(offset);
  });

  it('with no offsets, repeats from the opening', () => {
    expect(reminderDueAt(T0, 1, { offsetsMs: [], repeatMs: H }) - T0).toBe(H);
    expect(reminderDueAt(T0, 3, { offsetsMs: [], repeatMs: H }) - T0).toBe(3 * H);
  });
});

describe('nextNotice: the reminders an on-time notifier sends', () => {
  it('sends reminder n at its due time, one level up each, and nothing between', () => {
    let incident = opened();
    const sent: Array<[number, number, number]> = [];
    // A notifier that runs every 5 minutes for two days.
    for (let now = T0; now <= T0 + 48 * H; now += 5 * MIN) {
      const step = nextNotice(incident, now, S);
      if (step === undefined) continue;
      expect(step.notice.kind).toBe('reminder');
      if (step.notice.kind === 'reminder') sent.push([step.notice.reminder, step.notice.level, now - T0]);
      incident = step.next;
      expect(nextNotice(incident, now, S)).toBeUndefined();
    }
    expect(sent).toEqual([
      [1, 2, 30 * MIN],
      [2, 3, 2 * H],
      [3, 4, 6 * H],
      [4, 5, 18 * H],
      [5, 6, 30 * H],
      [6, 7, 42 * H],
    ]);
  });

  it('catches up on an overdue schedule with one reminder, the next one due after now', () => {
    const step = nextNotice(opened(), T0 + 7 * H, S)!;
    expect(step.notice).toEqual({ kind: 'reminder', level: 2, reminder: 1 });
    expect(step.next.nextReminderAt! - T0).toBe(18 * H);
    expect(nextNotice(step.next, T0 + 7 * H, S)).toBeUndefined();
    const later = nextNotice(step.next, T0 + 18 * H, S)!;
    expect(later.notice).toEqual({ kind: 'reminder', level: 3, reminder: 2 });
    expect(later.next.nextReminderAt! - T0).toBe(30 * H);
  });

  it('sends a due time exactly at its boundary, not a millisecond before', () => {
    expect(nextNotice(opened(), T0 + 30 * MIN - 1, S)).toBeUndefined();
    expect(nextNotice(opened(), T0 + 30 * MIN, S)).toBeDefined();
  });

  it('sends pending notices first, oldest first, before a due reminder', () => {
    const acked = acknowledge(opened(), { incidentId: 'a'.repeat(32), at: T0 + MIN, by: 'Ann' }).next!;
    const first = nextNotice({ ...acked, pendingNotices: ['acknowledged', 'resolved'] }, T0 + 10 * H, S)!;
    expect(first.notice).toEqual({ kind: 'acknowledged', level: 1 });
    const second = nextNotice(first.next, T0 + 10 * H, S)!;
    expect(second.notice).toEqual({ kind: 'resolved', level: 1 });
    expect(nextNotice(second.next, T0 + 10 * H, S)).toBeUndefined();
  });

  it.each([
    ['acknowledged', (i: Incident) => nextNotice(acknowledge(i, { incidentId: i.incidentId, at: T0 + MIN }).next!, T0 + MIN, S)!.next],
    ['resolved', (i: Incident) => nextNotice(resolve(i, { at: T0 + MIN, by: 'card_payment' })!, T0 + MIN, S)!.next],
  ])('sends no reminder once %s and its notice went out', (_, settle) => {
    const settled = settle(opened());
    for (const after of [30 * MIN, 2 * H, 100 * H]) expect(nextNotice(settled, T0 + after, S)).toBeUndefined();
  });
});

describe('open', () => {
  it('opens a new incident at level 1 with the first reminder scheduled', () => {
    const { decision, next } = open(undefined, key, opening(), S);
    expect(decision).toBe('opened');
    expect(next).toMatchObject({
      key,
      incidentId: 'a'.repeat(32),
      status: 'open',
      openedAt: T0,
      openedBy: 'min_balance',
      openingCallbackId: 7,
      repeats: 0,
      level: 1,
      nextReminderAt: T0 + 30 * MIN,
      pendingNotices: [],
      version: 0,
    });
  });

  it('answers a retry of the opening callback with "opened" again and no write (its alert may not have gone out)', () => {
    expect(open(opened(), key, opening({ at: T0 + MIN }), S)).toEqual({ decision: 'opened' });
  });

  it.each([
    ['a repeated min_balance', { callbackId: 8 }],
    ['the watchdog', { by: 'watchdog', callbackId: undefined }],
  ])('folds %s into the open incident: counted, facts updated, schedule kept', (_, over) => {
    const current = opened();
    const { decision, next } = open(current, key, opening({ ...over, at: T0 + 5 * MIN, facts: { balance: 2 } }), S);
    expect(decision).toBe('folded');
    expect(next).toMatchObject({ repeats: 1, lastSeenAt: T0 + 5 * MIN, facts: { balance: 2, currency: 'USD' }, level: 1 });
    expect(next!.nextReminderAt).toBe(current.nextReminderAt);
    expect(next!.incidentId).toBe(current.incidentId);
  });

  it('folds into an acknowledged incident without restarting reminders', () => {
    const acked = { ...acknowledge(opened(), { incidentId: 'a'.repeat(32), at: T0 + MIN }).next!, version: 2 };
    const { decision, next } = open(acked, key, opening({ callbackId: 9, at: T0 + H }), S);
    expect(decision).toBe('folded');
    expect(next!.status).toBe('acknowledged');
    expect(next!.nextReminderAt).toBeUndefined();
  });

  it('opens a new incident (new id, same record version chain) after the previous one resolved', () => {
    const resolved = { ...resolve(opened(), { at: T0 + H, by: 'card_payment' })!, version: 2 };
    const { decision, next } = open(resolved, key, opening({ callbackId: 9, at: T0 + 2 * H, newIncidentId: 'b'.repeat(32) }), S);
    expect(decision).toBe('opened');
    expect(next).toMatchObject({ incidentId: 'b'.repeat(32), status: 'open', openedAt: T0 + 2 * H, version: 2, pendingNotices: [] });
    expect(next!.resolvedAt).toBeUndefined();
  });

  it('does not reopen a resolved incident for a late retry of the callback that opened it', () => {
    const resolved = { ...resolve(opened(), { at: T0 + H, by: 'card_payment' })!, version: 2 };
    const { decision, next } = open(resolved, key, opening({ at: T0 + 2 * H, newIncidentId: 'b'.repeat(32) }), S);
    expect(decision).toBe('folded');
    expect(next).toBeUndefined();
  });
});

describe('resolve', () => {
  it.each(['open', 'acknowledged'] as const)('resolves an %s incident: reminders stop, one "resolved" notice pending', (status) => {
    const base = opened();
    const current = status === 'open' ? base : acknowledge(base, { incidentId: base.incidentId, at: T0 + MIN }).next!;
    const next = resolve(current, { at: T0 + H, by: 'card_payment' })!;
    expect(next).toMatchObject({ status: 'resolved', resolvedAt: T0 + H, resolvedBy: 'card_payment', pendingNotices: ['resolved'] });
    expect(next.nextReminderAt).toBeUndefined();
  });

  it.each([
    ['no incident', undefined],
    ['a resolved one', resolve({ ...opened(), version: 1 }, { at: T0 + H, by: 'watchdog' })],
  ])('changes nothing for %s', (_, current) => {
    expect(resolve(current, { at: T0 + 2 * H, by: 'card_payment' })).toBeUndefined();
  });
});

describe('acknowledge', () => {
  const id = 'a'.repeat(32);
  it.each<[string, string, () => Incident | undefined, string]>([
    ['open', 'acknowledged', () => opened(), id],
    ['acknowledged', 'already-acknowledged', () => acknowledge(opened(), { incidentId: id, at: T0 }).next, id],
    ['resolved', 'resolved', () => resolve(opened(), { at: T0, by: 'card_payment' }), id],
    ['absent', 'not-found', () => undefined, id],
    ["open (another opening's link)", 'not-found', () => opened(), 'b'.repeat(32)],
  ])('an incident %s gives %s', (_, outcome, current, incidentId) => {
    expect(acknowledge(current(), { incidentId, at: T0 + MIN, by: 'Ann' }).outcome).toBe(outcome);
  });

  it('records who and when, stops reminders and queues the "acknowledged" notice', () => {
    const { next } = acknowledge(opened(), { incidentId: id, at: T0 + MIN, by: 'Ann' });
    expect(next).toMatchObject({
      status: 'acknowledged',
      acknowledgedAt: T0 + MIN,
      acknowledgedBy: 'Ann',
      pendingNotices: ['acknowledged'],
    });
    expect(next!.nextReminderAt).toBeUndefined();
  });
});

describe('undoNotice', () => {
  it('puts the record back as before the notice, at the version written', () => {
    const before = opened();
    const after = { ...nextNotice(before, T0 + H, S)!.next, version: 2 };
    expect(undoNotice(before, after)).toEqual({ ...before, version: 2 });
  });
});
