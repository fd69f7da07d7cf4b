/**
 * Confirmed balance in every balance alert (issue 14, item 3). A callback's body is unsigned (only the callback
 * id is covered by the hash; see the protocol reference), so the balance it carries is the sender's word. For
 * the balance alerts of a request that are about to go out (verified and newly claimed, never an unverified or
 * duplicate item), the receiver asks Voximplant's Management API (GetAccountInfo) once, within a short budget,
 * and every such alert shows the answer, or says plainly why there is none.
 *
 * Never blocks or delays an alert past the budget: one call per request, bounded by BUDGET.confirmMs and by
 * the time publishing still needs (BUDGET.publishMs before the publish deadline); any error, or no time
 * left, gives an unconfirmed alert. Off (no call, alerts as before) when no AccountInfoSource is configured.
 * No AWS imports: the source is a port (ports.ts).
 */
import type { BalanceConfirmation, CallbackItem, UnconfirmedReason } from './model';
import { BUDGET, untilAborted, type Deadline } from './deadline';
import { errorMessage } from './errors';
import { METRICS } from './contract';
import type { AccountInfoSource, AccountState, Counters, Log } from './ports';
import { AuthRefusedError, NotFoundError, UnavailableError } from './voximplant/errors';

/** The callback types whose alert shows a confirmed balance: money running out, or service stopped for it. */
export const CONFIRMED_TYPES: ReadonlySet<string> = new Set(['min_balance', 'account_is_frozen', 'next_charge_alert']);

/** Whether any of `items` is of a type in CONFIRMED_TYPES. */
export function needsConfirmation(items: readonly Pick<CallbackItem, 'type'>[]): boolean {
  return items.some((item) => CONFIRMED_TYPES.has(item.type));
}

/** The confirmation an answer gives: its balance, credit limit, frozen state, threshold and currency, and when it was read. */
export function confirmationOf(state: AccountState): BalanceConfirmation {
  const { balance, creditLimit, frozen, minBalanceToNotify, currency, readAt } = state;
  return { kind: 'confirmed', balance, creditLimit, frozen, minBalanceToNotify, currency, readAt };
}

/**
 * Why a call failed, in the three words an alert uses: our own budget ran out (`signal` aborted) or the client's
 * wait did → 'timed-out'; the API refused the credentials or did not know the account → 'refused'; anything
 * else (5xx, throttled, malformed answer, a connection failure, a bad VOXIMPLANT_API_URL, a bug) → 'unavailable'.
 */
export function unconfirmedReason(error: unknown, signal: AbortSignal): UnconfirmedReason {
  if (signal.aborted || (error instanceof UnavailableError && error.timedOut)) return 'timed-out';
  if (error instanceof AuthRefusedError || error instanceof NotFoundError) return 'refused';
  return 'unavailable';
}

/** What the receiver passes on to the renderer: the confirmation for one item, undefined when its type is not confirmed. */
export type ConfirmationFor = (item: Pick<CallbackItem, 'type' | 'accountId'>) => BalanceConfirmation | undefined;

const NONE: ConfirmationFor = () => undefined;

/**
 * Per item, the confirmation for `items`: those about to be alerted (verified and newly claimed). Asks
 * `source` once when any of them is of a confirmed type, by `publishBy` less BUDGET.publishMs and at most
 * BUDGET.confirmMs from now; not at all when `source` is undefined (off) or less than BUDGET.confirmMinMs is
 * left ('no-time'). An answer about another account than an item's counts as unavailable for that item.
 * Never throws; counts METRICS.names.balanceConfirmed / balanceUnconfirmed and logs why it is unconfirmed.
 */
export async function confirmBalances(
  deps: { readonly accountInfo?: AccountInfoSource; readonly log: Log; readonly counters: Counters },
  items: readonly Pick<CallbackItem, 'type'>[],
  publishBy: Deadline,
): Promise<ConfirmationFor> {
  const source = deps.accountInfo;
  if (source === undefined || !needsConfirmation(items)) return NONE;
  const by = publishBy.child(BUDGET.publishMs).within(BUDGET.confirmMs);
  let result: BalanceConfirmation;
  let accountId: string | undefined;
  if (by.remainingMs() < BUDGET.confirmMinMs) {
    result = { kind: 'unconfirmed', reason: 'no-time' };
    deps.log.warn('Balance not confirmed: no time left to ask', { reason: result.reason });
  } else {
    const signal = by.signal;
    try {
      // untilAborted: a source that ignores its signal still cannot hold the alert back.
      const state = await untilAborted(
        Promise.resolve().then(() => source.getAccountInfo({ signal })),
        signal,
      );
      result = confirmationOf(state);
      accountId = state.accountId;
    } catch (error) {
      result = { kind: 'unconfirmed', reason: unconfirmedReason(error, signal) };
      deps.log.warn('Balance not confirmed: the alert goes out without it', { reason: result.reason, error: errorMessage(error) });
    }
  }
  deps.counters.count(result.kind === 'confirmed' ? METRICS.names.balanceConfirmed : METRICS.names.balanceUnconfirmed, 1);
  const otherAccount: BalanceConfirmation = { kind: 'unconfirmed', reason: 'unavailable' };
  return (item) => {
    if (!CONFIRMED_TYPES.has(item.type)) return undefined;
    return accountId === undefined || accountId === String(item.accountId) ? result : otherAccount;
  };
}
