/** local/secrets.ts: the Telegram bot token's form (configure --telegram-bot-token refuses anything else). */
import { telegramTokenProblem } from '../../../local/secrets';

describe('telegramTokenProblem', () => {
  it("accepts @BotFather's form: the bot id, ':' and the secret", () => {
    expect(telegramTokenProblem('123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0')).toBeUndefined();
  });

  it.each([
    ['no bot id', 'AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0'],
    ['a short secret', '123456789:short'],
    ['a space', '123456789:AAHfiqksKZ8WmR2zSjiQ7 v4TMAKdiHm9T0'],
    ['the URL form', 'bot123456789:AAHfiqksKZ8WmR2zSjiQ7_v4TMAKdiHm9T0'],
  ])('refuses %s, without quoting it', (_, token) => {
    const problem = telegramTokenProblem(token);
    expect(problem).toMatch(/not a Telegram bot token/);
    expect(problem).not.toContain(token);
  });
});
