/**
 * A stand-in for the Telegram Bot API's sendMessage on loopback (node:http, 127.0.0.1, a free port), written
 * from the documented request and answer shapes (https://core.telegram.org/bots/api, "Making requests",
 * "sendMessage"), so the relay runs against real HTTP with no test-only code path.
 *
 * Requests: `POST /bot<token>/sendMessage` with `Content-Type: application/json`. Checked as the Bot API
 * documents them: a known token (else 401 "Unauthorized"), `chat_id` an integer or a `@channelusername`
 * string, `text` a string of 1-4096 characters, only sendMessage's own fields (else 400 "Bad Request: ...").
 * Answers: `{ok: true, result: Message}`, or `{ok: false, error_code, description, parameters?}` with the
 * error_code as the HTTP status.
 *
 * Faults, queued with `fail()` and used one per request, in order:
 * - `error`: any Bot API error (429 with `retryAfter` adds `parameters.retry_after`);
 * - `answer`: any raw answer (HTTP 502 with HTML, a body that is not JSON);
 * - `slow`: the answer is held `ms` milliseconds (headers late).
 *
 * Every accepted message is recorded (`messages`); every request's shape too (`requests`), the token redacted.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TELEGRAM_TEXT_MAX } from '../lambda/chat/message';

/** sendMessage's documented parameters (Bot API 7+); anything else is refused. */
const SEND_MESSAGE_FIELDS = new Set([
  'business_connection_id',
  'chat_id',
  'message_thread_id',
  'text',
  'parse_mode',
  'entities',
  'link_preview_options',
  'disable_notification',
  'protect_content',
  'allow_paid_broadcast',
  'message_effect_id',
  'reply_parameters',
  'reply_markup',
]);

/** More than this in a request body is not a message. */
const MAX_REQUEST_BYTES = 64 * 1024;

export type TelegramFault =
  | { readonly kind: 'error'; readonly code: number; readonly description: string; readonly retryAfter?: number }
  | { readonly kind: 'answer'; readonly status: number; readonly body: string }
  | { readonly kind: 'slow'; readonly ms: number };

/** One accepted sendMessage. */
export interface SentMessage {
  readonly chatId: string | number;
  readonly text: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** One request as received: method, path (token redacted), content type, and the refusal if any. */
export interface TelegramRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType?: string;
  readonly refused?: string;
}

export interface TelegramStandin {
  /** The base URL, for TELEGRAM_API_URL. */
  readonly url: string;
  readonly messages: SentMessage[];
  readonly requests: TelegramRequest[];
  /** Queues a fault for the next request that has none before it. */
  fail(fault: TelegramFault): void;
  stop(): Promise<void>;
}

/** Starts the stand-in for one bot `token`. */
export async function startTelegramStandin(token: string): Promise<TelegramStandin> {
  const messages: SentMessage[] = [];
  const requests: TelegramRequest[] = [];
  const faults: TelegramFault[] = [];
  let nextId = 1;

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, request: TelegramRequest, code: number, description: string) => {
    requests.push({ ...request, refused: description });
    answer(res, code, { ok: false, error_code: code, description });
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const path = (req.url ?? '').split(token).join('<token>');
      const request: TelegramRequest = { method: req.method ?? '', path, contentType: req.headers['content-type'] };
      const fault = faults.shift();
      if (fault?.kind === 'slow') {
        setTimeout(() => handle(Buffer.concat(chunks), request, res, req.url ?? ''), fault.ms).unref();
        return;
      }
      if (fault?.kind === 'answer') {
        requests.push(request);
        res.writeHead(fault.status, { 'content-type': 'text/html' });
        res.end(fault.body);
        return;
      }
      if (fault?.kind === 'error') {
        requests.push({ ...request, refused: fault.description });
        answer(res, fault.code, {
          ok: false,
          error_code: fault.code,
          description: fault.description,
          ...(fault.retryAfter === undefined ? {} : { parameters: { retry_after: fault.retryAfter } }),
        });
        return;
      }
      if (bytes > MAX_REQUEST_BYTES) return refuse(res, request, 400, 'Bad Request: request too large');
      handle(Buffer.concat(chunks), request, res, req.url ?? '');
    });
  });

  function handle(raw: Buffer, request: TelegramRequest, res: ServerResponse, url: string): void {
    if (res.destroyed) return;
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url);
    if (!match || match[1] !== token) return refuse(res, request, 401, 'Unauthorized');
    if (match[2] !== 'sendMessage') return refuse(res, request, 404, 'Not Found');
    if (request.method !== 'POST') return refuse(res, request, 400, 'Bad Request: sendMessage is sent with POST here');
    if (!request.contentType?.startsWith('application/json')) return refuse(res, request, 400, 'Bad Request: expected application/json');
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return refuse(res, request, 400, 'Bad Request: the body is not a JSON object');
    }
    const unknown = Object.keys(body).filter((key) => !SEND_MESSAGE_FIELDS.has(key));
    if (unknown.length > 0) return refuse(res, request, 400, `Bad Request: unknown parameters ${unknown.join(', ')}`);
    const chatId = body.chat_id;
    const chatOk =
      (typeof chatId === 'number' && Number.isInteger(chatId)) ||
      (typeof chatId === 'string' && (/^-?\d+$/.test(chatId) || /^@[A-Za-z][A-Za-z0-9_]{3,}$/.test(chatId)));
    if (!chatOk) return refuse(res, request, 400, 'Bad Request: chat not found');
    const text = body.text;
    if (typeof text !== 'string' || text.trim() === '') return refuse(res, request, 400, 'Bad Request: message text is empty');
    if (text.length > TELEGRAM_TEXT_MAX) return refuse(res, request, 400, 'Bad Request: message is too long');
    if (body.parse_mode !== undefined) return refuse(res, request, 400, 'Bad Request: this stand-in expects plain text (no parse_mode)');
    requests.push(request);
    messages.push({ chatId: chatId as string | number, text, body });
    answer(res, 200, { ok: true, result: { message_id: nextId++, date: Math.floor(Date.now() / 1000), chat: { id: chatId }, text } });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    requests,
    fail: (fault) => void faults.push(fault),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
