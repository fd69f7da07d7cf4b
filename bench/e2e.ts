/**
 * End to end on the local stack, in its own process (run by bench.ts with tsx): moto as the cloud,
 * provision() as the stack, the real handler from source in-process, and an SQS queue subscribed to the
 * alert topic as the inbox. Sends signed min_balance callbacks one per request and times
 * callback → alert visible in the inbox (the ReceiveMessage that returned it).
 *
 * Then imports the given bundles (bench.ts passes the deploy bundle, env-only credential chain included)
 * against the same moto, to check that they deliver too, so a bundle row in the table is known to work,
 * not just to load.
 *
 * Usage: tsx bench/e2e.ts <result.json> <callbacks> [bundle.mjs ...]
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { buildCallback, envelope } from '../local/callbacks';
import { motoEnv, startMoto } from '../local/moto';
import { provision, readInbox, receiverEnv } from '../local/provision';
import { summarize, type Summary } from './stats';
import { httpEvent, VOX } from '../local/fixtures';

type Handler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface E2eResult {
  readonly callbacks: number;
  /** Callback sent → the ReceiveMessage that returned its alert came back, ms. */
  readonly visibleMs: Summary;
  /** The handler call alone (SSM cached; DynamoDB claim, SNS PublishBatch, DynamoDB complete against moto), ms. */
  readonly handlerMs: Summary;
  readonly bundles: ReadonlyArray<{
    readonly file: string;
    readonly delivered: number;
    readonly sent: number;
    readonly handlerMs: Summary;
  }>;
}

async function main(): Promise<void> {
  const [outFile, countArg, ...bundles] = process.argv.slice(2);
  if (!outFile) throw new Error('usage: e2e.ts <result.json> <callbacks> [bundle.mjs ...]');
  const count = Number(countArg ?? 50);
  const moto = await startMoto();
  try {
    Object.assign(process.env, motoEnv(moto.endpoint));
    const resources = await provision('bench-e2e', VOX);
    Object.assign(process.env, receiverEnv(resources));
    const { handler } = await import('../lambda/handler');

    // Times the ReceiveMessage that returned messages: when the alert was visible, before the delete.
    const sqs = new SQSClient({});
    let receivedAt = 0;
    const timedSqs = {
      send: async (command: unknown) => {
        const output = await sqs.send(command as never);
        if (command instanceof ReceiveMessageCommand && ((output as { Messages?: unknown[] }).Messages?.length ?? 0) > 0) {
          receivedAt = performance.now();
        }
        return output;
      },
    } as unknown as SQSClient;

    let callbackId = 5_000_000;
    const send = async (fn: Handler) => {
      const event = httpEvent(envelope(buildCallback(VOX, { callbackId: callbackId++ })));
      const start = performance.now();
      const response = await fn(event);
      const handled = performance.now();
      if (response.statusCode !== 200) throw new Error(`handler answered ${response.statusCode}: ${response.body}`);
      const messages = await readInbox(timedSqs, resources.queueUrl, { expected: 1, waitMs: 5000 });
      return { handlerMs: handled - start, visibleMs: receivedAt - start, delivered: messages.length };
    };

    await send(handler); // fills the secrets cache (one SSM read), not measured
    const visible: number[] = [];
    const handled: number[] = [];
    for (let i = 0; i < count; i++) {
      const result = await send(handler);
      if (result.delivered !== 1) throw new Error(`callback ${i}: ${result.delivered} alerts arrived in the inbox, expected 1`);
      visible.push(result.visibleMs);
      handled.push(result.handlerMs);
    }

    const bundleResults: Array<E2eResult['bundles'][number]> = [];
    for (const file of bundles) {
      const module = (await import(pathToFileURL(file).href)) as { handler: Handler };
      const times: number[] = [];
      let delivered = 0;
      const sent = 3;
      for (let i = 0; i < sent + 1; i++) {
        const result = await send(module.handler);
        if (i === 0) continue; // secrets cache
        delivered += result.delivered;
        times.push(result.handlerMs);
      }
      bundleResults.push({ file, delivered, sent, handlerMs: summarize(times) });
    }
    sqs.destroy();
    const result: E2eResult = { callbacks: count, visibleMs: summarize(visible), handlerMs: summarize(handled), bundles: bundleResults };
    writeFileSync(outFile, JSON.stringify(result, null, 2));
  } finally {
    await moto.stop();
  }
}

main().then(
  // The handlers' SDK clients keep sockets open: exit once the result is written.
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
