/**
 * The Lambda runtime's part, in this process: load the receiver's handler as a fresh container would, and
 * invoke it with a context and the function's timeout (past it Lambda fails the call; API Gateway answers 500).
 */
import { join } from 'node:path';
import type { APIGatewayProxyEventV2, Context, SNSEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { RECEIVER_FUNCTION } from '../lambda/contract';
import { fromResult, GATEWAY_RESPONSES, lambdaContext, type HttpResponse } from './api-gateway';
import { ROOT } from './state';

/** The function's name in the local stack (and of its resources in moto: a fresh moto each run, so a fixed name is fine). */
export const LOCAL_NAME = 'voximplant-alerts-local';
/** The function's timeout in the stack (infra/stack.ts), ms. */
export const FUNCTION_TIMEOUT_MS = RECEIVER_FUNCTION.timeoutSeconds * 1000;

/** What API Gateway invokes: the receiver's entry, or the acknowledge route's. */
export type HttpHandler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<unknown>;

/** The receiver's entry point, for both of its event sources (API Gateway and the retry queue's SQS). */
export type ReceiverHandler = {
  (event: APIGatewayProxyEventV2, context?: Context): Promise<unknown>;
  (event: SQSEvent, context?: Context): Promise<SQSBatchResponse>;
};

const LAMBDA_DIR = join(ROOT, 'lambda');

/** Forgets every module under lambda/, so the next require evaluates them afresh, as a new container would. */
function freshContainer(): void {
  for (const key of Object.keys(require.cache)) if (key.startsWith(LAMBDA_DIR)) delete require.cache[key];
}

/**
 * The receiver's handler as a new Lambda container would load it: every module under lambda/ is evaluated
 * afresh (module-level clients, configuration and the secrets cache included). It reads its configuration
 * from process.env at import time, so the environment must be set first.
 */
export function loadHandler(): ReceiverHandler {
  freshContainer();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../lambda/handler') as typeof import('../lambda/handler')).handler as unknown as ReceiverHandler;
}

/** A Telegram chat id for the local stack's relay (the stand-in accepts any well-formed id). */
export const LOCAL_TELEGRAM_CHAT_ID = '-1000000000001';

/**
 * A chat relay's handler (lambda/chat/handler.ts) as a new container loads it, with `env` (the variables the
 * stack gives the relay) set first: it reads them at import time.
 */
export function loadRelayHandler(env: Record<string, string>): (event: SNSEvent) => Promise<unknown> {
  Object.assign(process.env, env);
  for (const key of Object.keys(require.cache)) if (key.startsWith(LAMBDA_DIR)) delete require.cache[key];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../lambda/chat/handler') as typeof import('../lambda/chat/handler')).handler;
}

/** The acknowledge route's handler (lambda/incidents/ack-handler.ts), in a container of its own, as loadHandler. */
export function loadAckHandler(): HttpHandler {
  freshContainer();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../lambda/incidents/ack-handler') as typeof import('../lambda/incidents/ack-handler')).handler;
}

/** A Lambda context for one invocation of the local function, with the stack's timeout. */
export function functionContext(region: string): Context {
  return lambdaContext(LOCAL_NAME, FUNCTION_TIMEOUT_MS, region);
}

/**
 * One API Gateway invocation: the handler's result as the HTTP response API Gateway would send, or API
 * Gateway's 500 when the handler throws or runs past FUNCTION_TIMEOUT_MS (`onError` is told why).
 */
export async function invoke(
  handler: HttpHandler,
  event: APIGatewayProxyEventV2,
  region: string,
  onError: (message: string) => void,
): Promise<HttpResponse> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HttpResponse>((resolve) => {
    timer = setTimeout(() => {
      onError(`the function timed out after ${FUNCTION_TIMEOUT_MS / 1000} s (its timeout in the stack)`);
      resolve(GATEWAY_RESPONSES.internalError);
    }, FUNCTION_TIMEOUT_MS);
  });
  try {
    const result = handler(event, functionContext(region)).then(fromResult, (error: unknown) => {
      onError(`the function threw: ${(error as Error)?.stack ?? String(error)}`);
      return GATEWAY_RESPONSES.internalError;
    });
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
