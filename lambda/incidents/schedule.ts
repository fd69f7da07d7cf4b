/**
 * The reminder schedule as text (`-c reminderSchedule=`, the notifier's REMINDER_SCHEDULE), e.g. `30m,2h,6h,12h`:
 * every value but the last is an offset from the incident's opening, ascending; the last is the interval of
 * the reminders after the last offset. So `30m,2h,6h,12h` reminds 30 min, 2 h and 6 h after the opening, then
 * every 12 h (18 h, 30 h, ...): DEFAULT_REMINDER_SCHEDULE. One value (`1h`) reminds every hour from the opening.
 * Pure: no AWS.
 */
import { DEFAULT_REMINDER_SCHEDULE, type ReminderSchedule } from './model';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** More offsets than this is a typo, not a schedule. */
export const MAX_REMINDER_OFFSETS = 10;
/** No reminder further than this from the opening or the previous one. */
export const MAX_REMINDER_MS = 30 * 86_400_000;

/** One duration: digits and a unit (`s`, `m`, `h`, `d`), e.g. `90m`. Undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** `ms` as the schedule writes it: the largest unit that divides it (`12h`, `90m`, `45s`). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm'] as const) if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  return `${Math.round(ms / 1000)}s`;
}

/** The schedule as text: the inverse of parseReminderSchedule. */
export function formatReminderSchedule(schedule: ReminderSchedule): string {
  return [...schedule.offsetsMs, schedule.repeatMs].map(formatDuration).join(',');
}

/**
 * Parses `text` (see the file's comment); undefined or '' gives DEFAULT_REMINDER_SCHEDULE. Throws an Error
 * saying what is wrong when a value is not a duration, is 0 or over 30 days, the offsets do not ascend, or
 * there are more than MAX_REMINDER_OFFSETS offsets. `minMs` (default 1 s) is the smallest value allowed: the
 * stack asks for 1 minute, its notifier's schedule.
 */
export function parseReminderSchedule(text: string | undefined, minMs = 1000): ReminderSchedule {
  if (text === undefined || text.trim() === '') return DEFAULT_REMINDER_SCHEDULE;
  const parts = text.split(',').map((part) => part.trim());
  const values = parts.map((part) => {
    const ms = parseDuration(part);
    if (ms === undefined) throw new Error(`${JSON.stringify(part)} is not a duration: digits and s, m, h or d, e.g. 30m`);
    if (ms < minMs || ms > MAX_REMINDER_MS) {
      throw new Error(`${JSON.stringify(part)} is out of range: from ${formatDuration(minMs)} to 30d`);
    }
    return ms;
  });
  const offsetsMs = values.slice(0, -1);
  const repeatMs = values[values.length - 1];
  if (offsetsMs.length > MAX_REMINDER_OFFSETS) throw new Error(`at most ${MAX_REMINDER_OFFSETS} offsets and the repeat interval`);
  for (let i = 1; i < offsetsMs.length; i += 1) {
    if (offsetsMs[i] <= offsetsMs[i - 1]) throw new Error(`the offsets must ascend: ${parts[i]} comes after ${parts[i - 1]}`);
  }
  return { offsetsMs, repeatMs };
}
