/**
 * An alert as a chat message (model.ts ChatText): the email's parts re-cut for a chat card, in the alert's
 * language. Pure: no AWS, no I/O; no Intl of its own (the words and numbers come already formatted), so the
 * webhook's cold start pays nothing for it.
 */
import type { ChatText, Severity } from '../model';
import type { Messages } from './i18n/messages';
import type { Fact } from './templates';
import { CHAT_LIMITS, chatSafe, clean, fit } from './text';

/** What renderAlert hands over: the parts it has already read, cleaned and capped for the email. */
export interface ChatParts {
  /** The type's few words ("balance low"), in the alert's language. */
  readonly what: string;
  /** The account as the SMS shows it: its short name, or "account <id>". */
  readonly account: string;
  readonly summary: string;
  readonly facts: readonly Fact[];
  readonly lines: readonly string[];
  readonly action?: string;
  readonly consoleUrl: string;
  /** The sanitized callback type name. */
  readonly type: string;
  readonly severity: Severity;
  readonly test: boolean;
}

/** The chat text of one alert: every part within CHAT_LIMITS, markup made inert (text.ts chatSafe). */
export function chatText(parts: ChatParts, m: Messages): ChatText {
  const title = (parts.test ? m.alert.testSms : '') + m.alert.chatTitle(parts.what, parts.account);
  const description = [
    parts.summary,
    '',
    ...parts.facts.filter(([, value]) => value !== undefined).map(([label, value]) => `${label}: ${value}`),
    ...(parts.lines.length > 0 ? ['', ...parts.lines] : []),
  ].join('\n');
  const nextSteps = [...(parts.action ? [parts.action] : []), `${m.alert.controlPanel}: ${clean(parts.consoleUrl, CHAT_LIMITS.nextStep)}`];
  return {
    title: chatSafe(clean(title, CHAT_LIMITS.title)),
    description: chatSafe(fit(description, CHAT_LIMITS.ownDescription)),
    nextSteps: nextSteps.slice(0, CHAT_LIMITS.nextSteps).map((step) => chatSafe(clean(step, CHAT_LIMITS.nextStep))),
    keywords: [m.severity[parts.severity], parts.type]
      .slice(0, CHAT_LIMITS.keywords)
      .map((keyword) => chatSafe(clean(keyword, CHAT_LIMITS.keyword))),
  };
}
