/**
 * A chat relay's edges on the AWS SDK (lambda/chat/handler.ts, and the tests on moto): Publish to a chat topic,
 * and the Telegram bot token from SSM (a SecureString, decrypted; kept in memory for DEFAULTS.secretsTtlSeconds,
 * so a rotated token is picked up without a redeploy). The token is never logged.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { ChatRelayConfig } from '../chat/config';
import { amazonQDelivery, type ChatDelivery, telegramDelivery } from '../chat/relay';
import { DEFAULTS } from '../config';
import { WATCHDOG_CLIENT } from './watchdog-deps';

/** The delivery a relay's configuration asks for; `destroy` closes its SDK client (tests; the Lambda keeps it). */
export function chatDelivery(config: ChatRelayConfig, now: () => number = Date.now): ChatDelivery & { destroy(): void } {
  if (config.destination !== 'telegram') {
    const sns = new SNSClient(WATCHDOG_CLIENT);
    const delivery = amazonQDelivery(async (message, signal) => {
      await sns.send(new PublishCommand({ TopicArn: config.topicArn, Message: message }), { abortSignal: signal });
    });
    return { ...delivery, destroy: () => sns.destroy() };
  }
  const ssm = new SSMClient(WATCHDOG_CLIENT);
  let cached: { token: string; at: number } | undefined;
  const token = async (signal: AbortSignal): Promise<string> => {
    if (cached && now() - cached.at < DEFAULTS.secretsTtlSeconds * 1000) return cached.token;
    const answer = await ssm.send(new GetParameterCommand({ Name: config.tokenParameter, WithDecryption: true }), { abortSignal: signal });
    const value = answer.Parameter?.Value;
    if (!value) throw new Error(`SSM parameter ${config.tokenParameter} is empty`);
    cached = { token: value, at: now() };
    return value;
  };
  const delivery = telegramDelivery(async (signal) => ({ baseUrl: config.apiUrl, chatId: config.chatId, token: await token(signal) }));
  return { ...delivery, destroy: () => ssm.destroy() };
}
