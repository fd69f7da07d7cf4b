/**
 * The shapes that flow through the receiver. Plain types only: no logic, no AWS.
 * Wire names are snake_case (see docs/protocol.md); these are the receiver's own names.
 */

/** One item of `{"callbacks":[...]}` whose envelope fields are present and well-typed (not yet verified). */
export interface CallbackItem {
  readonly callbackId: number;
  readonly accountId: number;
  readonly type: string;
  /** 32 lowercase hex chars as received; never logged, never rendered. */
  readonly hash: string;
  /** The whole item as received: type-specific data and top-level balance/currency are read from here. */
  readonly fields: Readonly<Record<string, unknown>>;
}

export type Severity = 'critical' | 'warning' | 'info';

/** What a person reads: one alert per verified, new, forwarded callback. */
export interface Alert {
  readonly accountId: number;
  readonly callbackId: number;
  readonly type: string;
  readonly severity: Severity;
  /** Email subject: ASCII, no line breaks, fewer than 100 characters (SNS's limit). */
  readonly subject: string;
  /** Email body: plain text, several lines. */
  readonly email: string;
  /** SMS text: GSM-7 basic characters only, at most 160 (one segment). */
  readonly sms: string;
  /**
   * Incident alerts only (lambda/incidents): the escalation level, sent as the SNS message attribute
   * `escalation` (1 the opening alert, +1 per reminder; notices carry the level reached).
   */
  readonly escalation?: number;
  /** Incident alerts only: the incident's key (incidentKeyString), shared by its opening, reminders and notices (chat threads). */
  readonly incident?: string;
  /**
   * The alert in chat (Slack, Teams, Telegram: lambda/chat/), in the alert's language, within render/text.ts
   * CHAT_LIMITS. Optional: an alert rendered without it is shown from `subject` and `email` (chat/message.ts).
   */
  readonly chat?: ChatText;
}

/**
 * What a chat message says, in the reader's language: the parts of an Amazon Q Developer custom notification's
 * `content` (docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html). Every value is plain text with
 * chat markup neutralized (render/text.ts chatSafe), so a hostile field cannot mention, link or format.
 */
export interface ChatText {
  /** One line: what happened, on which account. */
  readonly title: string;
  /** Lines separated by \n: the summary, the facts, the details. */
  readonly description: string;
  /** What to do, then where (the control panel link); may be empty. */
  readonly nextSteps: readonly string[];
  /** Tags: the severity in the alert's language and the callback type. */
  readonly keywords: readonly string[];
}

/** Salt/API-key pairs that may have signed a callback: the current pair first, then rotation overlaps. */
export interface Secrets {
  readonly accountId: string;
  readonly credentials: ReadonlyArray<{ readonly salt: string; readonly apiKey: string }>;
  /** Signs incidents' acknowledge links (SSM `<prefix>/ack-key`); undefined when not set. Never logged or rendered. */
  readonly ackKey?: string;
}

/**
 * The account's figures as Voximplant's Management API reports them (GetAccountInfo; the AccountInfoType fields
 * of docs/voximplant-api.md). Amounts are in `currency`; a field is undefined when the answer lacks it.
 */
export interface AccountFigures {
  readonly balance?: number;
  readonly creditLimit?: number;
  readonly frozen?: boolean;
  /** The balance under which Voximplant sends min_balance. */
  readonly minBalanceToNotify?: number;
  readonly currency?: string;
  /** Epoch milliseconds when the answer was read. */
  readonly readAt: number;
}

/**
 * What Voximplant's Management API said about the account when a balance alert was rendered (issue 14: the
 * callback's body is unsigned, so its balance is the sender's word). `confirmed`: GetAccountInfo answered with
 * these figures. `unconfirmed`: it did not, for `reason` (render/confirmation.ts words it); the alert goes out
 * all the same.
 */
export type BalanceConfirmation =
  ({ readonly kind: 'confirmed' } & AccountFigures) | { readonly kind: 'unconfirmed'; readonly reason: UnconfirmedReason };

/** Why a balance could not be confirmed: no answer in time, credentials refused, the API unavailable, or no time left to ask. */
export type UnconfirmedReason = 'timed-out' | 'refused' | 'unavailable' | 'no-time';
