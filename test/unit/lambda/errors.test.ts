/** lambda/errors.ts: the typed errors modules pass to one another, and how an error reads in a log line. */
import { DeadlineExceededError, errorMessage, SecretsUnavailableError } from '../../../lambda/errors';

describe('errorMessage', () => {
  it('gives an Error as "name: message", and anything else as its String()', () => {
    expect(errorMessage(new TypeError('bad'))).toBe('TypeError: bad');
    expect(errorMessage(new SecretsUnavailableError('SSM down'))).toBe('SecretsUnavailableError: SSM down');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});

describe('typed errors', () => {
  it('SecretsUnavailableError names the missing parameters, none by default', () => {
    expect(new SecretsUnavailableError('missing', ['/vox/salt']).missing).toEqual(['/vox/salt']);
    expect(new SecretsUnavailableError('down').missing).toEqual([]);
  });

  it('DeadlineExceededError keeps its budget and says it in whole milliseconds', () => {
    const error = new DeadlineExceededError(1234.6);
    expect(error).toBeInstanceOf(Error);
    expect(error.budgetMs).toBe(1234.6);
    expect(errorMessage(error)).toBe('DeadlineExceededError: deadline exceeded (a budget of 1235 ms)');
  });
});
