/**
 * The Telegram Bot API's sendMessage (https://core.telegram.org/bots/api#sendmessage), over fetch. No AWS.
 *
 * Protocol facts (Bot API, "Making requests" and sendMessage): requests are
 * `POST <base>/bot<token>/sendMessage` with a JSON body; every answer is JSON `{ok: true, result}` or
 * `{ok: false, error_code, description, parameters?: {retry_after?}}`; error_code 429 means flood control,
 * and `parameters.retry_after` is how many seconds to wait before repeating the request.
 *
 * The token is part of the URL: no error, log line or message built here ever holds the URL.
 */
import { readBoundedBytes } from '../bounded-body';
import type { Deadline } from '../deadline';
import { errorMessage } from '../errors';

/** Where and as whom to send. `baseUrl` without a trailing slash: https://api.telegram.org in the stack. */
export interface TelegramTarget {
  readonly baseUrl: string;
  /** The bot token (SSM SecureString `<prefix>/telegram-bot-token`); a secret. */
  readonly token: string;
  /** A chat id (integer, negative for groups) or `@channelusername`, as `-c telegramChatId=` gives it. */
  readonly chatId: string;
}

/** Why a send failed: `rate-limited` (429), `rejected` (any other error_code), `unavailable` (no usable answer), `timed-out`. */
export type TelegramFailure = 'rate-limited' | 'rejected' | 'unavailable' | 'timed-out';

/** A send that did not succeed. Its message never holds the token. */
export class TelegramError extends Error {
  constructor(
    readonly failure: TelegramFailure,
    message: string,
    /** The answer's error_code, when there was one. */
    readonly errorCode?: number,
    /** 429 only: the answer's parameters.retry_after, seconds. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'TelegramError';
  }
}

/** An answer larger than this is not the Bot API's (a Message object is a few kilobytes). */
export const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Sends `text` (plain, no parse_mode, link previews off) to the target's chat and resolves with the sent
 * message's id. Waits no longer than `deadline`. Throws TelegramError: `rate-limited` with retryAfterSeconds,
 * `rejected` (400 bad chat, 401 bad token, 403 bot blocked, ...), `unavailable`, `timed-out`.
 */
export async function sendMessage(target: TelegramTarget, text: string, deadline: Deadline): Promise<number> {
  let response: Response;
  let body: string;
  try {
    response = await fetch(`${target.baseUrl}/bot${target.token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: target.chatId, text, link_preview_options: { is_disabled: true } }),
      signal: deadline.signal,
    });
    body = await boundedText(response);
  } catch (error) {
    if (deadline.signal.aborted) throw new TelegramError('timed-out', 'Telegram did not answer in time');
    throw new TelegramError('unavailable', `Telegram could not be reached: ${safeReason(error, target.token)}`);
  }
  const answer = parseAnswer(body);
  if (answer?.ok === true) {
    const id = (answer.result as { message_id?: unknown } | undefined)?.message_id;
    return typeof id === 'number' ? id : 0;
  }
  if (answer === undefined || typeof answer.error_code !== 'number') {
    throw new TelegramError('unavailable', `Telegram answered HTTP ${response.status} without a Bot API answer`);
  }
  const description = typeof answer.description === 'string' ? answer.description.slice(0, 200) : '';
  const retryAfter = answer.parameters?.retry_after;
  if (answer.error_code === 429) {
    throw new TelegramError(
      'rate-limited',
      `Telegram flood control: ${description}`,
      429,
      typeof retryAfter === 'number' && retryAfter >= 0 ? retryAfter : undefined,
    );
  }
  const failure: TelegramFailure = answer.error_code >= 500 ? 'unavailable' : 'rejected';
  throw new TelegramError(failure, `Telegram refused the message (${answer.error_code}): ${description}`, answer.error_code);
}

interface Answer {
  readonly ok?: unknown;
  readonly result?: unknown;
  readonly error_code?: unknown;
  readonly description?: unknown;
  readonly parameters?: { readonly retry_after?: unknown };
}

function parseAnswer(body: string): Answer | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Answer) : undefined;
  } catch {
    return undefined;
  }
}

/** The body as text; '' when it is larger than MAX_ANSWER_BYTES (then it is not the Bot API's answer). */
async function boundedText(response: Response): Promise<string> {
  const bytes = await readBoundedBytes(response, MAX_ANSWER_BYTES);
  return bytes === 'too-large' ? '' : bytes.toString('utf8');
}

/** An error's message with the token blanked, in case a lower layer ever quotes the URL. */
function safeReason(error: unknown, token: string): string {
  const cause = (error as { cause?: unknown }).cause;
  const reason = cause === undefined ? errorMessage(error) : `${errorMessage(error)} (${errorMessage(cause)})`;
  return token === '' ? reason : reason.split(token).join('***');
}
