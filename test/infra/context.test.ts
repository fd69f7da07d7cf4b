/** infra/context.ts: pure parsing and validation of the CDK context values (no synthesis). */
import {
  CONTEXT_DEFAULTS,
  ContextError,
  parseAlertLanguage,
  parseAlertTypes,
  parseEmails,
  parseKmsKeyArn,
  parseParameterPrefix,
  parsePhoneNumbers,
  parsePositiveInteger,
  parsePositiveNumber,
  parseSeverities,
  parseSmsAlertTypes,
  parseWatchInterval,
  readSettings,
  SEVERITIES,
} from '../../infra/context';
import { DEFAULTS } from '../../lambda/config';
import { KNOWN_TYPES } from '../../lambda/render';
import { WATCHDOG_OPENING_TYPES } from '../../lambda/render/watchdog';
import { DEFAULT_REMINDER_SCHEDULE } from '../../lambda/incidents/model';

const fromRecord = (record: Record<string, unknown>) => (key: string) => record[key];

describe('readSettings', () => {
  it('has defaults for everything: no subscribers, critical-only SMS, low throttling', () => {
    expect(readSettings(fromRecord({}))).toEqual({
      parameterPrefix: DEFAULTS.parameterPrefix,
      alertTypes: DEFAULTS.alertTypes,
      alertEmails: [],
      alertSms: [],
      smsSeverities: ['critical'],
      smsAlertTypes: '*',
      throttleRate: 10,
      throttleBurst: 20,
      watchInterval: 15,
      alertLanguage: 'auto',
      reminderSchedule: DEFAULT_REMINDER_SCHEDULE,
      escalationEmails: [],
      escalationSms: [],
    });
  });

  it('reads command-line strings', () => {
    const settings = readSettings(
      fromRecord({
        parameterPrefix: '/acme/vox',
        alertTypes: 'min_balance, account_is_frozen',
        alertEmail: 'a@example.com,b@example.org',
        alertSms: '+15551234567',
        smsSeverities: 'critical,warning',
        smsAlertTypes: 'account_is_frozen',
        throttleRate: '2.5',
        throttleBurst: '5',
        kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/abcd-1234',
        watchInterval: '5',
        alertLanguage: 'ru',
        reminderSchedule: '15m,1h,4h',
        escalationEmail: 'boss@example.com',
        escalationSms: '+15559876543',
      }),
    );
    expect(settings).toEqual({
      parameterPrefix: '/acme/vox',
      alertTypes: 'min_balance,account_is_frozen',
      alertEmails: ['a@example.com', 'b@example.org'],
      alertSms: ['+15551234567'],
      smsSeverities: ['critical', 'warning'],
      smsAlertTypes: ['account_is_frozen'],
      throttleRate: 2.5,
      throttleBurst: 5,
      kmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/abcd-1234',
      watchInterval: 5,
      alertLanguage: 'ru',
      reminderSchedule: { offsetsMs: [15 * 60_000, 3_600_000], repeatMs: 4 * 3_600_000 },
      escalationEmails: ['boss@example.com'],
      escalationSms: ['+15559876543'],
    });
  });

  it('reads cdk.json values: arrays and numbers', () => {
    const settings = readSettings(
      fromRecord({ alertEmail: ['a@example.com'], alertSms: ['+15551234567', '+447700900123'], throttleRate: 3 }),
    );
    expect(settings.alertEmails).toEqual(['a@example.com']);
    expect(settings.alertSms).toEqual(['+15551234567', '+447700900123']);
    expect(settings.throttleRate).toBe(3);
  });

  it('fits every known type with every severity in one SNS filter policy (at most 150 combinations)', () => {
    // Only catalogue names are accepted, so the largest possible filter is the whole catalogue x 3 severities.
    const all = [...KNOWN_TYPES, ...WATCHDOG_OPENING_TYPES];
    const settings = readSettings(fromRecord({ smsSeverities: 'critical,warning,info', smsAlertTypes: all.join(',') }));
    expect(settings.smsAlertTypes).toHaveLength(all.length);
    // + 1: the incident follow-ups' type prefix, which the stack adds to the list.
    expect((all.length + 1) * 3).toBeLessThanOrEqual(150);
  });
});

describe('reminderSchedule and escalation recipients', () => {
  it('default: 30 min, 2 h, 6 h, then every 12 h; no escalation recipients', () => {
    const settings = readSettings(fromRecord({}));
    expect(settings.reminderSchedule).toEqual({ offsetsMs: [1_800_000, 7_200_000, 21_600_000], repeatMs: 43_200_000 });
    expect([settings.escalationEmails, settings.escalationSms]).toEqual([[], []]);
  });

  it.each([
    [{ reminderSchedule: '1h,30m,12h' }, 'reminderSchedule="1h,30m,12h": the offsets must ascend'],
    [{ reminderSchedule: '10s,1h' }, 'reminderSchedule="10s,1h": "10s" is out of range: from 1m to 30d'],
    [{ reminderSchedule: ['30m'] }, 'reminderSchedule=["30m"]: expected offsets from the opening'],
    [{ escalationEmail: 'boss@' }, 'escalationEmail="boss@": not an email address; expected e.g. -c escalationEmail='],
    [{ escalationSms: '+1 555' }, 'escalationSms="+1": not an E.164 phone number'],
  ])('refuses %j', (context, message) => {
    expect(() => readSettings(fromRecord(context))).toThrow(message);
  });
});

describe('watchInterval', () => {
  it('defaults to 15 minutes and reads whole minutes from 1 to 1440', () => {
    expect(parseWatchInterval(undefined)).toBe(15);
    expect(parseWatchInterval('')).toBe(15);
    expect(parseWatchInterval('1')).toBe(1);
    expect(parseWatchInterval(60)).toBe(60);
    expect(parseWatchInterval(' 1440 ')).toBe(1440);
  });

  it.each(['0', '-5', '2.5', '1441', '15m', 'rate(15 minutes)', true])('refuses %j, naming the key and the expected form', (value) => {
    expect(() => parseWatchInterval(value)).toThrow(ContextError);
    expect(() => parseWatchInterval(value)).toThrow(
      `Invalid context value watchInterval=${JSON.stringify(value)}: expected whole minutes between watchdog passes, 1 to 1440`,
    );
  });
});

describe('maxCallbackAgeHours', () => {
  it('is off unless given; then a positive number of hours', () => {
    expect(readSettings(fromRecord({})).maxCallbackAgeHours).toBeUndefined();
    expect(readSettings(fromRecord({ maxCallbackAgeHours: '72' })).maxCallbackAgeHours).toBe(72);
    expect(() => readSettings(fromRecord({ maxCallbackAgeHours: '0' }))).toThrow(
      'Invalid context value maxCallbackAgeHours="0": expected a positive number of hours',
    );
  });
});

describe('smsAlertTypes and the watchdog', () => {
  it("accepts the watchdog's opening types, never for forwarding", () => {
    expect(parseSmsAlertTypes('min_balance,watchdog_callback_url_wrong')).toEqual(['min_balance', 'watchdog_callback_url_wrong']);
    expect(() => parseAlertTypes('watchdog_callback_url_wrong')).toThrow(ContextError);
  });
});

describe('emails', () => {
  it('accepts a comma/space separated list and drops case-insensitive duplicates', () => {
    expect(parseEmails('ops@example.com, CFO@example.org ops@EXAMPLE.com')).toEqual(['ops@example.com', 'CFO@example.org']);
    expect(parseEmails(undefined)).toEqual([]);
    expect(parseEmails('')).toEqual([]);
  });

  it.each(['ops', 'ops@', '@example.com', 'ops@example', 'ops@@example.com', 'ops@exa_mple.com', 'ops@-example.com'])(
    'rejects %s naming the key, the value and the expected form',
    (bad) => {
      expect(() => parseEmails(`good@example.com,${bad}`)).toThrow(ContextError);
      expect(() => parseEmails(bad)).toThrow(`alertEmail="${bad}"`);
      expect(() => parseEmails(bad)).toThrow(/not an email address; expected e\.g\. -c alertEmail=/);
    },
  );

  it('rejects non-strings', () => {
    expect(() => parseEmails([42])).toThrow(/alertEmail=\[42\]/);
  });
});

describe('SMS numbers (E.164)', () => {
  it('accepts +country code and number', () => {
    expect(parsePhoneNumbers('+15551234567,+447700900123,+15551234567')).toEqual(['+15551234567', '+447700900123']);
  });

  it.each(['15551234567', '+0155512345', '+1-555-123-4567', '(555)1234567', '+1555123456789012', '+12345', 'tel:+15551234567'])(
    'rejects %s with the expected form',
    (bad) => {
      expect(() => parsePhoneNumbers(bad)).toThrow(`alertSms="${bad}"`);
      expect(() => parsePhoneNumbers(bad)).toThrow(/not an E\.164 phone number.*e\.g\. -c alertSms=\+15551234567/);
    },
  );
});

describe('parameter prefix', () => {
  it('defaults to the Lambda default and accepts nested paths', () => {
    expect(parseParameterPrefix(undefined)).toBe(DEFAULTS.parameterPrefix);
    expect(parseParameterPrefix('/acme/voximplant-alerts')).toBe('/acme/voximplant-alerts');
  });

  it.each([
    ['voximplant', /must start with '\/'/],
    ['/voximplant/', /must not end with '\/'/],
    ['/', /must not end with '\/'/],
    ['/a//b', /single '\/' separators/],
    ['/a b', /only letters/],
    ['/aws/voximplant', /reserved/],
    ['/SSM', /reserved/],
  ])('rejects %s', (bad, reason) => {
    expect(() => parseParameterPrefix(bad)).toThrow(`parameterPrefix="${bad}"`);
    expect(() => parseParameterPrefix(bad)).toThrow(reason);
  });
});

describe('callback types', () => {
  it('normalizes ALERT_TYPES for the Lambda', () => {
    expect(parseAlertTypes(undefined)).toBe(DEFAULTS.alertTypes);
    expect(parseAlertTypes('')).toBe(DEFAULTS.alertTypes);
    expect(parseAlertTypes('min_balance account_is_frozen,min_balance')).toBe('min_balance,account_is_frozen');
    expect(parseAlertTypes('*')).toBe('*');
  });

  it('rejects junk and a * mixed with names', () => {
    expect(() => parseAlertTypes('MinBalance')).toThrow(/alertTypes="MinBalance": not a Voximplant callback type/);
    expect(() => parseAlertTypes('*,min_balance')).toThrow(/cannot be combined/);
    expect(() => parseSmsAlertTypes('min-balance')).toThrow(/smsAlertTypes="min-balance"/);
  });

  it('stops on a type name that is not in the catalogue, naming the closest known type', () => {
    expect(() => parseAlertTypes('min_balanse')).toThrow(
      'Invalid context value alertTypes="min_balanse": not a known Voximplant callback type; did you mean min_balance?',
    );
    expect(() => parseAlertTypes('min_balance,acount_is_frozen')).toThrow(/"acount_is_frozen": .*did you mean account_is_frozen\?/);
    expect(() => parseSmsAlertTypes('sip_registration_failed')).toThrow(/smsAlertTypes=.*did you mean sip_registration_fail\?/);
    expect(() => readSettings(fromRecord({ alertTypes: 'nonsense' }))).toThrow(ContextError);
    expect(parseAlertTypes(KNOWN_TYPES.join(','))).toBe(KNOWN_TYPES.join(','));
  });

  it('SMS types default to all forwarded types', () => {
    expect(parseSmsAlertTypes(undefined)).toBe('*');
    expect(parseSmsAlertTypes('account_is_frozen')).toEqual(['account_is_frozen']);
  });
});

describe('SMS severities', () => {
  it('knows exactly the severities the Lambda emits', () => {
    expect([...SEVERITIES].sort()).toEqual(['critical', 'info', 'warning']);
  });

  it('defaults to critical, accepts a list or *', () => {
    expect(parseSeverities(undefined)).toEqual([...CONTEXT_DEFAULTS.smsSeverities]);
    expect(parseSeverities('warning,critical')).toEqual(['warning', 'critical']);
    expect(parseSeverities('*')).toBe('*');
  });

  it('rejects unknown severities', () => {
    expect(() => parseSeverities('critical,urgent')).toThrow(
      /smsSeverities="urgent": not a severity; expected one or more of critical\|warning\|info/,
    );
  });
});

describe('throttling numbers', () => {
  it('accepts positive numbers, integers for the burst', () => {
    expect(parsePositiveNumber('throttleRate', undefined, 10)).toBe(10);
    expect(parsePositiveNumber('throttleRate', ' 0.5 ', 10)).toBe(0.5);
    expect(parsePositiveInteger('throttleBurst', '30', 20)).toBe(30);
  });

  it.each(['0', '-1', 'ten', 'NaN', 'Infinity'])('rejects rate %s', (bad) => {
    expect(() => parsePositiveNumber('throttleRate', bad, 10)).toThrow(`throttleRate="${bad}": expected a positive number`);
  });

  it('rejects a fractional burst', () => {
    expect(() => parsePositiveInteger('throttleBurst', '2.5', 20)).toThrow('throttleBurst="2.5": expected a positive whole number');
  });
});

describe('alert language', () => {
  it.each([
    [undefined, 'auto'],
    ['', 'auto'],
    ['auto', 'auto'],
    ['en', 'en'],
    ['ru', 'ru'],
  ])('reads %p as %p', (value, language) => {
    expect(parseAlertLanguage(value)).toBe(language);
    expect(CONTEXT_DEFAULTS.alertLanguage).toBe(DEFAULTS.alertLanguage);
  });

  it.each(['RU', 'ru-RU', 'russian', ' ru', 'de', 'ru,en', 1, true, ['ru']])('rejects %p, naming the choices', (value) => {
    expect(() => parseAlertLanguage(value)).toThrow(ContextError);
    expect(() => parseAlertLanguage(value)).toThrow(
      `Invalid context value alertLanguage=${JSON.stringify(value)}: expected en, ru or auto (the default: each alert in its callback's language_code`,
    );
  });
});

describe('KMS key ARN', () => {
  it('is optional', () => {
    expect(parseKmsKeyArn(undefined)).toBeUndefined();
    expect(parseKmsKeyArn('')).toBeUndefined();
  });

  it.each([
    'arn:aws:kms:eu-west-1:123456789012:alias/my-key',
    'alias/aws/ssm',
    '1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:eu-west-1:1234:key/abc',
  ])('rejects %s: IAM needs the key ARN', (bad) => {
    expect(() => parseKmsKeyArn(bad)).toThrow(/kmsKeyArn=.*expected a KMS key ARN like arn:aws:kms:/);
  });

  it('accepts key ARNs in other partitions', () => {
    const arn = 'arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(parseKmsKeyArn(arn)).toBe(arn);
  });
});

describe('chat destinations', () => {
  const SLACK = { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' };
  const TEAMS = {
    teamsTenantId: '01234567-89ab-cdef-0123-456789abcdef',
    teamsId: '76543210-89ab-cdef-0123-456789abcdef',
    teamsChannelId: '19%3ab6ef35dc342d56ba5654e6fc6d25a071%40thread.tacv2',
  };

  it('reads each destination with its severities, critical and warning by default', () => {
    const settings = readSettings(fromRecord({ ...SLACK, ...TEAMS, teamsSeverities: '*', telegramChatId: '-1001234567890' }));
    expect(settings.chat).toEqual({
      slack: { workspaceId: 'T0123ABCD', channelId: 'C0123ABCD', severities: ['critical', 'warning'] },
      teams: { tenantId: TEAMS.teamsTenantId, teamId: TEAMS.teamsId, channelId: TEAMS.teamsChannelId, severities: '*' },
      telegram: { chatId: '-1001234567890', severities: ['critical', 'warning'] },
    });
    expect(readSettings(fromRecord({ telegramChatId: '@voximplant_ops', telegramSeverities: 'critical' })).chat).toEqual({
      telegram: { chatId: '@voximplant_ops', severities: ['critical'] },
    });
  });

  it('names the missing key of half a pair', () => {
    expect(() => readSettings(fromRecord({ slackWorkspaceId: 'T0123ABCD' }))).toThrow(
      new ContextError('slackChannelId', undefined, 'slackWorkspaceId needs slackChannelId too'),
    );
    expect(() => readSettings(fromRecord({ teamsTenantId: TEAMS.teamsTenantId, teamsChannelId: TEAMS.teamsChannelId }))).toThrow(
      /teamsId=undefined: teamsTenantId and teamsChannelId need teamsId too/,
    );
  });

  it.each([
    ['slackWorkspaceId', { ...SLACK, slackWorkspaceId: 'acme.slack.com' }, /T0123ABCD/],
    ['slackChannelId', { ...SLACK, slackChannelId: '#alerts' }, /C0123ABCD/],
    ['teamsTenantId', { ...TEAMS, teamsTenantId: 'not-a-guid' }, /GUID/],
    ['teamsChannelId', { ...TEAMS, teamsChannelId: '19:abc@thread.tacv2' }, /URL-encoded/],
    ['telegramChatId', { telegramChatId: 'my group' }, /@my_alerts_channel/],
    ['telegramChatId', { telegramChatId: '12.5' }, /-1001234567890/],
  ])('refuses a malformed %s with its expected form', (key, context, expected) => {
    expect(() => readSettings(fromRecord(context))).toThrow(new RegExp(`Invalid context value ${key}=`));
    expect(() => readSettings(fromRecord(context))).toThrow(expected);
  });

  it('refuses severities for a destination that is not set, and unknown severities', () => {
    expect(() => readSettings(fromRecord({ teamsSeverities: 'critical' }))).toThrow(/teamsSeverities.*set only with its destination/);
    expect(() => readSettings(fromRecord({ telegramChatId: '-100123', telegramSeverities: 'urgent' }))).toThrow(
      /telegramSeverities="urgent": not a severity/,
    );
  });

  it('has no chat settings when no chat key is set', () => {
    expect(readSettings(fromRecord({})).chat).toBeUndefined();
  });
});
