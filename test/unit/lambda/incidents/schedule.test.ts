/**
 * The reminder schedule as text (`-c reminderSchedule=`, REMINDER_SCHEDULE) and when each reminder falls, with
 * an injected clock: a table of schedules and the times of their first reminders.
 */
import { reminderDueAt } from '../../../../lambda/incidents/lifecycle';
import { DEFAULT_REMINDER_SCHEDULE } from '../../../../lambda/incidents/model';
import { formatReminderSchedule, parseReminderSchedule } from '../../../../lambda/incidents/schedule';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('parseReminderSchedule', () => {
  it.each([
    ['30m,2h,6h,12h', [30 * MIN, 2 * HOUR, 6 * HOUR], 12 * HOUR],
    ['1h', [], HOUR],
    [' 5s , 10s ,20s ', [5000, 10_000], 20_000],
    ['1d,7d', [24 * HOUR], 7 * 24 * HOUR],
  ])('%s', (text, offsetsMs, repeatMs) => {
    expect(parseReminderSchedule(text)).toEqual({ offsetsMs, repeatMs });
    expect(parseReminderSchedule(formatReminderSchedule(parseReminderSchedule(text)))).toEqual({ offsetsMs, repeatMs });
  });

  it('unset or empty is the default (30 min, 2 h, 6 h, then every 12 h), which reads back as 30m,2h,6h,12h', () => {
    expect(parseReminderSchedule(undefined)).toBe(DEFAULT_REMINDER_SCHEDULE);
    expect(parseReminderSchedule('')).toBe(DEFAULT_REMINDER_SCHEDULE);
    expect(formatReminderSchedule(DEFAULT_REMINDER_SCHEDULE)).toBe('30m,2h,6h,12h');
  });

  it.each([
    ['30', /not a duration/],
    ['30m,2x', /"2x" is not a duration/],
    ['0m', /out of range/],
    ['31d', /out of range/],
    ['2h,30m,12h', /must ascend: 30m comes after 2h/],
    ['1m,2m,3m,4m,5m,6m,7m,8m,9m,10m,11m,12m', /at most 10 offsets/],
    ['30s', /"30s" is out of range: from 1m to 30d/],
  ])('refuses %s', (text, message) => {
    expect(() => parseReminderSchedule(text, MIN)).toThrow(message);
  });
});

describe('when reminders fall (injected clock: offsets from the opening)', () => {
  const opened = Date.UTC(2026, 10, 30, 2, 0);
  it.each([
    ['30m,2h,6h,12h', ['02:30', '04:00', '08:00', '20:00', '08:00+1']],
    ['1h', ['03:00', '04:00', '05:00', '06:00', '07:00']],
    ['10m,15m', ['02:10', '02:25', '02:40', '02:55', '03:10']],
  ])('%s', (text, times) => {
    const schedule = parseReminderSchedule(text);
    const shown = [1, 2, 3, 4, 5].map((n) => {
      const at = reminderDueAt(opened, n, schedule);
      const day = Math.floor((at - Date.UTC(2026, 10, 30)) / (24 * HOUR));
      return `${new Date(at).toISOString().slice(11, 16)}${day > 0 ? `+${day}` : ''}`;
    });
    expect(shown).toEqual(times);
  });
});
