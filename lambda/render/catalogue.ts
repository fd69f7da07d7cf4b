/**
 * The one catalogue of callback types: every type the protocol reference names, with its severity and
 * its template. KNOWN_TYPES, severityOf() and the renderer read it; the sample data of the test sender
 * and the tests (samples.ts, not shipped in the Lambda bundle) is typed by it, so a type added here
 * without a sample, or a sample for no type here, fails `tsc`. Pure: no AWS, no I/O.
 */
import type { Severity } from '../model';
import {
  a2p,
  agreementExpired,
  agreementExpiring,
  agreementRestored,
  balanceChanged,
  batchCancelled,
  callerIds,
  certificates,
  CONSOLE_TOP_UP,
  document,
  fixed,
  invoice,
  minBalance,
  nextCharge,
  numberActivation,
  payment,
  regulationAddress,
  report,
  type Renderer,
  sipRegistrations,
  smsInbound,
  subscriptions,
  transcription,
} from './templates';

/** One callback type: how urgent it is and how its alert reads. */
export interface TypeEntry {
  readonly severity: Severity;
  readonly render: Renderer;
  /** Show the balance even when the callback lacks it (as "unknown"): it is the point of the alert. */
  readonly balance?: 'always';
}

/** Every type the protocol reference names, with its severity and renderer. */
export const TYPES = {
  // Money running out or service stopping.
  min_balance: { severity: 'critical', render: minBalance, balance: 'always' },
  account_is_frozen: {
    severity: 'critical',
    render: fixed(
      'account frozen',
      'The account is frozen: calls and other services are stopped.',
      'Top up the balance in the control panel, or contact Voximplant support, to unfreeze the account.',
      'Calls are stopped. Top up now.',
    ),
  },
  card_payment_failed: {
    severity: 'critical',
    render: fixed(
      'card payment failed',
      'An automatic card payment failed.',
      'Check the card in the control panel, or pay another way, before the balance runs out.',
      'Check the card or pay now.',
    ),
  },
  next_charge_alert: { severity: 'critical', render: nextCharge },
  subscription_is_frozen: {
    severity: 'critical',
    render: subscriptions(
      'subscription frozen',
      'Subscriptions (for example rented phone numbers) were frozen because they could not be paid for.',
      'Top up the balance and renew the frozen subscriptions in the control panel before they are cancelled.',
      'Top up and renew now.',
    ),
  },
  uncharged_tariff: {
    severity: 'critical',
    render: fixed('plan fee not charged', "The account's plan fee could not be charged.", CONSOLE_TOP_UP, 'Top up now.'),
  },

  // Needs action soon.
  card_expired: {
    severity: 'warning',
    render: fixed(
      'card expired',
      'The payment card on file has expired.',
      'Add a valid card in the control panel so automatic payments continue.',
      'Add a valid card.',
    ),
  },
  card_expires_in_month: {
    severity: 'warning',
    render: fixed(
      'card expires soon',
      'The payment card on file expires within a month.',
      'Add a new card in the control panel before this one expires.',
      'Add a new card.',
    ),
  },
  subscription_is_detached: {
    severity: 'warning',
    render: subscriptions(
      'subscription cancelled',
      'Subscriptions were cancelled (detached) from the account.',
      'Check the control panel; rent the number again if it is still needed.',
    ),
  },
  unverified_subscription_detached: {
    severity: 'warning',
    render: subscriptions(
      'unverified subscription cancelled',
      'Subscriptions were cancelled because the required verification documents were not provided in time.',
      'Upload the verification documents in the control panel before renting again.',
    ),
  },
  sip_registration_fail: {
    severity: 'warning',
    render: sipRegistrations(
      'SIP registration failed',
      'A SIP registration failed: calls to it do not reach Voximplant until it recovers.',
      "Check the SIP credentials and the provider's status; Voximplant retries the registration.",
      'Check SIP credentials.',
    ),
  },
  js_fail: {
    severity: 'warning',
    render: fixed(
      'scenario error',
      'A VoxEngine scenario threw an error.',
      'Open the call history logs in the control panel to find the failing scenario.',
      'Check scenario logs.',
    ),
  },
  expiring_callerid: { severity: 'warning', render: callerIds },
  expiring_agreement: { severity: 'warning', render: agreementExpiring },
  expired_agreement: { severity: 'warning', render: agreementExpired },
  expiring_certificates: {
    severity: 'warning',
    render: certificates('push certificate expiring', 'Push notification certificates expire soon.'),
  },
  expired_certificates: {
    severity: 'warning',
    render: certificates(
      'push certificate expired',
      'Push notification certificates have expired: push notifications to those applications fail.',
      true,
    ),
  },
  account_document_status_updated: {
    // A status change may be a rejection, which needs a new upload.
    severity: 'warning',
    render: document(
      'document status changed',
      'The status of a verification document changed.',
      'Check the document in the control panel and upload it again if it was rejected.',
      true,
    ),
  },
  regulation_address_documents_requested: {
    severity: 'warning',
    render: regulationAddress(
      'address documents requested',
      'Voximplant requests documents for a proof-of-address.',
      'Upload the requested documents in the control panel.',
      'Upload address documents.',
    ),
  },
  reset_account_password_request: {
    // Nobody on the team asking for it means someone else is trying the account.
    severity: 'warning',
    render: fixed(
      'password reset requested',
      'A password reset was requested for the account.',
      'If nobody on your team asked for it, secure the account: change the password and review users and API keys.',
      'Not you? Secure the account.',
    ),
  },
  stagnant_account: {
    severity: 'warning',
    render: fixed(
      'account inactive',
      'Voximplant reports the account as inactive.',
      'Log in to the control panel if you want to keep the account.',
    ),
  },

  // For information.
  account_is_unfrozen: { severity: 'info', render: fixed('account unfrozen', 'The account is unfrozen: services work again.') },
  card_payment: { severity: 'info', render: payment('card') },
  robokassa_payment: { severity: 'info', render: payment('Robokassa') },
  wire_transfer: { severity: 'info', render: payment('wire transfer') },
  renewed_subscriptions: {
    severity: 'info',
    render: subscriptions('subscriptions renewed', 'Subscriptions were renewed and charged.'),
  },
  sip_registration_recovered: {
    severity: 'info',
    render: sipRegistrations('SIP registration recovered', 'A SIP registration that had failed works again.'),
  },
  restored_agreement_status: { severity: 'info', render: agreementRestored },
  account_document_uploaded: {
    severity: 'info',
    render: document('document uploaded', 'A verification document was uploaded.'),
  },
  account_document_verified: {
    severity: 'info',
    render: document('document verified', 'A verification document was verified.'),
  },
  regulation_address_uploaded: {
    severity: 'info',
    render: regulationAddress('address uploaded', 'A proof-of-address was uploaded.'),
  },
  regulation_address_verified: {
    severity: 'info',
    render: regulationAddress('address verified', 'A proof-of-address was verified.'),
  },
  transcription_complete: { severity: 'info', render: transcription },
  sms_inbound: { severity: 'info', render: smsInbound },
  phone_number_activation_status_changed: { severity: 'info', render: numberActivation },
  call_history_report: { severity: 'info', render: report('call history report') },
  transaction_history_report: { severity: 'info', render: report('transaction history report') },
  a2p_sms_activated: { severity: 'info', render: a2p },
  batch_task_cancelling_completed: { severity: 'info', render: batchCancelled },
  invoice_received: { severity: 'info', render: invoice },
  new_invoice: { severity: 'info', render: invoice },
  activate_successful: { severity: 'info', render: fixed('account activated', 'The account was activated.') },
  plan_config: { severity: 'info', render: fixed('plan changed', "The account's plan configuration changed.") },
  balance_is_changed: { severity: 'info', render: balanceChanged, balance: 'always' },
} as const satisfies Readonly<Record<string, TypeEntry>>;

/** A callback type this receiver knows, e.g. `min_balance`. */
export type KnownType = keyof typeof TYPES;

/** Every type name in the catalogue, in catalogue order (most severe first). */
export const KNOWN_TYPES: readonly string[] = Object.freeze(Object.keys(TYPES));

/** The catalogue entry of `type`, own properties only (so `constructor` is no type); undefined when unknown. */
export function entryOf(type: string): TypeEntry | undefined {
  return Object.prototype.hasOwnProperty.call(TYPES, type) ? (TYPES as Readonly<Record<string, TypeEntry>>)[type] : undefined;
}

/** The severity of `type`; unknown types are 'info' (nothing says they are urgent). */
export function severityOf(type: string): Severity {
  return entryOf(type)?.severity ?? 'info';
}
