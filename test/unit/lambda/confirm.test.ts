/**
 * Balance confirmation (lambda/confirm.ts): which items ask, what an answer or an error becomes, and that the
 * ask is bounded by its budget (manual clock: decided by abort, never by timing). Then the receiver with
 * in-memory edges: unverified and duplicate items never ask, one ask per request.
 */
import { CONFIRMED_TYPES, confirmBalances, confirmationOf, needsConfirmation, unconfirmedReason } from '../../../lambda/confirm';
import { BUDGET, Deadline } from '../../../lambda/deadline';
import { METRICS } from '../../../lambda/contract';
import type { AccountInfoSource, AccountState } from '../../../lambda/ports';
import { receive } from '../../../lambda/pipeline';
import { AuthRefusedError, ManagementApiError, NotFoundError, ThrottledError, UnavailableError } from '../../../lambda/voximplant/errors';
import { buildCallback, envelope } from '../../../local/callbacks';
import { fakeDeps, MemoryLog, testConfig, untilAbort } from '../../support/fakes';
import { VECTOR, VOX } from '../../../local/fixtures';
import { ManualClock } from '../../support/manual-clock';
import { ACCOUNT_FIGURES } from './render/support';

const STATE: AccountState = { accountId: VECTOR.accountId, ...ACCOUNT_FIGURES };

/** A source that records every call and answers with `answer` (a state, an error to throw, or 'stall'). */
function source(answer: AccountState | Error | 'stall' | 'ignore-signal' = STATE) {
  const calls: AbortSignal[] = [];
  const accountInfo: AccountInfoSource = {
    async getAccountInfo({ signal }) {
      calls.push(signal);
      if (answer === 'stall') return untilAbort(signal);
      if (answer === 'ignore-signal') return new Promise<never>(() => undefined);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { accountInfo, calls };
}

function deps(accountInfo?: AccountInfoSource) {
  const counts: Record<string, number> = {};
  return {
    accountInfo,
    log: new MemoryLog(),
    counters: { count: (name: string, n: number) => void (counts[name] = (counts[name] ?? 0) + n) },
    counts,
  };
}

const item = (type: string) => ({ type, accountId: Number(VECTOR.accountId) });

describe('the switch: VOXIMPLANT_API_URL', () => {
  it('set, confirmation is on against that URL; unset or empty, it is off', () => {
    expect(testConfig({ VOXIMPLANT_API_URL: 'https://api.voximplant.com/platform_api/' }).voximplantApiUrl).toBe(
      'https://api.voximplant.com/platform_api/',
    );
    expect(testConfig({ VOXIMPLANT_API_URL: '' }).voximplantApiUrl).toBeUndefined();
    expect(testConfig().voximplantApiUrl).toBeUndefined();
  });
});

describe('which items ask', () => {
  it('min_balance, account_is_frozen and next_charge_alert, nothing else', () => {
    expect([...CONFIRMED_TYPES].sort()).toEqual(['account_is_frozen', 'min_balance', 'next_charge_alert']);
    expect(needsConfirmation([item('card_payment'), item('account_is_frozen')])).toBe(true);
    expect(needsConfirmation([item('card_payment'), item('balance_is_changed'), item('account_is_unfrozen')])).toBe(false);
    expect(needsConfirmation([])).toBe(false);
  });
});

describe('an answer becomes a confirmation', () => {
  it('keeps balance, credit limit, frozen, threshold, currency and the time read; drops the account id', () => {
    expect(confirmationOf(STATE)).toEqual({
      kind: 'confirmed',
      balance: 4.8,
      creditLimit: 0,
      frozen: false,
      minBalanceToNotify: 10,
      currency: 'USD',
      readAt: STATE.readAt,
    });
  });
});

describe('every error becomes an unconfirmed reason', () => {
  const live = new AbortController().signal;
  it.each([
    {
      label: 'the client timed out',
      error: new UnavailableError('GetAccountInfo', 'no answer within 1500 ms', { timedOut: true }),
      reason: 'timed-out',
    },
    {
      label: 'credentials refused',
      error: new AuthRefusedError('GetAccountInfo', 'error 100: Authorization failed', { code: 100 }),
      reason: 'refused',
    },
    { label: 'account unknown', error: new NotFoundError('GetAccountInfo', 'error 115', { code: 115 }), reason: 'refused' },
    { label: 'throttled', error: new ThrottledError('GetAccountInfo', 'error 340', { code: 340 }), reason: 'unavailable' },
    { label: '5xx', error: new UnavailableError('GetAccountInfo', 'HTTP 503', { httpStatus: 503 }), reason: 'unavailable' },
    { label: 'another API code', error: new ManagementApiError('GetAccountInfo', 'error 999', { code: 999 }), reason: 'unavailable' },
    { label: 'a bad base URL', error: new Error('VOXIMPLANT_API_URL must be https'), reason: 'unavailable' },
    { label: 'not even an Error', error: 'boom', reason: 'unavailable' },
  ])('$label → $reason', ({ error, reason }) => {
    expect(unconfirmedReason(error, live)).toBe(reason);
  });

  it('our own budget running out is a timeout, whatever the error says', () => {
    const controller = new AbortController();
    controller.abort();
    expect(unconfirmedReason(new UnavailableError('GetAccountInfo', 'aborted by the caller'), controller.signal)).toBe('timed-out');
  });
});

describe('confirmBalances', () => {
  const publishBy = (clock: ManualClock, ms = 8000) => Deadline.in(ms, clock);

  it('is off without a source: no confirmation for any item', async () => {
    const d = deps();
    const confirmationFor = await confirmBalances(d, [item('min_balance')], publishBy(new ManualClock()));
    expect(confirmationFor(item('min_balance'))).toBeUndefined();
    expect(d.counts).toEqual({});
  });

  it('does not ask when no item is a balance type', async () => {
    const s = source();
    const d = deps(s.accountInfo);
    const confirmationFor = await confirmBalances(d, [item('card_payment'), item('js_fail')], publishBy(new ManualClock()));
    expect(s.calls).toHaveLength(0);
    expect(confirmationFor(item('card_payment'))).toBeUndefined();
  });

  it('asks once for several balance items, and gives the answer to each balance item only', async () => {
    const s = source();
    const d = deps(s.accountInfo);
    const items = [item('min_balance'), item('account_is_frozen'), item('next_charge_alert'), item('card_payment')];
    const confirmationFor = await confirmBalances(d, items, publishBy(new ManualClock()));
    expect(s.calls).toHaveLength(1);
    for (const balanceItem of items.slice(0, 3)) expect(confirmationFor(balanceItem)).toEqual(confirmationOf(STATE));
    expect(confirmationFor(item('card_payment'))).toBeUndefined();
    expect(d.counts).toEqual({ [METRICS.names.balanceConfirmed]: 1 });
  });

  it('an answer about another account confirms nothing', async () => {
    const s = source({ ...STATE, accountId: '999' });
    const confirmationFor = await confirmBalances(deps(s.accountInfo), [item('min_balance')], publishBy(new ManualClock()));
    expect(confirmationFor(item('min_balance'))).toEqual({ kind: 'unconfirmed', reason: 'unavailable' });
  });

  it('an error gives an unconfirmed alert with its reason, logged and counted', async () => {
    const s = source(new AuthRefusedError('GetAccountInfo', 'error 100: Authorization failed', { code: 100 }));
    const d = deps(s.accountInfo);
    const confirmationFor = await confirmBalances(d, [item('min_balance')], publishBy(new ManualClock()));
    expect(confirmationFor(item('min_balance'))).toEqual({ kind: 'unconfirmed', reason: 'refused' });
    expect(d.counts).toEqual({ [METRICS.names.balanceUnconfirmed]: 1 });
    expect(d.log.lines).toEqual([expect.objectContaining({ level: 'warn', message: expect.stringContaining('not confirmed') })]);
  });

  it.each(['stall', 'ignore-signal'] as const)(
    'a source that never answers (%s) is given up at the budget, BUDGET.confirmMs',
    async (answer) => {
      const clock = new ManualClock();
      const s = source(answer);
      const start = clock.now();
      const { value, at } = await clock.settle(confirmBalances(deps(s.accountInfo), [item('min_balance')], publishBy(clock)));
      expect(value(item('min_balance'))).toEqual({ kind: 'unconfirmed', reason: 'timed-out' });
      expect(at - start).toBeGreaterThanOrEqual(BUDGET.confirmMs);
      expect(at - start).toBeLessThanOrEqual(BUDGET.confirmMs + 50);
    },
  );

  it('leaves the publish its time: with little left, the budget shrinks to what publishing does not need', async () => {
    const clock = new ManualClock();
    const s = source('stall');
    const start = clock.now();
    const { at } = await clock.settle(
      confirmBalances(deps(s.accountInfo), [item('min_balance')], publishBy(clock, BUDGET.publishMs + 400)),
      10,
    );
    expect(at - start).toBeLessThanOrEqual(400 + 10);
  });

  it('does not ask at all when no time is left before the publish needs it', async () => {
    const s = source();
    const d = deps(s.accountInfo);
    const confirmationFor = await confirmBalances(d, [item('min_balance')], publishBy(new ManualClock(), BUDGET.publishMs));
    expect(s.calls).toHaveLength(0);
    expect(confirmationFor(item('min_balance'))).toEqual({ kind: 'unconfirmed', reason: 'no-time' });
  });
});

describe('the receiver asks only for verified, newly claimed balance items', () => {
  const FORGER = { salt: 'guess', apiKey: 'guess' };

  function setup(answer?: AccountState) {
    const s = source(answer);
    const d = { ...fakeDeps({ ALERT_TYPES: '*' }), accountInfo: s.accountInfo };
    return { s, d, run: (body: string) => receive(body, d, Deadline.in(9500)) };
  }

  it('never for unverified items: forged balance callbacks make no call', async () => {
    const { s, d, run } = setup();
    const outcome = await run(
      envelope(
        buildCallback(VOX, { callbackId: 1, signWith: FORGER }),
        buildCallback(VOX, { callbackId: 2, type: 'account_is_frozen', signWith: FORGER }),
      ),
    );
    expect(outcome).toMatchObject({ kind: 'done', statusCode: 401 });
    expect(s.calls).toHaveLength(0);
    expect(d.publisher.sent).toHaveLength(0);
  });

  it('never for duplicates, and once for a request with several new balance items', async () => {
    const { s, d, run } = setup();
    await run(envelope(buildCallback(VOX, { callbackId: 1 }), buildCallback(VOX, { callbackId: 2, type: 'next_charge_alert' })));
    expect(s.calls).toHaveLength(1);
    expect(d.publisher.sent.map((a) => a.sms)).toEqual([
      expect.stringContaining('Confirmed 4.80 USD at 12:03 UTC.'),
      expect.stringContaining('Confirmed 4.80 USD at 12:03 UTC.'),
    ]);
    await run(envelope(buildCallback(VOX, { callbackId: 1 }), buildCallback(VOX, { callbackId: 3, type: 'card_payment' })));
    expect(s.calls).toHaveLength(1);
    expect(d.publisher.sent).toHaveLength(3);
    expect(d.publisher.sent[2].email).not.toContain('Confirmed');
  });

  it('the alert goes out unconfirmed when the source fails', async () => {
    const s = source(new UnavailableError('GetAccountInfo', 'HTTP 503', { httpStatus: 503 }));
    const d = { ...fakeDeps(), accountInfo: s.accountInfo };
    const outcome = await receive(envelope(buildCallback(VOX, { callbackId: 7 })), d, Deadline.in(9500));
    expect(outcome).toMatchObject({ kind: 'done', statusCode: 200 });
    expect(d.publisher.sent).toHaveLength(1);
    expect(d.publisher.sent[0].sms).toContain('Not confirmed: API unavailable.');
    expect(d.publisher.sent[0].email).toContain("Confirmed balance: not confirmed: Voximplant's account API was unavailable");
  });
});
