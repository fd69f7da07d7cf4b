/**
 * The receiver, end to end: request → parse → verify → dedupe → render → publish → response.
 * Only the interfaces in ports.ts reach the outside world, so this file runs the same against AWS,
 * moto, or plain test doubles.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Alert, CallbackItem, Severity } from './callback';
import { isForwarded, type Config } from './config';
import { describe } from './errors';
import { METRICS } from './names';
import { parseEnvelope, parseItem, safeTypeName } from './parse';
import type { Claim, Counters, DedupeStore, Log, Publisher, SecretsSource } from './ports';
import { renderAlert } from './render';
import { json, readRequest } from './request';
import { verify } from './signature';

export interface Deps {
  readonly config: Config;
  readonly secrets: SecretsSource;
  readonly dedupe: DedupeStore;
  readonly publisher: Publisher;
  readonly log: Log;
  readonly counters: Counters;
}

/** What happened to one item; `failed` means verified and new but not published. */
type Outcome = 'accepted' | 'duplicate' | 'ignored' | 'rejected' | 'failed';

interface ItemReport {
  readonly callbackId?: number;
  readonly type: string;
  outcome: Outcome;
  readonly reason?: string;
}

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
/** Bounds the size of the per-request log line; counts cover the rest. */
const MAX_LOGGED_ITEMS = 50;

/** Money running out comes first: min_balance, then by severity, then in the order received. */
function byUrgency(a: Alert, b: Alert): number {
  const rank = (alert: Alert) => (alert.type === 'min_balance' ? -1 : SEVERITY_ORDER[alert.severity]);
  return rank(a) - rank(b);
}

export async function receive(event: APIGatewayProxyEventV2, deps: Deps): Promise<APIGatewayProxyStructuredResultV2> {
  const { config, log, counters } = deps;
  const request = readRequest(event, config.maxBodyBytes);
  if (request.kind === 'health') return json(200, { status: 'ok' });
  if (request.kind === 'refused') {
    log.warn('Request refused', { statusCode: request.response.statusCode });
    return request.response;
  }
  const envelope = parseEnvelope(request.body);
  if (!envelope.ok) {
    log.warn('Request refused', { statusCode: 400, reason: envelope.reason });
    return json(400, { message: 'expected a JSON body {"callbacks":[...]} with at least one callback' });
  }
  counters.count(METRICS.names.received, envelope.items.length);

  const reports: ItemReport[] = [];
  const wellFormed: Array<{ item: CallbackItem; report: ItemReport }> = [];
  for (const raw of envelope.items) {
    const parsed = parseItem(raw);
    const type = safeTypeName((raw as { type?: unknown } | null)?.type);
    if (parsed.ok) {
      const report: ItemReport = { callbackId: parsed.item.callbackId, type, outcome: 'rejected' };
      reports.push(report);
      wellFormed.push({ item: parsed.item, report });
    } else {
      reports.push({ callbackId: parsed.callbackId, type, outcome: 'rejected', reason: `malformed ${parsed.fields.join(',')}` });
    }
  }

  // Forged or malformed requests are answered without touching SSM.
  let verified: Array<{ item: CallbackItem; report: ItemReport }> = [];
  if (wellFormed.length > 0) {
    let secrets;
    try {
      secrets = await deps.secrets.get();
    } catch (error) {
      counters.count(METRICS.names.secretsUnavailable, 1);
      log.error('Secrets unavailable: cannot verify callbacks', { error: describe(error), items: reports.slice(0, MAX_LOGGED_ITEMS) });
      return json(503, { message: 'temporarily unavailable, retry later' });
    }
    const seen = new Set<string>();
    verified = wellFormed.filter(({ item, report }) => {
      const result = verify(item, secrets);
      if (!result.ok) {
        Object.assign(report, { reason: result.reason });
        return false;
      }
      const key = `${item.accountId}#${item.callbackId}`;
      report.outcome = seen.has(key) ? 'duplicate' : 'accepted';
      seen.add(key);
      return report.outcome === 'accepted';
    });
  }

  const verifiedCount = reports.filter((r) => r.outcome !== 'rejected').length;
  const rejectedCount = reports.length - verifiedCount;
  counters.count(METRICS.names.verified, verifiedCount);
  counters.count(METRICS.names.rejected, rejectedCount);
  counters.count(METRICS.names.badSignature, reports.filter((r) => r.reason === 'bad_hash').length);
  if (verifiedCount === 0) {
    log.warn('No callback verified', { statusCode: 401, items: reports.slice(0, MAX_LOGGED_ITEMS) });
    return json(401, { message: 'unauthorized' });
  }

  const forwarded = verified.filter(({ item, report }) => {
    if (isForwarded(config, item.type)) return true;
    report.outcome = 'ignored';
    return false;
  });

  const claims = await Promise.all(forwarded.map(({ item }) => deps.dedupe.claim(item)));
  const toAlert = new Map<Alert, { claim: Claim; report: ItemReport }>();
  forwarded.forEach(({ item, report }, i) => {
    const claim = claims[i];
    if (claim === 'duplicate') {
      report.outcome = 'duplicate';
      return;
    }
    toAlert.set(renderAlert(item, { consoleUrl: config.consoleUrl }), { claim, report });
  });

  const { published, failed } = await deps.publisher.publish([...toAlert.keys()].sort(byUrgency));
  await Promise.all([
    ...published.map((alert) => (toAlert.get(alert)!.claim === 'new' ? deps.dedupe.complete(alert) : undefined)),
    ...failed.map((alert) => {
      const { claim, report } = toAlert.get(alert)!;
      report.outcome = 'failed';
      return claim === 'new' ? deps.dedupe.release(alert) : undefined;
    }),
  ]);

  const tally = (outcome: Outcome) => reports.filter((r) => r.outcome === outcome).length;
  const counts = { accepted: tally('accepted'), duplicates: tally('duplicate'), ignored: tally('ignored'), rejected: rejectedCount };
  counters.count(METRICS.names.duplicates, counts.duplicates);
  counters.count(METRICS.names.ignored, counts.ignored);
  counters.count(METRICS.names.published, published.length);
  counters.count(METRICS.names.publishFailures, failed.length);
  counters.count(METRICS.names.dedupeUnavailable, claims.filter((c) => c === 'unavailable').length);

  const statusCode = failed.length > 0 ? 503 : 200;
  const summary = { statusCode, ...counts, failed: failed.length, items: reports.slice(0, MAX_LOGGED_ITEMS) };
  if (statusCode === 503) {
    log.error('Alerts not published: answering 503 so the sender can retry', summary);
    return json(503, { message: 'temporarily unavailable, retry later', ...counts });
  }
  log.info('Callbacks processed', summary);
  return json(200, counts);
}
