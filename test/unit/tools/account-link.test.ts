/**
 * The account link's decisions (tools/account-link.ts), pure: no AWS, no HTTP. The commands that use them run
 * against moto and the Management API stand-in in test/integration/connect.test.ts.
 */
import { inspect } from 'node:util';
import {
  ACCOUNT_LINK,
  compareLink,
  describeChanges,
  generateCallbackSalt,
  parseMinBalance,
  planLink,
  refusalMessage,
  sameUrl,
  unreachableWebhookProblem,
} from '../../../tools/account-link';
import { MANAGEMENT_API, type AccountInfo } from '../../../lambda/voximplant/management-api';
import { SecretText } from '../../../lambda/voximplant/secret-text';

const STACK_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/';
const OTHER_URL = 'https://crm.example.com/voximplant';
const COMMAND = 'npm run configure --';

function account(overrides: Partial<Omit<AccountInfo, 'callbackSalt'>> & { salt?: string } = {}): AccountInfo {
  const { salt, ...rest } = overrides;
  return {
    accountId: '4242',
    balance: 12.5,
    minBalanceToNotify: 10,
    currency: 'USD',
    readAt: 0,
    ...(salt === undefined ? {} : { callbackSalt: new SecretText(salt) }),
    ...rest,
  };
}

describe('generateCallbackSalt', () => {
  it('is random, printable, and within the length Voximplant accepts', () => {
    const salts = new Set(Array.from({ length: 200 }, generateCallbackSalt));
    expect(salts.size).toBe(200);
    for (const salt of salts) {
      expect(salt).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(salt.length).toBeLessThanOrEqual(MANAGEMENT_API.callbackSaltMaxLength);
      expect(salt.length).toBe(Math.ceil((ACCOUNT_LINK.saltBytes * 4) / 3));
    }
  });
});

describe('parseMinBalance', () => {
  it.each([
    ['0', 0],
    ['10', 10],
    ['25.5', 25.5],
    [' 7.1234 ', 7.1234],
    ['999999999', 999_999_999],
  ])('accepts %j', (text, value) => {
    expect(parseMinBalance(text)).toEqual({ value });
  });
  it.each(['-1', 'abc', '', '1e3', '10,5', '1.23456', 'Infinity', '0x10', '1000000000'])('refuses %j with a sentence', (text) => {
    const parsed = parseMinBalance(text);
    expect(parsed).toHaveProperty('problem');
    expect((parsed as { problem: string }).problem).toMatch(/^--min-balance must be/);
  });
});

describe('sameUrl', () => {
  it('treats a trailing slash on the root and the host case as the same address, other paths as different', () => {
    expect(sameUrl('https://ABC.example.com', 'https://abc.example.com/')).toBe(true);
    expect(sameUrl(STACK_URL, `${STACK_URL}hook`)).toBe(false);
    expect(sameUrl('not a url', 'not a url')).toBe(true);
    expect(sameUrl('not a url', STACK_URL)).toBe(false);
  });
});

describe('planLink', () => {
  const request = { stackUrl: STACK_URL, newSalt: 'new-salt-abcdefghijklmnop', replace: false };

  it('a fresh account: sets the URL and the salt, no previous salt to keep', () => {
    const plan = planLink(account(), request);
    expect(plan).toEqual({ kind: 'link', changes: { callbackUrl: STACK_URL, callbackSalt: request.newSalt } });
  });

  it('another URL: refused without --replace, replaced with it (and no previous salt: its callbacks never came here)', () => {
    const linked = account({ callbackUrl: OTHER_URL, salt: 'their-salt' });
    expect(planLink(linked, request)).toEqual({ kind: 'refused', currentUrl: OTHER_URL });
    const plan = planLink(linked, { ...request, replace: true });
    expect(plan).toEqual({ kind: 'link', changes: { callbackUrl: STACK_URL, callbackSalt: request.newSalt }, replacedUrl: OTHER_URL });
  });

  it('already this stack: sets only the salt, and keeps the salt Voximplant signs with as the previous one', () => {
    const plan = planLink(account({ callbackUrl: STACK_URL.slice(0, -1), salt: 'salt-in-use' }), { ...request, minBalance: 25 });
    expect(plan).toEqual({ kind: 'link', changes: { callbackSalt: request.newSalt, minBalanceToNotify: 25 }, previousSalt: 'salt-in-use' });
  });

  it('already this stack without a salt: nothing to keep', () => {
    const plan = planLink(account({ callbackUrl: STACK_URL }), request);
    expect(plan).toEqual({ kind: 'link', changes: { callbackSalt: request.newSalt } });
  });
});

describe('messages', () => {
  it('the refusal shows the URL in use and the command with --replace', () => {
    const message = refusalMessage(OTHER_URL, STACK_URL, `${COMMAND} --connect`);
    expect(message).toContain(`Voximplant already sends this account's callbacks to ${OTHER_URL}`);
    expect(message).toContain('nothing was changed');
    expect(message).toContain(`  ${COMMAND} --connect --replace`);
  });

  it('describeChanges says before and after for each setting and never the salt', () => {
    const salt = 'the-new-salt-value-0123456789';
    const lines = describeChanges(account({ callbackUrl: OTHER_URL, salt: 'old' }), {
      callbackUrl: STACK_URL,
      callbackSalt: salt,
      minBalanceToNotify: 25.5,
    });
    expect(lines).toEqual([
      `callback_url: ${OTHER_URL} -> ${STACK_URL}`,
      `callback_salt: replaced -> a new random salt of ${salt.length} characters (not shown)`,
      'min_balance_to_notify: 10 USD -> 25.5 USD',
    ]);
    expect(describeChanges(account({ callbackUrl: STACK_URL }), { callbackSalt: salt })).toEqual([
      `callback_url: unchanged (${STACK_URL})`,
      `callback_salt: (not set) -> a new random salt of ${salt.length} characters (not shown)`,
    ]);
  });
});

describe('compareLink', () => {
  const stack = { url: STACK_URL, salt: 'stack-salt-123456', saltPrevious: 'stack-old-salt-98765' };

  it('linked: no finding', () => {
    expect(compareLink(account({ callbackUrl: STACK_URL, salt: stack.salt }), stack, COMMAND)).toEqual([]);
  });

  it('one line per finding, each with its fix, never a salt', () => {
    const cases: Array<[AccountInfo, string[]]> = [
      [
        account({ salt: stack.salt }),
        [`callback_url is not set: Voximplant sends this account's callbacks nowhere. Fix: ${COMMAND} --connect`],
      ],
      [
        account({ callbackUrl: OTHER_URL, salt: stack.salt }),
        [
          `callback_url is ${OTHER_URL}, not this stack's ${STACK_URL}: callbacks go elsewhere. Fix (if that URL feeds nothing else): ${COMMAND} --connect --replace`,
        ],
      ],
      [account({ callbackUrl: STACK_URL }), [`callback_salt is not set: every callback would be refused (401). Fix: ${COMMAND} --connect`]],
      [
        account({ callbackUrl: STACK_URL, salt: 'someone-elses-salt' }),
        [`callback_salt differs from the stack's salt: every callback is refused (401). Fix: ${COMMAND} --connect`],
      ],
      [
        account({ callbackUrl: STACK_URL, salt: stack.saltPrevious }),
        [`callback_salt is the stack's previous salt, not its current one: a link was not finished. Fix: ${COMMAND} --connect`],
      ],
    ];
    for (const [info, expected] of cases) {
      const findings = compareLink(info, stack, COMMAND);
      expect(findings).toEqual(expected);
      const text = findings.join('\n') + inspect(info);
      for (const salt of [stack.salt, stack.saltPrevious, 'someone-elses-salt']) expect(text).not.toContain(salt);
    }
    expect(compareLink(account({ callbackUrl: OTHER_URL, salt: 'x' }), stack, COMMAND)).toHaveLength(2);
  });

  it('salts of different lengths compare unequal without throwing (digests of equal length)', () => {
    expect(compareLink(account({ callbackUrl: STACK_URL, salt: 'a' }), { url: STACK_URL, salt: 'a'.repeat(39) }, COMMAND)).toHaveLength(1);
  });
});

describe('unreachableWebhookProblem', () => {
  it('refuses a loopback webhook URL for the public API, allows it for a loopback stand-in and any public URL', () => {
    const problem = unreachableWebhookProblem('http://127.0.0.1:3000/', MANAGEMENT_API.baseUrl);
    expect(problem).toContain('http://127.0.0.1:3000/ is this machine');
    expect(problem).toContain('--webhook-url');
    expect(unreachableWebhookProblem('http://localhost:3000/', MANAGEMENT_API.baseUrl)).toBeDefined();
    expect(unreachableWebhookProblem('http://127.0.0.1:3000/', 'http://127.0.0.1:4444/platform_api/')).toBeUndefined();
    expect(unreachableWebhookProblem('https://tunnel.example.com/', MANAGEMENT_API.baseUrl)).toBeUndefined();
  });
});
