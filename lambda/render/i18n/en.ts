/**
 * English: every word of every alert, the default language. Pure data: no AWS, no I/O.
 */
import { splitMinutes, type Messages } from './messages';

/** The action for alerts about money running out. */
const TOP_UP = 'Top up the balance in the control panel before calls stop.';

export const en: Messages = {
  smsEncoding: 'GSM-7',
  format: {
    decimal: (value) => value.toFixed(2),
    date: (day, time) => (time === undefined ? day : `${day} ${time} UTC`),
    id: (id) => `id ${id}`,
    yes: 'yes',
    no: 'no',
    unknown: 'unknown',
    noDetails: '(no details)',
    andMore: (count) => `and ${count} more`,
    plusMore: (count) => `+${count} more`,
  },
  labels: {
    account: 'Account',
    balance: 'Balance',
    amount: 'Amount',
    transactionId: 'Transaction id',
    transactionType: 'Transaction type',
    documentId: 'Document id',
    previousStatus: 'Previous status',
    status: 'Status',
    legalStatus: 'Legal status',
    updatedAt: 'Updated at',
    addressId: 'Address id',
    reportId: 'Report id',
    result: 'Result',
    orderedAt: 'Ordered at',
    invoiceId: 'Invoice id',
    invoiceDate: 'Invoice date',
    received: 'Received',
    tax: 'Tax',
    requiredForRenewal: 'Required for renewal',
    missing: 'Missing',
    expires: 'Expires',
    daysLeft: 'Days left',
    callSessionId: 'Call session id',
    cost: 'Cost',
    yourNumber: 'Your number',
    phoneNumber: 'Phone number',
    activationStatus: 'Activation status',
    batchId: 'Batch id',
    cancelledTasks: 'Cancelled tasks',
  },
  severity: { critical: 'critical', warning: 'warning', info: 'info' },
  types: {
    account_is_frozen: {
      what: 'account frozen',
      summary: 'The account is frozen: calls and other services are stopped.',
      action: 'Top up the balance in the control panel, or contact Voximplant support, to unfreeze the account.',
      smsAction: 'Calls are stopped. Top up now.',
    },
    card_payment_failed: {
      what: 'card payment failed',
      summary: 'An automatic card payment failed.',
      action: 'Check the card in the control panel, or pay another way, before the balance runs out.',
      smsAction: 'Check the card or pay now.',
    },
    uncharged_tariff: {
      what: 'plan fee not charged',
      summary: "The account's plan fee could not be charged.",
      action: TOP_UP,
      smsAction: 'Top up now.',
    },
    card_expired: {
      what: 'card expired',
      summary: 'The payment card on file has expired.',
      action: 'Add a valid card in the control panel so automatic payments continue.',
      smsAction: 'Add a valid card.',
    },
    card_expires_in_month: {
      what: 'card expires soon',
      summary: 'The payment card on file expires within a month.',
      action: 'Add a new card in the control panel before this one expires.',
      smsAction: 'Add a new card.',
    },
    js_fail: {
      what: 'scenario error',
      summary: 'A VoxEngine scenario threw an error.',
      action: 'Open the call history logs in the control panel to find the failing scenario.',
      smsAction: 'Check scenario logs.',
    },
    reset_account_password_request: {
      what: 'password reset requested',
      summary: 'A password reset was requested for the account.',
      action: 'If nobody on your team asked for it, secure the account: change the password and review users and API keys.',
      smsAction: 'Not you? Secure the account.',
    },
    stagnant_account: {
      what: 'account inactive',
      summary: 'Voximplant reports the account as inactive.',
      action: 'Log in to the control panel if you want to keep the account.',
    },
    account_is_unfrozen: { what: 'account unfrozen', summary: 'The account is unfrozen: services work again.' },
    activate_successful: { what: 'account activated', summary: 'The account was activated.' },
    plan_config: { what: 'plan changed', summary: "The account's plan configuration changed." },
    subscription_is_frozen: {
      what: 'subscription frozen',
      summary: 'Subscriptions (for example rented phone numbers) were frozen because they could not be paid for.',
      action: 'Top up the balance and renew the frozen subscriptions in the control panel before they are cancelled.',
      smsAction: 'Top up and renew now.',
    },
    subscription_is_detached: {
      what: 'subscription cancelled',
      summary: 'Subscriptions were cancelled (detached) from the account.',
      action: 'Check the control panel; rent the number again if it is still needed.',
    },
    unverified_subscription_detached: {
      what: 'unverified subscription cancelled',
      summary: 'Subscriptions were cancelled because the required verification documents were not provided in time.',
      action: 'Upload the verification documents in the control panel before renting again.',
    },
    renewed_subscriptions: { what: 'subscriptions renewed', summary: 'Subscriptions were renewed and charged.' },
    sip_registration_fail: {
      what: 'SIP registration failed',
      summary: 'A SIP registration failed: calls to it do not reach Voximplant until it recovers.',
      action: "Check the SIP credentials and the provider's status; Voximplant retries the registration.",
      smsAction: 'Check SIP credentials.',
    },
    sip_registration_recovered: { what: 'SIP registration recovered', summary: 'A SIP registration that had failed works again.' },
    expiring_certificates: { what: 'push certificate expiring', summary: 'Push notification certificates expire soon.' },
    expired_certificates: {
      what: 'push certificate expired',
      summary: 'Push notification certificates have expired: push notifications to those applications fail.',
    },
    account_document_status_updated: {
      what: 'document status changed',
      summary: 'The status of a verification document changed.',
      action: 'Check the document in the control panel and upload it again if it was rejected.',
    },
    account_document_uploaded: { what: 'document uploaded', summary: 'A verification document was uploaded.' },
    account_document_verified: { what: 'document verified', summary: 'A verification document was verified.' },
    regulation_address_uploaded: { what: 'address uploaded', summary: 'A proof-of-address was uploaded.' },
    regulation_address_verified: { what: 'address verified', summary: 'A proof-of-address was verified.' },
    regulation_address_documents_requested: {
      what: 'address documents requested',
      summary: 'Voximplant requests documents for a proof-of-address.',
      action: 'Upload the requested documents in the control panel.',
      smsAction: 'Upload address documents.',
    },
  },
  alert: {
    testSms: 'TEST, not real: ',
    testEmail: (name) => `${name}: not a real alert, nothing needs doing. It shows the alerts reach you.`,
    smsAccount: (shortName, id) => (shortName === undefined ? `Account ${id}.` : `Account ${shortName} (${id}).`),
    account: (name, id) => (name === undefined ? `id ${id}` : `"${name}" (id ${id})`),
    whatToDo: 'What to do next',
    controlPanel: 'Control panel',
    footer: (callbackId, type, severity) => `Voximplant callback ${callbackId}, type ${type}, severity ${severity}.`,
    chatTitle: (what, account) => `Voximplant: ${what} on ${account}`,
  },
  acknowledge: {
    link: 'Acknowledge (stops the reminders and tells the others)',
    remindersFollow: 'Reminders follow until someone acknowledges this or it is resolved.',
  },
  confirmation: {
    reasons: {
      'timed-out': "Voximplant's account API did not answer in time",
      refused: "Voximplant's account API refused this stack's credentials (check the API key in SSM)",
      unavailable: "Voximplant's account API was unavailable",
      'no-time': 'there was no time left to ask Voximplant before the alert had to go out',
    },
    smsReasons: { 'timed-out': 'timed out', refused: 'credentials refused', unavailable: 'API unavailable', 'no-time': 'no time' },
    sms: (balance, credit, frozen, time) =>
      `Confirmed ${balance ?? 'unknown'}${credit === undefined ? '' : `, credit ${credit}`}${frozen ? ', FROZEN' : ''} at ${time}.`,
    smsUnconfirmed: (reason) => `Not confirmed: ${reason}.`,
    balanceFromCallback: 'Balance (as the callback sent it)',
    confirmedBalance: 'Confirmed balance',
    creditLimit: 'Credit limit',
    frozen: 'Frozen',
    confirmedAt: 'Confirmed at',
    source: '(Voximplant Management API, GetAccountInfo)',
    unknownTime: 'unknown time',
    notConfirmed: (reason) => `not confirmed: ${reason}`,
    unsignedNote: 'The figures above are as the callback sent them; its body is not signed. Check the balance in the control panel.',
    toppedUp: (threshold) =>
      `The confirmed balance is at or above the notification threshold (${threshold}): the account may have been topped up since the callback.`,
    unfrozen: 'Voximplant reports the account is not frozen now: it may have been unfrozen since the callback.',
  },
  unknown: {
    what: (name) => `callback ${name}`,
    notKnown: (name) => `Voximplant sent a callback of type "${name}", which this receiver does not know.`,
    notRendered: (name) => `A callback of type "${name}" arrived but could not be rendered in detail.`,
    hidden: 'Its data is not shown here; check the control panel.',
  },
  payment: {
    what: 'payment received',
    summary: (amount, via) => `A payment${amount ? ` of ${amount}` : ''} (${via}) was credited to the account.`,
    via: { card_payment: 'card', robokassa_payment: 'Robokassa', wire_transfer: 'wire transfer' },
  },
  subscriptions: {
    heading: 'Subscriptions:',
    cost: (amount) => `cost ${amount}`,
    nextRenewal: (date) => `next renewal ${date}`,
    unnamed: 'unnamed subscription',
  },
  sip: { heading: 'SIP registrations:', status: (code) => `status ${code}` },
  certificates: {
    heading: 'Certificates:',
    credential: (id) => `credential ${id}`,
    expired: (date) => `expired ${date}`,
    expires: (date) => `expires ${date}`,
    applications: (list) => `applications ${list}`,
    unnamed: 'certificate',
    action: 'Upload a renewed push certificate for each application in the control panel.',
    smsAction: 'Renew push certificates.',
  },
  document: { comment: 'Voximplant attached a comment: read it in the control panel.' },
  report: {
    names: { call_history_report: 'call history report', transaction_history_report: 'transaction history report' },
    ready: {
      what: (name) => `${name} ready`,
      summary: (name) => `The ${name} you ordered is ready.`,
      result: 'ready',
      action: 'Download it from the control panel or through the API.',
    },
    failed: {
      what: (name) => `${name} failed`,
      summary: (name) => `The ${name} you ordered could not be produced.`,
      result: 'failed',
      action: 'Order the report again in the control panel or through the API.',
    },
  },
  invoice: {
    what: 'invoice received',
    summary: 'A new invoice was issued for the account.',
    action: 'Review the invoice in the control panel.',
  },
  minBalance: {
    low: 'balance low',
    stillLow: 'balance still low',
    creditLimit: 'credit limit reached',
    belowThreshold: 'The account balance has fallen below the notification threshold.',
    creditReached: 'The account has reached its credit limit: calls and services stop when the credit runs out.',
    reminder: 'This is a reminder: the balance is still low.',
    action: TOP_UP,
    smsAction: 'Top up now before calls stop.',
  },
  nextCharge: {
    what: 'next charge cannot be paid',
    detail: (required, missing) => [required && `needs ${required}`, missing && `short ${missing}`].filter(Boolean).join(', ') || undefined,
    summary: 'Subscriptions renew in 3 days and the balance does not cover the charge.',
    action: 'Top up at least the missing amount in the control panel within 3 days, or the subscriptions will be frozen.',
    smsAction: 'Top up within 3 days.',
  },
  callerIds: {
    what: 'caller ID expiring',
    on: (date) => `on ${date}`,
    summary: 'Verified caller IDs are about to expire; calls can no longer show them after that.',
    heading: 'Caller IDs:',
    action: 'Verify the caller IDs again in the control panel before they expire.',
    smsAction: 'Re-verify caller IDs.',
  },
  agreementExpiring: {
    what: 'verification expiring',
    inDays: (days) => `in ${days} days`,
    summary: "The account's document verification period ends soon.",
    action: 'Upload up-to-date verification documents in the control panel.',
    smsAction: 'Upload documents.',
  },
  agreementExpired: {
    what: 'verification expired',
    document: (detail) => `document ${detail}`,
    summary: 'The document verification period has expired; numbers that need verification may be detached.',
    heading: 'Documents:',
    action: 'Upload new verification documents in the control panel.',
    smsAction: 'Upload documents now.',
  },
  agreementRestored: { what: 'verification restored', summary: 'The document verification status was restored.' },
  transcription: {
    what: 'transcription ready',
    session: (id) => `session ${id}`,
    summary: 'A call transcription is ready. Links to the recording are not included; open the call history in the control panel.',
  },
  smsInbound: {
    what: 'inbound SMS',
    to: (number) => `to ${number}`,
    summary: "An inbound SMS arrived on your Voximplant number. The sender and the text are not included, to protect the sender's privacy.",
  },
  numberActivation: { what: 'number activation changed', summary: 'The activation status of a rented phone number changed.' },
  a2p: {
    what: (enabled) => `A2P SMS ${a2pState(enabled)}`,
    summary: (enabled) => `A2P SMS sending is ${a2pState(enabled)} for the account.`,
  },
  batchCancelled: {
    what: 'batch cancelled',
    tasks: (count) => `${count} tasks`,
    summary: 'Cancelling a batch of tasks has completed.',
  },
  balanceChanged: { what: 'balance changed', summary: 'The account balance changed.' },
  incident: {
    kinds: {
      low_balance: 'balance low',
      account_frozen: 'account frozen',
      sip_registration: 'SIP registration failing',
      card_payment_failed: 'card payment failed',
      callback_url_wrong: 'callback URL wrong',
      callback_salt_wrong: 'callback salt wrong',
    },
    actions: {
      low_balance: { action: TOP_UP, smsAction: 'Top up now.' },
      account_frozen: {
        action: 'Top up the balance in the control panel, or contact Voximplant support, to unfreeze the account.',
        smsAction: 'Top up now.',
      },
      sip_registration: {
        action: "Check the SIP credentials and the provider's status; Voximplant retries the registration.",
        smsAction: 'Check SIP credentials.',
      },
      card_payment_failed: {
        action: 'Check the card in the control panel, or pay another way, before the balance runs out.',
        smsAction: 'Check the card or pay now.',
      },
      callback_url_wrong: {
        action:
          'Run `npm run configure -- --connect --replace`, or paste the WebhookUrl output into the control panel (Settings > Webhooks).',
        smsAction: 'Fix the webhook URL.',
      },
      callback_salt_wrong: {
        action: 'Run `npm run configure -- --connect --replace`, or set the same salt in SSM and in Voximplant.',
        smsAction: 'Fix the salt.',
      },
    },
    duration: (minutes) => {
      const [days, hours, mins] = splitMinutes(minutes);
      if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
      if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
      return mins > 0 ? `${mins} min` : 'under a minute';
    },
    labels: {
      incident: 'Incident',
      openedAt: 'Open since',
      lastBalance: 'Last known balance',
      sipStatus: 'Last SIP status',
      repeats: 'Repeated by Voximplant',
      level: 'Escalation',
      acknowledgedAt: 'Acknowledged at',
      resolvedAt: 'Resolved at',
    },
    reminder: {
      what: (kind, openFor) => `${kind}, still open after ${openFor}`,
      summary: (kind, openFor, repeats) =>
        `Reminder: ${kind}, open for ${openFor} and nobody has acknowledged it. ` +
        (repeats === 0
          ? 'Voximplant has not repeated it.'
          : repeats === 1
            ? 'Voximplant repeated it once.'
            : `Voximplant repeated it ${repeats} times.`),
      acknowledge: 'Acknowledge (stops the reminders and tells the others)',
      noLink: 'No acknowledge link: the stack has no acknowledge key in SSM.',
      number: (reminder, level) => `reminder ${reminder}, level ${level}`,
    },
    acknowledged: {
      what: (kind) => `${kind} acknowledged`,
      summary: (kind, by) =>
        `${by ?? 'Someone'} acknowledged the incident (${kind}): reminders stopped. It stays open until it is resolved.`,
      sms: (by) => `By ${by ?? 'someone'}; reminders stopped.`,
    },
    resolved: {
      what: (kind, lasted) => `${kind} resolved after ${lasted}`,
      summary: (kind, how, lasted) => `The incident (${kind}) was resolved by ${how}. It lasted ${lasted}.`,
      by: {
        card_payment: 'a card payment',
        robokassa_payment: 'a Robokassa payment',
        wire_transfer: 'a wire transfer',
        account_is_unfrozen: 'Voximplant unfreezing the account',
        sip_registration_recovered: 'the SIP registration recovering',
      },
      watchdog: {
        low_balance: 'the watchdog seeing the balance back above the threshold',
        account_frozen: 'the watchdog seeing the account unfrozen',
        sip_registration: 'the watchdog',
        card_payment_failed: 'the watchdog seeing the balance back above the threshold',
        callback_url_wrong: 'the watchdog seeing the callback URL fixed',
        callback_salt_wrong: 'the watchdog seeing the callback salt fixed',
      },
      other: 'a later event',
      sms: 'Nothing to do.',
    },
    footer: (key, severity) => `Incident ${key}, severity ${severity}.`,
  },
};

function a2pState(enabled: boolean | undefined): string {
  return enabled === undefined ? 'status changed' : enabled ? 'enabled' : 'disabled';
}
