/**
 * The acknowledge link's route (lambda/incidents/ack-handler.ts): `GET|POST /ack/{token}` on the webhook's HTTP
 * API, served by a function of its own (the webhook's cold start loads none of it) whose role can do exactly what
 * one request does: read the acknowledge key's SSM parameter, get and conditionally put items of the incident
 * table, write its own log group. Both routes have a route-level throttle below the stage's (the webhook's), so a
 * flood of links cannot use up the webhook's share.
 */
import { Validations } from 'aws-cdk-lib';
import { type CfnStage, HttpMethod, type HttpApi, type HttpStage, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ACK_FUNCTION, ACK_ROUTE, ENV, METRICS } from '../lambda/contract';
import { ALARM_PERIOD, type AlarmSpec, customMetric } from './alarms';
import { allowSsmDecrypt, type FunctionDefaults, ownFunction } from './function';

export interface AcknowledgeProps {
  /** What it shares with the receiver's function: runtime, architecture, bundling, project root. */
  readonly functionDefaults: FunctionDefaults;
  readonly entry: string;
  readonly logRetention: RetentionDays;
  /** The acknowledge key's parameter: its name (the function's environment) and ARN (the one it may read). */
  readonly ackKeyParameter: { readonly name: string; readonly arn: string };
  readonly kmsKeyArn?: string;
  readonly incidentTable: ITable;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** The stage's (the webhook's) throttle: the route's is never above it. */
  readonly stageThrottle: { readonly rateLimit: number; readonly burstLimit: number };
}

/** The route's throttle: ACK_ROUTE's, or the stage's where that is lower. */
export function ackThrottle(stage: AcknowledgeProps['stageThrottle']): { readonly rateLimit: number; readonly burstLimit: number } {
  return {
    rateLimit: Math.min(ACK_ROUTE.throttlingRateLimit, stage.rateLimit),
    burstLimit: Math.min(ACK_ROUTE.throttlingBurstLimit, stage.burstLimit),
  };
}

export class Acknowledge extends Construct {
  readonly function: NodejsFunction;
  /** For infra/alarms.ts: the function's failures and the route's unavailability, email only. */
  readonly alarms: Record<string, AlarmSpec>;

  constructor(scope: Construct, id: string, props: AcknowledgeProps) {
    super(scope, id);
    this.function = ownFunction(this, {
      functionDefaults: props.functionDefaults,
      entry: props.entry,
      logRetention: props.logRetention,
      description: 'Acknowledge links of incident alerts: GET shows the incident, POST acknowledges it (reminders stop)',
      roleDescription: 'Voximplant acknowledge links: its own log group, the acknowledge key, the incident table',
      timeoutSeconds: ACK_FUNCTION.timeoutSeconds,
      environment: { [ENV.ackKeyParameter]: props.ackKeyParameter.name, [ENV.incidentTableName]: props.incidentTable.tableName },
    });
    props.incidentTable.grant(this.function, 'dynamodb:GetItem', 'dynamodb:PutItem');
    this.function.addToRolePolicy(new PolicyStatement({ actions: ['ssm:GetParameter'], resources: [props.ackKeyParameter.arn] }));
    allowSsmDecrypt(this.function, this, props.kmsKeyArn);

    const integration = new HttpLambdaIntegration('Acknowledge', this.function, { payloadFormatVersion: PayloadFormatVersion.VERSION_2_0 });
    const routes = props.api.addRoutes({ path: ACK_ROUTE.path, methods: [HttpMethod.GET, HttpMethod.POST], integration });
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'The link in the alert email is the credential: its token is an HMAC-SHA256 (key in SSM) over the incident and an ' +
          'expiry, checked in constant time by the function. GET changes nothing; POST acknowledges once per incident.',
      });
    }
    // Route-level throttle ("Throttle requests to your HTTP APIs", API Gateway Developer Guide). The stage must be
    // created after the routes: API Gateway refuses RouteSettings naming a route that does not exist yet.
    const throttle = ackThrottle(props.stageThrottle);
    const cfnStage = props.stage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      [HttpMethod.GET, HttpMethod.POST].map((method) => [
        `${method} ${ACK_ROUTE.path}`,
        // CloudFormation's own names: the L1 types RouteSettings as `any` (a map by route key), so CDK passes it as is.
        { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit },
      ]),
    );
    for (const route of routes) props.stage.node.addDependency(route);

    this.alarms = {
      // Email only: the route failing costs acknowledgements, never an alert (reminders go on).
      AcknowledgeErrors: {
        metric: this.function.metricErrors({ statistic: 'Sum', period: ALARM_PERIOD }),
        description: 'The acknowledge function failed (crash or timeout): acknowledge links answer 500. Check its log group.',
        pages: false,
      },
      // Email only: a click moves it (a link opened while the key is missing, or while SSM or DynamoDB fail).
      AcknowledgeUnavailable: {
        metric: customMetric(METRICS.names.ackUnavailable),
        description:
          `Acknowledge links could not be served: the acknowledge key ${props.ackKeyParameter.name} is missing (run \`npm run ` +
          'configure`, which creates it) or SSM or the incident table did not answer. The log line "Acknowledge link" has the outcome.',
        pages: false,
      },
    };
  }
}
