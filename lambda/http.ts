/**
 * The webhook path: API Gateway HTTP API event → receiver → HTTP response.
 * When a dependency failure keeps a verified callback from being alerted, the raw request is parked in
 * the retry queue and answered 202: Voximplant's retry behaviour is undocumented, so we retry ourselves.
 * Only when parking fails too is the answer 503, so nothing verified is ever acknowledged and lost.
 * The receiver must be done BUDGET.lastCallMs before the invocation's deadline: parking gets that slice.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { BUDGET, Deadline } from './deadline';
import { errorMessage } from './errors';
import { METRICS } from './contract';
import { receive, type Deps } from './pipeline';
import type { RetryQueue } from './ports';
import { json, readRequest } from './request';

/** The pipeline's dependencies, and the retry queue to park in. */
export interface HttpDeps extends Deps {
  readonly retryQueue: Pick<RetryQueue, 'park'>;
}

/**
 * Answers one API Gateway HTTP API request by `deadline`: the pipeline's answer (200, 400, 401), 202 once the
 * request is parked for retry, 503 when it could be neither handled nor parked; the refusals (405, 413, 415,
 * 400) and the health check come from request.ts. `now`: epoch ms, stamped on a parked request as receivedAt.
 */
export async function handleWebhook(
  event: APIGatewayProxyEventV2,
  deps: HttpDeps,
  now: () => number = Date.now,
  deadline: Deadline = Deadline.forInvocation(undefined),
): Promise<APIGatewayProxyStructuredResultV2> {
  const receivedAt = now();
  const request = readRequest(event, deps.config.maxBodyBytes);
  if (request.kind === 'health') return json(200, { status: 'ok' });
  if (request.kind === 'refused') {
    deps.log.warn('Request refused', { statusCode: request.response.statusCode });
    return request.response;
  }
  const outcome = await receive(request.body, deps, deadline.child(BUDGET.lastCallMs));
  if (outcome.kind === 'done') return json(outcome.statusCode, outcome.body);

  try {
    await deps.retryQueue.park({ ...outcome.parked, receivedAt }, deadline.signal);
  } catch (error) {
    deps.counters.count(METRICS.names.parkingFailures, 1);
    deps.log.error('Could not park the request for retry: answering 503 so the sender can retry', {
      reason: outcome.reason,
      error: errorMessage(error),
    });
    return json(503, { message: 'temporarily unavailable, retry later', ...outcome.counts });
  }
  deps.counters.count(METRICS.names.parked, 1);
  deps.log.warn('Request parked for retry', { reason: outcome.reason });
  return json(202, { message: 'accepted; alerts will be retried', ...outcome.counts });
}
