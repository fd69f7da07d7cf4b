/**
 * The synthesized template: what `cdk deploy` would create. Two context variants, each synthesized once:
 * the defaults (bundled for real, with fake secrets in the process environment) and a full configuration
 * (bundling skipped).
 *
 * Over 400 lines: every assertion reads the same two synthesized templates, synthesized once.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { CONTEXT_DEFAULTS } from '../../infra/context';
import { ALARM_HOLD_PERIODS, ALARM_PERIOD } from '../../infra/alarms';
import { ACCESS_LOG_FORMAT, ESM_REQUIRE_BANNER, LAMBDA_RUNTIME, THROTTLED_METRIC } from '../../infra/stack';
import { DEFAULTS, parameterNames } from '../../lambda/config';
import {
  ACK_FUNCTION,
  ACK_ROUTE,
  DEDUPE_TABLE,
  ENV,
  MESSAGE_ATTRIBUTES,
  METRICS,
  NOTIFIER_FUNCTION,
  RETRY_QUEUE,
  WATCHDOG_FUNCTION,
} from '../../lambda/contract';
import { INCIDENT_TYPE_PREFIX } from '../../lambda/render/incident';
import { NOTIFIER_FAILING } from '../../infra/incidents';
import { MANAGEMENT_API } from '../../lambda/voximplant/management-api';
import { construct, FULL_CONTEXT, named, only, removeOutdirs, render, resourcesOfType, synth, type Synthesized } from './synth';

/** Values a careless stack might copy from the environment into the template or the bundle. */
const FAKE_SECRET = 'fake-secret-5b1f0c7e9d2a4c3b8e6f';
const SECRET_ENV = ['VOXIMPLANT_SALT', 'VOXIMPLANT_API_KEY', 'VOXIMPLANT_ACCOUNT_ID', 'SALT', 'API_KEY', 'CALLBACK_SALT'];

let defaults: Synthesized;
let full: Synthesized;

beforeAll(() => {
  const saved = SECRET_ENV.map((name) => [name, process.env[name]] as const);
  for (const name of SECRET_ENV) process.env[name] = FAKE_SECRET;
  try {
    defaults = synth({}, { bundle: true });
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  full = synth(FULL_CONTEXT);
});
afterAll(removeOutdirs);

/** The receiver's function: logical id `Receiver…` (the watchdog's is `Watchdog…`, infra/watchdog.ts). */
const functionEntry = (s: Synthesized, prefix: string) => {
  const found = resourcesOfType(s.json, 'AWS::Lambda::Function').filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${prefix} function, found ${found.length}`);
  return found[0];
};
const receiverId = (s: Synthesized) => functionEntry(s, 'Receiver')[0];
/** `[actions, resources]` of every statement of the function's role, each side sorted and joined by spaces. */
const functionStatements = (s: Synthesized, fn: Record<string, any>): string[][] => {
  const roleId = fn.Properties!.Role['Fn::GetAtt'][0];
  return resourcesOfType(s.json, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties!.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement)
    .map((st: Record<string, any>) => [[st.Action].flat().sort().join(' '), [st.Resource].flat().map(render).sort().join(' ')]);
};
/** The EventBridge rule that targets the function with logical id `functionId`. */
const ruleFor = (s: Synthesized, functionId: string) => {
  const rules = resourcesOfType(s.json, 'AWS::Events::Rule').filter(([, r]) =>
    r.Properties!.Targets.some((t: { Arn: { 'Fn::GetAtt': string[] } }) => t.Arn['Fn::GetAtt']?.[0] === functionId),
  );
  expect(rules).toHaveLength(1);
  return rules[0][1];
};
const receiver = (s: Synthesized) => functionEntry(s, 'Receiver')[1];

describe('Lambda', () => {
  it('runs the newest Node.js runtime this aws-cdk-lib knows, on arm64, 256 MB, 10 s', () => {
    const newest = Runtime.ALL.map((r) => r.name)
      .filter((name) => /^nodejs\d+\.x$/.test(name))
      .sort((a, b) => parseInt(a.slice(6), 10) - parseInt(b.slice(6), 10))
      .pop();
    defaults.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: newest,
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 10,
      Handler: 'index.handler',
    });
    expect(LAMBDA_RUNTIME.name).toBe(newest); // when aws-cdk-lib learns a newer one, infra/stack.ts should use it
  });

  it('gets exactly the environment the Lambda reads, names from lambda/contract.ts', () => {
    expect(receiver(defaults).Properties!.Environment.Variables).toEqual({
      [ENV.parameterPrefix]: DEFAULTS.parameterPrefix,
      [ENV.dedupeTableName]: { Ref: named(defaults.json, 'AWS::DynamoDB::Table', 'DedupeTable')[0] },
      [ENV.topicArn]: { Ref: topicIds(defaults).alerts },
      [ENV.alertTypes]: DEFAULTS.alertTypes,
      [ENV.alertLanguage]: DEFAULTS.alertLanguage,
      [ENV.retryQueueUrl]: { Ref: retryQueueId(defaults) },
      [ENV.incidentTableName]: { Ref: named(defaults.json, 'AWS::DynamoDB::Table', 'IncidentTable')[0] },
      [ENV.apiUrl]: expect.anything(),
      [ENV.reminderSchedule]: '30m,2h,6h,12h',
      [ENV.voximplantApiUrl]: MANAGEMENT_API.baseUrl,
      POWERTOOLS_SERVICE_NAME: METRICS.service,
      POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
      NODE_OPTIONS: '--enable-source-maps',
    });
    // The stage URL (https://<id>.execute-api.<region>.<suffix>/): acknowledge links are `<API_URL>/ack/<token>`.
    const stageUrl = render(receiver(defaults).Properties!.Environment.Variables[ENV.apiUrl]);
    expect(stageUrl).toMatch(/^https:\/\/\$\{Api\w+\}\.execute-api\.\$\{AWS::Region\}\.\$\{AWS::URLSuffix\}\/$/);
    expect(receiver(full).Properties!.Environment.Variables).toMatchObject({
      [ENV.parameterPrefix]: FULL_CONTEXT.parameterPrefix,
      [ENV.alertTypes]: '*',
      [ENV.alertLanguage]: 'ru',
    });
  });

  it('logs to its own log group with retention, no LogRetention custom resource', () => {
    const [logGroupId, logGroup] = resourcesOfType(defaults.json, 'AWS::Logs::LogGroup').find(
      ([id]) => receiver(defaults).Properties!.LoggingConfig?.LogGroup?.Ref === id,
    )!;
    expect(logGroup.Properties!.RetentionInDays).toBe(30);
    expect(logGroupId).toBeDefined();
    expect(resourcesOfType(defaults.json, 'Custom::LogRetention')).toHaveLength(0);
    expect(JSON.stringify(defaults.json)).not.toContain('LogRetention');
  });
});

describe('the bundle (esbuild, local)', () => {
  let code: string;
  let assetDir: string;
  beforeAll(() => {
    const dirs = readdirSync(defaults.outdir).filter((d) => d.startsWith('asset.') && statSync(join(defaults.outdir, d)).isDirectory());
    expect(dirs).toHaveLength(4); // the receiver's, the watchdog's, the notifier's and the acknowledge route's
    const hash = String(receiver(defaults).Properties!.Code.S3Key).replace(/\.zip$/, '');
    expect(dirs).toContain(`asset.${hash}`);
    assetDir = join(defaults.outdir, `asset.${hash}`);
    code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
  });

  it('is ESM that starts with the createRequire banner', () => {
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
  });

  it('bundles the AWS SDK and every other dependency: the only imports left are Node builtins', async () => {
    // esbuild parses the bundle and lists its real imports (static and dynamic), not text that looks like one.
    const { metafile } = await build({
      entryPoints: [join(assetDir, 'index.mjs')],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      external: ['*'],
      logLevel: 'silent',
    });
    const imports = Object.values(metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
    const builtins = new Set(builtinModules);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((path) => !path.startsWith('node:') && !builtins.has(path))).toEqual([]);
    // Protocol identifiers of the three clients: their code is in the bundle, not left to the runtime.
    for (const marker of ['AmazonSSM', 'DynamoDB_20120810', 'AmazonSimpleNotificationService']) expect(code).toContain(marker);
  });

  it('is minified, with an external source map', () => {
    expect(code.split('\n').length).toBeLessThan(200);
    expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
  });
});

/** The integration (payload format 2.0, AWS_PROXY) whose target is the function `functionId`. */
function integrationOf(s: Synthesized, functionId: string): string {
  const found = resourcesOfType(s.json, 'AWS::ApiGatewayV2::Integration').filter(
    ([, i]) => i.Properties!.IntegrationUri?.['Fn::GetAtt']?.[0] === functionId,
  );
  expect(found).toHaveLength(1);
  expect(found[0][1].Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  return found[0][0];
}

describe('HTTP API', () => {
  it('routes POST / and GET / to the receiver, GET and POST /ack/{token} to the acknowledge function, payload format 2.0', () => {
    const targets = resourcesOfType(defaults.json, 'AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties!)
      .map((route) => {
        expect(route.AuthorizationType ?? 'NONE').toBe('NONE');
        return [route.RouteKey, render(route.Target)];
      });
    const receiverTarget = `integrations/\${${integrationOf(defaults, receiverId(defaults))}}`;
    const ackTarget = `integrations/\${${integrationOf(defaults, functionEntry(defaults, 'Acknowledge')[0])}}`;
    expect(targets.sort()).toEqual([
      ['GET /', receiverTarget],
      [`GET ${ACK_ROUTE.path}`, ackTarget],
      ['POST /', receiverTarget],
      [`POST ${ACK_ROUTE.path}`, ackTarget],
    ]);
  });

  it('has one $default stage, auto-deployed, throttled with the defaults', () => {
    defaults.template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    defaults.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: CONTEXT_DEFAULTS.throttleRate, ThrottlingBurstLimit: CONTEXT_DEFAULTS.throttleBurst },
    });
    expect(CONTEXT_DEFAULTS.throttleRate).toBeLessThanOrEqual(10);
  });

  it('takes throttling from context', () => {
    full.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 8 },
    });
  });

  it('writes JSON access logs to a log group with retention', () => {
    const stage = only(defaults.json, 'AWS::ApiGatewayV2::Stage')[1].Properties!;
    const format = JSON.parse(stage.AccessLogSettings.Format);
    expect(format).toEqual(ACCESS_LOG_FORMAT);
    // The acknowledge route's path is its token: never in a log.
    expect(stage.AccessLogSettings.Format).not.toContain('$context.path');
    for (const field of [
      'requestId',
      'ip',
      'requestTime',
      'httpMethod',
      'routeKey',
      'status',
      'protocol',
      'responseLength',
      'integrationErrorMessage',
    ]) {
      expect(format[field]).toMatch(/^\$context\.[A-Za-z.]+$/);
    }
    const logGroupId = stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(defaults.json.Resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
  });
});

/** The retry queue is the one whose URL the Lambda gets. */
function retryQueueId(s: Synthesized): string {
  return receiver(s).Properties!.Environment.Variables[ENV.retryQueueUrl].Ref as string;
}

/**
 * The alert topic is the one the Lambda publishes to; the operations topic is the one every alarm notifies; the
 * paging topic is the third.
 */
function topicIds(s: Synthesized): { alerts: string; operations: string; paging: string } {
  const alerts = receiver(s).Properties!.Environment.Variables[ENV.topicArn].Ref as string;
  // The chat topics (infra/chat.ts, full context) are Amazon Q Developer's: test/infra/chat.test.ts covers them.
  const topics = resourcesOfType(s.json, 'AWS::SNS::Topic')
    .map(([id]) => id)
    .filter((id) => !id.startsWith('Chat'));
  expect(topics).toHaveLength(3);
  const everyAlarmNotifies = topics.filter((id) =>
    resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').every(([, a]) =>
      a.Properties!.AlarmActions.some((t: { Ref: string }) => t.Ref === id),
    ),
  );
  expect(everyAlarmNotifies).toHaveLength(1);
  const [operations] = everyAlarmNotifies;
  return { alerts, operations, paging: topics.find((id) => id !== alerts && id !== operations)! };
}

/** `protocol topicLogicalId endpoint` of every subscription. */
function subscriptions(s: Synthesized): string[] {
  return resourcesOfType(s.json, 'AWS::SNS::Subscription')
    .map(([, r]) => r.Properties!)
    .map((p) => `${p.Protocol} ${p.TopicArn.Ref} ${p.Endpoint}`)
    .sort();
}

describe('SNS', () => {
  it('denies publishing without TLS on all three topics', () => {
    const { alerts, operations, paging } = topicIds(defaults);
    for (const topic of [alerts, operations, paging]) {
      defaults.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topic }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Principal: '*',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('has no subscribers without context, and says so', () => {
    defaults.template.resourceCountIs('AWS::SNS::Subscription', 0);
    Annotations.fromStack(defaults.stack).hasWarning('*', Match.stringLikeRegexp('alerts and alarms will reach nobody'));
    expect(Annotations.fromStack(full.stack).findWarning('*', Match.stringLikeRegexp('reach nobody'))).toHaveLength(0);
  });

  it('email gets every alert (alert topic) and every alarm (operations topic), unfiltered; never the paging topic', () => {
    const { alerts, operations } = topicIds(full);
    const emails = resourcesOfType(full.json, 'AWS::SNS::Subscription')
      .map(([, r]) => r.Properties!)
      .filter((p) => p.Protocol === 'email');
    expect(emails.map((p) => `${p.TopicArn.Ref} ${p.Endpoint}`).sort()).toEqual(
      [`${alerts} cfo@example.org`, `${alerts} ops@example.com`, `${operations} cfo@example.org`, `${operations} ops@example.com`].sort(),
    );
    for (const p of emails) expect(p.FilterPolicy).toBeUndefined();
  });

  it('SMS gets urgent alerts through a filter on severity and callback_type, and the paging alarms; never the operations topic', () => {
    const { alerts, paging } = topicIds(full);
    const sms = resourcesOfType(full.json, 'AWS::SNS::Subscription')
      .map(([, r]) => r.Properties!)
      .filter((p) => p.Protocol === 'sms');
    expect(sms.map((p) => `${p.TopicArn.Ref} ${p.Endpoint}`).sort()).toEqual(
      [`${alerts} +15551234567`, `${alerts} +447700900123`, `${paging} +15551234567`, `${paging} +447700900123`].sort(),
    );
    for (const phone of ['+15551234567', '+447700900123']) {
      expect(sms.find((p) => p.Endpoint === phone && p.TopicArn.Ref === alerts)!.FilterPolicy).toEqual({
        [MESSAGE_ATTRIBUTES.severity]: ['critical', 'warning'],
        // Incident reminders and notices pass on their opening's severity, whatever the type list.
        [MESSAGE_ATTRIBUTES.callbackType]: ['min_balance', 'account_is_frozen', { prefix: INCIDENT_TYPE_PREFIX }],
      });
      expect(sms.find((p) => p.Endpoint === phone && p.TopicArn.Ref === paging)!.FilterPolicy).toBeUndefined();
    }
  });

  it('warns when alarms that never page by SMS would reach nobody (SMS subscribers, no email)', () => {
    const s = synth({ alertSms: '+15551234567' });
    Annotations.fromStack(s.stack).hasWarning('*', Match.stringLikeRegexp('alertSms without alertEmail'));
    expect(Annotations.fromStack(full.stack).findWarning('*', Match.stringLikeRegexp('without alertEmail'))).toHaveLength(0);
    expect(subscriptions(s)).toEqual([`sms ${topicIds(s).alerts} +15551234567`, `sms ${topicIds(s).paging} +15551234567`].sort());
  });

  it('by default SMS alerts are critical only', () => {
    const s = synth({ alertSms: '+15551234567' });
    const { alerts } = topicIds(s);
    s.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sms',
      TopicArn: { Ref: alerts },
      FilterPolicy: { [MESSAGE_ATTRIBUTES.severity]: ['critical'] },
    });
  });
});

describe('DynamoDB dedupe table', () => {
  it('is on-demand, keyed and expired per lambda/contract.ts, deleted with the stack', () => {
    const [, table] = named(defaults.json, 'AWS::DynamoDB::Table', 'DedupeTable');
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: DEDUPE_TABLE.partitionKey, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: DEDUPE_TABLE.partitionKey, AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: DEDUPE_TABLE.ttlAttribute, Enabled: true },
    });
  });
});

describe('IAM', () => {
  /** Every statement of every policy attached to the receiver's role. */
  function roleStatements(s: Synthesized): Array<Record<string, any>> {
    const roleId = receiver(s).Properties!.Role['Fn::GetAtt'][0];
    const [, role] = [roleId, s.json.Resources[roleId]];
    expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]); // no AWSLambdaBasicExecutionRole
    expect(role.Properties.Policies ?? []).toEqual([]);
    return resourcesOfType(s.json, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties!.Roles.some((r: { Ref: string }) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement);
  }

  const resourcesOf = (statement: Record<string, any>) => [statement.Resource].flat().map(render);
  const actionsOf = (statement: Record<string, any>) => [statement.Action].flat();

  it.each([
    ['defaults', () => defaults],
    ['full context', () => full],
  ])('the role has no wildcard resource and no wildcard action (%s)', (_, get) => {
    for (const statement of roleStatements(get())) {
      expect(statement.Effect).toBe('Allow');
      for (const resource of resourcesOf(statement)) expect(resource).not.toBe('*');
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
    }
  });

  it.each([
    ['defaults', () => defaults, DEFAULTS.parameterPrefix],
    ['full context', () => full, FULL_CONTEXT.parameterPrefix],
  ])('reads exactly the six SSM parameters (%s)', (_, get, prefix) => {
    const ssm = roleStatements(get()).filter((st) => actionsOf(st).some((a) => a.startsWith('ssm:')));
    expect(ssm).toHaveLength(1);
    expect(actionsOf(ssm[0]).sort()).toEqual(['ssm:GetParameter', 'ssm:GetParameters']);
    expect(resourcesOf(ssm[0]).sort()).toEqual(
      Object.values(parameterNames(prefix))
        .map((name) => `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}`)
        .sort(),
    );
  });

  it('writes only to its own log group, uses only four item actions on the dedupe table and two on the incident table, and publishes only to the alert topic', () => {
    const s = defaults;
    const statements = roleStatements(s);
    const byService = (service: string) => statements.filter((st) => actionsOf(st).some((a) => a.startsWith(`${service}:`)));
    const logGroupId = receiver(s).Properties!.LoggingConfig.LogGroup.Ref;
    const tableId = named(s.json, 'AWS::DynamoDB::Table', 'DedupeTable')[0];
    const incidentTableId = named(s.json, 'AWS::DynamoDB::Table', 'IncidentTable')[0];

    expect(byService('logs').map((st) => [actionsOf(st).sort(), resourcesOf(st)])).toEqual([
      [['logs:CreateLogStream', 'logs:PutLogEvents'], [`\${${logGroupId}.Arn}`]],
    ]);
    expect(byService('dynamodb').map((st) => [actionsOf(st).sort(), resourcesOf(st)])).toEqual([
      [['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [`\${${tableId}.Arn}`]],
      // incidents: a consistent read and a conditional put; no Scan (the notifier's), no index
      [['dynamodb:GetItem', 'dynamodb:PutItem'], [`\${${incidentTableId}.Arn}`]],
    ]);
    expect(byService('sns').map((st) => [actionsOf(st), resourcesOf(st)])).toEqual([[['sns:Publish'], [`\${${topicIds(s).alerts}}`]]]);
    expect(byService('kms')).toEqual([]); // the AWS-managed aws/ssm key needs no grant
    const queueArn = `\${${retryQueueId(s)}.Arn}`;
    expect(byService('sqs').map((st) => [actionsOf(st).sort(), resourcesOf(st)])).toEqual([
      // parking
      [['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'], [queueArn]],
      // consuming (the event source), including ChangeMessageVisibility for backoff
      [['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], [queueArn]],
    ]);
    expect(statements).toHaveLength(7);
  });

  it('decrypts with a customer-managed key only when given, only through SSM', () => {
    const kms = roleStatements(full).filter((st) => actionsOf(st).some((a) => a.startsWith('kms:')));
    expect(kms).toHaveLength(1);
    expect(actionsOf(kms[0])).toEqual(['kms:Decrypt']);
    expect(resourcesOf(kms[0])).toEqual([FULL_CONTEXT.kmsKeyArn]);
    expect(render(kms[0].Condition.StringEquals['kms:ViaService'])).toBe('ssm.${AWS::Region}.amazonaws.com');
  });
});

describe('watchdog', () => {
  const watchdog = (s: Synthesized) => functionEntry(s, 'Watchdog');

  it("runs its own handler with the receiver's runtime, architecture and bundling, and the env it reads", () => {
    const [, fn] = watchdog(defaults);
    const p = fn.Properties!;
    expect([p.Runtime, p.Architectures, p.Handler]).toEqual([LAMBDA_RUNTIME.name, ['arm64'], 'index.handler']);
    expect(p.Timeout).toBe(WATCHDOG_FUNCTION.timeoutSeconds);
    expect(p.Code.S3Key).not.toEqual(receiver(defaults).Properties!.Code.S3Key); // its own bundle
    const env = p.Environment.Variables;
    expect(Object.keys(env).sort()).toEqual(
      [
        ENV.parameterPrefix,
        ENV.dedupeTableName,
        ENV.topicArn,
        ENV.webhookUrl,
        ENV.incidentTableName,
        ENV.apiUrl,
        ENV.reminderSchedule,
        ENV.voximplantApiUrl,
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_METRICS_NAMESPACE',
        'NODE_OPTIONS',
      ].sort(),
    );
    expect(env[ENV.voximplantApiUrl]).toBe(MANAGEMENT_API.baseUrl);
    expect(render(env[ENV.webhookUrl])).toMatch(/^https:\/\/\$\{Api\w+\}\.execute-api\./);
    expect(env[ENV.incidentTableName]).toEqual({ Ref: named(defaults.json, 'AWS::DynamoDB::Table', 'IncidentTable')[0] });
    expect(render(env[ENV.apiUrl])).toBe(render(env[ENV.webhookUrl]));
    // An opened incident's first reminder falls by the notifier's schedule.
    expect(env[ENV.reminderSchedule]).toBe('30m,2h,6h,12h');
  });

  it.each([
    ['defaults', () => defaults, `rate(${WATCHDOG_FUNCTION.defaultIntervalMinutes} minutes)`],
    ['full context', () => full, 'rate(30 minutes)'],
  ])('runs on an EventBridge schedule, no retries (%s)', (_, get, expression) => {
    const s = get();
    const rule = ruleFor(s, watchdog(s)[0]);
    expect(rule.Properties!.ScheduleExpression).toBe(expression);
    expect(rule.Properties!.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [watchdog(s)[0], 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 0 } }),
    ]);
  });

  it('may read the six parameters, get and put items in the dedupe and incident tables, publish to the alert topic and write its log group: nothing else', () => {
    const [id, fn] = watchdog(defaults);
    const statements = functionStatements(defaults, fn);
    const tableId = named(defaults.json, 'AWS::DynamoDB::Table', 'DedupeTable')[0];
    const incidentTableId = named(defaults.json, 'AWS::DynamoDB::Table', 'IncidentTable')[0];
    expect(statements.sort()).toEqual(
      [
        ['logs:CreateLogStream logs:PutLogEvents', `\${${fn.Properties!.LoggingConfig.LogGroup.Ref}.Arn}`],
        ['dynamodb:GetItem dynamodb:PutItem', `\${${tableId}.Arn}`],
        ['dynamodb:GetItem dynamodb:PutItem', `\${${incidentTableId}.Arn}`],
        ['sns:Publish', `\${${topicIds(defaults).alerts}}`],
        [
          'ssm:GetParameters',
          Object.values(parameterNames(DEFAULTS.parameterPrefix))
            .map((name) => `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}`)
            .sort()
            .join(' '),
        ],
      ].sort(),
    );
    expect(id).toMatch(/^Watchdog/);
  });

  it('alarms on callback silence only when -c maxCallbackAgeHours is set: by email, on the maximum age', () => {
    const silence = (x: Synthesized) =>
      resourcesOfType(x.json, 'AWS::CloudWatch::Alarm').filter(([id]) => id.startsWith('CallbackSilence'));
    expect(silence(defaults)).toEqual([]);
    const [[, alarm]] = silence(synth({ maxCallbackAgeHours: '72', alertEmail: 'ops@example.com' }));
    expect(alarm.Properties).toMatchObject({
      MetricName: METRICS.names.lastCallbackAge,
      Statistic: 'Maximum',
      Threshold: 72 * 3600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarm.Properties!.AlarmActions).toHaveLength(1);
  });

  it('ManagementApiAuthRefused pages (no outsider can raise it); WatchdogErrors emails', () => {
    const { operations, paging } = topicIds(full);
    const byName = (name: string) =>
      resourcesOfType(full.json, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith(name))![1].Properties!;
    expect(byName('ManagementApiAuthRefused').AlarmActions).toEqual([{ Ref: operations }, { Ref: paging }]);
    expect(byName('WatchdogErrors').AlarmActions).toEqual([{ Ref: operations }]);
    expect(byName('WatchdogErrors').Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: watchdog(full)[0] } }]);
  });
});

describe('incident notifier', () => {
  const notifier = (s: Synthesized) => functionEntry(s, 'IncidentNotifier');
  const ESCALATED = { ...FULL_CONTEXT, escalationEmail: 'boss@example.com', escalationSms: '+15559876543', reminderSchedule: '15m,1h,4h' };
  let escalated: Synthesized;
  beforeAll(() => {
    escalated = synth(ESCALATED);
  });

  it("runs its own handler with the receiver's runtime, architecture and bundling, and the env it reads", () => {
    const [, fn] = notifier(defaults);
    const p = fn.Properties!;
    expect([p.Runtime, p.Architectures, p.Handler]).toEqual([LAMBDA_RUNTIME.name, ['arm64'], 'index.handler']);
    expect(p.Timeout).toBe(NOTIFIER_FUNCTION.timeoutSeconds);
    expect(p.Code.S3Key).not.toEqual(receiver(defaults).Properties!.Code.S3Key);
    const env = p.Environment.Variables;
    expect(Object.keys(env).sort()).toEqual(
      [
        ENV.parameterPrefix,
        ENV.incidentTableName,
        ENV.topicArn,
        ENV.webhookUrl,
        ENV.reminderSchedule,
        ENV.alertLanguage,
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_METRICS_NAMESPACE',
        'NODE_OPTIONS',
      ].sort(),
    );
    expect(env[ENV.reminderSchedule]).toBe('30m,2h,6h,12h');
    expect(notifier(escalated)[1].Properties!.Environment.Variables[ENV.reminderSchedule]).toBe('15m,1h,4h');
    expect(env[ENV.incidentTableName]).toEqual({ Ref: named(defaults.json, 'AWS::DynamoDB::Table', 'IncidentTable')[0] });
    expect(render(env[ENV.webhookUrl])).toMatch(/^https:\/\/\$\{Api\w+\}\.execute-api\./);
  });

  it('runs every minute on an EventBridge schedule, no retries', () => {
    const rule = ruleFor(defaults, notifier(defaults)[0]);
    expect(rule.Properties!.ScheduleExpression).toBe(`rate(${NOTIFIER_FUNCTION.intervalMinutes} minute)`);
    expect(rule.Properties!.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 0 });
  });

  it.each([
    ['defaults', () => defaults, DEFAULTS.parameterPrefix],
    ['full context (customer-managed key)', () => full, FULL_CONTEXT.parameterPrefix],
  ])(
    'may scan, get and put items of the incident table, read the acknowledge key only, publish to the alert topic: nothing else (%s)',
    (_, get, prefix) => {
      const s = get();
      const [, fn] = notifier(s);
      const statements = functionStatements(s, fn);
      const tableId = named(s.json, 'AWS::DynamoDB::Table', 'IncidentTable')[0];
      expect(statements.sort()).toEqual(
        [
          ['logs:CreateLogStream logs:PutLogEvents', `\${${fn.Properties!.LoggingConfig.LogGroup.Ref}.Arn}`],
          ['dynamodb:GetItem dynamodb:PutItem dynamodb:Scan', `\${${tableId}.Arn}`],
          ['sns:Publish', `\${${topicIds(s).alerts}}`],
          ['ssm:GetParameter', `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${parameterNames(prefix).ackKey}`],
          ...(s === full ? [['kms:Decrypt', FULL_CONTEXT.kmsKeyArn]] : []),
        ].sort(),
      );
    },
  );

  it('NotifierErrors emails; NotifierFailing pages when errors and NotifierFailures reach the threshold within 15 minutes', () => {
    const { operations, paging } = topicIds(full);
    const byName = (name: string) =>
      resourcesOfType(full.json, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith(name))![1].Properties!;
    expect(byName('NotifierErrors').AlarmActions).toEqual([{ Ref: operations }]);
    expect(byName('NotifierErrors').Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: notifier(full)[0] } }]);
    const failing = byName('NotifierFailing');
    expect(failing.AlarmActions).toEqual([{ Ref: operations }, { Ref: paging }]);
    expect(failing).toMatchObject({
      Threshold: NOTIFIER_FAILING.threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    const [expression] = failing.Metrics.filter((m: Record<string, any>) => m.Expression);
    expect(expression).toMatchObject({ Expression: 'FILL(errors, 0) + FILL(failures, 0)', ReturnData: true });
    const stats = failing.Metrics.filter((m: Record<string, any>) => m.MetricStat);
    expect(
      stats.map((m: Record<string, any>) => [m.Id, m.MetricStat.Metric.MetricName, m.MetricStat.Period, m.MetricStat.Stat]).sort(),
    ).toEqual(
      [
        ['errors', 'Errors', NOTIFIER_FAILING.windowMinutes * 60, 'Sum'],
        ['failures', METRICS.names.notifierFailures, NOTIFIER_FAILING.windowMinutes * 60, 'Sum'],
      ].sort(),
    );
    expect(stats.find((m: Record<string, any>) => m.Id === 'failures').MetricStat.Metric.Dimensions).toEqual([
      { Name: 'service', Value: METRICS.service },
    ]);
  });

  it('escalation recipients subscribe to the alert topic with escalation >= 2 (numeric); SMS through the severity filter too', () => {
    const { alerts } = topicIds(escalated);
    const subs = resourcesOfType(escalated.json, 'AWS::SNS::Subscription').map(([, r]) => r.Properties!);
    const boss = subs.filter((p) => p.Endpoint === 'boss@example.com');
    expect(boss).toHaveLength(1);
    expect(boss[0]).toMatchObject({
      Protocol: 'email',
      TopicArn: { Ref: alerts },
      FilterPolicy: { [MESSAGE_ATTRIBUTES.escalation]: [{ numeric: ['>=', 2] }] },
    });
    const phone = subs.filter((p) => p.Endpoint === '+15559876543');
    expect(phone).toHaveLength(1);
    expect(phone[0]).toMatchObject({
      Protocol: 'sms',
      TopicArn: { Ref: alerts },
      FilterPolicy: {
        [MESSAGE_ATTRIBUTES.severity]: ['critical', 'warning'],
        [MESSAGE_ATTRIBUTES.callbackType]: ['min_balance', 'account_is_frozen', { prefix: INCIDENT_TYPE_PREFIX }],
        [MESSAGE_ATTRIBUTES.escalation]: [{ numeric: ['>=', 2] }],
      },
    });
    // The primary recipients are unchanged: email gets everything, unfiltered.
    for (const p of subs.filter((x) => x.Endpoint === 'ops@example.com')) expect(p.FilterPolicy).toBeUndefined();
    expect(subs.filter((p) => ['boss@example.com', '+15559876543'].includes(p.Endpoint))).toHaveLength(2); // no alarms topic
  });
});

describe('acknowledge route', () => {
  const ack = (s: Synthesized) => functionEntry(s, 'Acknowledge');
  const arnOf = (name: string) => `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}`;

  it("runs its own handler with the receiver's runtime, architecture and bundling, and exactly the env it reads", () => {
    const p = ack(defaults)[1].Properties!;
    expect([p.Runtime, p.Architectures, p.Handler, p.MemorySize]).toEqual([LAMBDA_RUNTIME.name, ['arm64'], 'index.handler', 256]);
    expect(p.Timeout).toBe(ACK_FUNCTION.timeoutSeconds);
    expect(p.Code.S3Key).not.toEqual(receiver(defaults).Properties!.Code.S3Key);
    expect(p.Environment.Variables).toEqual({
      [ENV.ackKeyParameter]: parameterNames(DEFAULTS.parameterPrefix).ackKey,
      [ENV.incidentTableName]: { Ref: named(defaults.json, 'AWS::DynamoDB::Table', 'IncidentTable')[0] },
      POWERTOOLS_SERVICE_NAME: METRICS.service,
      POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
      NODE_OPTIONS: '--enable-source-maps',
    });
    expect(ack(full)[1].Properties!.Environment.Variables[ENV.ackKeyParameter]).toBe(parameterNames(FULL_CONTEXT.parameterPrefix).ackKey);
    const logGroupId = p.LoggingConfig.LogGroup.Ref;
    expect(defaults.json.Resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
  });

  it.each([
    ['defaults', () => defaults, DEFAULTS.parameterPrefix, false],
    ['full context', () => full, FULL_CONTEXT.parameterPrefix, true],
  ])('may read the one ack-key parameter, get and put incident items, write its log group: nothing else (%s)', (_, get, prefix, kms) => {
    const s = get();
    const fn = ack(s)[1];
    expect(s.json.Resources[fn.Properties!.Role['Fn::GetAtt'][0]].Properties.ManagedPolicyArns ?? []).toEqual([]);
    const statements = functionStatements(s, fn);
    const tableId = named(s.json, 'AWS::DynamoDB::Table', 'IncidentTable')[0];
    expect(statements.sort()).toEqual(
      [
        ['logs:CreateLogStream logs:PutLogEvents', `\${${fn.Properties!.LoggingConfig.LogGroup.Ref}.Arn}`],
        ['dynamodb:GetItem dynamodb:PutItem', `\${${tableId}.Arn}`],
        ['ssm:GetParameter', arnOf(parameterNames(prefix).ackKey)],
        ...(kms ? [['kms:Decrypt', FULL_CONTEXT.kmsKeyArn]] : []),
      ].sort(),
    );
  });

  it.each([
    ['defaults', () => defaults, { rate: ACK_ROUTE.throttlingRateLimit, burst: ACK_ROUTE.throttlingBurstLimit }],
    ['full context', () => full, { rate: ACK_ROUTE.throttlingRateLimit, burst: ACK_ROUTE.throttlingBurstLimit }],
    ['a stage throttle below the route default', () => synth({ throttleRate: '1', throttleBurst: '2' }), { rate: 1, burst: 2 }],
  ])('both routes have a route-level throttle no higher than the webhook stage (%s)', (_, get, expected) => {
    const s = get();
    const [stageId, stage] = only(s.json, 'AWS::ApiGatewayV2::Stage');
    const settings = { ThrottlingRateLimit: expected.rate, ThrottlingBurstLimit: expected.burst };
    expect(stage.Properties!.RouteSettings).toEqual({ [`GET ${ACK_ROUTE.path}`]: settings, [`POST ${ACK_ROUTE.path}`]: settings });
    const stageDefaults = stage.Properties!.DefaultRouteSettings;
    expect(expected.rate).toBeLessThanOrEqual(stageDefaults.ThrottlingRateLimit);
    expect(expected.burst).toBeLessThanOrEqual(stageDefaults.ThrottlingBurstLimit);
    // API Gateway refuses route settings that name a route not created yet: the stage waits for both.
    const ackRoutes = resourcesOfType(s.json, 'AWS::ApiGatewayV2::Route')
      .filter(([, r]) => String(r.Properties!.RouteKey).endsWith(ACK_ROUTE.path))
      .map(([id]) => id);
    expect(ackRoutes).toHaveLength(2);
    expect(s.json.Resources[stageId].DependsOn).toEqual(expect.arrayContaining(ackRoutes));
  });

  it('its bundle holds the SSM and DynamoDB clients, not SNS, and none of the alert texts', () => {
    const hash = String(ack(defaults)[1].Properties!.Code.S3Key).replace(/\.zip$/, '');
    const code = readFileSync(join(defaults.outdir, `asset.${hash}`, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    for (const marker of ['AmazonSSM', 'DynamoDB_20120810']) expect(code).toContain(marker);
    expect(code).not.toContain('AmazonSimpleNotificationService');
    expect(code).not.toContain('Top up the balance in the control panel'); // the alert texts (lambda/render/i18n/en.ts)
  });

  it('alarms by email only: the function failing, and links that could not be served', () => {
    const { operations } = topicIds(full);
    const byName = (name: string) =>
      resourcesOfType(full.json, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith(name))![1].Properties!;
    expect(byName('AcknowledgeErrors')).toMatchObject({
      AlarmActions: [{ Ref: operations }],
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ack(full)[0] } }],
    });
    expect(byName('AcknowledgeUnavailable')).toMatchObject({
      AlarmActions: [{ Ref: operations }],
      MetricName: METRICS.names.ackUnavailable,
    });
    expect(byName('AcknowledgeUnavailable').AlarmDescription).toContain('npm run configure');
  });
});

describe('alarms', () => {
  type AlarmProps = Record<string, any>;
  const alarms = (s: Synthesized) =>
    resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties!] as [string, AlarmProps]);
  /** `namespace/metric`, or for a metric-math alarm its metrics joined with `+`. */
  const watched = (a: AlarmProps): string =>
    a.Metrics
      ? a.Metrics.filter((m: AlarmProps) => m.MetricStat)
          .map((m: AlarmProps) => `${m.MetricStat.Metric.Namespace}/${m.MetricStat.Metric.MetricName}`)
          .sort()
          .join('+')
      : `${a.Namespace}/${a.MetricName}`;
  const custom = (name: string) => `${METRICS.namespace}/${name}`;

  /** Alarms whose actions reach an SMS subscription, found from the template alone: alarm -> topic -> subscription. */
  function reachingSms(s: Synthesized): string[] {
    const smsTopics = new Set(
      resourcesOfType(s.json, 'AWS::SNS::Subscription')
        .filter(([, r]) => r.Properties!.Protocol === 'sms')
        .map(([, r]) => r.Properties!.TopicArn.Ref as string),
    );
    return alarms(s)
      .filter(([, a]) => a.AlarmActions.some((t: { Ref: string }) => smsTopics.has(t.Ref)))
      .map(([, a]) => watched(a))
      .sort();
  }

  /** Alarms a request from the internet can move while everything works: they must never reach SMS. */
  const OUTSIDER_CAN_RAISE = [
    custom(METRICS.names.unverifiable),
    custom(METRICS.names.badSignature),
    custom(THROTTLED_METRIC.name),
    // A click on an acknowledge link while its key is missing or a dependency fails.
    custom(METRICS.names.ackUnavailable),
    'AWS/ApiGateway/4xx',
    // API Gateway's own 5xx when it cannot invoke the function, e.g. a body over Lambda's invocation payload limit.
    'AWS/ApiGateway/5xx',
  ];

  it('only alarms that no outsider can raise reach SMS: a failing dependency, a crash, a dead letter', () => {
    expect(reachingSms(full)).toEqual(
      [
        'AWS/Lambda/Errors',
        'AWS/SQS/ApproximateNumberOfMessagesVisible',
        custom(METRICS.names.publishFailures),
        custom(METRICS.names.secretsUnavailable),
        custom(METRICS.names.parkingFailures),
        custom(METRICS.names.unhandledErrors),
        custom(METRICS.names.apiAuthRefused),
        `AWS/Lambda/Errors+${custom(METRICS.names.notifierFailures)}`,
      ].sort(),
    );
    for (const metric of OUTSIDER_CAN_RAISE) expect(reachingSms(full)).not.toContain(metric);
    // The SMS-only configuration too: the outsider alarms then reach nobody rather than a phone.
    const smsOnly = synth({ alertSms: '+15551234567' });
    expect(reachingSms(smsOnly)).toEqual(reachingSms(full));
  });

  it('every alarm notifies the operations topic (email) exactly once; paging ones the paging topic (SMS) too', () => {
    const { operations, paging } = topicIds(full);
    for (const [, a] of alarms(full)) {
      const actions = a.AlarmActions.map((t: { Ref: string }) => t.Ref);
      expect(actions.filter((t: string) => t === operations)).toHaveLength(1);
      expect(actions.every((t: string) => t === operations || t === paging)).toBe(true);
    }
    expect(subscriptions(full).filter((sub) => sub.startsWith('email ') && sub.includes(` ${paging} `))).toEqual([]);
    expect(subscriptions(full).filter((sub) => sub.startsWith('sms ') && sub.includes(` ${operations} `))).toEqual([]);
  });

  it('alarm on the first breaching 5-minute period and hold an hour, so anyone who can move a metric gets at most one notification an hour', () => {
    expect(ALARM_PERIOD.toSeconds() * ALARM_HOLD_PERIODS).toBe(3600);
    // NotifierFailing is the one exception: it counts failures over 15 minutes (its own test, 'incident notifier').
    for (const [, a] of alarms(defaults).filter(([id]) => !id.startsWith('NotifierFailing'))) {
      expect(a).toMatchObject({
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: ALARM_HOLD_PERIODS,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(a.Statistic).toBe(a.Namespace === 'AWS/SQS' ? 'Maximum' : 'Sum');
      expect(a.AlarmDescription.length).toBeGreaterThan(40);
    }
  });

  it('watch Lambda errors, API 5xx, throttled requests and the receiver metrics with the dimension Powertools emits', () => {
    expect(alarms(defaults).map(([, a]) => watched(a))).toEqual(
      expect.arrayContaining(['AWS/Lambda/Errors', 'AWS/ApiGateway/5xx', custom(THROTTLED_METRIC.name)]),
    );
    const receiverMetrics = alarms(defaults).filter(([, a]) => a.Namespace === METRICS.namespace && a.MetricName !== THROTTLED_METRIC.name);
    expect(receiverMetrics.map(([, a]) => a.MetricName).sort()).toEqual(
      [
        METRICS.names.ackUnavailable,
        METRICS.names.unverifiable,
        METRICS.names.publishFailures,
        METRICS.names.secretsUnavailable,
        METRICS.names.dedupeUnavailable,
        METRICS.names.parkingFailures,
        METRICS.names.unhandledErrors,
        METRICS.names.apiAuthRefused,
      ].sort(),
    );
    for (const [, alarm] of receiverMetrics) expect(alarm.Dimensions).toEqual([{ Name: 'service', Value: METRICS.service }]);
  });

  it('CallbacksUnverifiable (wrong account id, salt or key) replaces CallbacksBadSignature, by email only', () => {
    const { operations } = topicIds(full);
    const found = alarms(full).filter(([, a]) => [METRICS.names.unverifiable, METRICS.names.badSignature].includes(a.MetricName));
    expect(found.map(([, a]) => a.MetricName)).toEqual([METRICS.names.unverifiable]);
    expect(found[0][1].AlarmActions).toEqual([{ Ref: operations }]);
    expect(found[0][1].AlarmDescription).toMatch(/another account id.*salt.*API key/);
  });

  it('count the requests API Gateway throttled (429) from the access log, and alarm by email only', () => {
    const stage = only(defaults.json, 'AWS::ApiGatewayV2::Stage')[1].Properties!;
    const accessLogGroup = stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    // The pattern compares a string: the access log must write the status quoted.
    expect(stage.AccessLogSettings.Format).toContain('"status":"$context.status"');
    const [, filter] = only(defaults.json, 'AWS::Logs::MetricFilter');
    expect(filter.Properties).toEqual({
      LogGroupName: { Ref: accessLogGroup },
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [{ MetricNamespace: METRICS.namespace, MetricName: THROTTLED_METRIC.name, MetricValue: '1' }],
    });
    const throttled = alarms(full).filter(([, a]) => a.MetricName === THROTTLED_METRIC.name);
    expect(throttled).toHaveLength(1);
    expect(throttled[0][1]).toMatchObject({
      Namespace: METRICS.namespace,
      Statistic: 'Sum',
      AlarmActions: [{ Ref: topicIds(full).operations }],
    });
    expect(throttled[0][1].Dimensions).toBeUndefined(); // a metric filter emits none
    expect(throttled[0][1].AlarmDescription).toContain('5 requests/s (burst 8)');
  });

  it.each([
    ['defaults', () => defaults],
    ['full context', () => full],
  ])("each alarm topic's policy lets CloudWatch publish for exactly the alarms that notify it, in this account (%s)", (_, get) => {
    const s = get();
    const ids = topicIds(s);
    const policyOf = (topic: string) => {
      const policies = resourcesOfType(s.json, 'AWS::SNS::TopicPolicy').filter(([, p]) =>
        p.Properties!.Topics.some((t: { Ref: string }) => t.Ref === topic),
      );
      expect(policies).toHaveLength(1);
      return policies[0][1].Properties!.PolicyDocument.Statement as Array<Record<string, any>>;
    };
    for (const topic of [ids.operations, ids.paging]) {
      const allows = policyOf(topic).filter((st) => st.Effect === 'Allow');
      const notifying = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm')
        .filter(([, a]) => a.Properties!.AlarmActions.some((t: { Ref: string }) => t.Ref === topic))
        .map(([id]) => `\${${id}.Arn}`)
        .sort();
      expect(notifying.length).toBeGreaterThan(0);
      expect(allows).toHaveLength(1);
      expect(allows[0]).toMatchObject({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topic },
      });
      expect(Object.keys(allows[0].Condition).sort()).toEqual(['ArnLike', 'StringEquals']);
      expect(allows[0].Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
      expect([allows[0].Condition.ArnLike['aws:SourceArn']].flat().map(render).sort()).toEqual(notifying);
    }
    // The alert topic: the receiver publishes through its role; no service principal is let in.
    expect(policyOf(ids.alerts).filter((st) => st.Effect === 'Allow')).toEqual([]);
  });
});

describe('parked-retry queue', () => {
  it('is TLS-only, encrypted, and sends a request to the DLQ after the bounded number of attempts', () => {
    const queue = defaults.json.Resources[retryQueueId(defaults)];
    const dlqId = queue.Properties!.RedrivePolicy.deadLetterTargetArn['Fn::GetAtt'][0];
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: RETRY_QUEUE.visibilityTimeoutSeconds,
      RedrivePolicy: { maxReceiveCount: RETRY_QUEUE.maxReceiveCount },
    });
    expect(defaults.json.Resources[dlqId].Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    for (const id of [retryQueueId(defaults), dlqId]) {
      defaults.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    }
  });

  it('is consumed by the receiver itself, with partial batch responses', () => {
    defaults.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [retryQueueId(defaults), 'Arn'] },
      FunctionName: { Ref: receiverId(defaults) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('has an alarm on the dead-letter queue', () => {
    const dlqAlarm = resourcesOfType(defaults.json, 'AWS::CloudWatch::Alarm').filter(
      ([, a]) => a.Properties!.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    expect(dlqAlarm).toHaveLength(1);
    expect(dlqAlarm[0][1].Properties!.Namespace).toBe('AWS/SQS');
  });
});

describe('outputs', () => {
  it('print the webhook URL, the parameter names to fill, the topics and the table', () => {
    const outputs = full.json.Outputs as Record<string, { Value: unknown }>;
    expect(render(outputs.WebhookUrl.Value)).toMatch(/^https:\/\/\$\{Api\w+\}\.execute-api\.\$\{AWS::Region\}\.\$\{AWS::URLSuffix\}\/$/);
    const names = parameterNames(FULL_CONTEXT.parameterPrefix);
    expect(outputs.SaltParameterName.Value).toBe(names.salt);
    expect(outputs.AccountIdParameterName.Value).toBe(names.accountId);
    expect(outputs.ApiKeyParameterName.Value).toBe(names.apiKey);
    expect(outputs.RotationParameterNames.Value).toBe(`${names.saltPrevious} ${names.apiKeyPrevious}`);
    expect(outputs.AckKeyParameterName.Value).toBe(names.ackKey);
    const { alerts, operations, paging } = topicIds(full);
    expect(outputs.AlertTopicArn.Value).toEqual({ Ref: alerts });
    expect(outputs.OperationsTopicArn.Value).toEqual({ Ref: operations });
    expect(outputs.PagingTopicArn.Value).toEqual({ Ref: paging });
    expect(outputs.DedupeTableName.Value).toEqual({ Ref: named(full.json, 'AWS::DynamoDB::Table', 'DedupeTable')[0] });
    expect(outputs.IncidentTableName.Value).toEqual({ Ref: named(full.json, 'AWS::DynamoDB::Table', 'IncidentTable')[0] });
  });
});

describe('no secrets', () => {
  it('no SSM parameter, no SecureString reference, no secret-looking environment variable', () => {
    for (const s of [defaults, full]) {
      expect(resourcesOfType(s.json, 'AWS::SSM::Parameter')).toEqual([]);
      expect(resourcesOfType(s.json, 'AWS::SecretsManager::Secret')).toEqual([]);
      expect(JSON.stringify(s.json.Resources).match(/ssm-secure|SecureString|secretsmanager/i)).toBeNull();
      expect(
        Object.values(s.json.Parameters ?? {})
          .map((p: any) => p.Type)
          .filter((t: string) => /SecureString/i.test(t)),
      ).toEqual([]);
      expect(Object.keys(receiver(s).Properties!.Environment.Variables).filter((k) => /SALT|KEY|SECRET|TOKEN|PASSWORD/i.test(k))).toEqual(
        [],
      );
    }
  });

  it('nothing from the process environment reaches the cloud assembly (template, bundle, manifests)', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(defaults.outdir);
    expect(files.some((f) => f.endsWith('index.mjs'))).toBe(true);
    expect(files.filter((file) => readFileSync(file, 'utf8').includes(FAKE_SECRET))).toEqual([]);
  });
});

describe('invalid context fails the synth with a clear message', () => {
  it.each([
    [{ alertEmail: 'ops@example.com,not-an-email' }, 'alertEmail="not-an-email": not an email address'],
    [{ alertSms: '5551234567' }, 'alertSms="5551234567": not an E.164 phone number'],
    [{ alertSms: '+1-555-123-4567' }, 'alertSms="+1-555-123-4567"'],
    [{ parameterPrefix: 'voximplant-alerts' }, 'parameterPrefix="voximplant-alerts": must start with \'/\''],
    [{ parameterPrefix: '/voximplant-alerts/' }, "must not end with '/'"],
    [{ smsSeverities: 'urgent' }, 'smsSeverities="urgent": not a severity'],
    [{ alertTypes: 'Min Balance' }, 'alertTypes="Min": not a Voximplant callback type'],
    [{ throttleRate: '0' }, 'throttleRate="0": expected a positive number'],
    [{ throttleBurst: 'lots' }, 'throttleBurst="lots": expected a positive whole number'],
    [{ kmsKeyArn: 'alias/aws/ssm' }, 'kmsKeyArn="alias/aws/ssm": expected a KMS key ARN'],
    [{ alertLanguage: 'russian' }, 'alertLanguage="russian": expected en, ru or auto'],
    [{ escalationEmail: 'boss' }, 'escalationEmail="boss": not an email address; expected e.g. -c escalationEmail='],
    [{ escalationSms: '5551234567' }, 'escalationSms="5551234567": not an E.164 phone number'],
    [{ reminderSchedule: '2h,30m,12h' }, 'reminderSchedule="2h,30m,12h": the offsets must ascend'],
    [{ reminderSchedule: '30s,12h' }, 'reminderSchedule="30s,12h": "30s" is out of range: from 1m to 30d'],
  ])('%j', (context, message) => {
    expect(() => construct(context)).toThrow(message);
  });
});
