/**
 * Chat messages (issue 16): every rendered type, in both languages, as an Amazon Q Developer custom notification
 * that the documented schema accepts, and as a Telegram text within sendMessage's limit; threads per incident;
 * hostile fields cannot format, link or mention.
 */
import type { Alert } from '../../../../lambda/model';
import { chatOf, customNotification, TELEGRAM_TEXT_MAX, telegramText, threadIdOf } from '../../../../lambda/chat/message';
import { renderAlert } from '../../../../lambda/render';
import { CHAT_LIMITS } from '../../../../lambda/render/text';
import { SNS_LIMITS } from '../../../../lambda/sns-limits';
import { validateCustomNotification } from '../../../support/custom-notification-schema';
import { CONSOLE, expectNoSecrets, item, OPTIONS, RENDER_CASES, renderIn, untranslated } from '../render/support';

const MARKUP = /[<>[\]`*~@&]/;

describe('every type in both languages, as chat', () => {
  it.each(RENDER_CASES)('%s', (_: string, type: string, data: unknown, overrides: Record<string, unknown>) => {
    const callback = item(type, data, overrides);
    for (const language of ['en', 'ru'] as const) {
      const alert = renderIn(callback, language);
      const notification = customNotification(alert);
      const valid = validateCustomNotification(notification);
      expect(validateCustomNotification.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
      const chat = chatOf(alert);
      expect(chat).toBe(alert.chat);
      expect(Array.from(chat.description).length).toBeLessThanOrEqual(CHAT_LIMITS.ownDescription);
      expect(chat.nextSteps.at(-1)).toContain(CONSOLE);
      expect(chat.keywords).toContain(alert.type);
      // Published as the whole SNS message: far inside Publish's size limit.
      expect(Buffer.byteLength(JSON.stringify(notification))).toBeLessThan(SNS_LIMITS.maxMessageBytes / 8);
      const text = telegramText(alert);
      expect(text.length).toBeGreaterThan(0);
      expect(text.length).toBeLessThanOrEqual(TELEGRAM_TEXT_MAX);
      expect(text.startsWith(chat.title)).toBe(true);
      expectNoSecrets({ ...alert, email: [chat.title, chat.description, ...chat.nextSteps, text].join('\n') });
      if (language === 'ru') {
        const words = [chat.title, chat.description, ...chat.nextSteps, chat.keywords[0]].join('\n');
        expect(untranslated(words, callback.fields)).toEqual([]);
      }
    }
  });
});

describe('min_balance in chat', () => {
  it('reads as a person would write it, in English and in Russian', () => {
    const en = renderIn(item('min_balance', {}), 'en').chat!;
    expect(en.title).toBe('Voximplant: balance low on "acme" (id 1234567)');
    expect(en.description.split('\n')[0]).toBe('The account balance has fallen below the notification threshold.');
    expect(en.description).toContain('Balance: 4.87 USD');
    expect(en.nextSteps).toEqual(['Top up the balance in the control panel before calls stop.', `Control panel: ${CONSOLE}`]);
    const ru = renderIn(item('min_balance', {}), 'ru').chat!;
    expect(ru.title).toBe('Voximplant, «acme» (ID 1234567): низкий баланс');
    expect(ru.description).toContain('Баланс: 4,87 USD');
    expect(ru.keywords[0]).toBe('критично');
  });
});

describe('threads', () => {
  const base = renderAlert(item('min_balance', {}), OPTIONS);
  it("gives an incident's alerts one thread, and a one-off alert its own", () => {
    const opening = { ...base, incident: '1234567#low-balance' };
    const reminder = { ...base, callbackId: 987655, incident: '1234567#low-balance' };
    const other = { ...base, incident: '1234567#frozen' };
    expect(threadIdOf(opening)).toBe(threadIdOf(reminder));
    expect(threadIdOf(opening)).not.toBe(threadIdOf(other));
    expect(threadIdOf(opening)).toMatch(/^incident-[0-9a-f]{32}$/);
    expect(threadIdOf(base)).toBe('callback-1234567-987654');
    expect(customNotification(reminder).metadata.threadId).toBe(threadIdOf(opening));
  });
});

describe('hostile fields', () => {
  it('cannot mention, link or format in chat', () => {
    const name = '<!channel> *urgent* [pay here](https://evil.example) `x` @here ~y~ & co';
    const alert = renderAlert(item('min_balance', {}, { account_name: name }), OPTIONS);
    const chat = alert.chat!;
    for (const part of [chat.title, chat.description, ...chat.keywords]) expect(part).not.toMatch(MARKUP);
    expect(chat.title).toContain('‹!channel› ∗urgent∗ (pay he...');
    // The link's text and its address both show: nothing hides where it points.
    expect(chat.description).toContain("‹!channel› ∗urgent∗ (pay here)(https://evil.example) 'x' ＠here ∼y∼ ＆ co");
    expect(validateCustomNotification(customNotification(alert))).toBe(true);
  });
});

describe('an alert rendered without chat text', () => {
  it('is shown from its subject and email, within the limits', () => {
    const { chat: _, ...rest } = renderAlert(item('min_balance', {}), OPTIONS);
    const alert: Alert = { ...rest, email: 'x'.repeat(20_000) };
    const fallback = chatOf(alert);
    expect(fallback.title).toBe(alert.subject);
    expect(Array.from(fallback.description).length).toBeLessThanOrEqual(CHAT_LIMITS.ownDescription);
    expect(validateCustomNotification(customNotification(alert))).toBe(true);
  });
});

describe('the schema check', () => {
  it('refuses what the documented format does not allow', () => {
    const good = customNotification(renderAlert(item('min_balance', {}), OPTIONS));
    expect(validateCustomNotification(good)).toBe(true);
    expect(validateCustomNotification({ ...good, version: '2.0' })).toBe(false);
    expect(validateCustomNotification({ ...good, content: { ...good.content, title: 't'.repeat(251) } })).toBe(false);
    expect(validateCustomNotification({ ...good, content: { ...good.content, description: undefined } })).toBe(false);
    expect(validateCustomNotification({ ...good, extra: 1 })).toBe(false);
  });
});
