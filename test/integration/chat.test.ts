/**
 * Chat end to end on real parts (issue 16): alerts published to the alert topic by the receiver's own publisher
 * (SDK → moto), through each relay's severity filter to the relay's handler (lambda/chat/handler.ts, loaded as a
 * fresh container with the stack's environment), then to the Telegram Bot API stand-in on loopback and to the
 * Slack chat topic, read back from an SQS queue subscribed to it and checked against the documented schema.
 */
import { randomUUID } from 'node:crypto';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SnsPublisher } from '../../lambda/aws/sns-publisher';
import { customNotification, telegramText, threadIdOf } from '../../lambda/chat/message';
import { ENV } from '../../lambda/contract';
import type { Alert } from '../../lambda/model';
import { renderAlert } from '../../lambda/render';
import { createChatTopic, createRelayQueue, pumpRelay, type RelayHandler, storeTelegramToken } from '../../local/chat';
import { VOX } from '../../local/fixtures';
import { provision, readInbox, type LocalResources } from '../../local/provision';
import { startTelegramStandin, type TelegramStandin } from '../../local/telegram-standin';
import { validateCustomNotification } from '../support/custom-notification-schema';
import { MemoryLog } from '../support/fakes';
import { item, OPTIONS } from '../unit/lambda/render/support';

const TOKEN = `424242:${'t'.repeat(35)}`;
const CHAT_ID = '-1009876543210';

let resources: LocalResources;
let standin: TelegramStandin;
let sns: SNSClient;
let sqs: SQSClient;
let chat: { topicArn: string; inboxUrl: string };
let slackQueue: string;
let telegramQueue: string;

/** A relay's handler as a new container loads it, with the environment the stack gives it. */
function loadRelay(env: Record<string, string>): RelayHandler {
  Object.assign(process.env, env);
  let handler: RelayHandler | undefined;
  jest.isolateModules(() => {
    handler = (require('../../lambda/chat/handler') as typeof import('../../lambda/chat/handler')).handler;
  });
  return handler!;
}

const alertIn = (language: 'en' | 'ru', overrides: Partial<Alert> = {}): Alert => ({
  ...renderAlert(item('min_balance', {}, { language_code: language }), OPTIONS),
  ...overrides,
});

beforeAll(async () => {
  const name = `chat-${randomUUID().slice(0, 8)}`;
  resources = await provision(name, VOX);
  sns = new SNSClient({});
  sqs = new SQSClient({});
  standin = await startTelegramStandin(TOKEN);
  chat = await createChatTopic(sns, sqs, name);
  // The stack's filters for this test: Slack critical only, Telegram critical and warning (the chat default).
  slackQueue = await createRelayQueue(sns, sqs, resources.topicArn, `${name}-slack`, ['critical']);
  telegramQueue = await createRelayQueue(sns, sqs, resources.topicArn, `${name}-telegram`, ['critical', 'warning']);
  await storeTelegramToken(resources.parameterPrefix, TOKEN);
});

afterAll(async () => {
  sns.destroy();
  sqs.destroy();
  await standin.stop();
});

async function publish(alerts: Alert[]): Promise<void> {
  const result = await new SnsPublisher(sns, resources.topicArn, new MemoryLog()).publish(alerts);
  expect(result).toMatchObject({ failed: [] });
}

it('delivers a min_balance alert in each language to Telegram and to the Slack chat topic; info alerts pass only where the filter lets them', async () => {
  const incident = `${VOX.accountId}#low-balance`;
  const en = alertIn('en', { incident });
  const ru = alertIn('ru', { callbackId: 987655, incident });
  const info = alertIn('en', { callbackId: 987656, severity: 'info' });
  await publish([en, ru, info]);

  const telegram = loadRelay({
    [ENV.chatDestination]: 'telegram',
    [ENV.telegramChatId]: CHAT_ID,
    [ENV.telegramApiUrl]: standin.url,
    [ENV.parameterPrefix]: resources.parameterPrefix,
  });
  const slack = loadRelay({ [ENV.chatDestination]: 'slack', [ENV.chatTopicArn]: chat.topicArn });

  const telegramOutcomes = await pumpRelay(sqs, telegramQueue, resources.topicArn, telegram, { waitSeconds: 2 });
  const slackOutcomes = await pumpRelay(sqs, slackQueue, resources.topicArn, slack, { waitSeconds: 2 });
  expect(telegramOutcomes).toEqual([{ ok: true }, { ok: true }]);
  expect(slackOutcomes).toEqual([{ ok: true }, { ok: true }]);

  expect(standin.messages.map((m) => [m.chatId, m.text]).sort()).toEqual(
    [
      [CHAT_ID, telegramText(en)],
      [CHAT_ID, telegramText(ru)],
    ].sort(),
  );
  expect(standin.messages.some((m) => m.text.includes('низкий баланс'))).toBe(true);

  const notifications = (await readInbox(sqs, chat.inboxUrl, { expected: 2, waitMs: 3000 })).map((m) => JSON.parse(m.message));
  for (const notification of notifications) expect(validateCustomNotification(notification)).toBe(true);
  expect(notifications.sort((a, b) => a.id.localeCompare(b.id))).toEqual([customNotification(en), customNotification(ru)]);
  // One incident, one thread: the opening and the reminder share it.
  expect(new Set(notifications.map((n) => n.metadata.threadId))).toEqual(new Set([threadIdOf(en)]));
  // The info alert reached neither relay: nothing is left in their queues.
  expect(await pumpRelay(sqs, telegramQueue, resources.topicArn, telegram)).toEqual([]);
  expect(await pumpRelay(sqs, slackQueue, resources.topicArn, slack)).toEqual([]);
});

it('a refused Telegram send fails the invocation and leaves the alert for the retry; nothing is sent twice', async () => {
  const telegram = loadRelay({
    [ENV.chatDestination]: 'telegram',
    [ENV.telegramChatId]: CHAT_ID,
    [ENV.telegramApiUrl]: standin.url,
    [ENV.parameterPrefix]: resources.parameterPrefix,
  });
  const before = standin.messages.length;
  await publish([alertIn('en', { callbackId: 987700 })]);
  standin.fail({ kind: 'error', code: 500, description: 'Internal Server Error' });
  const first = await pumpRelay(sqs, telegramQueue, resources.topicArn, telegram, { waitSeconds: 2, visibilityTimeoutSeconds: 1 });
  expect(first).toHaveLength(1);
  // The handler's module graph is its own container's (isolateModules): compare by name, not by class.
  expect(first[0]).toMatchObject({ ok: false, error: { name: 'TelegramError', failure: 'unavailable', errorCode: 500 } });
  expect(String((first[0] as { error: Error }).error.message)).not.toContain(TOKEN);
  // Lambda would retry the invocation: the message comes back, and this time Telegram takes it.
  const again = await pumpRelay(sqs, telegramQueue, resources.topicArn, telegram, { waitSeconds: 3 });
  expect(again).toEqual([{ ok: true }]);
  expect(standin.messages.length - before).toBe(1);
});
