/**
 * A chat relay's Lambda entry point, its own bundle (the webhook's cold start loads none of it). Subscribed to
 * the alert topic (lambda protocol, the destination's severity filter: infra/chat.ts); one function per
 * destination, told which by its environment (config.ts). Each invocation delivers the event's alert or fails.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SNSEvent } from 'aws-lambda';
import { chatDelivery } from '../aws/chat-deps';
import { METRICS } from '../contract';
import { Deadline } from '../deadline';
import { readChatConfig } from './config';
import { relay } from './relay';

const logger = new Logger({ serviceName: METRICS.service });
const config = readChatConfig(process.env);
const delivery = chatDelivery(config);

export async function handler(event: SNSEvent, context?: Context): Promise<{ delivered: number }> {
  logger.resetKeys();
  if (context) logger.addContext(context);
  logger.appendKeys({ source: `chat-${config.destination}` });
  const delivered = await relay(event.Records ?? [], delivery, Deadline.forInvocation(context), logger);
  return { delivered };
}
