/**
 * The watchdog's pure core (lambda/watchdog/findings.ts): every condition opens once and clears once across
 * repeated passes, with time injected (no clock, no mocks).
 */
import type { AccountInfo } from '../../../../lambda/voximplant/management-api';
import { SecretText } from '../../../../lambda/voximplant/secret-text';
import {
  assess,
  CONDITIONS,
  EMPTY_STATE,
  revert,
  sameWebhookUrl,
  saltMatches,
  transition,
  type Condition,
  type StackFacts,
  type WatchState,
} from '../../../../lambda/watchdog/findings';
import { renderCleared, renderOpened, WATCHDOG_ALERT_TYPES } from '../../../../lambda/render/watchdog';

const URL_ = 'https://abc123.execute-api.eu-west-1.amazonaws.com/';
const SALT = 'stack-salt-0123456789';
const MIN = 60_000;

const healthy: AccountInfo = {
  accountId: '4242',
  balance: 50,
  minBalanceToNotify: 10,
  frozen: false,
  currency: 'USD',
  callbackUrl: URL_,
  callbackSalt: new SecretText(SALT),
  readAt: 0,
};
const stack = (over: Partial<StackFacts> = {}): StackFacts => ({ webhookUrl: URL_, salts: [SALT], ...over });

/** Runs passes in order; returns what opened and cleared at each. */
function passes(steps: ReadonlyArray<{ at: number; info: Partial<AccountInfo>; stack?: Partial<StackFacts> }>) {
  let state: WatchState = EMPTY_STATE;
  return steps.map(({ at, info, stack: over }) => {
    const assessment = assess({ ...healthy, ...info }, stack(over), state.balance, at);
    const step = transition(state, assessment, at);
    state = step.next;
    return {
      found: assessment.findings.map((f) => f.condition),
      opened: step.opened.map((f) => f.condition),
      cleared: step.cleared.map((c) => c.condition),
      open: Object.keys(state.open).sort(),
    };
  });
}

describe('assess', () => {
  it('finds nothing for a healthy account linked to this stack', () => {
    expect(assess(healthy, stack(), {}, 0).findings).toEqual([]);
  });

  it.each<[string, Partial<AccountInfo>, Partial<StackFacts>, Condition]>([
    ['callback_url empty', { callbackUrl: undefined }, {}, 'callback_url_wrong'],
    ['callback_url another system', { callbackUrl: 'https://other.example/hook' }, {}, 'callback_url_wrong'],
    ['callback_salt empty', { callbackSalt: undefined }, {}, 'callback_salt_wrong'],
    ['callback_salt differs', { callbackSalt: new SecretText('other') }, {}, 'callback_salt_wrong'],
    ['frozen', { frozen: true }, {}, 'account_frozen'],
  ])('%s → %s', (_, info, over, condition) => {
    const { findings } = assess({ ...healthy, ...info }, stack(over), {}, 0);
    expect(findings.map((f) => f.condition)).toEqual([condition]);
  });

  it('never shows the salt in a finding, its detail or its alert', () => {
    const { findings } = assess({ ...healthy, callbackSalt: new SecretText('voximplant-side-salt') }, stack(), {}, 0);
    const text =
      JSON.stringify(findings) + JSON.stringify(findings.map((f) => renderOpened(f, { accountId: '4242', consoleUrl: 'x', now: 0 })));
    expect(text).not.toContain('voximplant-side-salt');
    expect(text).not.toContain(SALT);
  });

  it('accepts the previous salt during a rotation', () => {
    expect(saltMatches(new SecretText('old'), ['new', 'old'])).toBe(true);
    expect(saltMatches(new SecretText('old'), ['new'])).toBe(false);
    expect(saltMatches(undefined, ['new'])).toBe(false);
  });

  it.each([
    ['https://abc123.execute-api.eu-west-1.amazonaws.com', true],
    ['HTTPS://ABC123.execute-api.eu-west-1.amazonaws.com/', true],
    ['https://abc123.execute-api.eu-west-1.amazonaws.com/other', false],
    ['http://abc123.execute-api.eu-west-1.amazonaws.com/', false],
    ['not a url', false],
    ['', false],
  ])('callback_url %j is this stack: %s', (configured, same) => {
    expect(sameWebhookUrl(configured, URL_)).toBe(same);
  });

  it('leaves a condition unobserved when the answer lacks its field', () => {
    const { observed } = assess({ ...healthy, frozen: undefined, balance: undefined }, stack(), {}, 0);
    expect(observed).not.toContain('account_frozen');
    expect(observed).not.toContain('min_balance_not_called');
  });
});

describe('min_balance_not_called', () => {
  const low = { balance: 4 };
  it('opens after the grace period when no min_balance callback came, and clears once on a top-up', () => {
    expect(
      passes([
        { at: 0, info: {} },
        { at: 15 * MIN, info: low },
        { at: 30 * MIN, info: low },
        { at: 45 * MIN, info: low },
        { at: 60 * MIN, info: {} },
        { at: 75 * MIN, info: {} },
      ]),
    ).toEqual([
      { found: [], opened: [], cleared: [], open: [] },
      { found: [], opened: [], cleared: [], open: [] },
      { found: ['min_balance_not_called'], opened: ['min_balance_not_called'], cleared: [], open: ['min_balance_not_called'] },
      { found: ['min_balance_not_called'], opened: [], cleared: [], open: ['min_balance_not_called'] },
      { found: [], opened: [], cleared: ['min_balance_not_called'], open: [] },
      { found: [], opened: [], cleared: [], open: [] },
    ]);
  });

  it('stays quiet when Voximplant called after the balance was last seen ok', () => {
    const called = { lastMinBalanceAt: 10 * MIN };
    const result = passes([
      { at: 0, info: {} },
      { at: 15 * MIN, info: low, stack: called },
      { at: 30 * MIN, info: low, stack: called },
    ]);
    expect(result.map((r) => r.found)).toEqual([[], [], []]);
  });

  it('does not count a min_balance from an earlier low spell', () => {
    const old = { lastMinBalanceAt: -5 * MIN };
    const result = passes([
      { at: 0, info: {} },
      { at: 15 * MIN, info: low, stack: old },
      { at: 30 * MIN, info: low, stack: old },
    ]);
    expect(result.map((r) => r.opened)).toEqual([[], [], ['min_balance_not_called']]);
  });

  it('clears when the callback arrives late, while still low', () => {
    const result = passes([
      { at: 0, info: low },
      { at: 15 * MIN, info: low },
      { at: 30 * MIN, info: low, stack: { lastMinBalanceAt: 20 * MIN } },
    ]);
    expect(result.map((r) => [r.opened, r.cleared])).toEqual([
      [[], []],
      [['min_balance_not_called'], []],
      [[], ['min_balance_not_called']],
    ]);
  });
});

describe('transition: every condition opens once and clears once across repeated passes', () => {
  const broken: Record<Exclude<Condition, 'min_balance_not_called'>, Partial<AccountInfo>> = {
    callback_url_wrong: { callbackUrl: 'https://other.example/' },
    callback_salt_wrong: { callbackSalt: new SecretText('wrong') },
    account_frozen: { frozen: true },
  };
  it.each(Object.entries(broken))('%s', (condition, info) => {
    const result = passes([0, 1, 2, 3, 4, 5].map((i) => ({ at: i * 15 * MIN, info: i >= 1 && i <= 3 ? info : {} })));
    expect(result.map((r) => r.opened.length)).toEqual([0, 1, 0, 0, 0, 0]);
    expect(result.map((r) => r.cleared.length)).toEqual([0, 0, 0, 0, 1, 0]);
    expect(result[1].opened).toEqual([condition]);
    expect(result[4].cleared).toEqual([condition]);
  });

  it('keeps a condition open while it cannot be observed (unknown is not fixed)', () => {
    const result = passes([
      { at: 0, info: { frozen: true } },
      { at: 15 * MIN, info: { frozen: undefined } },
      { at: 30 * MIN, info: { frozen: false } },
    ]);
    expect(result.map((r) => r.cleared)).toEqual([[], [], ['account_frozen']]);
  });

  it('opens several conditions in one pass and records when each opened', () => {
    const assessment = assess({ ...healthy, callbackUrl: undefined, callbackSalt: undefined, frozen: true }, stack(), {}, 7);
    const step = transition(EMPTY_STATE, assessment, 7);
    expect(step.opened.map((f) => f.condition).sort()).toEqual(['account_frozen', 'callback_salt_wrong', 'callback_url_wrong']);
    expect(step.next.open.callback_url_wrong).toEqual({ since: 7 });
  });
});

describe('revert', () => {
  it('forgets a refused opening and restores a refused clearing, so the next pass says each again', () => {
    const previous: WatchState = { open: { account_frozen: { since: 1 } }, balance: {} };
    const assessment = assess({ ...healthy, callbackUrl: undefined }, stack(), {}, 9);
    const step = transition(previous, assessment, 9);
    expect(step.opened.map((f) => f.condition)).toEqual(['callback_url_wrong']);
    expect(step.cleared.map((c) => c.condition)).toEqual(['account_frozen']);
    const undone = revert(step.next, previous, [{ condition: 'callback_url_wrong' }, { condition: 'account_frozen' }]);
    expect(undone.open).toEqual({ account_frozen: { since: 1 } });
    const again = transition(undone, assess({ ...healthy, callbackUrl: undefined }, stack(), {}, 10), 10);
    expect(again.opened.map((f) => f.condition)).toEqual(['callback_url_wrong']);
    expect(again.cleared.map((c) => c.condition)).toEqual(['account_frozen']);
  });
});

describe('watchdog alert texts', () => {
  const options = { accountId: '4242', consoleUrl: 'https://manage.voximplant.com/', now: Date.UTC(2026, 0, 2, 3, 4, 5) };
  const all = assess(
    { ...healthy, callbackUrl: `https://evil.example/${'x'.repeat(3000)}\u202e`, callbackSalt: undefined, frozen: true, balance: 1 },
    stack({}),
    { lowSince: 0, okAt: -1 },
    60 * MIN,
  ).findings;

  it('has a finding for every condition in this fixture', () => {
    expect(all.map((f) => f.condition).sort()).toEqual([...CONDITIONS].sort());
  });

  it.each(CONDITIONS)('%s: subject ASCII < 100, SMS one GSM-7 segment, type named for filters', (condition) => {
    const opened = renderOpened(
      all.find((f) => f.condition === condition)!,
      options,
    );
    const cleared = renderCleared({ condition, since: 0 }, options);
    for (const alert of [opened, cleared]) {
      expect(alert.subject.length).toBeLessThan(100);
      expect(alert.subject).toMatch(/^[\x20-\x7e]+$/);
      expect(alert.sms.length).toBeLessThanOrEqual(160);
      expect(alert.sms).toMatch(/^[\x20-\x7e]+$/);
      expect(alert.sms).not.toMatch(/[[\]{}\\^~|`]/);
      expect(alert.email).not.toContain('\u202e');
      expect(WATCHDOG_ALERT_TYPES).toContain(alert.type);
    }
    expect(opened).toMatchObject({ type: `watchdog_${condition}`, severity: 'critical' });
    expect(cleared).toMatchObject({ type: `watchdog_${condition}_cleared`, severity: 'info' });
  });

  it('says in plain words what was fixed', () => {
    expect(renderCleared({ condition: 'callback_url_wrong', since: 0 }, options).subject).toBe(
      'Voximplant watchdog: callback URL fixed on account 4242',
    );
    expect(
      renderOpened(
        all.find((f) => f.condition === 'min_balance_not_called')!,
        options,
      ).sms,
    ).toContain('Voximplant did not call us');
  });
});
