/**
 * An alert as each chat destination takes it: an Amazon Q Developer in chat applications custom notification
 * (Slack, Microsoft Teams) and a Telegram message text. Pure: no AWS, no I/O.
 *
 * Custom notification schema: "Custom notifications using Amazon Q Developer in chat applications", Event schema
 * and Parameter details (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html): `version`
 * "1.0" and `source` "custom" required; `content.textType` "client-markdown", `content.title` and
 * `content.description` required; `nextSteps` and `keywords` lists of strings; `metadata.threadId` groups
 * notifications into one thread; `metadata.eventType`/`summary`/`additionalContext` optional.
 */
import { createHash } from 'node:crypto';
import type { Alert, ChatText } from '../model';
import { CHAT_LIMITS, chatSafe, clean, fit } from '../render/text';

/** An Amazon Q Developer custom notification, as this stack sends it (custom-notifs.html, Event schema). */
export interface CustomNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  /** Unique event identifier: `<account_id>-<callback_id>`. */
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    /** Same for every notification of one incident, so its opening, reminders and "resolved" share a thread. */
    readonly threadId: string;
    /** The callback type. */
    readonly eventType: string;
    readonly summary: string;
  };
}

/**
 * Telegram Bot API sendMessage: `text` is "1-4096 characters after entities parsing"
 * (https://core.telegram.org/bots/api#sendmessage). Sent without parse_mode, so no entities: 4096 code units.
 */
export const TELEGRAM_TEXT_MAX = 4096;

/**
 * The alert's chat text: its own (render/chat.ts) or, for an alert rendered without one (an older message, a
 * notice built elsewhere), the English subject and the email, cut to CHAT_LIMITS.
 */
export function chatOf(alert: Alert): ChatText {
  if (alert.chat !== undefined) return alert.chat;
  return {
    title: chatSafe(clean(alert.subject, CHAT_LIMITS.title)),
    description: chatSafe(fit(alert.email.trim(), CHAT_LIMITS.ownDescription)),
    nextSteps: [],
    keywords: [chatSafe(clean(alert.severity, CHAT_LIMITS.keyword)), chatSafe(clean(alert.type, CHAT_LIMITS.keyword))],
  };
}

/**
 * The chat thread of an alert: for an incident's alerts (Alert.incident, incidentKeyString) a digest of the
 * key, so the thread id is short, fixed in length and free of whatever the key's subject holds; for a one-off
 * alert its own callback.
 */
export function threadIdOf(alert: Alert): string {
  if (alert.incident !== undefined) return `incident-${createHash('sha256').update(alert.incident).digest('hex').slice(0, 32)}`;
  return `callback-${alert.accountId}-${alert.callbackId}`;
}

/** The custom notification of one alert, within the documented limits (render/text.ts CHAT_LIMITS). */
export function customNotification(alert: Alert): CustomNotification {
  const chat = chatOf(alert);
  return {
    version: '1.0',
    source: 'custom',
    id: `${alert.accountId}-${alert.callbackId}`,
    content: {
      textType: 'client-markdown',
      title: chat.title,
      description: chat.description,
      nextSteps: chat.nextSteps,
      keywords: chat.keywords,
    },
    metadata: { threadId: threadIdOf(alert), eventType: alert.type, summary: chat.title },
  };
}

/**
 * The Telegram message of one alert: plain text (no parse_mode, so nothing in it is markup), the title, the
 * description, the next steps as a list and the keywords as hashtags; at most TELEGRAM_TEXT_MAX characters.
 */
export function telegramText(alert: Alert): string {
  const chat = chatOf(alert);
  const tags = chat.keywords.map((keyword) => `#${keyword.replace(/[^\p{L}\p{N}_]+/gu, '_')}`).join(' ');
  const text = [
    chat.title,
    '',
    chat.description,
    ...(chat.nextSteps.length > 0 ? ['', ...chat.nextSteps.map((step) => `• ${step}`)] : []),
    ...(tags ? ['', tags] : []),
  ].join('\n');
  return fit(text, TELEGRAM_TEXT_MAX);
}
