/**
 * What the stack's scheduled functions (the watchdog, infra/watchdog.ts; the incident notifier, infra/incidents.ts)
 * share: their own log group, an explicit role (no managed policy that may write to any log group), a Node.js
 * function with the receiver's runtime and bundling, an optional KMS decrypt through SSM only, and an EventBridge
 * rate schedule without retries (the next run comes anyway; a repeated run changes nothing: versioned writes).
 * Children are created in `scope` with the ids Logs, Role, Function and Schedule.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS } from '../lambda/contract';

export interface ScheduledFunctionProps {
  /** What it shares with the receiver's function: runtime, architecture, bundling, project root. */
  readonly functionDefaults: Pick<NodejsFunctionProps, 'projectRoot' | 'depsLockFilePath' | 'runtime' | 'architecture' | 'bundling'>;
  readonly entry: string;
  readonly logRetention: RetentionDays;
  readonly roleDescription: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  /** The function's own variables; Powertools' and NODE_OPTIONS are added. */
  readonly environment: Record<string, string>;
  readonly kmsKeyArn?: string;
  readonly intervalMinutes: number;
  /** The rule's description, e.g. "Runs the Voximplant watchdog". */
  readonly what: string;
}

export function scheduledFunction(
  scope: Construct,
  props: ScheduledFunctionProps,
): { readonly function: NodejsFunction; readonly rule: Rule } {
  const logs = new LogGroup(scope, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
  const role = new Role(scope, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: props.roleDescription });
  logs.grantWrite(role);
  const fn = new NodejsFunction(scope, 'Function', {
    ...props.functionDefaults,
    description: props.description,
    entry: props.entry,
    handler: 'handler',
    memorySize: 256,
    timeout: Duration.seconds(props.timeoutSeconds),
    role,
    logGroup: logs,
    environment: {
      ...props.environment,
      POWERTOOLS_SERVICE_NAME: METRICS.service,
      POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
      NODE_OPTIONS: '--enable-source-maps',
    },
  });
  // The same redundant DependsOn as the receiver's (infra/stack.ts): silenced the same way.
  (fn.node.defaultChild as CfnFunction).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
  if (props.kmsKeyArn) {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [props.kmsKeyArn],
        conditions: { StringEquals: { 'kms:ViaService': `ssm.${Stack.of(scope).region}.amazonaws.com` } },
      }),
    );
  }
  const rule = new Rule(scope, 'Schedule', {
    description: `${props.what} every ${props.intervalMinutes} minute(s)`,
    schedule: Schedule.rate(Duration.minutes(props.intervalMinutes)),
    // EventBridge does not retry a failed invoke: the next scheduled run comes anyway. (Lambda's own async retries
    // of a crashed run stay at their default: a repeated run changes nothing, the writes are versioned.)
    targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
  });
  return { function: fn, rule };
}
