/**
 * The acknowledge lines of an incident's opening alert (lambda/incidents), in its email and chat: one link per incident the
 * alert opened (a SIP callback may open one per registration), then one sentence saying reminders follow.
 * The URLs are this stack's own (API_URL + a signed token, URL-safe by construction): still capped, as every line.
 */
import type { Messages } from './i18n';
import { clean } from './text';

/** The email lines for `urls` in the words of `m`; [] when there are none. */
export function acknowledgeLines(urls: readonly string[] | undefined, m: Messages): string[] {
  if (urls === undefined || urls.length === 0) return [];
  return ['', ...urls.map((url) => `${m.acknowledge.link}: ${clean(url, 500)}`), m.acknowledge.remindersFollow];
}
