/**
 * The watchdog's judgement, pure: from what Voximplant's GetAccountInfo says about the account and what this
 * stack knows (its webhook URL, its salts, when it last verified a callback), which conditions hold (assess),
 * and, against what the previous pass recorded, which of them open and which clear (transition). No AWS, no
 * I/O, no clock of its own: `now` is an argument, so the tables in test/unit/watchdog-findings.test.ts replay
 * any sequence of passes.
 *
 * Protocol facts relied on (docs/protocol.md, docs/voximplant-api.md): Voximplant sends `min_balance` when the
 * balance falls below `min_balance_to_notify`, and again (`is_repeated`) while it stays low; it signs callbacks
 * with `callback_salt` and posts them to `callback_url`; `frozen` means calls are stopped.
 */
import type { AccountInfo } from '../voximplant/management-api';

/** The conditions the watchdog alerts on, once when they open and once when they clear. */
export const CONDITIONS = ['callback_url_wrong', 'callback_salt_wrong', 'min_balance_not_called', 'account_frozen'] as const;
export type Condition = (typeof CONDITIONS)[number];

/** Not a tracked condition: counted as a metric an operations alarm watches, never an alert (no alert storm). */
export const CREDENTIALS_REFUSED = 'credentials_refused';

/** One condition found in a pass. `facts` are safe to show: never a salt or a key. */
export interface Finding {
  readonly condition: Condition;
  /** One sentence in plain words, for logs and `npm run check-account`. */
  readonly detail: string;
  readonly facts: FindingFacts;
}

/** What an alert about a finding may show. Amounts in `currency`. */
export interface FindingFacts {
  readonly balance?: number;
  readonly minBalanceToNotify?: number;
  readonly currency?: string;
  /** Voximplant's callback_url as the API answered it (untrusted text: the renderer cleans and caps it). */
  readonly configuredUrl?: string;
  readonly expectedUrl?: string;
  /** Epoch ms: the last min_balance callback this stack verified, if any. */
  readonly lastMinBalanceAt?: number;
}

/** What this stack knows, besides the account's answer. */
export interface StackFacts {
  /** The webhook URL Voximplant should call (the stack's WebhookUrl output). */
  readonly webhookUrl: string;
  /**
   * The salts a callback may be signed with (current first, then the previous one during a rotation). Compared
   * in constant time with Voximplant's callback_salt; never printed.
   */
  readonly salts: readonly string[];
  /** Epoch ms: when the receiver last verified a min_balance callback for this account, if it ever did. */
  readonly lastMinBalanceAt?: number;
}

/** What the watchdog remembers about the balance between passes (epoch ms). */
export interface BalanceMemory {
  /** The last pass that saw the balance at or above min_balance_to_notify. */
  readonly okAt?: number;
  /** The first pass of the current low spell (balance below min_balance_to_notify). */
  readonly lowSince?: number;
}

export interface AssessOptions {
  /**
   * How long a low balance may go without a min_balance callback before the watchdog says so: Voximplant calls
   * when the balance crosses, and the watchdog may read the low balance a moment before the callback arrives.
   */
  readonly minBalanceGraceMs: number;
}

export const ASSESS_DEFAULTS: AssessOptions = { minBalanceGraceMs: 10 * 60_000 };

export interface Assessment {
  readonly findings: readonly Finding[];
  /** The conditions this pass could judge; a condition not observed keeps its state (unknown is not cleared). */
  readonly observed: readonly Condition[];
  readonly balance: BalanceMemory;
}

/** The URL compared as a URL: scheme and host case-insensitive, a trailing slash of the path not significant. */
function normalizedUrl(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}${url.search}`;
  } catch {
    return undefined;
  }
}

/** Whether Voximplant's callback_url points at `webhookUrl`. */
export function sameWebhookUrl(configured: string | undefined, webhookUrl: string): boolean {
  if (configured === undefined || configured.trim() === '') return false;
  const a = normalizedUrl(configured);
  return a !== undefined && a === normalizedUrl(webhookUrl);
}

/**
 * Whether Voximplant's callback_salt is one of `salts`. Every salt is compared (no early exit), each in
 * constant time (SecretText.equals hashes both sides first).
 */
export function saltMatches(configured: AccountInfo['callbackSalt'], salts: readonly string[]): boolean {
  if (configured === undefined) return false;
  let match = false;
  for (const salt of salts) match = configured.equals(salt) || match;
  return match;
}

/**
 * The conditions that hold for `info` (a GetAccountInfo answer read at `now`, epoch ms). `memory` is the
 * previous pass's BalanceMemory. A field the answer lacks leaves its condition unobserved.
 *
 * min_balance_not_called holds when the balance is below min_balance_to_notify, no min_balance callback was
 * verified since the last pass that saw the balance above it (or ever, if no pass did), and the low spell began
 * at least `minBalanceGraceMs` ago.
 */
export function assess(
  info: AccountInfo,
  stack: StackFacts,
  memory: BalanceMemory,
  now: number,
  options: AssessOptions = ASSESS_DEFAULTS,
): Assessment {
  const findings: Finding[] = [];
  const observed: Condition[] = ['callback_url_wrong', 'callback_salt_wrong'];
  const money = { balance: info.balance, minBalanceToNotify: info.minBalanceToNotify, currency: info.currency };

  if (!sameWebhookUrl(info.callbackUrl, stack.webhookUrl)) {
    findings.push({
      condition: 'callback_url_wrong',
      detail:
        info.callbackUrl === undefined
          ? 'Voximplant has no callback URL: it calls nobody'
          : `Voximplant calls ${JSON.stringify(info.callbackUrl.slice(0, 200))}, not this stack's ${stack.webhookUrl}`,
      facts: { configuredUrl: info.callbackUrl, expectedUrl: stack.webhookUrl },
    });
  }
  if (!saltMatches(info.callbackSalt, stack.salts)) {
    findings.push({
      condition: 'callback_salt_wrong',
      detail:
        info.callbackSalt === undefined
          ? 'Voximplant has no callback salt: this stack refuses every callback'
          : "Voximplant's callback salt differs from this stack's: every callback fails verification",
      facts: {},
    });
  }
  if (info.frozen !== undefined) {
    observed.push('account_frozen');
    if (info.frozen) findings.push({ condition: 'account_frozen', detail: 'the account is frozen: calls are stopped', facts: money });
  }

  let balance = memory;
  if (info.balance !== undefined && info.minBalanceToNotify !== undefined) {
    observed.push('min_balance_not_called');
    if (info.balance >= info.minBalanceToNotify) {
      balance = { okAt: now };
    } else {
      const lowSince = memory.lowSince ?? now;
      balance = { ...memory, lowSince };
      const last = stack.lastMinBalanceAt;
      const called = last !== undefined && (memory.okAt === undefined || last >= memory.okAt);
      if (!called && now - lowSince >= options.minBalanceGraceMs) {
        findings.push({
          condition: 'min_balance_not_called',
          detail: `the balance (${info.balance} ${info.currency ?? ''}) is below min_balance_to_notify (${info.minBalanceToNotify}) and Voximplant did not call us`,
          facts: { ...money, lastMinBalanceAt: last },
        });
      }
    }
  }
  return { findings, observed, balance };
}

/** A condition open since `since` (epoch ms). */
export interface OpenCondition {
  readonly since: number;
}

/** What the watchdog keeps between passes (one small item per account). */
export interface WatchState {
  readonly open: Readonly<Partial<Record<Condition, OpenCondition>>>;
  readonly balance: BalanceMemory;
  /** Epoch ms of the pass that wrote it. */
  readonly checkedAt?: number;
}

export const EMPTY_STATE: WatchState = { open: {}, balance: {} };

/** A condition that has cleared, with how long it was open. */
export interface Cleared {
  readonly condition: Condition;
  readonly since: number;
}

export interface Transition {
  readonly next: WatchState;
  /** Open now and not before: alert once. */
  readonly opened: readonly Finding[];
  /** Open before, observed and absent now: say it once ("callback URL fixed"). */
  readonly cleared: readonly Cleared[];
}

/**
 * The next state after a pass that found `assessment` at `now` (epoch ms), given the previous state. A condition
 * opens when found and not open; clears when open, observed and not found; anything else keeps its state.
 */
export function transition(previous: WatchState, assessment: Assessment, now: number): Transition {
  const open: Partial<Record<Condition, OpenCondition>> = { ...previous.open };
  const found = new Map(assessment.findings.map((f) => [f.condition, f]));
  const opened: Finding[] = [];
  const cleared: Cleared[] = [];
  for (const condition of CONDITIONS) {
    const was = previous.open[condition];
    const finding = found.get(condition);
    if (finding && !was) {
      open[condition] = { since: now };
      opened.push(finding);
    } else if (!finding && was && assessment.observed.includes(condition)) {
      delete open[condition];
      cleared.push({ condition, since: was.since });
    }
  }
  return { next: { open, balance: assessment.balance, checkedAt: now }, opened, cleared };
}

/**
 * Undoes the events whose alert was refused (provably not sent), so the next pass finds them again: an opening
 * is forgotten, a clearing puts the condition back as it was in `previous`.
 */
export function revert(next: WatchState, previous: WatchState, unsent: ReadonlyArray<{ condition: Condition }>): WatchState {
  const open: Partial<Record<Condition, OpenCondition>> = { ...next.open };
  for (const { condition } of unsent) {
    const was = previous.open[condition];
    if (was) open[condition] = was;
    else delete open[condition];
  }
  return { ...next, open };
}
