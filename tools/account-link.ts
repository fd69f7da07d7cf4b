/**
 * The account link's decisions (`npm run configure -- --connect` and `--check`), as pure functions: which
 * SetAccountInfo changes to make for this stack's webhook URL, when to refuse, what to say about it, and how
 * Voximplant's callback settings compare with the stack's. No AWS, no HTTP: tools/connect.ts does the I/O.
 *
 * Protocol facts (docs/voximplant-api.md): GetAccountInfo returns the account's `callback_url`,
 * `callback_salt` and `min_balance_to_notify`; SetAccountInfo sets them; one callback URL per account
 * (AccountInfoType has a single `callback_url`), so linking this stack unlinks whatever was there before.
 */
import { randomBytes } from 'node:crypto';
import { MANAGEMENT_API, type AccountInfo, type AccountInfoChanges } from '../lambda/voximplant/management-api';

export const ACCOUNT_LINK = {
  /** 24 random bytes: 192 bits, 32 base64url characters, within MANAGEMENT_API.callbackSaltMaxLength (39). */
  saltBytes: 24,
  /**
   * A tool's wait per Management API call, milliseconds. Longer than the webhook path's 1.5 s
   * (MANAGEMENT_API.timeoutMs): a person is waiting, not a callback, and a retry costs them more than a wait.
   */
  apiTimeoutMs: 5000,
  /** Largest min_balance_to_notify accepted (the client refuses 1e9 and more: setAccountInfoParams). */
  maxMinBalance: 999_999_999,
} as const;

/**
 * A random callback salt: base64url of ACCOUNT_LINK.saltBytes bytes from node:crypto's CSPRNG, 32 characters
 * of [A-Za-z0-9_-] (printable ASCII, as the client requires). At most MANAGEMENT_API.callbackSaltMaxLength
 * (39): the webhook guide says "up to 40 characters", error 399 "less than 40"; see that constant.
 */
export function generateCallbackSalt(): string {
  const salt = randomBytes(ACCOUNT_LINK.saltBytes).toString('base64url');
  if (salt.length > MANAGEMENT_API.callbackSaltMaxLength) throw new Error('generated salt longer than Voximplant allows');
  return salt;
}

/** Whether two callback URLs are the same address (`https://x` and `https://x/` are). Unparsable: exact text. */
export function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

/**
 * `--min-balance AMOUNT`: a plain non-negative decimal in the account's currency (`10`, `25.5`), at most
 * ACCOUNT_LINK.maxMinBalance and 4 decimals. Returns the number, or a sentence saying what is wrong.
 */
export function parseMinBalance(text: string): { readonly value: number } | { readonly problem: string } {
  const trimmed = text.trim();
  if (!/^\d{1,9}(\.\d{1,4})?$/.test(trimmed)) {
    return {
      problem: `--min-balance must be a non-negative amount like 10 or 25.50 (digits, at most 4 decimals), got ${JSON.stringify(text)}`,
    };
  }
  const value = Number(trimmed);
  if (value > ACCOUNT_LINK.maxMinBalance) return { problem: `--min-balance must be at most ${ACCOUNT_LINK.maxMinBalance}` };
  return { value };
}

export interface LinkRequest {
  /** This stack's webhook URL (the WebhookUrl output, the local stack's URL, or --webhook-url). */
  readonly stackUrl: string;
  /** The salt to set (generateCallbackSalt). */
  readonly newSalt: string;
  /** `--replace`: overwrite a callback_url that is not this stack's. */
  readonly replace: boolean;
  readonly minBalance?: number;
}

export type LinkPlan =
  /** Voximplant sends this account's callbacks elsewhere and --replace was not given: change nothing. */
  | { readonly kind: 'refused'; readonly currentUrl: string }
  | {
      readonly kind: 'link';
      /** What SetAccountInfo sends: callback_url only when it changes, the salt always, min_balance when asked. */
      readonly changes: AccountInfoChanges;
      /**
       * The salt Voximplant signs with today, when its callbacks come to this stack: stored as the previous salt
       * so callbacks keep verifying while the receivers and Voximplant switch. Undefined otherwise.
       */
      readonly previousSalt?: string;
      /** The callback_url replaced (another system's), when --replace took effect. */
      readonly replacedUrl?: string;
    };

/** The changes for linking `info`'s account to the stack, or a refusal (another non-empty callback_url, no --replace). */
export function planLink(info: AccountInfo, request: LinkRequest): LinkPlan {
  const current = info.callbackUrl;
  const ours = current !== undefined && sameUrl(current, request.stackUrl);
  if (current !== undefined && !ours && !request.replace) return { kind: 'refused', currentUrl: current };
  const changes: AccountInfoChanges = {
    ...(ours ? {} : { callbackUrl: request.stackUrl }),
    callbackSalt: request.newSalt,
    ...(request.minBalance === undefined ? {} : { minBalanceToNotify: request.minBalance }),
  };
  const currentSalt = ours ? info.callbackSalt?.reveal() : undefined;
  return {
    kind: 'link',
    changes,
    previousSalt: currentSalt === request.newSalt ? undefined : currentSalt,
    replacedUrl: current !== undefined && !ours ? current : undefined,
  };
}

/** The refusal, in full: the URL in use, why we stop, and the flag that overrides. */
export function refusalMessage(currentUrl: string, stackUrl: string, command: string): string {
  return [
    `Voximplant already sends this account's callbacks to ${currentUrl}`,
    `(not this stack's ${stackUrl}). An account has one callback URL, and that one may feed another system:`,
    'nothing was changed (neither in Voximplant nor in SSM). If this stack should receive the callbacks instead, run',
    `  ${command} --replace`,
  ].join('\n');
}

const amount = (value: number | undefined, currency: string | undefined) =>
  value === undefined ? '(not set)' : `${value}${currency ? ` ${currency}` : ''}`;

/** One line per Voximplant setting the plan changes (before → after), never the salt's value. */
export function describeChanges(info: AccountInfo, changes: AccountInfoChanges): string[] {
  const lines: string[] = [];
  if (changes.callbackUrl !== undefined) {
    lines.push(`callback_url: ${info.callbackUrl ?? '(not set)'} -> ${changes.callbackUrl}`);
  } else {
    lines.push(`callback_url: unchanged (${info.callbackUrl})`);
  }
  if (changes.callbackSalt !== undefined) {
    lines.push(
      `callback_salt: ${info.callbackSalt === undefined ? '(not set)' : 'replaced'} -> a new random salt of ${changes.callbackSalt.length} characters (not shown)`,
    );
  }
  if (changes.minBalanceToNotify !== undefined) {
    lines.push(
      `min_balance_to_notify: ${amount(info.minBalanceToNotify, info.currency)} -> ${amount(changes.minBalanceToNotify, info.currency)}`,
    );
  }
  return lines;
}

/** What the stack holds, to compare with Voximplant's settings. */
export interface StackLink {
  readonly url: string;
  readonly salt: string;
  readonly saltPrevious?: string;
}

/**
 * One line per way Voximplant's callback settings differ from the stack's, each ending with the command that
 * fixes it (`command` is the configure command line for this stack, e.g. `npm run configure --`); [] when
 * linked. Salts are compared in constant time (SecretText.equals: timingSafeEqual over SHA-256 digests, so
 * equal lengths whatever the salts) and never appear in a line.
 */
export function compareLink(info: AccountInfo, stack: StackLink, command: string): string[] {
  const findings: string[] = [];
  const url = info.callbackUrl;
  if (url === undefined) {
    findings.push(`callback_url is not set: Voximplant sends this account's callbacks nowhere. Fix: ${command} --connect`);
  } else if (!sameUrl(url, stack.url)) {
    findings.push(
      `callback_url is ${url}, not this stack's ${stack.url}: callbacks go elsewhere. ` +
        `Fix (if that URL feeds nothing else): ${command} --connect --replace`,
    );
  }
  const salt = info.callbackSalt;
  if (salt === undefined) {
    findings.push(`callback_salt is not set: every callback would be refused (401). Fix: ${command} --connect`);
  } else if (!salt.equals(stack.salt)) {
    const previous = stack.saltPrevious !== undefined && salt.equals(stack.saltPrevious);
    findings.push(
      previous
        ? `callback_salt is the stack's previous salt, not its current one: a link was not finished. Fix: ${command} --connect`
        : `callback_salt differs from the stack's salt: every callback is refused (401). Fix: ${command} --connect`,
    );
  }
  return findings;
}

/** Hosts Voximplant's servers cannot reach: this machine's own names. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '0.0.0.0' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * Why `webhookUrl` must not be set in Voximplant through `apiBaseUrl`, or undefined when it may: a loopback
 * URL (the local stack's) sent to a non-loopback API would point a real account's callbacks at nothing.
 */
export function unreachableWebhookProblem(webhookUrl: string, apiBaseUrl: string): string | undefined {
  const webhookHost = new URL(webhookUrl).hostname;
  if (!isLoopback(webhookHost) || isLoopback(new URL(apiBaseUrl).hostname)) return undefined;
  return (
    `${webhookUrl} is this machine's own address, which Voximplant (${apiBaseUrl}) cannot reach: run a tunnel ` +
    '(cloudflared, ngrok) and pass its https URL with --webhook-url, or point VOXIMPLANT_API_URL at a stand-in'
  );
}
