/**
 * Realistic sample data per callback type, for `npm run send-callback`, the tests and the bench
 * (illustrative values, shapes from the protocol reference). Nested types carry their data one level
 * deeper, as Voximplant sometimes sends them. Typed by the catalogue (catalogue.ts), so every known type
 * has exactly one sample. Not imported by the renderer: sample data stays out of the Lambda bundle.
 */
import type { KnownType } from './catalogue';

const PHONE_SUBSCRIPTION = { type: 'phone_number', name: '16505550134', details: 'Phone number rent, San Francisco' };
const PAYMENT = { transaction_id: 88_014_231, transaction_type: 'payment', amount: 50 };
const DOCUMENT = {
  account_document_id: 3141,
  previous_account_document_status: 'IN_PROGRESS',
  account_document_status: 'VERIFIED',
  update_time: '2025-11-28 10:15:00',
  legal_status: 'legal_entity',
};
const ADDRESS = {
  regulation_address_id: 512,
  regulation_address_name: 'Main office, 1 Market St',
  regulation_address_status: 'IN_PROGRESS',
};
const CERTIFICATES = {
  certificates: [
    { push_credential_id: 77, cert_file_name: 'voip-push-prod.p12', expiration_date: '2025-12-20 00:00:00', applications: ['support-app'] },
  ],
};
const REPORT = { history_report_id: 90_017, success: true, order_date: '2025-11-28 09:00:00' };
const INVOICE = {
  invoice_id: 20_251_101,
  invoice_date: '2025-11-01',
  receival_date: '2025-11-02 06:00:00',
  amount: '120.50',
  tax_amount: '0.00',
  currency: 'USD',
};

/** The data under `item[type]` of a sample callback of each known type. */
export const SAMPLE_DATA: Readonly<Record<KnownType, Record<string, unknown>>> = {
  min_balance: { is_min_credit: false, is_repeated: false },
  account_is_frozen: {},
  account_is_unfrozen: {},
  card_payment_failed: {},
  card_expired: {},
  card_expires_in_month: {},
  card_payment: { ...PAYMENT, transaction_type: 'card_payment' },
  robokassa_payment: { ...PAYMENT, transaction_type: 'robokassa_payment' },
  wire_transfer: { ...PAYMENT, transaction_type: 'wire_transfer', amount: 1000 },
  next_charge_alert: { required_money: 25, insufficient_funds_amount: 20.13 },
  subscription_is_frozen: { subscriptions: [{ ...PHONE_SUBSCRIPTION, cost: 1 }] },
  subscription_is_detached: { subscriptions: [PHONE_SUBSCRIPTION] },
  unverified_subscription_detached: { subscriptions: [{ ...PHONE_SUBSCRIPTION, details: 'Number requires verified documents' }] },
  renewed_subscriptions: { subscriptions: [{ ...PHONE_SUBSCRIPTION, cost: 1, next_renewal: '2025-12-28' }] },
  sip_registration_fail: { sip_registrations: [{ sip_registration_id: 4242, status_code: 403, error_message: 'Forbidden' }] },
  sip_registration_recovered: { sip_registrations: [{ sip_registration_id: 4242 }] },
  js_fail: {},
  expiring_callerid: { callerids: ['+16505550134', '+16505550135'], expiration_date: '2025-12-31' },
  expiring_agreement: { expiration_date: '2025-12-31', until_expiration: 14 },
  expired_agreement: { document_ids: [1021, 1022] },
  restored_agreement_status: { document_id: 1021, expiration_date: '2026-11-28' },
  account_document_status_updated: { ...DOCUMENT, account_document_status: 'REJECTED', comment: 'The scan is unreadable' },
  account_document_uploaded: { ...DOCUMENT, previous_account_document_status: 'NONE', account_document_status: 'IN_PROGRESS' },
  account_document_verified: DOCUMENT,
  regulation_address_uploaded: ADDRESS,
  regulation_address_verified: { ...ADDRESS, regulation_address_status: 'VERIFIED' },
  regulation_address_documents_requested: { ...ADDRESS, regulation_address_status: 'REQUESTED' },
  transcription_complete: {
    transcription_complete: {
      record_url: 'https://storage.example/records/2025/11/28/rec-5e1f.mp3',
      transcription_url: 'https://storage.example/records/2025/11/28/rec-5e1f.txt',
      call_session_history_id: 1_234_567_890,
      transcription_cost: 0.02,
    },
  },
  sms_inbound: {
    sms_inbound: { source_number: '16505550199', destination_number: '16505550134', sms_body: 'Hello, please call me back' },
  },
  phone_number_activation_status_changed: {
    phone_number_activation_status_changed: { phone_number: '16505550134', activation_status: 'ACTIVE' },
  },
  call_history_report: REPORT,
  transaction_history_report: { ...REPORT, history_report_id: 90_018 },
  expiring_certificates: CERTIFICATES,
  expired_certificates: CERTIFICATES,
  a2p_sms_activated: { a2p_enabled: true },
  batch_task_cancelling_completed: { batch_id: 314, cancelled_tasks_number: 12 },
  invoice_received: INVOICE,
  new_invoice: INVOICE,
  reset_account_password_request: {},
  activate_successful: {},
  stagnant_account: {},
  plan_config: {},
  uncharged_tariff: {},
  balance_is_changed: {},
};

/** The types with sample data: the catalogue's types (a test checks they equal KNOWN_TYPES). */
export const SAMPLE_TYPES: readonly string[] = Object.freeze(Object.keys(SAMPLE_DATA));

/** The sample data of `type`, or undefined for a type outside the catalogue. */
export function sampleData(type: string): Record<string, unknown> | undefined {
  return Object.prototype.hasOwnProperty.call(SAMPLE_DATA, type) ? SAMPLE_DATA[type as KnownType] : undefined;
}
