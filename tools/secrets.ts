/**
 * The checks on Voximplant secrets before they are stored or used, shared by `configure` and the local stack
 * (`npm start`): one place, so the two cannot disagree, and no import circle between the two commands.
 */
import type { VoxSecrets } from './provision';

/** Voximplant's limit for the callback salt. */
export const SALT_MAX_LENGTH = 40;

/** Control characters (newline, tab, escape...): never part of a salt, key or id typed into Voximplant's panel. */
const CONTROL = /\p{Cc}/u;
/** Voximplant account ids are positive decimal integers: digits, no leading zero, a safe integer. */
const ACCOUNT_ID = /^[1-9]\d*$/;

/**
 * Trims the spaces around the account id (digits only, so they can never be part of it) and says so.
 * The salt and API keys are left as given: validateSecrets refuses surrounding spaces there instead,
 * because Voximplant compares them exactly and guessing would turn a typo into a silent 401.
 */
export function normalizeSecrets<T extends Partial<VoxSecrets>>(secrets: T): { readonly secrets: T; readonly notes: string[] } {
  if (secrets.accountId === undefined || secrets.accountId === secrets.accountId.trim()) return { secrets, notes: [] };
  return { secrets: { ...secrets, accountId: secrets.accountId.trim() }, notes: ['removed the spaces around the account id'] };
}

/**
 * What is wrong with the values given (only the ones present are checked), one sentence each; never
 * includes the values. Refused: an empty value; control characters (a newline from a paste) anywhere;
 * spaces around a salt or key; a salt over 40 characters (Voximplant's limit); an account id that is not
 * a positive decimal safe integer without a leading zero.
 */
export function validateSecrets(secrets: Partial<VoxSecrets>): string[] {
  const problems: string[] = [];
  const checkText = (label: string, value: string | undefined, maxLength?: number) => {
    if (value === undefined) return;
    if (value.trim() === '') problems.push(`the ${label} is empty`);
    else if (CONTROL.test(value))
      problems.push(`the ${label} contains a control character (a newline or tab?): paste it again as one line`);
    else if (value !== value.trim()) {
      problems.push(
        `the ${label} starts or ends with a space: refused rather than trimmed, as Voximplant compares it exactly; enter it without the spaces`,
      );
    } else if (maxLength !== undefined && [...value].length > maxLength) {
      problems.push(`the ${label} is ${[...value].length} characters long: Voximplant allows at most ${maxLength}`);
    }
  };
  checkText('salt', secrets.salt, SALT_MAX_LENGTH);
  checkText('previous salt', secrets.saltPrevious, SALT_MAX_LENGTH);
  checkText('API key', secrets.apiKey);
  checkText('previous API key', secrets.apiKeyPrevious);
  if (secrets.accountId !== undefined) {
    const id = secrets.accountId;
    if (id.trim() === '') problems.push('the account id is empty');
    else if (!ACCOUNT_ID.test(id) || !Number.isSafeInteger(Number(id))) {
      problems.push(
        'the account id must be a positive whole number without a leading zero, at most 9007199254740991 (digits only, e.g. 1234567)',
      );
    }
  }
  return problems;
}
