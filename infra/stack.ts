/**
 * The whole receiver, in the order a callback travels:
 *
 *   Voximplant ──POST /──▶ HTTP API ──▶ Lambda ──▶ SSM (secrets, read only)
 *                            │           ▲  ├─────▶ DynamoDB (callback ids seen)
 *                            │           │  ├─────▶ SNS alert topic ──▶ email (all) / SMS (urgent)
 *                            │           │  └─────▶ SQS retry queue (requests a failing dependency kept back)
 *                            │           └──────────┘  (same Lambda consumes it; after 8 tries ──▶ DLQ)
 *                            └──▶ access log (429s counted by a metric filter)
 *   CloudWatch alarms ──▶ SNS operations topic ──▶ email (every alarm)
 *     └─ only what no outsider can raise ──▶ SNS paging topic ──▶ SMS (infra/alarms.ts states the rule)
 *
 * Environment-agnostic (no account or region needed to synthesize). Holds no secrets: the salt and the
 * API key live in SSM SecureString parameters the user creates after deploying (see the outputs).
 *
 * Over 400 lines because the stack reads like the architecture diagram in one file; the watchdog and the
 * alarms are constructs of their own (watchdog.ts, alarms.ts).
 */
import * as path from 'node:path';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, LogGroupLogDestination, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, SmsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { parameterNames } from '../lambda/config';
import { DEDUPE_TABLE, INCIDENT_TABLE, ENV, MESSAGE_ATTRIBUTES, METRICS, RECEIVER_FUNCTION, RETRY_QUEUE } from '../lambda/contract';
import { MANAGEMENT_API } from '../lambda/voximplant/management-api';
import { Acknowledge } from './acknowledge';
import { addAlarms, ALARM_PERIOD, type AlarmSpec, customMetric } from './alarms';
import { allowSsmDecrypt } from './function';
import { readSettings, type Settings } from './context';
import { ESCALATION_LEVEL } from '../lambda/incidents/model';
import { INCIDENT_TYPE_PREFIX } from '../lambda/render/incident';
import { formatReminderSchedule } from '../lambda/incidents/schedule';
import { IncidentNotifier } from './incidents';
import { Chat } from './chat';
import { Watchdog } from './watchdog';

const PROJECT_ROOT = path.join(__dirname, '..');

/**
 * The newest Node.js runtime this aws-cdk-lib knows. Not Runtime.NODEJS_LATEST: that one lags behind
 * (it is still nodejs22.x in aws-cdk-lib 2.276). Bump together with aws-cdk-lib; test/infra checks it.
 */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/**
 * Gives the ESM bundle a real `require`, for any bundled CommonJS code that requires a Node builtin: esbuild's
 * ESM output alone fails there with `Dynamic require of "node:https" is not supported`.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

const LOG_RETENTION = RetentionDays.ONE_MONTH;

/** Replaces the SDK's default credential chain in the bundle (relative to the project root, esbuild's cwd). */
export const ENV_CREDENTIALS_MODULE = 'lambda/aws/env-credentials.ts';

/** API Gateway HTTP API access log, one JSON object per request. */
export const ACCESS_LOG_FORMAT = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  // No `$context.path`: the acknowledge route's path carries its token, a credential (infra/acknowledge.ts); the
  // route key says which route a request took (`$default`/`-` for none).
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  userAgent: '$context.identity.userAgent',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationErrorMessage: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
} as const;

/**
 * Requests API Gateway answered 429 (the stage throttle, or the account's), counted by a metric filter on the
 * access log: the Lambda never sees them. Same namespace as the Lambda's metrics, no dimension.
 */
export const THROTTLED_METRIC = {
  namespace: METRICS.namespace,
  name: 'RequestsThrottled',
  /** Matches the access log's `status` field, written as a JSON string (ACCESS_LOG_FORMAT). */
  filterPattern: FilterPattern.stringValue('$.status', '=', '429'),
} as const;

export class VoximplantAlertsStack extends Stack {
  readonly settings: Settings;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const settings = (this.settings = readSettings((key) => this.node.tryGetContext(key)));
    const parameters = parameterNames(settings.parameterPrefix);

    // ── Topics: alerts (published by the Lambda, filtered per subscriber), operations and paging (alarms) ──
    // No displayName: SNS prefixes it to every SMS, and the Lambda fills one 160-character segment.
    const alertTopic = new Topic(this, 'AlertTopic', { enforceSSL: true });
    // CloudWatch alarm notifications carry no message attributes, so they could never pass the SMS filter
    // policy; they get topics of their own: every alarm by email, and by SMS only what no outsider can raise.
    const operationsTopic = new Topic(this, 'OperationsTopic', { enforceSSL: true });
    const pagingTopic = new Topic(this, 'PagingTopic', { enforceSSL: true });
    this.subscribe({ alerts: alertTopic, operations: operationsTopic, paging: pagingTopic }, settings);
    if (settings.alertEmails.length === 0 && settings.alertSms.length === 0) {
      Annotations.of(this).addWarningV2(
        'voximplant-alerts:noSubscribers',
        'No alertEmail or alertSms context: alerts and alarms will reach nobody. ' +
          'Add e.g. "alertEmail": "ops@example.com", "alertSms": "+15551234567" to the context in cdk.json (README, Deploy)',
      );
    } else if (settings.alertEmails.length === 0) {
      Annotations.of(this).addWarningV2(
        'voximplant-alerts:noEmail',
        'alertSms without alertEmail: alarms that never page by SMS (callbacks failing verification, throttled ' +
          'requests, the dedupe table unavailable) will reach nobody. Add -c alertEmail=ops@example.com',
      );
    }

    // ── Duplicate suppression: one item per (account_id, callback_id), expired by TTL ──
    const dedupeTable = this.ttlTable(
      'DedupeTable',
      DEDUPE_TABLE,
      'The table only remembers callback ids for the replay window and expires them by TTL; a point-in-time ' +
        'restore would create a new table this stack does not use, so backups would cost without helping.',
    );
    // Incidents (lambda/incidents/): one small record per account and kind, so the notifier's scan stays cheap.
    const incidentTable = this.ttlTable(
      'IncidentTable',
      INCIDENT_TABLE,
      'The table holds live incident state that the next callback or watchdog pass rebuilds; a restore would create a table this stack does not use.',
    );

    // ── Parked requests: what a failing SSM, DynamoDB or SNS kept from being alerted, retried with backoff ──
    const deadLetters = new Queue(this, 'RetryDeadLetterQueue', {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    const retryQueue = new Queue(this, 'RetryQueue', {
      enforceSSL: true,
      encryption: QueueEncryption.SQS_MANAGED,
      visibilityTimeout: Duration.seconds(RETRY_QUEUE.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: RETRY_QUEUE.maxReceiveCount },
    });
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of the retry queue; it is watched by the RetryDeadLetters alarm.',
    });

    // ── The receiver ──
    const receiverLogs = new LogGroup(this, 'ReceiverLogs', {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy may write to any log group.
    const receiverRole = new Role(this, 'ReceiverRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Voximplant callback receiver: its own log group, the SSM parameters, the dedupe table, the alert topic',
    });
    receiverLogs.grantWrite(receiverRole);

    // What every function of the stack shares (the watchdog's too: infra/watchdog.ts).
    const functionDefaults = {
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      bundling: {
        // Local esbuild only: no Docker needed to synthesize or deploy.
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the AWS SDK: a pinned, tested version instead of whatever the runtime ships.
        externalModules: [],
        // Lambda's credentials are in the environment: the env-only chain trims ~120 KB and ~20 ms of cold start.
        esbuildArgs: { '--alias': `@aws-sdk/credential-provider-node=./${ENV_CREDENTIALS_MODULE}` },
      },
    };
    const receiver = new NodejsFunction(this, 'Receiver', {
      description: 'Verifies Voximplant account callbacks and alerts once per callback by email/SMS',
      entry: path.join(PROJECT_ROOT, 'lambda', 'handler.ts'),
      handler: 'handler',
      memorySize: 256,
      timeout: Duration.seconds(RECEIVER_FUNCTION.timeoutSeconds),
      role: receiverRole,
      logGroup: receiverLogs,
      environment: {
        [ENV.parameterPrefix]: settings.parameterPrefix,
        [ENV.dedupeTableName]: dedupeTable.tableName,
        [ENV.topicArn]: alertTopic.topicArn,
        [ENV.alertTypes]: settings.alertTypes,
        [ENV.alertLanguage]: settings.alertLanguage,
        [ENV.retryQueueUrl]: retryQueue.queueUrl,
        [ENV.incidentTableName]: incidentTable.tableName,
        // An opened incident's first reminder falls by the notifier's schedule.
        [ENV.reminderSchedule]: formatReminderSchedule(settings.reminderSchedule),
        // Balance alerts are confirmed with GetAccountInfo (lambda/confirm.ts), with the key the receiver already reads.
        [ENV.voximplantApiUrl]: MANAGEMENT_API.baseUrl,
        POWERTOOLS_SERVICE_NAME: METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
        NODE_OPTIONS: '--enable-source-maps',
      },
      ...functionDefaults,
    });

    // Lambda's L2 makes every function DependsOn its role (and the role's policy) although it already
    // references the role by GetAtt; cfn-lint flags the redundant half (W3005). Harmless, silenced here only.
    (receiver.node.defaultChild as CfnFunction).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });

    dedupeTable.grant(receiver, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
    // Incidents: a consistent read and a conditional put per key (lambda/incidents/update.ts); never a scan.
    incidentTable.grant(receiver, 'dynamodb:GetItem', 'dynamodb:PutItem');
    alertTopic.grantPublish(receiver);
    retryQueue.grantSendMessages(receiver);
    // The same function consumes the queue; failed items come back with backoff (ChangeMessageVisibilityBatch,
    // authorized by sqs:ChangeMessageVisibility, which the event source's grant already includes: SQS API
    // Reference, "AddPermission") until maxReceiveCount sends them to the DLQ.
    receiver.addEventSource(new SqsEventSource(retryQueue, { batchSize: 10, reportBatchItemFailures: true }));
    // Exactly the six parameter names, never the whole prefix. Reading SecureStrings encrypted with the
    // AWS-managed aws/ssm key needs no KMS statement: that key's policy already allows decryption through
    // SSM for principals of this account.
    const parameterArn = (name: string) => this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') });
    const parameterArns = Object.values(parameters).map(parameterArn);
    receiver.addToRolePolicy(new PolicyStatement({ actions: ['ssm:GetParameters', 'ssm:GetParameter'], resources: parameterArns }));
    allowSsmDecrypt(receiver, this, settings.kmsKeyArn);

    // ── The public endpoint ──
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const api = new HttpApi(this, 'Api', {
      apiName: this.stackName,
      description: 'Receives Voximplant account callbacks (webhooks)',
      // HttpApi's own default stage takes neither throttling nor access logs; this one is created below.
      createDefaultStage: false,
    });
    const stage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.throttleRate, burstLimit: settings.throttleBurst },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });
    // Acknowledge links (lambda/incidents/ack-token.ts) are `<API_URL>/ack/<token>`: the stage URL, built from the API's
    // id (a Ref, not GetAtt ApiEndpoint, which the offline deploy rehearsal's CloudFormation cannot resolve). No cycle:
    // the API resource does not depend on the function; its routes and integration do.
    receiver.addEnvironment(ENV.apiUrl, stage.url);
    const integration = new HttpLambdaIntegration('Receiver', receiver, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    // POST / carries callbacks; GET / is the health check. Anything else gets API Gateway's 404.
    const routes = api.addRoutes({ path: '/', methods: [HttpMethod.POST, HttpMethod.GET], integration });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          "Voximplant's webhook cannot send credentials or custom headers. Each callback is authenticated in the " +
          'Lambda by its hash md5(salt + account_id + api_key + callback_id), compared in constant time, and accepted ' +
          'once; GET / is a health check that reveals nothing.',
      });
    }

    // The stage throttle is shared with anyone: count what it refuses, genuine deliveries included.
    const throttled = accessLogs.addMetricFilter('ThrottledRequests', {
      filterPattern: THROTTLED_METRIC.filterPattern,
      metricNamespace: THROTTLED_METRIC.namespace,
      metricName: THROTTLED_METRIC.name,
      metricValue: '1',
    });

    // ── Alarms: every one by email; by SMS only what no outsider can raise (the rule: infra/alarms.ts) ──
    const custom = customMetric;
    const alarms: Record<string, AlarmSpec> = {
      // A webhook request the receiver threw on (answered 500): a bug, which no input may cause by design (the
      // hostile-input suite's properties), and its callbacks were not alerted.
      UnhandledErrors: {
        metric: custom(METRICS.names.unhandledErrors),
        description:
          'The receiver threw on a webhook request and answered 500: its callbacks were not alerted. Check the log line "Unhandled error".',
        pages: true,
      },
      // Webhook bugs are answered 500 (UnhandledErrors); this counts crashes and timeouts, mostly on the retry path.
      ReceiverErrors: {
        metric: receiver.metricErrors({ statistic: 'Sum', period: ALARM_PERIOD }),
        description: 'The receiver Lambda failed (crash or timeout): callbacks may be lost. Check its log group.',
        pages: true,
      },
      // Email only: besides the receiver's own 5xx (a request it could neither handle nor park pages through
      // ParkingFailures), API Gateway answers 5xx itself when it cannot invoke the function, and a request
      // alone may cause that (a body over Lambda's 6 MB invocation payload limit, for one).
      Api5xx: {
        metric: api.metricServerError({ statistic: 'Sum', period: ALARM_PERIOD }),
        description:
          'The webhook answered 5xx. Check the API access logs (status, integrationErrorMessage) and the receiver logs: ' +
          'a 500 from the receiver is a bug, a 503 a request neither handled nor parked (ParkingFailures also fires). ' +
          'On routeKey /ack/{token}: the acknowledge route could not read SSM or the incident table (AcknowledgeUnavailable also fires).',
        pages: false,
      },
      PublishFailures: {
        metric: custom(METRICS.names.publishFailures),
        description: 'An alert could not be published to SNS: a verified callback may not have reached anyone.',
        pages: true,
      },
      SecretsUnavailable: {
        metric: custom(METRICS.names.secretsUnavailable),
        description: `The receiver could not read its SSM parameters under ${settings.parameterPrefix}: create or fix them.`,
        pages: true,
      },
      RetryDeadLetters: {
        metric: deadLetters.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: ALARM_PERIOD }),
        description:
          `A parked request failed ${RETRY_QUEUE.maxReceiveCount} retries over about 45 minutes and is in the dead-letter ` +
          'queue: its alerts were never sent. Fix the cause (see the receiver logs), then redrive the DLQ in the SQS console.',
        pages: true,
      },
      ParkingFailures: {
        metric: custom(METRICS.names.parkingFailures),
        description: 'A request could be neither handled nor parked for retry and was answered 503: it is lost unless Voximplant retries.',
        pages: true,
      },
      // Email only: the alert is still sent (at least once), so nothing is lost.
      DedupeUnavailable: {
        metric: custom(METRICS.names.dedupeUnavailable),
        description: 'The dedupe table could not be reached: duplicates may be alerted twice.',
        pages: false,
      },
      // Email only: a request naming the account id with any hash moves it. Replaces the CallbacksBadSignature
      // alarm (that metric counts a subset: wrong hash for the right account id) and adds the wrong account id.
      // Only well-formed items count, so scanners' junk does not; one genuine callback may be all Voximplant
      // sends (its retries are not documented), so a single request alarms.
      CallbacksUnverifiable: {
        metric: custom(METRICS.names.unverifiable),
        description:
          'Callbacks failed verification for a reason that points at configuration: they name another account id than ' +
          `the one in SSM (${parameters.accountId}), or their hash matches neither the salt nor the API key stored there ` +
          '(the previous ones included). Every genuine callback is refused (401) until this is fixed: compare the SSM ' +
          "values with the Voximplant control panel (the receiver log gives each item's reason). A forgery looks the same; that is " +
          'why this alarm never pages by SMS.',
        pages: false,
      },
      // Email only: anyone can flood the endpoint.
      ApiThrottled: {
        metric: throttled.metric({ statistic: 'Sum', period: ALARM_PERIOD }),
        description:
          `API Gateway refused requests with 429: more than ${settings.throttleRate} requests/s (burst ${settings.throttleBurst}) ` +
          "reached the webhook, and genuine Voximplant deliveries in that window may have been refused too. The API's " +
          'access log (status 429: ip, userAgent) shows who; if it is Voximplant, raise -c throttleRate / throttleBurst. ' +
          'A routeKey /ack/{token} is the acknowledge route, throttled lower on purpose (infra/acknowledge.ts).',
        pages: false,
      },
    };
    // ── The watchdog: a scheduled GetAccountInfo that notices a broken link or silence (infra/watchdog.ts) ──
    const watchdog = new Watchdog(this, 'Watchdog', {
      functionDefaults,
      entry: path.join(PROJECT_ROOT, 'lambda', 'watchdog', 'handler.ts'),
      logRetention: LOG_RETENTION,
      parameterPrefix: settings.parameterPrefix,
      parameterArns: parameterArns,
      kmsKeyArn: settings.kmsKeyArn,
      table: dedupeTable,
      incidentTable,
      apiUrl: stage.url,
      reminderSchedule: settings.reminderSchedule,
      alertTopic,
      webhookUrl: stage.url,
      intervalMinutes: settings.watchInterval,
      maxCallbackAgeHours: settings.maxCallbackAgeHours,
    });
    // ── Incidents: reminders, "acknowledged" and "resolved", every minute (infra/incidents.ts) ──
    const notifier = new IncidentNotifier(this, 'IncidentNotifier', {
      functionDefaults,
      entry: path.join(PROJECT_ROOT, 'lambda', 'incidents', 'handler.ts'),
      logRetention: LOG_RETENTION,
      parameterPrefix: settings.parameterPrefix,
      ackKeyParameterArn: parameterArn(parameters.ackKey),
      kmsKeyArn: settings.kmsKeyArn,
      table: incidentTable,
      alertTopic,
      webhookUrl: stage.url,
      schedule: settings.reminderSchedule,
      alertLanguage: settings.alertLanguage,
    });
    // ── Chat: Slack, Teams and Telegram relays, only when a chat destination is set (infra/chat.ts) ──
    const chat =
      settings.chat &&
      new Chat(this, 'Chat', {
        settings: settings.chat,
        functionDefaults,
        entry: path.join(PROJECT_ROOT, 'lambda', 'chat', 'handler.ts'),
        logRetention: LOG_RETENTION,
        alertTopic,
        parameterPrefix: settings.parameterPrefix,
        kmsKeyArn: settings.kmsKeyArn,
      });
    // ── Acknowledge links of incident alerts: GET|POST /ack/{token}, its own function and throttle (infra/acknowledge.ts) ──
    const acknowledge = new Acknowledge(this, 'Acknowledge', {
      functionDefaults,
      entry: path.join(PROJECT_ROOT, 'lambda', 'incidents', 'ack-handler.ts'),
      logRetention: LOG_RETENTION,
      ackKeyParameter: { name: parameters.ackKey, arn: parameterArn(parameters.ackKey) },
      kmsKeyArn: settings.kmsKeyArn,
      incidentTable,
      api,
      stage,
      stageThrottle: { rateLimit: settings.throttleRate, burstLimit: settings.throttleBurst },
    });
    addAlarms(
      this,
      { ...alarms, ...watchdog.alarms, ...notifier.alarms, ...acknowledge.alarms, ...chat?.alarms },
      { operations: operationsTopic, paging: pagingTopic },
    );

    // ── What the user needs after `cdk deploy` ──
    new CfnOutput(this, 'WebhookUrl', {
      description: 'Paste into Voximplant: control panel > Settings > Webhooks > Callback URL (and set a salt)',
      value: stage.url,
    });
    new CfnOutput(this, 'SaltParameterName', {
      description: 'Create as SecureString: the Security salt set in Voximplant Webhooks settings',
      value: parameters.salt,
    });
    new CfnOutput(this, 'AccountIdParameterName', {
      description: 'Create as String: your Voximplant account id',
      value: parameters.accountId,
    });
    new CfnOutput(this, 'ApiKeyParameterName', {
      description: 'Create as SecureString: your Voximplant account API key',
      value: parameters.apiKey,
    });
    new CfnOutput(this, 'RotationParameterNames', {
      description: 'Optional SecureStrings while rotating: the previous salt and the previous API key',
      value: `${parameters.saltPrevious} ${parameters.apiKeyPrevious}`,
    });
    new CfnOutput(this, 'AckKeyParameterName', {
      description: "SecureString that signs incidents' acknowledge links: npm run configure creates it (without it, alerts carry no link)",
      value: parameters.ackKey,
    });
    new CfnOutput(this, 'AlertTopicArn', {
      description: 'Alerts: subscribe more endpoints here (email gets all, SMS filters on severity)',
      value: alertTopic.topicArn,
    });
    new CfnOutput(this, 'OperationsTopicArn', {
      description: 'Every alarm about the receiver, by email: subscribe more endpoints here, but never SMS (outsiders can raise some)',
      value: operationsTopic.topicArn,
    });
    new CfnOutput(this, 'PagingTopicArn', {
      description: 'Alarms only a real fault can raise (a genuine alert may be lost): SMS subscribers; add other paging endpoints here',
      value: pagingTopic.topicArn,
    });
    new CfnOutput(this, 'DedupeTableName', { value: dedupeTable.tableName });
    new CfnOutput(this, 'IncidentTableName', { value: incidentTable.tableName });
    new CfnOutput(this, 'RetryDeadLetterQueueUrl', {
      description: 'Parked requests that failed every retry: redrive from the SQS console once the cause is fixed',
      value: deadLetters.queueUrl,
    });
  }

  /**
   * Email gets every forwarded alert and every alarm; SMS gets the alerts the filter lets through and only the
   * alarms of the paging topic (each alarm reaches a person once per channel: infra/alarms.ts).
   */
  /**
   * An on-demand table keyed by one string attribute and expired by TTL, deleted with the stack; `whyNoBackups`
   * acknowledges cdk-nag's point-in-time-recovery finding (AwsSolutions-DDB3) for it.
   */
  private ttlTable(id: string, schema: { readonly partitionKey: string; readonly ttlAttribute: string }, whyNoBackups: string): Table {
    const table = new Table(this, id, {
      partitionKey: { name: schema.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: schema.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(table).acknowledge({ id: 'AwsSolutions-DDB3', reason: whyNoBackups });
    return table;
  }

  private subscribe(topics: { alerts: Topic; operations: Topic; paging: Topic }, settings: Settings): void {
    const smsFilter: Record<string, SubscriptionFilter> = {};
    if (settings.smsSeverities !== '*') {
      smsFilter[MESSAGE_ATTRIBUTES.severity] = SubscriptionFilter.stringFilter({ allowlist: [...settings.smsSeverities] });
    }
    if (settings.smsAlertTypes !== '*') {
      // Incident follow-ups (reminders, "acknowledged", "resolved") carry the severity of their opening, so the
      // severity filter decides for them as it did for the opening; the type list lets them through by prefix.
      smsFilter[MESSAGE_ATTRIBUTES.callbackType] = SubscriptionFilter.stringFilter({
        allowlist: [...settings.smsAlertTypes],
        matchPrefixes: [INCIDENT_TYPE_PREFIX],
      });
    }
    const filterPolicy = Object.keys(smsFilter).length > 0 ? smsFilter : undefined;
    // The second line: incident messages of level 2 and up only. SNS compares policies with String, String.Array and
    // Number attributes, and a prefix or a numeric range counts as one value of the 150 combinations (Amazon SNS
    // Developer Guide, "Filter policy constraints": https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html).
    const escalation = { [MESSAGE_ATTRIBUTES.escalation]: SubscriptionFilter.numericFilter({ greaterThanOrEqualTo: ESCALATION_LEVEL }) };
    for (const email of settings.escalationEmails) {
      topics.alerts.addSubscription(new EmailSubscription(email, { filterPolicy: escalation }));
    }
    for (const phone of settings.escalationSms) {
      topics.alerts.addSubscription(new SmsSubscription(phone, { filterPolicy: { ...smsFilter, ...escalation } }));
    }

    for (const email of settings.alertEmails) {
      topics.alerts.addSubscription(new EmailSubscription(email));
      topics.operations.addSubscription(new EmailSubscription(email));
    }
    for (const phone of settings.alertSms) {
      topics.alerts.addSubscription(new SmsSubscription(phone, { filterPolicy }));
      topics.paging.addSubscription(new SmsSubscription(phone));
    }
  }
}
