/**
 * The watchdog (lambda/watchdog/): its own function, run by an EventBridge schedule every `watchInterval`
 * minutes, with a role that can do exactly what one pass does: read the stack's SSM parameters, get and
 * conditionally put its items in the dedupe table, publish to the alert topic, write its own log group. Its
 * alerts go through the alert topic like the receiver's, so the same subscriptions and filters apply; its
 * metrics share the receiver's namespace and `service` dimension, so PublishFailures covers it too.
 */
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Rule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENV, METRICS, WATCHDOG_FUNCTION } from '../lambda/contract';
import { MANAGEMENT_API } from '../lambda/voximplant/management-api';
import { ALARM_PERIOD, type AlarmSpec, customMetric } from './alarms';
import type { ReminderSchedule } from '../lambda/incidents/model';
import { formatReminderSchedule } from '../lambda/incidents/schedule';
import { scheduledFunction, type ScheduledFunctionProps } from './scheduled-function';

export interface WatchdogProps {
  /** What the watchdog shares with the receiver's function: runtime, architecture, bundling, project root. */
  readonly functionDefaults: ScheduledFunctionProps['functionDefaults'];
  readonly entry: string;
  readonly logRetention: RetentionDays;
  readonly parameterPrefix: string;
  /** ARNs of exactly the SSM parameters it may read (the receiver's five). */
  readonly parameterArns: readonly string[];
  readonly kmsKeyArn?: string;
  readonly table: ITable;
  /** Incidents (lambda/watchdog/incidents.ts): a condition opens or resolves its incident here. */
  readonly incidentTable: ITable;
  /** The HTTP API's base URL (no trailing slash), for acknowledge links. */
  readonly apiUrl: string;
  /** When an opened incident's first reminder falls: the notifier's schedule. */
  readonly reminderSchedule: ReminderSchedule;
  readonly alertTopic: ITopic;
  /** The URL Voximplant should call: the stage URL. */
  readonly webhookUrl: string;
  /** Minutes between passes. */
  readonly intervalMinutes: number;
  /** Optional: alarm when the last verified callback is older than this (hours). */
  readonly maxCallbackAgeHours?: number;
}

export class Watchdog extends Construct {
  readonly function: NodejsFunction;
  readonly rule: Rule;
  /** For infra/alarms.ts: the refused-credentials alarm and the watchdog's own failures. */
  readonly alarms: Record<string, AlarmSpec>;

  constructor(scope: Construct, id: string, props: WatchdogProps) {
    super(scope, id);
    const scheduled = scheduledFunction(this, {
      functionDefaults: props.functionDefaults,
      entry: props.entry,
      logRetention: props.logRetention,
      roleDescription:
        'Voximplant watchdog: its own log group, the SSM parameters, its items in the dedupe table, the incident table, the alert topic',
      description: "Checks the Voximplant account's link to this stack (GetAccountInfo) and alerts once per condition",
      timeoutSeconds: WATCHDOG_FUNCTION.timeoutSeconds,
      environment: {
        [ENV.parameterPrefix]: props.parameterPrefix,
        [ENV.dedupeTableName]: props.table.tableName,
        [ENV.topicArn]: props.alertTopic.topicArn,
        [ENV.webhookUrl]: props.webhookUrl,
        [ENV.incidentTableName]: props.incidentTable.tableName,
        [ENV.apiUrl]: props.apiUrl,
        [ENV.reminderSchedule]: formatReminderSchedule(props.reminderSchedule),
        [ENV.voximplantApiUrl]: MANAGEMENT_API.baseUrl,
      },
      kmsKeyArn: props.kmsKeyArn,
      intervalMinutes: props.intervalMinutes,
      what: 'Runs the Voximplant watchdog',
    });
    this.function = scheduled.function;
    this.rule = scheduled.rule;
    props.table.grant(this.function, 'dynamodb:GetItem', 'dynamodb:PutItem');
    // A consistent read and a conditional put per incident key (lambda/incidents/update.ts); never a scan.
    props.incidentTable.grant(this.function, 'dynamodb:GetItem', 'dynamodb:PutItem');
    props.alertTopic.grantPublish(this.function);
    this.function.addToRolePolicy(new PolicyStatement({ actions: ['ssm:GetParameters'], resources: [...props.parameterArns] }));

    this.alarms = {
      // Pages: no request can move it (it counts the watchdog's own call with the stored key), and the callback
      // hash uses the same API key, so while Voximplant refuses it every callback may fail verification too.
      ManagementApiAuthRefused: {
        metric: customMetric(METRICS.names.apiAuthRefused),
        description:
          `Voximplant's Management API refused the account id and API key stored under ${props.parameterPrefix}: the key was ` +
          'changed or revoked in Voximplant. Callbacks are signed with that key, so they may fail verification too. Store the ' +
          'current key with `npm run configure`, then run `npm run check-account`.',
        pages: true,
      },
      // Email only: the watchdog failing means no watchdog alerts, not a lost callback alert.
      WatchdogErrors: {
        metric: this.function.metricErrors({ statistic: 'Sum', period: ALARM_PERIOD }),
        description: 'The watchdog Lambda failed (crash or timeout): the account link is not being checked. Check its log group.',
        pages: false,
      },
    };
    if (props.maxCallbackAgeHours !== undefined) {
      // Email only: silence may be a quiet account. The watchdog publishes the age once per pass; no data (no
      // callback on record yet) does not alarm.
      this.alarms.CallbackSilence = {
        metric: customMetric(METRICS.names.lastCallbackAge).with({ statistic: 'Maximum' }),
        threshold: props.maxCallbackAgeHours * 3600,
        description:
          `No Voximplant callback was verified for ${props.maxCallbackAgeHours} hours (LastCallbackAgeSeconds, from the ` +
          'watchdog). Voximplant may have stopped calling: run `npm run check-account`, check the webhook settings in the ' +
          'control panel, and send a test with `npm run send-callback`.',
        pages: false,
      };
    }
  }
}
