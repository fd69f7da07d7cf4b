/**
 * What every function of the stack beside the receiver is made of: its own log group, a role that may write only
 * there (not AWSLambdaBasicExecutionRole, which may write to any log group), the shared runtime, architecture and
 * bundling, and the Powertools environment. Used by the watchdog (watchdog.ts) and the acknowledge route
 * (acknowledge.ts); each grants its own data access on top.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS } from '../lambda/contract';

/** The bundling and runtime every function shares (infra/stack.ts functionDefaults). */
export type FunctionDefaults = Pick<NodejsFunctionProps, 'projectRoot' | 'depsLockFilePath' | 'runtime' | 'architecture' | 'bundling'>;

export interface OwnFunctionProps {
  readonly functionDefaults: FunctionDefaults;
  readonly entry: string;
  readonly logRetention: RetentionDays;
  /** The function's description, and its role's (what it may do). */
  readonly description: string;
  readonly roleDescription: string;
  readonly timeoutSeconds: number;
  /** Its own variables; the Powertools ones and NODE_OPTIONS are added. */
  readonly environment: Readonly<Record<string, string>>;
}

/** A function in `scope` with children `Logs`, `Role` and `Function` (their logical ids start with the scope's id). */
export function ownFunction(scope: Construct, props: OwnFunctionProps): NodejsFunction {
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
  // Lambda's L2 makes every function DependsOn its role (and the role's policy) although it already references
  // the role by GetAtt; cfn-lint flags the redundant half (W3005). Harmless, silenced here only.
  (fn.node.defaultChild as CfnFunction).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
  return fn;
}

/**
 * With a customer-managed key (`-c kmsKeyArn=`): lets `fn` decrypt with it, and only through SSM. Without one,
 * nothing: the AWS-managed aws/ssm key's policy already allows decryption through SSM in this account.
 */
export function allowSsmDecrypt(
  fn: { addToRolePolicy(statement: PolicyStatement): void },
  scope: Construct,
  kmsKeyArn: string | undefined,
): void {
  if (!kmsKeyArn) return;
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [kmsKeyArn],
      conditions: { StringEquals: { 'kms:ViaService': `ssm.${Stack.of(scope).region}.amazonaws.com` } },
    }),
  );
}
