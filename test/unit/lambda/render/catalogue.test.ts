import { KNOWN_TYPES, renderAlert, severityOf } from '../../../../lambda/render';
import { entryOf } from '../../../../lambda/render/catalogue';
import { SAMPLE_DATA, SAMPLE_TYPES, sampleData } from '../../../../lambda/render/samples';
import { expectValid, FIXTURES, item, OPTIONS } from './support';

describe('KNOWN_TYPES', () => {
  it('names every type in the protocol reference, once', () => {
    expect([...KNOWN_TYPES].sort()).toEqual(Object.keys(FIXTURES).sort());
    expect(new Set(KNOWN_TYPES).size).toBe(KNOWN_TYPES.length);
  });
});

describe('severityOf', () => {
  it.each([
    ['min_balance', 'critical'],
    ['account_is_frozen', 'critical'],
    ['card_payment_failed', 'critical'],
    ['next_charge_alert', 'critical'],
    ['subscription_is_frozen', 'critical'],
    ['card_expired', 'warning'],
    ['card_expires_in_month', 'warning'],
    ['sip_registration_fail', 'warning'],
    ['js_fail', 'warning'],
    ['expiring_callerid', 'warning'],
    ['expired_agreement', 'warning'],
    ['expiring_certificates', 'warning'],
    ['reset_account_password_request', 'warning'],
    ['subscription_is_detached', 'warning'],
    ['card_payment', 'info'],
    ['sip_registration_recovered', 'info'],
    ['call_history_report', 'info'],
    ['account_is_unfrozen', 'info'],
    ['no_such_type', 'info'],
    ['constructor', 'info'],
    ['__proto__', 'info'],
    ['', 'info'],
  ])('%s is %s', (type, severity) => {
    expect(severityOf(type)).toBe(severity);
  });
});

describe('samples', () => {
  it("has sample data for exactly the catalogue's types", () => {
    expect([...SAMPLE_TYPES].sort()).toEqual([...KNOWN_TYPES].sort());
    expect(Object.keys(SAMPLE_DATA).sort()).toEqual([...KNOWN_TYPES].sort());
  });

  it('answers no sample for a type outside the catalogue, inherited names included', () => {
    for (const type of ['no_such_type', 'constructor', '__proto__', 'toString', '']) {
      expect(sampleData(type)).toBeUndefined();
      expect(entryOf(type)).toBeUndefined();
    }
  });

  it.each(SAMPLE_TYPES)('renders the %s sample in detail, within bounds', (type) => {
    const alert = renderAlert(item(type, sampleData(type)), OPTIONS);
    expectValid(alert);
    expect(alert.type).toBe(type);
    expect(alert.severity).toBe(severityOf(type));
    expect(alert.email).not.toContain('does not know');
  });
});
