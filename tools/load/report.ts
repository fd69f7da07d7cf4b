/**
 * The load test's result (what `--json` prints) and its report for a person.
 */
import type { InboxResult } from './inbox';
import { round1, type CpuPhase, type CpuShare } from './measure';
import type { Tally } from './sender';
import type { Cleanup } from './target';

export interface LoadResult {
  readonly pass: boolean;
  readonly problems: string[];
  readonly config: {
    readonly callbacks: number;
    readonly batch: number;
    readonly concurrency: number;
    readonly duplicates: number;
    readonly forged: number;
    readonly timeoutSeconds: number;
  };
  readonly target?: {
    readonly url: string;
    readonly ownStack: boolean;
    readonly motoPid?: number;
    /** The local stack's process: this one for an own stack (it runs in-process). */
    readonly stackPid?: number;
    readonly port?: number;
  };
  readonly sent?: {
    readonly requests: number;
    readonly callbacks: number;
    readonly genuine: number;
    readonly duplicates: number;
    readonly forged: number;
    readonly notSent: number;
    readonly duplicatesDropped: number;
    /** Requests answered 202 (parked; alerts via the retry queue), re-sent after a 5xx or no answer, and time held back. */
    readonly parked: number;
    readonly resent: number;
    readonly throttledSeconds: number;
  };
  readonly throughput?: { readonly seconds: number; readonly requestsPerSecond: number; readonly callbacksPerSecond: number };
  readonly latencyMs?: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
  readonly statuses?: Record<string, number>;
  readonly counts?: Tally & {
    readonly rejectedBy401: number;
    readonly expected: { accepted: number; duplicates: number; rejected: number };
  };
  readonly inbox?: InboxResult;
  readonly cpu?: { readonly send: CpuPhase; readonly drain?: CpuPhase };
  /** Messages waiting in the inboxes at the last response: the local stack's (it prints them) and the one checked here. */
  readonly backlogAtEnd?: { readonly stackInbox?: number; readonly checkedInbox?: number };
  readonly cleanup?: Cleanup;
  /** Starting the own local stack (moto, provisioning), s. */
  readonly startupSeconds?: number;
  readonly timedOut: boolean;
}

/** The result as a person reads it, on stdout. */
export function printReport(r: LoadResult): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out();
  if (r.target)
    out(
      `Target:      ${r.target.url} (${r.target.ownStack ? 'own local stack' : 'running local stack'}, moto pid ${r.target.motoPid ?? '?'})`,
    );
  if (r.sent && r.throughput && r.latencyMs) {
    out(
      `Sent:        ${r.sent.callbacks} callbacks in ${r.sent.requests} requests (${r.sent.genuine} new genuine, ${r.sent.duplicates} duplicates, ` +
        `${r.sent.forged} forged), batch ${r.config.batch}, ${r.config.concurrency} connections`,
    );
    out(
      `Throughput:  ${r.throughput.requestsPerSecond} requests/s, ${r.throughput.callbacksPerSecond} callbacks/s (${r.throughput.seconds} s` +
        `${r.sent.throttledSeconds ? `, of which ${r.sent.throttledSeconds} s held back for the inbox check` : ''})`,
    );
    out(
      `Latency:     p50 ${r.latencyMs.p50} ms, p90 ${r.latencyMs.p90} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms (mean ${r.latencyMs.mean} ms) per request`,
    );
  }
  if (r.statuses) {
    const extra = r.sent ? `; ${r.sent.parked} parked (202), ${r.sent.resent} re-sent after a 5xx or no answer` : '';
    out(
      `Statuses:    ${Object.entries(r.statuses)
        .map(([status, n]) => `${status} × ${n}`)
        .join(', ')}${extra}`,
    );
  }
  if (r.counts) {
    const e = r.counts.expected;
    out(
      `Counts:      accepted ${r.counts.accepted}/${e.accepted}, duplicates ${r.counts.duplicates}/${e.duplicates}, ` +
        `rejected ${r.counts.rejected + r.counts.rejectedBy401}/${e.rejected}${r.counts.rejectedBy401 ? ` (${r.counts.rejectedBy401} by 401)` : ''}, ignored ${r.counts.ignored}/0  (answered/expected)`,
    );
  }
  if (r.inbox) {
    const i = r.inbox;
    out(
      `Inbox:       ${i.distinct}/${i.expected} genuine ids alerted; lost ${i.missing}, duplicate alerts ${i.duplicated}, forged alerts ${i.forged}` +
        `${i.foreign ? `, not ours ${i.foreign}` : ''}${i.redelivered ? `, read twice ${i.redelivered}` : ''} (read during the load and ${round1(i.drainMs / 1000)} s after it; ${i.endedBy})`,
    );
  }
  const cpuLine = (label: string, phase: CpuPhase | undefined) => {
    if (!phase) return;
    const part = (name: string, share: CpuShare | undefined) =>
      share ? `${name} ${share.seconds} s (${share.percentOfCore}% of a core)` : undefined;
    const parts = [
      part('moto', phase.moto),
      part('local stack', phase.stack),
      part(r.target?.ownStack ? 'load generator + local stack (one process)' : 'load generator', phase.generator),
    ].filter(Boolean);
    if (parts.length > 0) out(`CPU ${label}: ${parts.join(', ')} over ${phase.wallSeconds} s`);
  };
  cpuLine('(send) ', r.cpu?.send);
  cpuLine('(after)', r.cpu?.drain);
  if (r.backlogAtEnd) {
    const printer = r.target?.ownStack ? '' : `${r.backlogAtEnd.stackInbox ?? '?'} alert(s) queued for the local stack's printer, `;
    out(`Backlog:     at the last response, ${printer}${r.backlogAtEnd.checkedInbox ?? '?'} for this check`);
  }
  if (r.cleanup) {
    out(
      `Stopped:     ${r.cleanup.stopped ? 'cleanly' : 'killed'}, moto ${r.cleanup.motoGone ? 'gone' : 'STILL RUNNING'}, ` +
        `port ${r.cleanup.portFree ? 'free' : 'STILL IN USE'}`,
    );
  }
  for (const problem of r.problems) out(`  problem: ${problem}`);
}
