/**
 * The incident notifier (lambda/incidents/notifier.ts): its own function, run by an EventBridge schedule every
 * minute, so an "acknowledged" or "resolved" notice goes out within a minute and a reminder within a minute of
 * its time. Its role can do exactly what one run does: scan, get and conditionally put items of the incident
 * table, read the acknowledge key (one SSM parameter), publish to the alert topic, write its own log group.
 * Its alerts go through the alert topic like every other, so the same subscriptions and filters apply.
 *
 * Its cost is fixed (a run a minute, whatever the callbacks): the figures are in the README ("Operate").
 */
import { Duration } from 'aws-cdk-lib';
import { MathExpression } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Rule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENV, METRICS, NOTIFIER_FUNCTION } from '../lambda/contract';
import type { ReminderSchedule } from '../lambda/incidents/model';
import { formatReminderSchedule } from '../lambda/incidents/schedule';
import type { AlertLanguage } from '../lambda/render';
import { ALARM_PERIOD, type AlarmSpec, customMetric } from './alarms';
import { scheduledFunction, type ScheduledFunctionProps } from './scheduled-function';

/** The paging alarm: `threshold` failures (errors or NotifierFailures) within `windowMinutes` (15 runs) mean it keeps failing. */
export const NOTIFIER_FAILING = { windowMinutes: 15, threshold: 10 } as const;

export interface IncidentNotifierProps {
  /** What it shares with the receiver's function: runtime, architecture, bundling, project root. */
  readonly functionDefaults: ScheduledFunctionProps['functionDefaults'];
  readonly entry: string;
  readonly logRetention: RetentionDays;
  readonly parameterPrefix: string;
  /** ARN of exactly the acknowledge-key parameter. */
  readonly ackKeyParameterArn: string;
  readonly kmsKeyArn?: string;
  readonly table: ITable;
  readonly alertTopic: ITopic;
  /** The stage URL: acknowledge links are `<url>ack/<token>`. */
  readonly webhookUrl: string;
  readonly schedule: ReminderSchedule;
  readonly alertLanguage: AlertLanguage;
}

export class IncidentNotifier extends Construct {
  readonly function: NodejsFunction;
  readonly rule: Rule;
  /** For infra/alarms.ts: its errors (email) and its failing for a while (pages). */
  readonly alarms: Record<string, AlarmSpec>;

  constructor(scope: Construct, id: string, props: IncidentNotifierProps) {
    super(scope, id);
    const scheduled = scheduledFunction(this, {
      functionDefaults: props.functionDefaults,
      entry: props.entry,
      logRetention: props.logRetention,
      roleDescription: 'Voximplant incident notifier: its own log group, the incident table, the acknowledge key, the alert topic',
      description: 'Sends incident reminders and the acknowledged/resolved notices, once each',
      timeoutSeconds: NOTIFIER_FUNCTION.timeoutSeconds,
      environment: {
        [ENV.parameterPrefix]: props.parameterPrefix,
        [ENV.incidentTableName]: props.table.tableName,
        [ENV.topicArn]: props.alertTopic.topicArn,
        [ENV.webhookUrl]: props.webhookUrl,
        [ENV.reminderSchedule]: formatReminderSchedule(props.schedule),
        [ENV.alertLanguage]: props.alertLanguage,
      },
      kmsKeyArn: props.kmsKeyArn,
      intervalMinutes: NOTIFIER_FUNCTION.intervalMinutes,
      what: 'Runs the Voximplant incident notifier',
    });
    this.function = scheduled.function;
    this.rule = scheduled.rule;
    props.table.grant(this.function, 'dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:PutItem');
    props.alertTopic.grantPublish(this.function);
    this.function.addToRolePolicy(new PolicyStatement({ actions: ['ssm:GetParameter'], resources: [props.ackKeyParameterArn] }));

    const window = Duration.minutes(NOTIFIER_FAILING.windowMinutes);
    this.alarms = {
      NotifierErrors: {
        metric: this.function.metricErrors({ statistic: 'Sum', period: ALARM_PERIOD }),
        description:
          'The incident notifier Lambda failed (crash or timeout): reminders and "acknowledged"/"resolved" notices wait for ' +
          'its next run (every minute). Check its log group.',
        pages: false,
      },
      // Pages: an open incident nobody is reminded of is the failure incidents exist to prevent, and no outsider can
      // move these (its own crashes, the incident table or SNS refusing it).
      NotifierFailing: {
        metric: new MathExpression({
          expression: 'FILL(errors, 0) + FILL(failures, 0)',
          usingMetrics: {
            errors: this.function.metricErrors({ statistic: 'Sum', period: window }),
            failures: customMetric(METRICS.names.notifierFailures).with({ period: window }),
          },
          period: window,
          label: 'Notifier errors and failures',
        }),
        threshold: NOTIFIER_FAILING.threshold,
        description:
          `The incident notifier failed ${NOTIFIER_FAILING.threshold} or more times in ${NOTIFIER_FAILING.windowMinutes} minutes ` +
          '(crashes, the incident table or SNS refusing it): open incidents get no reminders and resolved ones no notice. ' +
          'Check its log group and the IncidentTable; notices are kept and go out once it runs again.',
        pages: true,
      },
    };
  }
}
