/**
 * A secret read from an untrusted answer (the account's callback_salt): it survives spreading and copying like
 * any value, prints as `[redacted]` in JSON, string conversion and console/inspect output, and is compared
 * only in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

const REDACTED = '[redacted]';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export class SecretText {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** Constant-time equality. Both sides are hashed first, so neither length shows in the time taken. */
  equals(other: string): boolean {
    return timingSafeEqual(digest(this.#value), digest(other));
  }

  /** The value itself, for the rare caller that must send it on (never to a log). */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `SecretText(${REDACTED})`;
  }
}
