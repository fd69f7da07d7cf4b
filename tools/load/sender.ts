/**
 * The load test's sending side: signed batches over a fixed pool of keep-alive connections, duplicates re-sent
 * once their first request was answered, and every answer checked against what its batch held.
 */
import { Agent, request as httpRequest } from 'node:http';
import type { Counts } from '../../lambda/pipeline';
import { buildCallback } from '../../local/callbacks';
import type { VoxSecrets } from '../../local/provision';
import type { Item, Plan } from './plan';

/** Per-request bound: above the function's 10 s timeout in the local stack, so a slow answer is still seen. */
const REQUEST_TIMEOUT_MS = 20_000;
/** A retrying sender: after a 5xx or no answer, the same request again after these pauses (then it gives up). */
const RESEND_DELAYS_MS = [1000, 2000, 4000];

/** The receiver's answer counts (lambda/pipeline.ts), summed as the answers come. */
export type Tally = { -readonly [K in keyof Counts]: number };

interface RequestResult {
  readonly status: string;
  readonly ms: number;
  readonly counts?: Counts;
  readonly body: string;
}

function post(agent: Agent, url: URL, body: string, signal: AbortSignal): Promise<RequestResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: string, text = '', counts?: Counts) => {
      if (settled) return;
      settled = true;
      resolve({ status, ms: performance.now() - started, counts, body: text });
    };
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        signal,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'voximplant-alerts-load' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => done(`error ${(error as NodeJS.ErrnoException).code ?? error.message}`));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let counts: Counts | undefined;
          try {
            const parsed = JSON.parse(text) as Partial<Counts>;
            if (['accepted', 'duplicates', 'ignored', 'rejected'].every((key) => typeof parsed[key as keyof Counts] === 'number'))
              counts = parsed as Counts;
          } catch {
            // not JSON
          }
          done(String(res.statusCode ?? 0), text, counts);
        });
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => done(`error ${signal.aborted ? 'ABORTED' : (error.code ?? error.message)}`));
    req.end(body);
  });
}

export interface SendResult {
  /** HTTP requests made, re-sends included. */
  readonly requests: number;
  readonly items: { new: number; duplicate: number; forged: number };
  /** Per request, re-sends included. */
  readonly latencies: number[];
  readonly statuses: Record<string, number>;
  /** Summed over the 200 answers. */
  readonly counts: Tally;
  /** Items answered 401 as a whole (requests with no genuine item): rejected without counts. */
  readonly rejectedBy401: number;
  /** Requests answered 202: parked by the receiver, their alerts come later through the retry queue. */
  readonly parked: number;
  /** Requests sent again after a 5xx or no answer, as a retrying sender would. */
  readonly resent: number;
  /** Wall time the senders were held back because the inbox check fell behind (INBOX_MAX_BACKLOG). */
  readonly throttledMs: number;
  readonly problems: string[];
  readonly problemCount: number;
  /** Not sent because the run was stopped (--timeout, Ctrl-C). */
  readonly notSent: number;
  /** Duplicates not sent because the request with their first copy failed. */
  readonly resendsDropped: number;
  readonly wallMs: number;
}

/** A sender retries these: the receiver's 503 (not even parked), a gateway 500/502/504, or no answer at all. */
function isRetryable(status: string): boolean {
  return /^(5\d\d|429)$/.test(status) || (status.startsWith('error ') && status !== 'error ABORTED');
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Sends the plan's items in batches of `batch` over `concurrency` keep-alive connections, as a retrying
 * sender: a 5xx or no answer is sent again after RESEND_DELAYS_MS, a 202 counts as answered (its alerts come
 * through the retry queue). Checks each answer's counts against what the batch held; never throws.
 */
export async function sendAll(
  options: {
    url: URL;
    batch: number;
    concurrency: number;
    secrets: VoxSecrets;
    signal: AbortSignal;
    /** Whether to hold back new requests, given how many alerts are due so far (see INBOX_MAX_BACKLOG). */
    inboxBehind: (alertsDue: number) => boolean;
  },
  plan: Plan,
  progress: (sent: number, total: number) => void,
): Promise<SendResult> {
  const { url, batch, concurrency, secrets, signal, inboxBehind } = options;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const forgedKey = { salt: 'load-test-forged-salt', apiKey: 'load-test-forged-api-key' };
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  const counts: Tally = { accepted: 0, duplicates: 0, ignored: 0, rejected: 0 };
  const items = { new: 0, duplicate: 0, forged: 0 };
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (text: string) => {
    problemCount += 1;
    if (problems.length < 10) problems.push(text);
  };
  let rejectedBy401 = 0;
  let requests = 0;
  let parked = 0;
  let resent = 0;
  /**
   * Ids in a request that was parked or re-sent: which request (or the retry queue) claims them first is open,
   * so a later copy may count as new and the first as duplicate. Their answers are checked for totals only.
   */
  const unsettled = new Set<number>();
  /** New genuine ids in answered requests: an alert each is due in the inbox. */
  let alertsDue = 0;

  // Holding back: one gate for all workers, open again once the inbox check has caught up.
  let throttledMs = 0;
  let gate: Promise<void> | undefined;
  const throttle = () =>
    (gate ??= (async () => {
      const since = performance.now();
      while (!signal.aborted && inboxBehind(alertsDue)) await abortableSleep(20, signal);
      throttledMs += performance.now() - since;
      gate = undefined;
    })());

  let freshIndex = 0;
  const pool: number[] = []; // ids whose first request was answered, waiting to be re-sent
  let resendsLeft = plan.duplicates; // to send, or to become available
  let resendsDropped = 0; // their first request failed: not re-sent
  let inFlight = 0;
  let resendsInFlight = 0; // re-sends of the new ids in requests in flight
  let wake: (() => void) | undefined;
  const completed = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  signal.addEventListener('abort', completed, { once: true });
  const totalItems = plan.fresh.length + plan.duplicates;
  let sentItems = 0;

  const next = (): Item[] | 'wait' | 'done' => {
    const freshLeft = plan.fresh.length - freshIndex;
    const remaining = freshLeft + resendsLeft;
    if (remaining === 0) return 'done';
    // Duplicates in proportion over the run, as their first copies are answered; always full batches, but for the
    // last one: rather than a short (or forged-only) batch, wait for re-sends whose first request is in flight.
    const wanted = freshLeft > 0 ? Math.ceil((batch * resendsLeft) / remaining) : batch;
    const dupTake = Math.min(pool.length, wanted, batch);
    const freshTake = Math.min(batch - dupTake, freshLeft);
    if (dupTake + freshTake < batch && resendsInFlight > 0) return 'wait';
    const chosen: Item[] = plan.fresh.slice(freshIndex, freshIndex + freshTake);
    freshIndex += freshTake;
    for (const id of pool.splice(0, dupTake)) chosen.push({ id, kind: 'duplicate' });
    resendsLeft -= dupTake;
    return chosen;
  };

  /** One request, and up to MAX_RESENDS more of the same body while the answer is retryable. */
  const deliver = async (body: string, genuineIds: readonly number[]): Promise<RequestResult> => {
    for (let attempt = 0; ; attempt += 1) {
      const result = await post(agent, url, body, signal);
      requests += 1;
      latencies.push(result.ms);
      statuses[result.status] = (statuses[result.status] ?? 0) + 1;
      if (!isRetryable(result.status) || attempt >= RESEND_DELAYS_MS.length || signal.aborted) return result;
      resent += 1;
      for (const id of genuineIds) unsettled.add(id);
      await abortableSleep(RESEND_DELAYS_MS[attempt], signal);
    }
  };

  const started = performance.now();
  const worker = async () => {
    while (!signal.aborted) {
      if (inboxBehind(alertsDue)) await throttle();
      const chosen = next();
      if (chosen === 'done') return;
      if (chosen === 'wait') {
        if (inFlight === 0) return; // cannot happen: waiting means re-sends in flight
        await new Promise<void>((resolve) => {
          const previous = wake;
          wake = () => {
            previous?.();
            resolve();
          };
        });
        continue;
      }
      const body = JSON.stringify({
        callbacks: chosen.map(({ id, kind }) =>
          buildCallback(secrets, { callbackId: id, ...(kind === 'forged' ? { signWith: forgedKey } : {}) }),
        ),
      });
      const expect = { new: 0, duplicate: 0, forged: 0 };
      for (const item of chosen) expect[item.kind] += 1;
      const genuineIds = chosen.filter((item) => item.kind !== 'forged').map((item) => item.id);
      const resendsHere = chosen.reduce((n, item) => n + (item.kind === 'new' ? (plan.resends.get(item.id) ?? 0) : 0), 0);
      inFlight += 1;
      resendsInFlight += resendsHere;
      const result = await deliver(body, genuineIds);
      inFlight -= 1;
      resendsInFlight -= resendsHere;
      sentItems += chosen.length;
      items.new += expect.new;
      items.duplicate += expect.duplicate;
      items.forged += expect.forged;
      // 200: handled. 202: parked, handled later by the retry queue, so its alerts must still arrive exactly once.
      const answered = genuineIds.length > 0 ? ['200', '202'] : ['401'];
      const ok = answered.includes(result.status);
      if (!ok) {
        problem(`expected ${answered.join(' or ')}, got ${result.status} ${result.body.slice(0, 200)}`.trim());
      } else if (result.status === '401') {
        rejectedBy401 += chosen.length;
      } else if (result.status === '202') {
        parked += 1;
        for (const id of genuineIds) unsettled.add(id);
      } else if (!result.counts) {
        problem(`200 without counts: ${result.body.slice(0, 200)}`);
      } else {
        const c = result.counts;
        counts.accepted += c.accepted;
        counts.duplicates += c.duplicates;
        counts.ignored += c.ignored;
        counts.rejected += c.rejected;
        const settled = !genuineIds.some((id) => unsettled.has(id));
        const splitWrong = settled
          ? c.accepted !== expect.new || c.duplicates !== expect.duplicate
          : c.accepted + c.duplicates !== genuineIds.length;
        if (splitWrong || c.rejected !== expect.forged || c.ignored !== 0) {
          problem(
            `counts ${JSON.stringify(c)} for ${expect.new} new, ${expect.duplicate} duplicate(s), ${expect.forged} forged` +
              (settled ? '' : ' (some parked or re-sent before)') +
              (c.ignored > 0 ? " (ignored: is min_balance in the receiver's ALERT_TYPES?)" : ''),
          );
        }
      }
      if (ok) alertsDue += expect.new;
      // The new ids of an answered request may now be re-sent; those of a failed one are not.
      for (const item of chosen) {
        if (item.kind !== 'new') continue;
        const times = plan.resends.get(item.id) ?? 0;
        if (times === 0) continue;
        if (ok) for (let i = 0; i < times; i += 1) pool.push(item.id);
        else {
          resendsLeft -= times;
          resendsDropped += times;
        }
      }
      progress(sentItems, totalItems);
      completed();
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  const wallMs = performance.now() - started;
  const notSent = totalItems - sentItems - resendsDropped;
  return {
    requests,
    items,
    latencies,
    statuses,
    counts,
    rejectedBy401,
    parked,
    resent,
    throttledMs: Math.round(throttledMs),
    problems,
    problemCount,
    notSent,
    resendsDropped,
    wallMs,
  };
}
