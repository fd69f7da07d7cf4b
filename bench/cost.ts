/**
 * Section 6 of `npm run bench`: dollars per million callbacks from the measured calls, payloads, log bytes and
 * warm time, at the list prices below (printed with the figures).
 */
import { bytes, ms, usd, type Add } from './common';
import type { E2eResult } from './e2e';
import type { Summary } from './stats';
import type { WarmVariantResult } from './warm';

/** Prices (USD, us-east-1) used by the cost model, printed with it. */
export const PRICES = {
  region: 'us-east-1',
  source:
    'list prices given in issue #6 (us-east-1; DynamoDB on-demand after the 2024-11-01 price cut; Lambda INIT billed since 2025-08-01)',
  httpApiPerMillionRequests: 1.0,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  snsPublishPerMillion64KbChunks: 0.5,
  snsEmailPer100k: 2.0,
  dynamoDbPerMillionWru: 0.625,
  /** Not in the list: CloudWatch Logs Standard ingestion, us-east-1. */
  logsIngestionPerGb: 0.5,
} as const;
/** Lambda's START/END/REPORT lines per invocation (not measured here), bytes. */
export const PLATFORM_LOG_BYTES = 300;

/** The section's rows; returns the per-million figures and the INIT cost for the JSON result. */
export function costRows(
  add: Add,
  memoryMb: number,
  [one, ten]: readonly [WarmVariantResult, WarmVariantResult],
  e2e: E2eResult | undefined,
  coldDeploy: Summary,
) {
  const gb = memoryMb / 1024;
  const cost = (
    perRequest: number,
    warmUs: number,
    batches: readonly { batchBytes: number }[],
    dynamoCallsPerCallback: number,
    logBytes: number,
  ) => {
    const requests = 1e6 / perRequest;
    const billedMs = Math.max(1, Math.ceil(warmUs / 1000));
    const snsChunks = batches.reduce((sum, b) => sum + Math.max(1, Math.ceil(b.batchBytes / 65_536)), 0);
    const parts = {
      httpApi: (requests / 1e6) * PRICES.httpApiPerMillionRequests,
      lambda: (requests / 1e6) * PRICES.lambdaPerMillionRequests + requests * (billedMs / 1000) * gb * PRICES.lambdaArmPerGbSecond,
      sns: ((requests * snsChunks) / 1e6) * PRICES.snsPublishPerMillion64KbChunks,
      dynamodb: ((1e6 * dynamoCallsPerCallback) / 1e6) * PRICES.dynamoDbPerMillionWru,
    };
    const total = parts.httpApi + parts.lambda + parts.sns + parts.dynamodb;
    const logs = ((requests * (logBytes + PLATFORM_LOG_BYTES)) / 1024 ** 3) * PRICES.logsIngestionPerGb;
    return { perRequest, billedMs, snsChunks, parts, total, logs };
  };
  const costs = [one, ten].map((v) =>
    cost(
      v.callbacksPerRequest,
      v.latencyUs.p50,
      v.publishBatches,
      v.callsPerInvocation.dynamodb / v.callbacksPerRequest,
      v.logBytesPerInvocation,
    ),
  );
  for (const [i, c] of costs.entries()) {
    const v = [one, ten][i];
    add(
      '6 cost',
      `$ per 1M callbacks, ${c.perRequest}/request`,
      usd(c.total),
      `HTTP API ${usd(c.parts.httpApi)} + Lambda ${usd(c.parts.lambda)} (${c.billedMs} ms billed) + SNS ${usd(c.parts.sns)} (${c.snsChunks} chunk/request, ${bytes(v.publishBatches.reduce((s, b) => s + b.batchBytes, 0))}) + DynamoDB ${usd(c.parts.dynamodb)} (${v.callsPerInvocation.dynamodb / v.callbacksPerRequest} WRU/callback)`,
    );
    add(
      '6 cost',
      '  + CloudWatch Logs (separate)',
      usd(c.logs),
      `${bytes(v.logBytesPerInvocation)} logs+EMF measured + ~${PLATFORM_LOG_BYTES} B platform lines per invocation at $${PRICES.logsIngestionPerGb}/GB`,
    );
  }
  if (e2e) {
    const withIo = cost(1, e2e.handlerMs.p50 * 1000, one.publishBatches, one.callsPerInvocation.dynamodb, one.logBytesPerInvocation);
    add(
      '6 cost',
      '  sensitivity: Lambda billed at the moto e2e handler time',
      usd(withIo.total),
      `Lambda ${usd(withIo.parts.lambda)} at ${withIo.billedMs} ms billed (I/O included)`,
    );
  }
  const initUsd = (Math.ceil(coldDeploy.p50) / 1000) * gb * PRICES.lambdaArmPerGbSecond;
  add(
    '6 cost',
    'INIT (billed since 2025-08-01)',
    `${usd(initUsd * 1000)} per 1,000 cold starts`,
    `at the cold proxy p50 ${ms(coldDeploy.p50)} × ${memoryMb} MB`,
  );
  add(
    '6 cost',
    'deliveries (separate, per alert)',
    `email $${((PRICES.snsEmailPer100k / 1e5) * 1e6).toFixed(2)} per 1M per email subscriber`,
    'SMS: varies by country; SQS/Lambda subscribers: no delivery charge',
  );
  add(
    '6 cost',
    'prices used',
    `${PRICES.region}`,
    `HTTP API $${PRICES.httpApiPerMillionRequests}/M · Lambda arm64 $${PRICES.lambdaArmPerGbSecond}/GB-s + $${PRICES.lambdaPerMillionRequests}/M · SNS $${PRICES.snsPublishPerMillion64KbChunks}/M 64 KB chunks · DynamoDB $${PRICES.dynamoDbPerMillionWru}/M WRU · Logs $${PRICES.logsIngestionPerGb}/GB`,
  );

  return { costs, initUsd };
}
