/**
 * What the stack's scheduled functions (the watchdog, infra/watchdog.ts; the incident notifier, infra/incidents.ts)
 * share: a function of their own (function.ts: log group, role, runtime, bundling), an optional KMS decrypt through
 * SSM only, and an EventBridge rate schedule without retries (the next run comes anyway; a repeated run changes
 * nothing: versioned writes). Children are created in `scope` with the ids Logs, Role, Function and Schedule.
 */
import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { allowSsmDecrypt, ownFunction, type OwnFunctionProps } from './function';

export interface ScheduledFunctionProps extends OwnFunctionProps {
  readonly kmsKeyArn?: string;
  readonly intervalMinutes: number;
  /** The rule's description, e.g. "Runs the Voximplant watchdog". */
  readonly what: string;
}

export function scheduledFunction(
  scope: Construct,
  props: ScheduledFunctionProps,
): { readonly function: NodejsFunction; readonly rule: Rule } {
  const fn = ownFunction(scope, props);
  allowSsmDecrypt(fn, scope, props.kmsKeyArn);
  const rule = new Rule(scope, 'Schedule', {
    description: `${props.what} every ${props.intervalMinutes} minute(s)`,
    schedule: Schedule.rate(Duration.minutes(props.intervalMinutes)),
    // EventBridge does not retry a failed invoke: the next scheduled run comes anyway. (Lambda's own async retries
    // of a crashed run stay at their default: a repeated run changes nothing, the writes are versioned.)
    targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
  });
  return { function: fn, rule };
}
