/**
 * Warm path, in its own process (run by bench.ts with tsx): the real handler from source, with the SDK
 * clients answered by the in-process stub (bench/stub.ts), timed per invocation; plus the core's
 * throughput (parse + verify + render) next to a bare md5 loop.
 *
 * Usage: tsx bench/warm.ts <result.json> <core.mjs> [quick]  (core.mjs: bench/fixtures/core.ts built by bench.ts)
 * The environment (table, topic, region, credentials) is set by bench.ts before this process starts,
 * because lambda/handler.ts reads it at import.
 */
import { hash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { pathToFileURL } from 'node:url';
import type { CallbackItem } from '../lambda/model';
import { DEFAULTS } from '../lambda/config';
import { ENV } from '../lambda/contract';
import { toBatchEntry } from '../lambda/publish-plan';
import * as source from './fixtures/core';
import { buildCallback, envelope } from '../local/callbacks';
import { attribute, byUrl, top, type CpuProfile } from './profile';
import { median, summarize, type Summary } from './stats';
import { installStub, type CallCounts, type PublishedPayload } from './stub';
import { httpEvent, SECRETS, VOX } from '../local/fixtures';
import { BENCH_CONTEXT } from './support';

/** The core as built by bench.ts from bench/fixtures/core.ts: minified like the deploy bundle, no tsx wrappers. */
type Core = typeof import('./fixtures/core');

export interface WarmVariantResult {
  readonly callbacksPerRequest: number;
  /** Microseconds per invocation. */
  readonly latencyUs: Summary;
  /** Per invocation, averaged over the measured invocations. */
  readonly callsPerInvocation: {
    readonly ssm: number;
    readonly dynamodb: number;
    readonly sns: number;
    readonly sqs: number;
    readonly snsMessages: number;
    readonly operations: Record<string, number>;
  };
  /** Billed SNS payload of each PublishBatch of one invocation (measured outside the timed loop). */
  readonly publishBatches: readonly PublishedPayload[];
  /** Bytes the function wrote to stdout (logs, EMF metrics) in one invocation. */
  readonly logBytesPerInvocation: number;
}

export interface WarmResult {
  readonly firstInvocation: { readonly ms: number; readonly calls: CallCounts };
  readonly variants: readonly WarmVariantResult[];
  /** Microseconds for the three SDK calls of one callback alone (PutItem, PublishBatch, UpdateItem). */
  readonly sdkFloorUs: Summary;
  /** Resident memory of this process at the end (tsx and the sources included). */
  readonly rssBytes: number;
  /** Where a warm 1-callback invocation's CPU time goes (sampled profile), by package. */
  readonly profile: Array<{ owner: string; share: number; usPerRun: number }>;
  readonly core: {
    readonly items: number;
    /** Callbacks parsed + verified + rendered per second, median of the blocks. */
    readonly callbacksPerSecond: number;
    /** md5(salt + account_id + api_key + callback_id) hex digests per second, median of the blocks. */
    readonly md5PerSecond: number;
    readonly blocks: number;
    /** Microseconds per callback of each stage alone, over the same items. */
    readonly stagesUs: { readonly parse: number; readonly verify: number; readonly render: number; readonly md5: number };
  };
}

const CONTEXT = BENCH_CONTEXT;

function diff(after: CallCounts, before: CallCounts): CallCounts {
  const operations: Record<string, number> = {};
  for (const [name, value] of Object.entries(after.operations)) {
    const delta = value - (before.operations[name] ?? 0);
    if (delta !== 0) operations[name] = delta;
  }
  return {
    ssm: after.ssm - before.ssm,
    dynamodb: after.dynamodb - before.dynamodb,
    sns: after.sns - before.sns,
    sqs: after.sqs - before.sqs,
    snsMessages: after.snsMessages - before.snsMessages,
    operations,
  };
}

async function main(): Promise<void> {
  const [outFile, coreFile, mode] = process.argv.slice(2);
  if (!outFile || !coreFile) throw new Error('usage: warm.ts <result.json> <core.mjs> [quick]');
  const quick = mode === 'quick';
  const stub = installStub(VOX, process.env[ENV.parameterPrefix] || DEFAULTS.parameterPrefix);
  // Only now: the handler builds its SSM, DynamoDB and SNS clients at import (SQS on first park), and they
  // must find the stub in place.
  const { handler } = await import('../lambda/handler');

  let nextId = 1;
  const body = (count: number) => envelope(...Array.from({ length: count }, () => buildCallback(VOX, { callbackId: nextId++ })));
  const invoke = async (count: number) => {
    const event = httpEvent(body(count));
    const start = process.hrtime.bigint();
    const response = await handler(event, CONTEXT);
    const ns = Number(process.hrtime.bigint() - start);
    if (response.statusCode !== 200) throw new Error(`handler answered ${response.statusCode}: ${response.body}`);
    const accepted = (JSON.parse(response.body ?? '{}') as { accepted?: number }).accepted;
    if (accepted !== count) throw new Error(`expected ${count} accepted, got ${response.body}`);
    return ns;
  };

  // The first invocation fills the secrets cache (one SSM GetParameters): reported apart.
  const beforeFirst = stub.snapshot();
  const firstNs = await invoke(1);
  const firstInvocation = { ms: firstNs / 1e6, calls: diff(stub.snapshot(), beforeFirst) };

  // Calibration, untimed: SNS payload per batch and log bytes per invocation.
  const sizes = [1, 10];
  const publishBatches = new Map<number, PublishedPayload[]>();
  const logBytes = new Map<number, number>();
  const write = process.stdout.write.bind(process.stdout);
  for (const count of sizes) {
    stub.measurePayload = true;
    stub.payloads.length = 0;
    let bytes = 0;
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    await invoke(count);
    process.stdout.write = write;
    stub.measurePayload = false;
    publishBatches.set(count, [...stub.payloads]);
    logBytes.set(count, bytes);
  }

  // The warm FLOOR: the three SDK calls one callback needs by design (conditional PutItem, PublishBatch of
  // one alert, UpdateItem), same payloads, separate clients, no receiver code around them.
  const sdkFloor = await makeSdkFloor();

  // Warm-up, then measured rounds; the variants take turns (order rotating each round) so noise hits all.
  const warmupRounds = quick ? 100 : 400;
  const rounds = quick ? 400 : 2000;
  const FLOOR = 0;
  const variantsOrder = [...sizes, FLOOR];
  const run = (variant: number) => (variant === FLOOR ? sdkFloor() : invoke(variant));
  for (let i = 0; i < warmupRounds; i++) for (const variant of variantsOrder) await run(variant);
  const latencies = new Map<number, number[]>(variantsOrder.map((s) => [s, []]));
  const calls = new Map<number, CallCounts>();
  const totals = new Map<number, CallCounts>(
    variantsOrder.map((s) => [s, { ssm: 0, dynamodb: 0, sns: 0, sqs: 0, snsMessages: 0, operations: {} }]),
  );
  for (let round = 0; round < rounds; round++) {
    const shift = round % variantsOrder.length;
    const order = [...variantsOrder.slice(shift), ...variantsOrder.slice(0, shift)];
    for (const variant of order) {
      const before = stub.snapshot();
      const ns = await run(variant);
      const delta = diff(stub.snapshot(), before);
      latencies.get(variant)!.push(ns / 1000);
      const total = totals.get(variant)!;
      total.ssm += delta.ssm;
      total.dynamodb += delta.dynamodb;
      total.sns += delta.sns;
      total.sqs += delta.sqs;
      total.snsMessages += delta.snsMessages;
      for (const [op, n] of Object.entries(delta.operations)) total.operations[op] = (total.operations[op] ?? 0) + n;
    }
  }
  for (const count of sizes) calls.set(count, totals.get(count)!);
  const sdkFloorUs = summarize(latencies.get(FLOOR)!);

  const variants: WarmVariantResult[] = sizes.map((count) => {
    const total = calls.get(count)!;
    const per = (n: number) => n / rounds;
    const operations: Record<string, number> = {};
    for (const [op, n] of Object.entries(total.operations)) operations[op] = per(n);
    return {
      callbacksPerRequest: count,
      latencyUs: summarize(latencies.get(count)!),
      callsPerInvocation: {
        ssm: per(total.ssm),
        dynamodb: per(total.dynamodb),
        sns: per(total.sns),
        sqs: per(total.sqs),
        snsMessages: per(total.snsMessages),
        operations,
      },
      publishBatches: publishBatches.get(count)!,
      logBytesPerInvocation: logBytes.get(count)!,
    };
  });

  const profile = await profileWarm(() => invoke(1), quick ? 200 : 1000);
  const core = coreThroughput((await import(pathToFileURL(coreFile).href)) as Core, quick);
  stub.restore();
  const result: WarmResult = { firstInvocation, variants, sdkFloorUs, profile, core, rssBytes: process.memoryUsage().rss };
  writeFileSync(outFile, JSON.stringify(result, null, 2));
}

/** Samples `invocations` runs of `fn` with the in-process profiler; time per invocation by package. */
async function profileWarm(fn: () => Promise<unknown>, invocations: number): Promise<WarmResult['profile']> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) =>
      session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 50 });
  await post('Profiler.start');
  for (let i = 0; i < invocations; i++) await fn();
  const { profile } = await post<{ profile: CpuProfile }>('Profiler.stop');
  session.disconnect();
  // Profiler.stop's own serialization lands in the last samples: charged to '(profiler)' and dropped.
  const totals = attribute([profile], (frame) => (frame.url === 'node:inspector' ? '(profiler)' : byUrl(frame)));
  for (const key of ['(idle)', '(profiler)', '(program)']) totals.delete(key);
  return top(totals, invocations, 12);
}

/** The three SDK calls of one callback, with the receiver's own payloads, timed as one unit. */
async function makeSdkFloor(): Promise<() => Promise<number>> {
  const { DynamoDBClient, PutItemCommand, UpdateItemCommand } = await import('@aws-sdk/client-dynamodb');
  const { SNSClient, PublishBatchCommand } = await import('@aws-sdk/client-sns');
  const dynamodb = new DynamoDBClient({});
  const sns = new SNSClient({});
  const table = process.env[ENV.dedupeTableName]!;
  const topicArn = process.env[ENV.topicArn]!;
  const parsed = source.parseItem(buildCallback(VOX, { callbackId: 42 }));
  if (!parsed.ok) throw new Error('bench item did not parse');
  const entry = toBatchEntry(source.renderAlert(parsed.item, { consoleUrl: DEFAULTS.consoleUrl }), '0');
  let id = 0;
  return async () => {
    const key = { pk: { S: `${VOX.accountId}#floor-${id++}` } };
    const now = String(Math.floor(Date.now() / 1000));
    const start = process.hrtime.bigint();
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: { ...key, status: { S: 'pending' }, expiresAt: { N: now } },
        ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt < :now',
        ExpressionAttributeNames: { '#pk': 'pk', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':now': { N: now } },
      }),
    );
    await sns.send(new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: [entry] }));
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET #status = :done, #expiresAt = :expiresAt',
        ExpressionAttributeNames: { '#status': 'status', '#expiresAt': 'expiresAt' },
        ExpressionAttributeValues: { ':done': { S: 'done' }, ':expiresAt': { N: now } },
      }),
    );
    return Number(process.hrtime.bigint() - start);
  };
}

/**
 * The receiver's CPU work per callback (parseItem + verify + renderAlert) over prebuilt items, next to
 * the least any verifier must do: one md5 of the same string. Blocks alternate between the two.
 */
function coreThroughput({ parseItem, verify, renderAlert }: Core, quick: boolean): WarmResult['core'] {
  const count = 1000;
  const raw = (
    JSON.parse(envelope(...Array.from({ length: count }, (_, i) => buildCallback(VOX, { callbackId: 1_000_000 + i })))) as {
      callbacks: unknown[];
    }
  ).callbacks;
  const options = { consoleUrl: DEFAULTS.consoleUrl };
  const { salt, apiKey } = VOX;
  let sink = 0;

  const core = () => {
    for (const item of raw) {
      const parsed = parseItem(item);
      if (!parsed.ok) throw new Error('bench item did not parse');
      const checked: CallbackItem = parsed.item;
      if (!verify(checked, SECRETS).ok) throw new Error('bench item did not verify');
      sink += renderAlert(checked, options).sms.length;
    }
  };
  // The fastest md5 Node has (one-shot crypto.hash, which sign() uses too), so the floor is a real floor.
  const md5 = () => {
    for (const item of raw as Array<{ account_id: number; callback_id: number }>) {
      sink += hash('md5', `${salt}${item.account_id}${apiKey}${item.callback_id}`, 'hex').length;
    }
  };
  const rate = (fn: () => void, reps: number) => {
    const start = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) fn();
    return (reps * count) / (Number(process.hrtime.bigint() - start) / 1e9);
  };

  // Warm both up, then size the blocks to ~40 ms each from a first estimate.
  rate(core, 5);
  rate(md5, 5);
  const coreReps = Math.max(1, Math.round((rate(core, 5) * 0.04) / count));
  const md5Reps = Math.max(1, Math.round((rate(md5, 5) * 0.04) / count));
  const blocks = quick ? 7 : 25;
  const coreRates: number[] = [];
  const md5Rates: number[] = [];
  for (let b = 0; b < blocks; b++) {
    if (b % 2 === 0) {
      coreRates.push(rate(core, coreReps));
      md5Rates.push(rate(md5, md5Reps));
    } else {
      md5Rates.push(rate(md5, md5Reps));
      coreRates.push(rate(core, coreReps));
    }
  }

  // Stage by stage (same items), to say what dominates the core.
  const items = raw.map((item) => {
    const parsed = parseItem(item);
    if (!parsed.ok) throw new Error('bench item did not parse');
    return parsed.item;
  });
  const perCallbackUs = (fn: () => void) => {
    for (let r = 0; r < 3; r++) fn();
    const reps = quick ? 10 : 40;
    const start = process.hrtime.bigint();
    for (let r = 0; r < reps; r++) fn();
    return Number(process.hrtime.bigint() - start) / 1000 / reps / count;
  };
  const stagesUs = {
    parse: perCallbackUs(() => {
      for (const item of raw) sink += parseItem(item).ok ? 1 : 0;
    }),
    verify: perCallbackUs(() => {
      for (const item of items) sink += verify(item, SECRETS).ok ? 1 : 0;
    }),
    render: perCallbackUs(() => {
      for (const item of items) sink += renderAlert(item, options).sms.length;
    }),
    md5: perCallbackUs(md5),
  };
  if (sink === 0) throw new Error('unreachable');
  return { items: count, callbacksPerSecond: median(coreRates), md5PerSecond: median(md5Rates), blocks, stagesUs };
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
