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
  consoleUrl: 'CONSOLE_URL',
} as const;

export const DEDUPE_TABLE = {
  /** String partition key: `<account_id>#<callback_id>`. */
  partitionKey: 'pk',
  /** Epoch seconds; DynamoDB TTL deletes the record after the replay window. */
  ttlAttribute: 'expiresAt',
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
    duplicates: 'CallbacksDuplicate',
    ignored: 'CallbacksIgnored',
    published: 'AlertsPublished',
    publishFailures: 'PublishFailures',
    dedupeUnavailable: 'DedupeUnavailable',
    secretsUnavailable: 'SecretsUnavailable',
  },
} as const;
