/**
 * A chat relay's configuration from its environment (names in contract.ts ENV), and the SSM name of the
 * Telegram bot token. Pure: no AWS.
 */
import { DEFAULTS } from '../config';
import { CHAT_RELAY_FUNCTION, ENV } from '../contract';

/** The destinations a relay can serve: Slack and Teams through Amazon Q Developer's chat topics, or Telegram. */
export const CHAT_DESTINATIONS = ['slack', 'teams', 'telegram'] as const;
export type ChatDestinationName = (typeof CHAT_DESTINATIONS)[number];

/** One relay's settings: a chat topic (Slack, Teams) or a Telegram chat. */
export type ChatRelayConfig =
  | { readonly destination: 'slack' | 'teams'; readonly topicArn: string }
  | {
      readonly destination: 'telegram';
      readonly chatId: string;
      readonly apiUrl: string;
      /** The SecureString holding the bot token. */
      readonly tokenParameter: string;
    };

/** The SSM parameter of the Telegram bot token under a prefix (`npm run configure -- --telegram-bot-token`). */
export const telegramTokenParameter = (prefix: string): string => `${prefix}/telegram-bot-token`;

/** Thrown at a relay's start when its environment is incomplete: a deployment mistake. */
export class ChatConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChatConfigError';
  }
}

/** Reads a relay's environment. Throws ChatConfigError naming the missing or bad variable. */
export function readChatConfig(env: Readonly<Record<string, string | undefined>>): ChatRelayConfig {
  const destination = env[ENV.chatDestination];
  const need = (name: string): string => {
    const value = env[name];
    if (!value) throw new ChatConfigError(`${name} is not set (the ${destination} relay needs it)`);
    return value;
  };
  if (destination === 'slack' || destination === 'teams') return { destination, topicArn: need(ENV.chatTopicArn) };
  if (destination === 'telegram') {
    return {
      destination,
      chatId: need(ENV.telegramChatId),
      apiUrl: (env[ENV.telegramApiUrl] || CHAT_RELAY_FUNCTION.telegramApiUrl).replace(/\/+$/, ''),
      tokenParameter: telegramTokenParameter(env[ENV.parameterPrefix] || DEFAULTS.parameterPrefix),
    };
  }
  throw new ChatConfigError(`${ENV.chatDestination} must be one of ${CHAT_DESTINATIONS.join('|')}, not ${JSON.stringify(destination)}`);
}
