/**
 * The chat relay's core and the Telegram client, against the Bot API stand-in on loopback
 * (local/telegram-standin.ts): request shape, success, refusals, flood control (429 retry_after), stalls, and
 * the token never in an error.
 */
import { readChatConfig, ChatConfigError } from '../../../../lambda/chat/config';
import { customNotification, telegramText } from '../../../../lambda/chat/message';
import { alertOf, amazonQDelivery, NotAnAlertError, relay, type SnsRecord, telegramDelivery } from '../../../../lambda/chat/relay';
import { sendMessage, TelegramError } from '../../../../lambda/chat/telegram';
import { Deadline } from '../../../../lambda/deadline';
import type { Alert } from '../../../../lambda/model';
import type { Log } from '../../../../lambda/ports';
import { renderAlert } from '../../../../lambda/render';
import { startTelegramStandin, type TelegramStandin } from '../../../../local/telegram-standin';
import { item, OPTIONS } from '../render/support';

const TOKEN = '123456:standin-bot-token-AbCdEf';
const CHAT = '-1001234567890';
const ALERT: Alert = renderAlert(item('min_balance', {}), OPTIONS);
const quiet: Log = { info: () => {}, warn: () => {}, error: () => {} };
const record = (message: string, id = 'm-1'): SnsRecord => ({ Sns: { MessageId: id, Message: message } });

let standin: TelegramStandin;
beforeEach(async () => {
  standin = await startTelegramStandin(TOKEN);
});
afterEach(() => standin.stop());

const target = () => ({ baseUrl: standin.url, token: TOKEN, chatId: CHAT });
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as TelegramError,
  );

describe('sendMessage', () => {
  it('posts the documented shape: JSON chat_id and text, no markup, link previews off', async () => {
    const id = await sendMessage(target(), 'hello', Deadline.in(5000));
    expect(id).toBe(1);
    expect(standin.requests).toEqual([{ method: 'POST', path: '/bot<token>/sendMessage', contentType: 'application/json' }]);
    expect(standin.messages[0].body).toEqual({ chat_id: CHAT, text: 'hello', link_preview_options: { is_disabled: true } });
  });

  it('says why a send failed, and never with the token', async () => {
    const wrong = await failureOf(sendMessage({ ...target(), token: '999:other' }, 'x', Deadline.in(5000)));
    expect(wrong).toMatchObject({ failure: 'rejected', errorCode: 401 });
    standin.fail({ kind: 'error', code: 403, description: 'Forbidden: bot was kicked from the group chat' });
    expect(await failureOf(sendMessage(target(), 'x', Deadline.in(5000)))).toMatchObject({ failure: 'rejected', errorCode: 403 });
    standin.fail({ kind: 'answer', status: 502, body: '<html>Bad Gateway</html>' });
    expect(await failureOf(sendMessage(target(), 'x', Deadline.in(5000)))).toMatchObject({ failure: 'unavailable' });
    standin.fail({ kind: 'error', code: 429, description: 'Too Many Requests: retry after 7', retryAfter: 7 });
    expect(await failureOf(sendMessage(target(), 'x', Deadline.in(5000)))).toMatchObject({ failure: 'rate-limited', retryAfterSeconds: 7 });
    const closed = await failureOf(sendMessage({ ...target(), baseUrl: 'http://127.0.0.1:1' }, 'x', Deadline.in(5000)));
    expect(closed).toMatchObject({ failure: 'unavailable' });
    for (const error of [wrong, closed]) expect(String(error?.message)).not.toContain(TOKEN);
  });

  it('gives up at its deadline when the answer is slow', async () => {
    standin.fail({ kind: 'slow', ms: 3000 });
    const started = performance.now();
    const error = await failureOf(sendMessage(target(), 'x', Deadline.in(200)));
    console.log(`slow answer abandoned after ${Math.round(performance.now() - started)} ms (deadline 200 ms)`);
    expect(error).toMatchObject({ failure: 'timed-out' });
    expect(standin.messages).toEqual([]);
  });
});

describe('telegramDelivery', () => {
  const delivery = () => telegramDelivery(async () => target());

  it("sends the alert's Telegram text", async () => {
    await delivery().deliver(ALERT, Deadline.in(20_000));
    expect(standin.messages.map((m) => m.text)).toEqual([telegramText(ALERT)]);
  });

  it('waits out a short retry_after once, in the same invocation', async () => {
    standin.fail({ kind: 'error', code: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });
    await delivery().deliver(ALERT, Deadline.in(20_000));
    expect(standin.requests.map((r) => r.refused)).toEqual(['Too Many Requests: retry after 1', undefined]);
    expect(standin.messages).toHaveLength(1);
  });

  it("leaves a long retry_after, or one that does not fit before the deadline, to Lambda's retry", async () => {
    standin.fail({ kind: 'error', code: 429, description: 'Too Many Requests: retry after 60', retryAfter: 60 });
    expect(await failureOf(delivery().deliver(ALERT, Deadline.in(20_000)))).toMatchObject({ failure: 'rate-limited' });
    standin.fail({ kind: 'error', code: 429, description: 'Too Many Requests: retry after 2', retryAfter: 2 });
    expect(await failureOf(delivery().deliver(ALERT, Deadline.in(5_000)))).toMatchObject({ failure: 'rate-limited' });
    expect(standin.messages).toEqual([]);
  });
});

describe('relay', () => {
  it("publishes each alert's custom notification to the chat topic", async () => {
    const published: string[] = [];
    const delivered = await relay(
      [record(JSON.stringify(ALERT))],
      amazonQDelivery(async (message) => void published.push(message)),
      Deadline.in(5000),
      quiet,
    );
    expect(delivered).toBe(1);
    expect(published.map((m) => JSON.parse(m))).toEqual([customNotification(ALERT)]);
  });

  it('fails the invocation on a message that is not an alert, and on a failed delivery, after trying every record', async () => {
    const seen: number[] = [];
    const delivery = {
      deliver: async (alert: Alert) => {
        seen.push(alert.callbackId);
        if (alert.callbackId === 1) throw new Error('down');
      },
    };
    await expect(relay([record('{"hello":1}')], delivery, Deadline.in(5000), quiet)).rejects.toBeInstanceOf(NotAnAlertError);
    const records = [record(JSON.stringify({ ...ALERT, callbackId: 1 })), record(JSON.stringify({ ...ALERT, callbackId: 2 }))];
    await expect(relay(records, delivery, Deadline.in(5000), quiet)).rejects.toThrow('down');
    expect(seen).toEqual([1, 2]);
  });

  it('reads only well-formed alerts', () => {
    expect(alertOf(JSON.stringify(ALERT))).toEqual(ALERT);
    expect(alertOf('not json')).toBeUndefined();
    expect(alertOf(JSON.stringify({ ...ALERT, severity: 'panic' }))).toBeUndefined();
    expect(alertOf(JSON.stringify({ ...ALERT, chat: { title: 1 } }))).toBeUndefined();
  });
});

describe('readChatConfig', () => {
  it('reads each destination, and names what is missing', () => {
    expect(readChatConfig({ CHAT_DESTINATION: 'slack', CHAT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:1:t' })).toEqual({
      destination: 'slack',
      topicArn: 'arn:aws:sns:eu-west-1:1:t',
    });
    expect(
      readChatConfig({ CHAT_DESTINATION: 'telegram', TELEGRAM_CHAT_ID: CHAT, PARAMETER_PREFIX: '/vox', TELEGRAM_API_URL: 'http://x/' }),
    ).toEqual({
      destination: 'telegram',
      chatId: CHAT,
      apiUrl: 'http://x',
      tokenParameter: '/vox/telegram-bot-token',
    });
    expect(() => readChatConfig({ CHAT_DESTINATION: 'teams' })).toThrow(
      new ChatConfigError('CHAT_TOPIC_ARN is not set (the teams relay needs it)'),
    );
    expect(() => readChatConfig({})).toThrow(ChatConfigError);
  });
});
