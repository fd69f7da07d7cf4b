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

/** Every type the protocol reference names, with its severity and renderer; the words are in i18n/{en,ru}.ts. */
export const TYPES = {
  // Money running out or service stopping.
  min_balance: { severity: 'critical', render: minBalance, balance: 'always' },
  account_is_frozen: { severity: 'critical', render: fixed('account_is_frozen') },
  card_payment_failed: { severity: 'critical', render: fixed('card_payment_failed') },
  next_charge_alert: { severity: 'critical', render: nextCharge },
  subscription_is_frozen: { severity: 'critical', render: subscriptions('subscription_is_frozen') },
  uncharged_tariff: { severity: 'critical', render: fixed('uncharged_tariff') },

  // Needs action soon.
  card_expired: { severity: 'warning', render: fixed('card_expired') },
  card_expires_in_month: { severity: 'warning', render: fixed('card_expires_in_month') },
  subscription_is_detached: { severity: 'warning', render: subscriptions('subscription_is_detached') },
  unverified_subscription_detached: { severity: 'warning', render: subscriptions('unverified_subscription_detached') },
  sip_registration_fail: { severity: 'warning', render: sipRegistrations('sip_registration_fail') },
  js_fail: { severity: 'warning', render: fixed('js_fail') },
  expiring_callerid: { severity: 'warning', render: callerIds },
  expiring_agreement: { severity: 'warning', render: agreementExpiring },
  expired_agreement: { severity: 'warning', render: agreementExpired },
  expiring_certificates: { severity: 'warning', render: certificates('expiring_certificates') },
  expired_certificates: { severity: 'warning', render: certificates('expired_certificates', true) },
  // A status change may be a rejection, which needs a new upload.
  account_document_status_updated: { severity: 'warning', render: document('account_document_status_updated', true) },
  regulation_address_documents_requested: { severity: 'warning', render: regulationAddress('regulation_address_documents_requested') },
  // Nobody on the team asking for it means someone else is trying the account.
  reset_account_password_request: { severity: 'warning', render: fixed('reset_account_password_request') },
  stagnant_account: { severity: 'warning', render: fixed('stagnant_account') },

  // For information.
  account_is_unfrozen: { severity: 'info', render: fixed('account_is_unfrozen') },
  card_payment: { severity: 'info', render: payment('card_payment') },
  robokassa_payment: { severity: 'info', render: payment('robokassa_payment') },
  wire_transfer: { severity: 'info', render: payment('wire_transfer') },
  renewed_subscriptions: { severity: 'info', render: subscriptions('renewed_subscriptions') },
  sip_registration_recovered: { severity: 'info', render: sipRegistrations('sip_registration_recovered') },
  restored_agreement_status: { severity: 'info', render: agreementRestored },
  account_document_uploaded: { severity: 'info', render: document('account_document_uploaded') },
  account_document_verified: { severity: 'info', render: document('account_document_verified') },
  regulation_address_uploaded: { severity: 'info', render: regulationAddress('regulation_address_uploaded') },
  regulation_address_verified: { severity: 'info', render: regulationAddress('regulation_address_verified') },
  transcription_complete: { severity: 'info', render: transcription },
  sms_inbound: { severity: 'info', render: smsInbound },
  phone_number_activation_status_changed: { severity: 'info', render: numberActivation },
  call_history_report: { severity: 'info', render: report('call_history_report') },
  transaction_history_report: { severity: 'info', render: report('transaction_history_report') },
  a2p_sms_activated: { severity: 'info', render: a2p },
  batch_task_cancelling_completed: { severity: 'info', render: batchCancelled },
  invoice_received: { severity: 'info', render: invoice },
  new_invoice: { severity: 'info', render: invoice },
  activate_successful: { severity: 'info', render: fixed('activate_successful') },
  plan_config: { severity: 'info', render: fixed('plan_config') },
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
