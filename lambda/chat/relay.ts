/**
 * The chat relay's core: each alert of an SNS event (the alert topic's `default` message, the Alert as JSON:
 * publish-plan.ts) delivered to one destination. Pure logic over two ports; the SNS client and the SSM token
 * are the entry's (handler.ts), Telegram's HTTP is telegram.ts.
 *
 * A delivery that fails throws, so the invocation fails and Lambda's async retries and on-failure destination
 * take over (contract.ts CHAT_RELAY_FUNCTION): a relay serves one destination, so a retry re-sends to nobody else.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CHAT_RELAY_FUNCTION } from '../contract';
import type { Deadline } from '../deadline';
import type { Alert, Severity } from '../model';
import type { Log } from '../ports';
import { customNotification, telegramText } from './message';
import { sendMessage, TelegramError, type TelegramTarget } from './telegram';

/** Delivers one alert to one destination before `deadline`, or throws. */
export interface ChatDelivery {
  deliver(alert: Alert, deadline: Deadline): Promise<void>;
}

/** The parts of an SNS-to-Lambda event record the relay reads (aws-lambda's SNSEventRecord, structurally). */
export interface SnsRecord {
  readonly Sns: { readonly MessageId: string; readonly Message: string };
}

/** A message on the alert topic that is not an alert: not ours, so it fails loudly rather than vanish. */
export class NotAnAlertError extends Error {
  constructor(messageId: string) {
    super(`SNS message ${messageId} is not an alert (expected the Alert JSON of lambda/model.ts)`);
    this.name = 'NotAnAlertError';
  }
}

const SEVERITIES: ReadonlySet<string> = new Set<Severity>(['critical', 'warning', 'info']);

/** The Alert in an SNS message, or undefined when the message is not one (shape checked, not trusted further). */
export function alertOf(message: string): Alert | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const alert = value as Record<string, unknown>;
  const ok =
    typeof alert.accountId === 'number' &&
    typeof alert.callbackId === 'number' &&
    typeof alert.type === 'string' &&
    typeof alert.severity === 'string' &&
    SEVERITIES.has(alert.severity) &&
    typeof alert.subject === 'string' &&
    typeof alert.email === 'string' &&
    (alert.incident === undefined || typeof alert.incident === 'string') &&
    (alert.chat === undefined || isChat(alert.chat));
  return ok ? (value as Alert) : undefined;
}

function isChat(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const chat = value as Record<string, unknown>;
  const strings = (list: unknown) => Array.isArray(list) && list.every((entry) => typeof entry === 'string');
  return typeof chat.title === 'string' && typeof chat.description === 'string' && strings(chat.nextSteps) && strings(chat.keywords);
}

/**
 * Delivers every record's alert (SNS sends one record per invocation; more are handled in order). Throws the
 * first failure after trying them all: NotAnAlertError, or the delivery's own error.
 */
export async function relay(records: readonly SnsRecord[], delivery: ChatDelivery, deadline: Deadline, log: Log): Promise<number> {
  let delivered = 0;
  let failure: unknown;
  for (const record of records) {
    const alert = alertOf(record.Sns.Message);
    try {
      if (alert === undefined) throw new NotAnAlertError(record.Sns.MessageId);
      await delivery.deliver(alert, deadline);
      delivered += 1;
      log.info('Chat message delivered', { messageId: record.Sns.MessageId, type: alert.type, callbackId: alert.callbackId });
    } catch (error) {
      failure ??= error;
      log.error('Chat message not delivered; the invocation fails so Lambda retries it', {
        messageId: record.Sns.MessageId,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
    }
  }
  if (failure !== undefined) throw failure;
  return delivered;
}

/** Slack or Teams: the alert's custom notification published to the destination's chat topic by `publish`. */
export function amazonQDelivery(publish: (message: string, signal: AbortSignal) => Promise<void>): ChatDelivery {
  return { deliver: (alert, deadline) => publish(JSON.stringify(customNotification(alert)), deadline.signal) };
}

/**
 * Telegram: sendMessage with the alert's text. A 429 whose retry_after is at most
 * CHAT_RELAY_FUNCTION.maxInlineRetryAfterSeconds, and fits before the deadline with a send's time to spare, is
 * waited out and sent once more; any other failure throws (TelegramError) for Lambda's retry.
 * `target` is read per delivery (the token comes from SSM, cached by the caller).
 */
export function telegramDelivery(target: (signal: AbortSignal) => Promise<TelegramTarget>): ChatDelivery {
  return {
    async deliver(alert, deadline) {
      const to = await target(deadline.signal);
      const text = telegramText(alert);
      const send = () => sendMessage(to, text, deadline.within(CHAT_RELAY_FUNCTION.sendTimeoutMs));
      try {
        await send();
      } catch (error) {
        const waitMs = error instanceof TelegramError && error.failure === 'rate-limited' ? (error.retryAfterSeconds ?? -1) * 1000 : -1;
        const inline = waitMs >= 0 && waitMs <= CHAT_RELAY_FUNCTION.maxInlineRetryAfterSeconds * 1000;
        if (!inline || deadline.remainingMs() < waitMs + CHAT_RELAY_FUNCTION.sendTimeoutMs) throw error;
        await sleep(waitMs, undefined, { signal: deadline.signal });
        await send();
      }
    },
  };
}
