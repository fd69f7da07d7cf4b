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
  /** Incidents (lambda/incidents/): their table; unset or empty, incidents are off (alerts as before). */
  incidentTableName: 'INCIDENT_TABLE_NAME',
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

/** The scheduled watchdog (lambda/watchdog/) as the stack deploys it. */
export const WATCHDOG_FUNCTION = {
  /** One GetAccountInfo, a few DynamoDB calls and at most one PublishBatch; every pass decides before it. */
  timeoutSeconds: 30,
  /** Default schedule, minutes (`-c watchInterval=`). */
  defaultIntervalMinutes: 15,
  /** GetAccountInfo's wait off the request path: longer than the webhook's 1.5 s, well inside the timeout. */
  apiTimeoutMs: 5000,
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
    /** Verified callbacks that folded into an incident already open (repeats): recorded, not alerted again. */
    incidentRepeatsFolded: 'IncidentRepeatsFolded',
    /**
     * Incident calls that failed (table unavailable, throttled, no time left): an opening alert goes out without its
     * incident (no reminders, no link); a resolve is missed (reminders go on until a later payment or watchdog pass).
     */
    incidentStoreUnavailable: 'IncidentStoreUnavailable',
  },
} as const;
