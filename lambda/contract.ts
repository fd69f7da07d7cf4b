/**
 * Names the Lambda and the stack must agree on: environment variables, the dedupe table's schema,
 * the SNS message attributes subscribers filter on, and the metrics the alarms watch.
 * Plain constants, so the stack can import them without loading any Lambda code.
 */

export const ENV = {
  parameterPrefix: 'PARAMETER_PREFIX',
  secretsTtlSeconds: 'SECRETS_TTL_SECONDS',
  maxBodyBytes: 'MAX_BODY_BYTES',
  alertTypes: 'ALERT_TYPES',
  dedupeTableName: 'DEDUPE_TABLE_NAME',
  dedupeTtlDays: 'DEDUPE_TTL_DAYS',
  topicArn: 'ALERT_TOPIC_ARN',
  retryQueueUrl: 'RETRY_QUEUE_URL',
  consoleUrl: 'CONSOLE_URL',
  /** `auto` (default: each callback's language_code), `en` or `ru`. */
  alertLanguage: 'ALERT_LANGUAGE',
  voximplantApiUrl: 'VOXIMPLANT_API_URL',
  /** The watchdog: the URL Voximplant should call (the stack's WebhookUrl). */
  webhookUrl: 'WEBHOOK_URL',
  /** A chat relay (lambda/chat/): which destination it serves, `slack`, `teams` or `telegram`. */
  chatDestination: 'CHAT_DESTINATION',
  /** A Slack or Teams relay: the chat topic its channel configuration is subscribed to. */
  chatTopicArn: 'CHAT_TOPIC_ARN',
  /** The Telegram relay: the chat to post to, and the Bot API's base URL (a stand-in on loopback in tests). */
  telegramChatId: 'TELEGRAM_CHAT_ID',
  telegramApiUrl: 'TELEGRAM_API_URL',
  /** Incidents (lambda/incidents/): their table; unset or empty, incidents are off (alerts as before). */
  incidentTableName: 'INCIDENT_TABLE_NAME',
  /** The notifier: reminder offsets from an incident's opening, then the repeat (`30m,2h,6h,12h`: lambda/incidents/schedule.ts). */
  reminderSchedule: 'REMINDER_SCHEDULE',
  /** The acknowledge route: the full name of the SSM parameter holding the acknowledge key (`<prefix>/ack-key`). */
  ackKeyParameter: 'ACK_KEY_PARAMETER',
  /** The HTTP API's base URL, no trailing slash: acknowledge links are `<API_URL>/ack/<token>`. Unset: no links. */
  apiUrl: 'API_URL',
} as const;

export const DEDUPE_TABLE = {
  /** String partition key: `<account_id>#<callback_id>`. */
  partitionKey: 'pk',
  /** Epoch seconds; DynamoDB TTL deletes the record after the replay window. */
  ttlAttribute: 'expiresAt',
  /** A random token per claim, so an SDK retry of a claim that did land recognises its own write. */
  claimAttribute: 'claim',
  /** Epoch seconds: the lease of a 'final' claim (the one extra publish after an unknown outcome). */
  leaseAttribute: 'leaseUntil',
  /** Publishes begun whose alert may have gone out (1 when ambiguous, 2 once the final one is taken). */
  publishesAttribute: 'publishes',
  /**
   * Key prefixes of the two small items per account that share the table with the callback records (whose keys
   * are `<digits>#<digits>`, so they never collide): the watchdog's state, and when the receiver last verified a
   * callback (lambda/watchdog/ports.ts).
   */
  watchStatePrefix: 'watch#',
  seenPrefix: 'seen#',
} as const;

/**
 * The incidents' own table (lambda/aws/dynamo-incidents.ts): one small record per account and kind, so the
 * notifier's scan stays cheap (the dedupe table holds a record per callback).
 */
export const INCIDENT_TABLE = {
  /** String partition key: incidentKeyString (lambda/incidents/model.ts). */
  partitionKey: 'pk',
  /** Epoch seconds; DynamoDB TTL deletes the record (INCIDENT_RETENTION). */
  ttlAttribute: 'expiresAt',
} as const;

/** How long an incident record is kept after its last change, by status (days). */
export const INCIDENT_RETENTION = {
  /** A resolved incident is kept for the record (and so a late acknowledge link says "already resolved"). */
  resolvedDays: 30,
  /** An open one lives as long as something still says it (a repeat or a reminder moves it). */
  activeDays: 365,
} as const;

/** The receiver function as the stack deploys it. */
export const RECEIVER_FUNCTION = {
  /** Lambda ends an invocation after this; every invocation must decide before it (lambda/deadline.ts). */
  timeoutSeconds: 10,
} as const;

/** The acknowledge route's function (lambda/incidents/ack-handler.ts) as the stack deploys it (infra/acknowledge.ts). */
export const ACK_FUNCTION = {
  /** A key read (cached), one GetItem and one conditional PutItem (a few more on a lost race): well inside it. */
  timeoutSeconds: 10,
  /** How long the acknowledge key stays cached (a rotated key works within this), as the receiver's secrets. */
  keyTtlSeconds: 300,
} as const;

/**
 * The acknowledge link's route on the webhook's HTTP API: `GET` shows a page with a form (it changes nothing:
 * mail scanners and link previewers follow links), `POST` acknowledges.
 */
export const ACK_ROUTE = {
  /** API Gateway's route path; `token` is the path parameter. */
  path: '/ack/{token}',
  prefix: '/ack/',
  parameter: 'token',
  /** A form with one short field: anything larger is not our page's form (413). */
  maxBodyBytes: 1024,
  /** The optional "your name" field, in characters after cleaning. */
  nameMaxLength: 64,
  /** The form field's name. */
  nameField: 'name',
  /**
   * Route-level throttle (requests/s and burst), capped at the stage's (the webhook's) when that is lower: people
   * click these links, a few a minute at most; a flood of them must not use up the webhook's share.
   */
  throttlingRateLimit: 2,
  throttlingBurstLimit: 5,
} as const;

/** The scheduled watchdog (lambda/watchdog/) as the stack deploys it. */
export const WATCHDOG_FUNCTION = {
  /** One GetAccountInfo, a few DynamoDB calls and at most one PublishBatch; every pass decides before it. */
  timeoutSeconds: 30,
  /** Default schedule, minutes (`-c watchInterval=`). */
  defaultIntervalMinutes: 15,
  /** GetAccountInfo's wait off the request path: longer than the webhook's 1.5 s, well inside the timeout. */
  apiTimeoutMs: 5000,
} as const;

/** The scheduled notifier (lambda/incidents/notifier.ts) as the stack deploys it. */
export const NOTIFIER_FUNCTION = {
  /** One bounded scan, a few conditional writes and one PublishBatch per 10 notices; every run decides before it. */
  timeoutSeconds: 30,
  /** Its EventBridge schedule, minutes: "acknowledged" and "resolved" go out within this. */
  intervalMinutes: 1,
} as const;

/**
 * A chat relay (lambda/chat/handler.ts) as the stack deploys it: one function per destination, invoked by SNS
 * asynchronously. A failed delivery fails the invocation; Lambda retries it (async invocation, up to 2 retries,
 * about 1 and 2 minutes apart), then sends the event to the chat failure queue, whose alarm emails.
 */
export const CHAT_RELAY_FUNCTION = {
  timeoutSeconds: 30,
  /** Lambda's async retries: its maximum, so a Telegram outage of a few minutes costs no message. */
  retryAttempts: 2,
  /** One Telegram send waits at most this (the Bot API answers in well under a second when healthy). */
  sendTimeoutMs: 10_000,
  /** A 429's retry_after is waited out in the same invocation only when it is this short; longer: Lambda's retry. */
  maxInlineRetryAfterSeconds: 10,
  /** The Bot API's public host. */
  telegramApiUrl: 'https://api.telegram.org',
  /** Days the failure queue keeps an undelivered chat message (SQS's maximum), for a redrive. */
  failureRetentionDays: 14,
  /**
   * Severities a chat destination receives unless `-c <destination>Severities=` says otherwise: critical and
   * warning. A chat message costs nothing and interrupts less than an SMS, so warnings (a card about to expire,
   * a failed payment) belong there; info (payments received, reports ready) would bury them, and email has it all.
   */
  defaultSeverities: ['critical', 'warning'],
} as const;

/** The parked-retry queue: how often a parked request is tried before it goes to the dead-letter queue. */
export const RETRY_QUEUE = {
  /** With backoff 30 s, 60 s, ... capped at 15 min (queue.ts), 8 attempts span about 45 minutes. */
  maxReceiveCount: 8,
  /** Six times the function's 10 s timeout, as AWS recommends for SQS event sources. */
  visibilityTimeoutSeconds: 60,
} as const;

/** SNS message attributes on every alert (String values), for subscription filter policies. */
export const MESSAGE_ATTRIBUTES = {
  callbackType: 'callback_type',
  severity: 'severity',
  /** Incident alerts only (Number): escalation recipients' filter policies take 2 and up (lambda/incidents/model.ts). */
  escalation: 'escalation',
} as const;

export const METRICS = {
  namespace: 'VoximplantAlerts',
  /** Powertools adds `service` as the default dimension of every metric. */
  service: 'voximplant-alerts',
  names: {
    received: 'CallbacksReceived',
    verified: 'CallbacksVerified',
    rejected: 'CallbacksRejected',
    /** Rejected items that named the configured account but carried a wrong hash: wrong secrets, or a targeted forgery. */
    badSignature: 'CallbacksBadSignature',
    /** Requests whose well-formed items name another account id or carry a wrong hash for every key: a configuration mistake, or a forgery. */
    unverifiable: 'CallbacksUnverifiable',
    duplicates: 'CallbacksDuplicate',
    /** Verified callbacks held by another attempt's unfinished claim: retried later, not suppressed. */
    busy: 'CallbacksClaimedElsewhere',
    ignored: 'CallbacksIgnored',
    published: 'AlertsPublished',
    publishFailures: 'PublishFailures',
    /** Alerts whose publish timed out after it was sent (it may have gone out): one more publish is allowed. */
    publishAmbiguous: 'PublishAmbiguous',
    dedupeUnavailable: 'DedupeUnavailable',
    secretsUnavailable: 'SecretsUnavailable',
    /** Webhook requests answered 500 because the receiver threw: a bug; their callbacks were not alerted. */
    unhandledErrors: 'UnhandledErrors',
    /** Balance alerts whose balance GetAccountInfo confirmed (one per request asked, issue 14). */
    balanceConfirmed: 'BalanceConfirmed',
    /** Requests whose balance alerts went out unconfirmed (no answer in time, credentials refused, API unavailable). */
    balanceUnconfirmed: 'BalanceUnconfirmed',
    /** Requests parked in the retry queue because a dependency failed. */
    parked: 'RequestsParked',
    /** Requests that could be neither handled nor parked: answered 503. */
    parkingFailures: 'ParkingFailures',
    /** Parked requests whose retry failed again (they go back to the queue, then to the DLQ). */
    retriesFailed: 'RetriesFailed',
    /** The watchdog: the Management API refused the stack's credentials (an operations alarm, not alerts). */
    apiAuthRefused: 'ManagementApiAuthRefused',
    /** The watchdog: the Management API (or SSM, or the state table) could not be asked; the pass changed nothing. */
    watchdogUnavailable: 'WatchdogUnavailable',
    /** The watchdog: seconds since the receiver last verified a callback for the account (absent: never). */
    lastCallbackAge: 'LastCallbackAgeSeconds',
    /** The watchdog: conditions open after the pass. */
    watchdogOpen: 'WatchdogConditionsOpen',
    /** The notifier: incidents open or acknowledged (not resolved) at its run, a gauge for dashboards. */
    openIncidents: 'OpenIncidents',
    /** The notifier: reminders published. */
    remindersSent: 'IncidentRemindersSent',
    /** The notifier: "acknowledged" and "resolved" notices published. */
    noticesSent: 'IncidentNoticesSent',
    /** The notifier: a run that could not read or write the incident table, or a notice SNS refused (sent again next run). */
    notifierFailures: 'NotifierFailures',
    /** The acknowledge route: incidents acknowledged through a link (reminders stopped). */
    acknowledged: 'IncidentsAcknowledged',
    /** The acknowledge route: links refused as forged, malformed or expired (changed nothing). */
    ackRefused: 'AckLinksRefused',
    /** The acknowledge route: the key or the incident table could not be read in time (answered 503). */
    ackUnavailable: 'AckUnavailable',
    /** Verified callbacks that folded into an incident already open (repeats): recorded, not alerted again. */
    incidentRepeatsFolded: 'IncidentRepeatsFolded',
    /**
     * Incident calls that failed (table unavailable, throttled, no time left): an opening alert goes out without its
     * incident (no reminders, no link); a resolve is missed (reminders go on until a later payment or watchdog pass).
     */
    incidentStoreUnavailable: 'IncidentStoreUnavailable',
  },
} as const;
