/**
 * `npm run load`: a bounded load test against the local stack.
 *
 * Sends N signed min_balance callbacks in batches over a fixed pool of keep-alive connections, with a share
 * of duplicates (ids already answered, re-sent in another request) and of forged items (wrong hash). It reads
 * the SQS inbox during the load and after it (until every expected alert arrived, or a quiet period, or the
 * deadline) and checks it holds exactly the expected alerts: every genuine id once, nothing else.
 * It acts as a retrying sender: a 202 (parked by the receiver) is an answer whose alerts must still arrive
 * exactly once, through the retry queue; a 5xx or no answer is sent again, a few times.
 *
 * What it measures locally is moto's ceiling, not the receiver's. moto serves every request under one lock
 * on one core, and its SQS scans a whole queue for each message sent or received; on a 2-core machine it
 * saturates at about 65 callbacks/s, already at 4 connections. More connections only queue longer in moto:
 * from about 16 its answers pass the receiver's 1.5 s SDK timeout, the SDK retries calls moto did carry out
 * (a publish then goes out twice; a claim used to read as a duplicate and lose its alert, until claims carried
 * a token: test/integration/faults.test.ts, fault 9), and from 16 on moto collapses
 * under abandoned requests (mostly 503s). Hence the default of 4 connections; `--concurrency 50` runs the
 * issue's scenario, which on moto is expected to FAIL, and reports why.
 *
 * By default it starts its own local stack in this process (startLocalStack, local/stack.ts) on a free port,
 * and stops it at the end; moto stays its own process, so its CPU is measured apart (the local stack's counts
 * with the load generator's). `--use-running` (or `--url`) targets a running `npm start` instead, found
 * through its state file. Only loopback targets; everything is bounded by `--timeout`.
 * The parts: load/plan.ts (which ids), load/sender.ts, load/inbox.ts (the check), load/target.ts (the stack),
 * load/measure.ts (CPU, percentiles), load/report.ts (the result).
 */
import { setMaxListeners } from 'node:events';
import { SQSClient } from '@aws-sdk/client-sqs';
import { errorMessage } from '../lambda/errors';
import { fraction, parseCommandLine, runCommand, UsageError, wholeNumber } from './cli';
import { InboxWatcher, INBOX_READERS, queueDepth } from './load/inbox';
import { cpuBetween, percentile, round1, sampleCpu, type Processes } from './load/measure';
import { makePlan } from './load/plan';
import { printReport, type LoadResult } from './load/report';
import { sendAll } from './load/sender';
import { findRunningStack, isLoopback, startOwnStack, STOP_GRACE_MS, stopOwnStack, type Cleanup, type Target } from './load/target';

/** The receiver's MAX_BODY_BYTES is 256 KiB; a min_balance item is about 330 bytes. */
const MAX_BATCH = 500;

const USAGE = `Usage: npm run load -- [options]

A bounded load test against the local stack: signed min_balance callbacks in batches over keep-alive
connections, with duplicates and forged items mixed in; then the SQS inbox must hold exactly one alert per
genuine callback id, and none for a forged one. Prints PASS or FAIL; exit code 0 only on PASS.

Options:
  --callbacks <n>     callback items to send in all, duplicates and forged included (default 5000)
  --batch <n>         callbacks per request (default 10, at most 500: the receiver refuses bodies over 256 KiB)
  --concurrency <n>   concurrent connections (keep-alive, default 4). moto, not the receiver, is the limit:
                      on one core it saturates at ~65 callbacks/s with 4 connections already; beyond ~16 its
                      answers exceed the receiver's 1.5 s SDK timeout: alerts double, requests end 503,
                      and at 50 (runnable, expected to FAIL on moto: one core, whole-queue scans) it collapses
  --duplicates <f>    fraction of items that re-send an id already answered, in another request (default 0.1)
  --forged <f>        fraction of items with a wrong hash (default 0.1)
  --use-running       target the running \`npm start\` (its state file: LOCAL_STACK_STATE or .local-stack/state.json)
  --url <url>         target this running local stack (must match its state file; loopback only)
                      Default (neither): start an own local stack on a free port, and stop it at the end.
  --timeout <s>       hard bound for the whole run, stack start included (default 240); stopping adds a few s
  --json              print one JSON result on stdout (progress goes to stderr)
  -h, --help          this text`;

async function main(argv: string[]): Promise<number> {
  const values = parseCommandLine(argv, USAGE, {
    callbacks: { type: 'string' },
    batch: { type: 'string' },
    concurrency: { type: 'string' },
    duplicates: { type: 'string' },
    forged: { type: 'string' },
    url: { type: 'string' },
    'use-running': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    timeout: { type: 'string' },
  });
  const config = {
    callbacks: wholeNumber('--callbacks', values.callbacks, 5000, 1, 100_000),
    batch: wholeNumber('--batch', values.batch, 10, 1, MAX_BATCH),
    concurrency: wholeNumber('--concurrency', values.concurrency, 4, 1, 256),
    duplicates: fraction('--duplicates', values.duplicates, 0.1),
    forged: fraction('--forged', values.forged, 0.1),
    timeoutSeconds: wholeNumber('--timeout', values.timeout, 240, 1, 3600),
  };
  if (values.url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(values.url);
    } catch {
      throw new UsageError(`--url is not a URL: ${JSON.stringify(values.url)}`);
    }
    if (parsed.protocol !== 'http:' || !isLoopback(parsed))
      throw new UsageError(`--url must be an http:// loopback address (127.0.0.1), got ${values.url}`);
  }
  const plan = makePlan(config.callbacks, config.duplicates, config.forged);

  const json = values.json;
  const log = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
  const started = Date.now();
  const deadline = started + config.timeoutSeconds * 1000;
  const abort = new AbortController();
  setMaxListeners(2 * config.concurrency + 20, abort.signal); // per worker: its request in flight, or its pause before a re-send
  let timedOut = false;
  const hardStop = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, config.timeoutSeconds * 1000);
  hardStop.unref();

  const problems: string[] = [];
  let target: Target | undefined;
  let cleanup: Cleanup | undefined;
  let sqs: SQSClient | undefined;
  const partial: { -readonly [K in keyof LoadResult]?: LoadResult[K] } = {};

  // Ctrl-C: stop sending, stop the own stack, report.
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    problems.push('interrupted');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A last resort if stopping hangs: exit.
  const lastResort = setTimeout(
    () => {
      // moto ends with this process (its stdin closes, see local/moto.ts): nothing else was started.
      process.stderr.write('error: the run did not end in time after --timeout; exiting, which ends the moto it started\n');
      process.exit(1);
    },
    config.timeoutSeconds * 1000 + STOP_GRACE_MS + 15_000,
  );
  lastResort.unref();

  try {
    // 1. The target.
    if (values['use-running'] || values.url !== undefined) {
      target = await findRunningStack(values.url);
      log(`using the running local stack at ${target.state.url} (pid ${target.state.pid})`);
    } else {
      log('starting an own local stack in this process (moto, provisioning)...');
      try {
        target = await startOwnStack(abort.signal);
      } catch (error) {
        if (abort.signal.aborted) throw new Error('the local stack was not ready in time (stopped)', { cause: error });
        throw error;
      }
      partial.startupSeconds = round1((Date.now() - started) / 1000);
      log(`local stack ready in ${partial.startupSeconds} s: ${target.state.url} (moto pid ${target.state.motoPid})`);
    }
    const { state, secrets, own } = target;
    const url = new URL(state.url);
    if (url.hostname === 'localhost') url.hostname = '127.0.0.1';
    partial.target = {
      url: url.href,
      ownStack: own !== undefined,
      motoPid: state.motoPid,
      stackPid: state.pid,
      ...(own ? { port: own.stack.port } : {}),
    };
    sqs = new SQSClient({});
    // In-process, the stack's CPU is this process's: it counts with the generator's.
    const pids: Processes = { moto: state.motoPid, ...(own ? {} : { stack: state.pid }) };

    // 2. Send.
    log(
      `sending ${config.callbacks} callbacks (${plan.genuineIds.size} unique genuine, ${plan.duplicates} duplicates, ${plan.forgedIds.size} forged) ` +
        `to ${url.href} in batches of ${config.batch} over ${config.concurrency} connections...`,
    );
    // The inbox: the topic's second subscriber (the local stack prints from the first), read from now on.
    const watcher = new InboxWatcher(sqs, state.senderInboxUrl, plan, secrets.accountId, deadline, state.retryQueueUrl);
    abort.signal.addEventListener('abort', () => watcher.stop());
    let lastReport = Date.now();
    const cpuStart = sampleCpu(pids);
    watcher.start(INBOX_READERS);
    const options = {
      url,
      batch: config.batch,
      concurrency: config.concurrency,
      secrets,
      signal: abort.signal,
      inboxBehind: (due: number) => watcher.isBehind(due),
    };
    const sent = await sendAll(options, plan, (done, total) => {
      if (Date.now() - lastReport >= 5000) {
        lastReport = Date.now();
        log(`  ${done}/${total} callbacks answered`);
      }
    });
    const cpuSent = sampleCpu(pids);
    // How far the inboxes lag when the last response came: moto's ReceiveMessage scans the whole queue, so a
    // backlog makes every read slower. The own stack's printing inbox is never subscribed; a running one's is read.
    partial.backlogAtEnd = {
      ...(own ? {} : { stackInbox: await queueDepth(sqs, state.inboxUrl) }),
      checkedInbox: await queueDepth(sqs, state.senderInboxUrl),
    };
    const sorted = [...sent.latencies].sort((a, b) => a - b);
    const seconds = sent.wallMs / 1000;
    partial.sent = {
      requests: sent.requests,
      callbacks: sent.items.new + sent.items.duplicate + sent.items.forged,
      genuine: sent.items.new,
      duplicates: sent.items.duplicate,
      forged: sent.items.forged,
      notSent: sent.notSent,
      duplicatesDropped: sent.resendsDropped,
      parked: sent.parked,
      resent: sent.resent,
      throttledSeconds: round1(sent.throttledMs / 1000),
    };
    partial.throughput = {
      seconds: Math.round(seconds * 100) / 100,
      requestsPerSecond: round1(sent.requests / seconds),
      callbacksPerSecond: round1(partial.sent.callbacks / seconds),
    };
    partial.latencyMs = {
      p50: Math.round(percentile(sorted, 50)),
      p90: Math.round(percentile(sorted, 90)),
      p99: Math.round(percentile(sorted, 99)),
      max: Math.round(sorted[sorted.length - 1] ?? 0),
      mean: Math.round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    };
    partial.statuses = sent.statuses;
    partial.counts = {
      ...sent.counts,
      rejectedBy401: sent.rejectedBy401,
      expected: { accepted: sent.items.new, duplicates: sent.items.duplicate, rejected: sent.items.forged },
    };
    partial.cpu = { send: cpuBetween(cpuStart, cpuSent) };
    problems.push(...sent.problems);
    if (sent.problemCount > sent.problems.length)
      problems.push(`... and ${sent.problemCount - sent.problems.length} more request problem(s)`);
    if (sent.notSent > 0) problems.push(`${sent.notSent} callback(s) not sent: stopped early`);
    if (sent.resendsDropped > 0) problems.push(`${sent.resendsDropped} duplicate(s) not sent: the request with their first copy failed`);
    const c = sent.counts;
    if (sent.parked === 0 && sent.resent === 0) {
      if (c.accepted !== plan.genuineIds.size)
        problems.push(`accepted ${c.accepted} in all, expected ${plan.genuineIds.size} (one per unique genuine id)`);
      if (c.duplicates !== plan.duplicates) problems.push(`duplicates ${c.duplicates} in all, expected ${plan.duplicates} (the re-sends)`);
      if (c.rejected + sent.rejectedBy401 !== plan.forgedIds.size)
        problems.push(`rejected ${c.rejected + sent.rejectedBy401} in all, expected ${plan.forgedIds.size} (the forged items)`);
    } else {
      // A parked request's counts are partial and a re-sent one counts its items again: the inbox decides.
      log(`note: ${sent.parked} request(s) parked (202) and ${sent.resent} re-sent: the answered totals are not checked, the inbox is`);
    }
    if (c.ignored !== 0) problems.push(`ignored ${c.ignored}: min_balance is not in the receiver's ALERT_TYPES`);

    // 3. The rest of the inbox.
    if (!abort.signal.aborted) log(`waiting for the rest of the ${plan.genuineIds.size} alerts...`);
    const inbox = await watcher.finish();
    partial.inbox = inbox;
    partial.cpu = { send: partial.cpu.send, drain: cpuBetween(cpuSent, sampleCpu(pids)) };
    const cut = inbox.endedBy === 'deadline' || inbox.endedBy === 'stopped';
    if (cut)
      problems.push(
        `the inbox check was cut short (${inbox.endedBy === 'deadline' ? '--timeout' : 'stopped'}): ${inbox.distinct} of ${inbox.expected} alerts had arrived`,
      );
    if (inbox.missing > 0 && !cut)
      problems.push(`${inbox.missing} genuine callback(s) never alerted (lost), e.g. ${inbox.missingSample.join(', ')}`);
    if (inbox.duplicated > 0) problems.push(`${inbox.duplicated} duplicate alert(s), e.g. for ${inbox.duplicatedSample.join(', ')}`);
    if (inbox.forged > 0) problems.push(`${inbox.forged} alert(s) for forged callbacks`);
    if (inbox.foreign > 0) log(`note: ${inbox.foreign} alert(s) in the inbox were not this run's (ignored)`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    problems.push(error instanceof Error && !(error as { $metadata?: unknown }).$metadata ? error.message : errorMessage(error));
  } finally {
    sqs?.destroy();
    if (target?.own) {
      log('stopping the own local stack...');
      const { own } = target;
      cleanup = await stopOwnStack(own);
      if (!cleanup.stopped)
        problems.push(`the local stack did not stop within ${STOP_GRACE_MS / 1000} s; its last problems:\n${own.errors.join('\n')}`);
      if (!cleanup.motoGone) problems.push(`moto (pid ${own.stack.moto?.pid}) is still running`);
      if (!cleanup.portFree) problems.push(`port ${own.stack.port} is still in use`);
    }
  }
  if (timedOut) problems.unshift(`stopped by --timeout after ${config.timeoutSeconds} s`);

  const result: LoadResult = { pass: problems.length === 0, problems, config, ...partial, ...(cleanup ? { cleanup } : {}), timedOut };
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else printReport(result);
  const verdict = result.pass
    ? `PASS: ${plan.genuineIds.size} genuine callbacks alerted exactly once, ${plan.duplicates} duplicates and ${plan.forgedIds.size} forged alerted never`
    : `FAIL: ${problems[0]?.split('\n')[0] ?? 'see above'}${problems.length > 1 ? ` (+${problems.length - 1} more)` : ''}`;
  (json ? process.stderr : process.stdout).write(`${verdict}\n`);
  return result.pass ? 0 : 1;
}

if (require.main === module) runCommand(USAGE, () => main(process.argv.slice(2)));
