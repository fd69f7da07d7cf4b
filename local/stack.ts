/**
 * The local AWS stand-in as a library: startLocalStack() runs the receiver on this machine the way the stack
 * runs it in AWS. moto server plays AWS (SSM, SNS, SQS, DynamoDB) unless `aws` is set; the same Lambda code
 * answers over HTTP through an API Gateway-like server (gateway-server.ts) and consumes the retry queue as
 * Lambda's SQS event source would (sqs-event-source.ts). Used by `npm start` (tools/start.ts) and `npm run
 * load` (tools/load/), which drives it in-process.
 *
 * One stack per process: the function reads its configuration from process.env when it is loaded, as in a
 * Lambda container, so startLocalStack sets process.env (moto's endpoint and credentials, the receiver's
 * variables) for this whole process.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DEFAULTS } from '../lambda/config';
import { notifierDeps } from '../lambda/aws/notifier-deps';
import { BUDGET, Deadline } from '../lambda/deadline';
import { runNotifier, type NotifierRun } from '../lambda/incidents/notifier';
import { parseReminderSchedule } from '../lambda/incidents/schedule';
import { parseAlertLanguage } from '../lambda/config';
import { CHAT_RELAY_FUNCTION, ENV, METRICS, NOTIFIER_FUNCTION } from '../lambda/contract';
import { createRelayQueue, pumpRelay, storeTelegramToken } from './chat';
import { Failure } from './errors';
import {
  functionContext,
  LOCAL_NAME,
  LOCAL_TELEGRAM_CHAT_ID,
  loadAckHandler,
  loadHandler,
  loadRelayHandler,
  type HttpHandler,
  type ReceiverHandler,
} from './function';
import { createGatewayServer, type ServedRequest } from './gateway-server';
import { motoEnv, startMoto, type MotoServer } from './moto';
import { listen } from './ports';
import {
  ackEnv,
  createInbox,
  deleteResources,
  provision,
  readInbox,
  receiverEnv,
  type InboxMessage,
  type LocalResources,
  type VoxSecrets,
} from './provision';
import type { SecretsOrigin } from './secrets';
import { pollOnce } from './sqs-event-source';
import { readState, removeState, writeState, type LocalStackState } from './state';
import { startTelegramStandin } from './telegram-standin';

export interface LocalStackOptions {
  /** The receiver's secrets, written to SSM as the stack's parameters. */
  readonly secrets: VoxSecrets;
  /** Where they came from, for the state file (default: generated demo values). */
  readonly secretsOrigin?: SecretsOrigin;
  /** Port to listen on; 0 (the default) for a free one. */
  readonly port?: number;
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Real AWS (the default credentials chain) instead of moto: uniquely named resources, deleted by stop(). */
  readonly aws?: boolean;
  /** A Python that runs moto server (default: findMotoPython()). */
  readonly motoPython?: string;
  /** Given: the topic's inbox is subscribed and every alert in it is handed here. Not given: nobody subscribes it. */
  readonly onAlert?: (message: InboxMessage) => void;
  /** Each request served, once answered. */
  readonly onRequest?: (request: ServedRequest) => void;
  /** Progress and notes, one line each. */
  readonly log?: (line: string) => void;
  /** Problems the stack survives (a function that threw, a failed poll), one line each. */
  readonly onError?: (message: string) => void;
  /** Silence the function's own JSON logs and metrics (Powertools). */
  readonly quietFunctionLogs?: boolean;
  /** VOXIMPLANT_API_URL for the function: a stand-in Management API. Unset: the function's default (the public API). */
  readonly voximplantApiUrl?: string;
  /** Given: refuse to start while another live stack owns this state file; write it once ready; remove it on stop. */
  readonly stateFile?: string;
  /** Aborting it during start-up stops what has started (a moto still starting is killed) and rejects. */
  readonly signal?: AbortSignal;
  /** The incident notifier (lambda/incidents/notifier.ts): how it runs here. */
  readonly notifier?: LocalNotifierOptions;
  /**
   * Given: the Telegram relay runs too (lambda/chat/), against the Bot API stand-in on loopback
   * (local/telegram-standin.ts), with the stack's default chat filter; each message it sends is handed here.
   */
  readonly onTelegram?: (text: string) => void;
}

export interface LocalNotifierOptions {
  /** Milliseconds between runs, as the stack's EventBridge schedule (default 60 000); 0: only runNotifier(). */
  readonly intervalMs?: number;
  /** REMINDER_SCHEDULE (lambda/incidents/schedule.ts), e.g. `20s,40s,1m` for a demo; default: the environment's, else 30m,2h,6h,12h. */
  readonly reminderSchedule?: string;
  /** The notifier's clock (epoch ms), for tests; default Date.now. */
  readonly now?: () => number;
}

export interface StopReport {
  /** moto's process id, when there was one; it has exited. */
  readonly motoPid?: number;
  /** --aws: what could not be deleted (with why), for a person to delete by hand; empty when all went. */
  readonly leftInAws: readonly string[];
}

export interface LocalStack {
  /** Where the receiver answers, e.g. `http://127.0.0.1:3000/`. */
  readonly url: string;
  readonly port: number;
  readonly region: string;
  readonly mode: 'moto' | 'aws';
  /** moto server's endpoint and process id (moto mode). */
  readonly moto?: { readonly endpoint: string; readonly pid: number };
  readonly resources: LocalResources;
  /** A second subscriber of the topic, for senders that check the alerts (send-callback, load). */
  readonly senderInboxUrl: string;
  readonly secrets: VoxSecrets;
  /** What the state file holds (written only with `stateFile`). */
  readonly state: LocalStackState;
  /** The variables the function was started with, beyond the process's own (names from lambda/contract.ts ENV). */
  readonly functionEnv: Readonly<Record<string, string>>;
  /** Loads the function afresh, as a new container: new secrets in SSM apply to the next request. */
  restartFunction(): void;
  /** One notifier run now, as the schedule would start it (overlapping runs are fine: each notice goes out once). */
  runNotifier(): Promise<NotifierRun>;
  /** Stops serving and polling, removes the state file, deletes AWS resources (--aws) and stops moto. Idempotent. */
  stop(): Promise<StopReport>;
}

/**
 * Starts the local stack and resolves once it serves. Rejects with a Failure a person can act on (port in
 * use, another stack owns the state file, no AWS region, the resources could not be created), with
 * MotoMissingError when moto is not installed, or with the signal's AbortError; whatever had started is
 * stopped first.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const onError = options.onError ?? (() => undefined);
  const host = options.host ?? '127.0.0.1';
  const useAws = options.aws ?? false;
  let handler: ReceiverHandler | undefined;
  /** The acknowledge route's function (GET|POST /ack/{token}), loaded beside the receiver. */
  let ackHandler: HttpHandler | undefined;
  let region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  // The acknowledge function first: the receiver loads modules lazily (the Management API client), and those must
  // come from the receiver's own module cache, which loading another function afterwards would clear.
  // INCIDENT_TABLE_NAME set empty turns incidents off (as in AWS): no acknowledge function then; its route answers
  // API Gateway's own 404, as for a route that does not exist.
  const NO_ROUTE: HttpHandler = async () => ({
    statusCode: 404,
    headers: { 'content-type': 'application/json' },
    body: '{"message":"Not Found"}',
  });
  const incidentsOff = () => process.env[ENV.incidentTableName] === '';
  const loadFunctions = () => {
    ackHandler = incidentsOff() ? undefined : loadAckHandler();
    handler = loadHandler();
  };
  const server = createGatewayServer({
    handler: (target) => (target === 'acknowledge' ? (incidentsOff() ? NO_ROUTE : ackHandler) : handler),
    region: () => region,
    onRequest: options.onRequest,
    onError,
  });

  // The port first, so a second `npm start` fails at once with a clear message.
  const port = await listen(server, options.port ?? 0, host);
  const displayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${displayHost}:${port}/`;
  const other = options.stateFile ? readState(options.stateFile) : undefined;
  if (other && other.pid !== process.pid) {
    server.close();
    throw new Failure(
      `another local stack is running (pid ${other.pid}, ${other.url}): stop it first, ` +
        `or give this one its own state file with LOCAL_STACK_STATE=<path>`,
    );
  }

  // From here on, everything started is stopped by shutdown(), on failure or on stop().
  let stopped = false;
  let moto: MotoServer | undefined;
  let resources: LocalResources | undefined;
  let senderInboxUrl: string | undefined;
  const clients: SQSClient[] = [];
  const loops: Promise<void>[] = [];
  let notifier: ReturnType<typeof notifierDeps> | undefined;
  let notifierTimer: NodeJS.Timeout | undefined;
  const notifierRuns = new Set<Promise<unknown>>();
  const stopExtras: Array<() => Promise<void>> = [];
  /** Ends the pollers' long polls at once on stop. */
  const polling = new AbortController();
  let stopping: Promise<StopReport> | undefined;
  const shutdown = (): Promise<StopReport> =>
    (stopping ??= (async () => {
      stopped = true;
      server.close();
      server.closeAllConnections();
      polling.abort();
      clearInterval(notifierTimer);
      await Promise.allSettled([...loops, ...notifierRuns]);
      notifier?.destroy();
      await Promise.allSettled(stopExtras.map((stop) => stop()));
      for (const client of clients) client.destroy();
      if (options.stateFile) removeState(options.stateFile);
      const leftInAws = useAws && resources ? await deleteResources(resources, senderInboxUrl ? [senderInboxUrl] : []) : [];
      await moto?.stop();
      return { motoPid: moto?.pid, leftInAws };
    })());
  const killMoto = () => void moto?.stop();
  options.signal?.addEventListener('abort', killMoto, { once: true });

  try {
    if (useAws) {
      const probe = new SSMClient({});
      try {
        region = await probe.config.region();
      } catch {
        throw new Failure('--aws: no AWS region configured: set AWS_REGION (or a profile with a region)');
      } finally {
        probe.destroy();
      }
      log(`Using real AWS (region ${region}, your default credentials chain).`);
    } else {
      log('starting moto server...');
      moto = await startMoto({ signal: options.signal, python: options.motoPython });
      Object.assign(process.env, motoEnv(moto.endpoint));
      region = process.env.AWS_REGION!;
    }
    options.signal?.throwIfAborted();

    const name = useAws ? `${LOCAL_NAME}-${randomBytes(3).toString('hex')}` : LOCAL_NAME;
    const prefix = useAws ? `/${name}` : DEFAULTS.parameterPrefix;
    try {
      resources = await provision(name, options.secrets, { prefix, subscribeInbox: options.onAlert !== undefined });
      const sns = new SNSClient({});
      const sqs = new SQSClient({});
      try {
        senderInboxUrl = await createInbox(sns, sqs, resources.topicArn, `${name}-sender-inbox`);
      } finally {
        sns.destroy();
        sqs.destroy();
      }
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (useAws && !resources) {
        onError(
          `some of these may have been created in AWS before the failure; delete them by hand if so: SSM parameters under ${prefix}, ` +
            `topic ${name}-alerts, table ${name}-dedupe, queues ${name}-inbox, ${name}-sender-inbox, ${name}-retry and ${name}-retry-dlq`,
        );
      }
      const hint = useAws ? ' (check your credentials and permissions: `aws sts get-caller-identity`)' : '';
      throw new Failure(`creating the resources failed: ${(error as Error).message}${hint}`);
    }
    options.signal?.throwIfAborted();

    // The same Lambda code; it reads its configuration at import time, so the environment comes first.
    const reminderSchedule = options.notifier?.reminderSchedule ?? process.env[ENV.reminderSchedule];
    const schedule = parseReminderSchedule(reminderSchedule);
    const functionEnv: Record<string, string> = {
      ...receiverEnv(resources),
      // The receiver opens incidents with the first reminder's time: the same schedule as the notifier's.
      ...(reminderSchedule ? { [ENV.reminderSchedule]: reminderSchedule } : {}),
      // Acknowledge links point at this local gateway, as the stack's point at its HTTP API.
      [ENV.apiUrl]: url.replace(/\/+$/, ''),
      // INCIDENT_TABLE_NAME set empty by the user turns incidents off, as it does in AWS (every alert a one-off).
      ...(process.env[ENV.incidentTableName] === '' ? { [ENV.incidentTableName]: '' } : {}),
      ...(options.voximplantApiUrl !== undefined ? { [ENV.voximplantApiUrl]: options.voximplantApiUrl } : {}),
    };
    // One process for every function here: the receiver's environment last, so its incidents-off setting holds for all.
    Object.assign(process.env, ackEnv(resources), functionEnv);
    if (options.quietFunctionLogs) {
      process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
      process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    }
    // As the stack sets them (infra/stack.ts), unless the user chose otherwise.
    process.env.POWERTOOLS_SERVICE_NAME ??= METRICS.service;
    process.env.POWERTOOLS_METRICS_NAMESPACE ??= METRICS.namespace;
    process.env.AWS_LAMBDA_FUNCTION_NAME ??= LOCAL_NAME;
    loadFunctions();

    const state: LocalStackState = {
      pid: process.pid,
      url,
      mode: useAws ? 'aws' : 'moto',
      ...(moto ? { motoEndpoint: moto.endpoint, motoPid: moto.pid } : {}),
      region,
      prefix: resources.parameterPrefix,
      topicArn: resources.topicArn,
      tableName: resources.tableName,
      inboxUrl: resources.queueUrl,
      senderInboxUrl,
      retryQueueUrl: resources.retryQueueUrl,
      secretsSource: options.secretsOrigin ?? 'generated demo values',
      ...(options.voximplantApiUrl !== undefined ? { voximplantApiUrl: options.voximplantApiUrl } : {}),
      startedAt: new Date().toISOString(),
    };
    if (options.stateFile) writeState(options.stateFile, state);

    // The retry queue, consumed by the same handler (Lambda's SQS event source does this in AWS): through
    // `handler`, so a restarted function serves the queue too, with a context as Lambda passes one.
    const retryClient = new SQSClient({});
    clients.push(retryClient);
    const retryQueueUrl = resources.retryQueueUrl;
    loops.push(
      poll(
        () => stopped,
        async () => {
          const { received, failed } = await pollOnce(retryClient, retryQueueUrl, (event) => handler!(event, functionContext(region)), {
            waitSeconds: 5,
            abortSignal: polling.signal,
          });
          if (received > 0) log(`» retry queue: ${received} parked request(s), ${failed.length} to retry later`);
        },
        (error) => onError(`reading the retry queue failed: ${error.message}; retrying`),
      ),
    );
    if (options.onTelegram) {
      const relay = await startTelegramRelay(resources, options.onTelegram);
      stopExtras.push(relay.stop);
      loops.push(
        poll(
          () => stopped,
          relay.once,
          (error) => onError(`the Telegram relay failed: ${error.message}; retrying`),
        ),
      );
    }
    // The inbox, handed over as alerts arrive.
    if (options.onAlert) {
      const onAlert = options.onAlert;
      const inboxClient = new SQSClient({});
      clients.push(inboxClient);
      const queueUrl = resources.queueUrl;
      loops.push(
        poll(
          () => stopped,
          async () => {
            for (const message of await readInbox(inboxClient, queueUrl, { expected: 1, waitMs: 5000, abortSignal: polling.signal }))
              onAlert(message);
          },
          (error) => onError(`reading the inbox failed: ${error.message}; retrying`),
        ),
      );
    }
    // The incident notifier, as the stack's schedule runs it (infra/incidents.ts), with the same edges.
    notifier = notifierDeps({
      parameterPrefix: resources.parameterPrefix,
      incidentTableName: resources.incidentTableName,
      topicArn: resources.topicArn,
      schedule,
      ackBaseUrl: url,
      consoleUrl: process.env[ENV.consoleUrl] || undefined,
      alertLanguage: parseAlertLanguage(process.env[ENV.alertLanguage]),
      log: { info: () => undefined, warn: (message) => log(`notifier: ${message}`), error: (message) => onError(`notifier: ${message}`) },
      metrics: { count: () => undefined, gauge: () => undefined },
      ...(options.notifier?.now ? { now: options.notifier.now } : {}),
    });
    const notifierDepsReady = notifier;
    const notifyOnce = (): Promise<NotifierRun> => {
      const run = runNotifier(notifierDepsReady, Deadline.in(NOTIFIER_FUNCTION.timeoutSeconds * 1000 - BUDGET.responseMs));
      notifierRuns.add(run);
      void run.finally(() => notifierRuns.delete(run)).catch(() => undefined);
      return run;
    };
    const intervalMs = options.notifier?.intervalMs ?? NOTIFIER_FUNCTION.intervalMinutes * 60_000;
    if (intervalMs > 0) {
      notifierTimer = setInterval(() => {
        if (stopped) return;
        notifyOnce().then(
          ({ sent }) => {
            const total = sent.reminder + sent.acknowledged + sent.resolved;
            if (total > 0) log(`» notifier: ${sent.reminder} reminder(s), ${sent.acknowledged + sent.resolved} notice(s)`);
          },
          (error: Error) => onError(`the notifier failed: ${error.message}`),
        );
      }, intervalMs);
      notifierTimer.unref();
    }
    options.signal?.removeEventListener('abort', killMoto);

    return {
      url,
      port,
      region,
      mode: state.mode,
      ...(moto ? { moto: { endpoint: moto.endpoint, pid: moto.pid } } : {}),
      resources,
      senderInboxUrl,
      secrets: options.secrets,
      state,
      functionEnv,
      restartFunction() {
        if (!stopped) loadFunctions();
      },
      runNotifier: notifyOnce,
      stop: shutdown,
    };
  } catch (error) {
    options.signal?.removeEventListener('abort', killMoto);
    await shutdown().catch(() => undefined);
    throw error;
  }
}

/**
 * The Telegram relay of the local stack: the Bot API stand-in with a generated token (stored in SSM as the
 * stack stores it), a queue with the relay's filter on the alert topic, and the relay's handler loaded as its
 * own container. `once` is one poll; `stop` stops the stand-in.
 */
async function startTelegramRelay(resources: LocalResources, onTelegram: (text: string) => void) {
  const token = `${randomInt(1e6, 1e9)}:${randomBytes(27).toString('base64url')}`;
  const standin = await startTelegramStandin(token);
  await storeTelegramToken(resources.parameterPrefix, token);
  const sqs = new SQSClient({});
  const sns = new SNSClient({});
  let queueUrl: string;
  try {
    queueUrl = await createRelayQueue(sns, sqs, resources.topicArn, `${LOCAL_NAME}-telegram`, CHAT_RELAY_FUNCTION.defaultSeverities);
  } finally {
    sns.destroy();
  }
  const relay = loadRelayHandler({
    [ENV.chatDestination]: 'telegram',
    [ENV.telegramChatId]: LOCAL_TELEGRAM_CHAT_ID,
    [ENV.telegramApiUrl]: standin.url,
    [ENV.parameterPrefix]: resources.parameterPrefix,
  });
  let shown = 0;
  return {
    once: async () => {
      await pumpRelay(sqs, queueUrl, resources.topicArn, relay, { waitSeconds: 5 });
      for (const message of standin.messages.slice(shown)) onTelegram(message.text);
      shown = standin.messages.length;
    },
    stop: async () => {
      sqs.destroy();
      await standin.stop();
    },
  };
}

/** Runs `once` until `isStopped`; a failure is reported and retried after a second (unless stopping). */
async function poll(isStopped: () => boolean, once: () => Promise<void>, report: (error: Error) => void): Promise<void> {
  while (!isStopped()) {
    try {
      await once();
    } catch (error) {
      if (isStopped()) break;
      report(error as Error);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
