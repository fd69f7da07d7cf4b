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
} as const;

/** The receiver function as the stack deploys it. */
export const RECEIVER_FUNCTION = {
  /** Lambda ends an invocation after this; every invocation must decide before it (lambda/deadline.ts). */
  timeoutSeconds: 10,
} as const;

/** The parked-retry queue: how often a parked request is tried before it goes to the dead-letter queue. */
export const RETRY_QUEUE = {
  /** With backoff 30 s, 60 s, ... capped at 15 min (retry.ts), 8 attempts span about 45 minutes. */
  maxReceiveCount: 8,
  /** Six times the function's 10 s timeout, as AWS recommends for SQS event sources. */
  visibilityTimeoutSeconds: 60,
} as const;

/** SNS message attributes on every alert (String values), for subscription filter policies. */
export const MESSAGE_ATTRIBUTES = {
  callbackType: 'callback_type',
  severity: 'severity',
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
    /** Requests parked in the retry queue because a dependency failed. */
    parked: 'RequestsParked',
    /** Requests that could be neither handled nor parked: answered 503. */
    parkingFailures: 'ParkingFailures',
    /** Parked requests whose retry failed again (they go back to the queue, then to the DLQ). */
    retriesFailed: 'RetriesFailed',
  },
} as const;
