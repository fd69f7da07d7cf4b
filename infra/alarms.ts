/**
 * The receiver's alarms and whom each may notify: every alarm by email (the operations topic), and only the
 * alarms no outsider can raise by SMS (the paging topic).
 *
 * The SMS rule. An alarm may page by SMS only if both hold:
 *   1. no request from the internet can move its metric while AWS, the dependencies and our code work as designed:
 *      it counts a failing dependency, a crash, or a parked request that ran out of retries; and
 *   2. while it is in alarm, a genuine alert may be lost or late (not merely sent twice).
 * Everything a request alone can move (a wrong hash for the configured account, another account id, a flood the
 * stage throttles, API Gateway's own 5xx when it cannot invoke the function) goes to email only: otherwise anyone
 * who knows the webhook URL could text every SMS subscriber and spend the account's SMS budget (USD 1.00 a month
 * by default), which then silences genuine `min_balance` SMS.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { METRICS } from '../lambda/contract';

/** Period of every alarm's metric. */
export const ALARM_PERIOD = Duration.minutes(5);

/**
 * How long an alarm holds ALARM after its last breaching period, in periods: "1 out of 12" (M of N). The first
 * breaching period still alarms at once; going back to OK takes an hour without one. Notifications are sent on the
 * transition to ALARM only, so whoever can move a metric (an outsider for the email-only alarms, a fault that comes
 * and goes for the paging ones) gets it to notify at most once per 65 minutes (about 22 a day), not once per
 * two periods (144 a day). CloudWatch allows evaluation periods x period up to one day.
 */
export const ALARM_HOLD_PERIODS = 12;

/** One of the Lambda functions' own metrics (METRICS.names), summed over ALARM_PERIOD. */
export function customMetric(metricName: string): Metric {
  return new Metric({
    namespace: METRICS.namespace,
    metricName,
    // Powertools adds `service` as the default dimension of every metric.
    dimensionsMap: { service: METRICS.service },
    statistic: 'Sum',
    period: ALARM_PERIOD,
  });
}

export interface AlarmSpec {
  /** Sum (or, for a queue depth, Maximum) over ALARM_PERIOD. */
  readonly metric: IMetric;
  /** What happened and what to do: the text of the email. */
  readonly description: string;
  /** True only for an alarm that meets both conditions of the SMS rule (module docstring). */
  readonly pages: boolean;
  /** Alarms when the statistic is at least this. Default 1 (any occurrence). */
  readonly threshold?: number;
}

export interface AlarmTopics {
  /** Every alarm; email subscribers only. */
  readonly operations: ITopic;
  /** Alarms that meet the SMS rule; SMS subscribers only (their email comes through `operations`). */
  readonly paging: ITopic;
}

/**
 * Creates one alarm per spec (construct id `<name>Alarm`): any occurrence in a period alarms, missing data is
 * fine, held for ALARM_HOLD_PERIODS. Each alarm notifies `operations`, and `paging` too when `pages` is set; each
 * topic's policy then lets exactly the alarms that notify it publish (allowAlarmsToPublish).
 */
export function addAlarms(scope: Construct, specs: Record<string, AlarmSpec>, topics: AlarmTopics): Alarm[] {
  const publishers = new Map<ITopic, Alarm[]>([
    [topics.operations, []],
    [topics.paging, []],
  ]);
  const alarms = Object.entries(specs).map(([name, { metric, description, pages, threshold = 1 }]) => {
    const alarm = new Alarm(scope, `${name}Alarm`, {
      metric,
      alarmDescription: description,
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: ALARM_HOLD_PERIODS,
      datapointsToAlarm: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const topic of pages ? [topics.operations, topics.paging] : [topics.operations]) {
      alarm.addAlarmAction(new SnsAction(topic));
      publishers.get(topic)!.push(alarm);
    }
    return alarm;
  });
  for (const [topic, publishing] of publishers) {
    if (publishing.length > 0) allowAlarmsToPublish(topic, publishing);
  }
  return alarms;
}

/**
 * Lets exactly these alarms publish to the topic. A topic policy replaces SNS's default one (which allowed the
 * owning account), and the policy enforceSSL writes holds only a Deny: with no Allow for CloudWatch's service
 * principal, an alarm's action fails ("... is not authorized to perform: SNS:Publish ... because no resource-based
 * policy allows the SNS:Publish action") and the alarm notifies nobody. AWS's fix is this Allow, scoped with
 * aws:SourceArn to the alarms: re:Post Knowledge Center, "Why didn't I receive an SNS notification for my CloudWatch
 * alarm trigger?" (https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger); aws:SourceAccount
 * as well, against the confused deputy (Amazon SNS Developer Guide, "Example cases for Amazon SNS access control",
 * https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html).
 */
export function allowAlarmsToPublish(topic: ITopic, alarms: readonly Alarm[]): void {
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowThisStacksAlarmsToPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Stack.of(topic).account },
        ArnLike: { 'aws:SourceArn': alarms.map((alarm) => alarm.alarmArn) },
      },
    }),
  );
}
