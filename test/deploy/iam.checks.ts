/**
 * Least privilege as deployed: the receiver's role trusts Lambda only, has no managed policy, and its inline
 * policy grants each action the Lambda's code calls on exactly the resource it needs, with no wildcard and
 * nothing outside this stack and its six SSM parameters.
 */
import { DEFAULTS, parameterNames } from '../../lambda/config';
import { ENV } from '../../lambda/contract';
import type { DeployedState, RoleState } from './aws';
import { receiverResource } from './deployed.checks';
import { asArray, readCdkJsonContext, refTarget, REGION } from './template';

interface Policy {
  readonly role?: RoleState;
  readonly statements: any[];
  readonly resources: string[];
  readonly logGroupArn?: string;
  readonly parameterArns: string[];
  readonly prefix: string;
}

function policyOf(s: DeployedState): Policy {
  const props = receiverResource(s).Properties ?? {};
  const roleId = (props.Role?.['Fn::GetAtt'] ?? [])[0] as string | undefined;
  const role = roleId ? s.roles.get(roleId) : undefined;
  const statements = [...(role?.documents.values() ?? [])].flatMap((doc) => asArray<any>(doc.Statement));
  const logGroupId = refTarget(props.LoggingConfig?.LogGroup);
  const prefix = String(readCdkJsonContext().parameterPrefix ?? DEFAULTS.parameterPrefix);
  return {
    role,
    statements,
    resources: statements.flatMap((st) => asArray<string>(st.Resource)),
    logGroupArn: logGroupId ? s.attributes.get(`${logGroupId}.Arn`) : undefined,
    parameterArns: Object.values(parameterNames(prefix)).map((name) => `arn:aws:ssm:${REGION}:${s.account}:parameter${name}`),
    prefix,
  };
}

/** The resources granted `action`, sorted; a log group's ":*" suffix is dropped (moto's ARNs have none). */
function resourcesFor(policy: Policy, action: string): string[] {
  return [
    ...new Set(policy.statements.filter((st) => asArray<string>(st.Action).includes(action)).flatMap((st) => asArray<string>(st.Resource))),
  ]
    .map((r) => (r.startsWith('arn:aws:logs:') ? r.replace(/:\*$/, '') : r))
    .sort();
}

/** The physical ARN behind the receiver's environment variable (a table, topic or queue), or a label that fails. */
function arnBehind(s: DeployedState, variable: string, attribute: string, what: string): string {
  const id = refTarget(receiverResource(s).Properties?.Environment?.Variables?.[variable]);
  const arn = id && (attribute === 'Ref' ? s.physical.get(id) : s.attributes.get(`${id}.${attribute}`));
  return arn || `(${what} was not created)`;
}

export function describeIam(get: () => DeployedState): void {
  it('the role trusts lambda.amazonaws.com only', () => {
    const trust = JSON.parse(decodeURIComponent(policyOf(get()).role?.role.AssumeRolePolicyDocument ?? '{}')) as { Statement?: any[] };
    expect((trust.Statement ?? []).map((st) => [st.Effect, st.Action, st.Principal])).toEqual([
      ['Allow', 'sts:AssumeRole', { Service: 'lambda.amazonaws.com' }],
    ]);
  });

  it('no managed policy is attached (ListAttachedRolePolicies)', () => {
    const { role } = policyOf(get());
    expect(role).toBeDefined();
    expect(role?.attached).toEqual([]);
  });

  it('it has inline policies (ListRolePolicies, GetRolePolicy)', () => {
    const { role, statements } = policyOf(get());
    process.stdout.write(
      `    (inline ${role?.inline.join(', ')}: ${statements.map((st) => asArray<string>(st.Action).join('+')).join(' | ')})\n`,
    );
    expect(role?.inline.length).toBeGreaterThan(0);
    expect(statements.length).toBeGreaterThan(0);
  });

  it('every statement is Allow with Action and Resource (no NotAction / NotResource)', () => {
    const bad = policyOf(get()).statements.filter(
      (st) => !(st.Effect === 'Allow' && st.Action && st.Resource && !st.NotAction && !st.NotResource),
    );
    expect(bad).toEqual([]);
  });

  it('no "*" in any Resource (a log group ARN\'s ":*", its streams, aside)', () => {
    const { resources, logGroupArn } = policyOf(get());
    const strip = (r: string) => r.replace(/:\*$/, '');
    expect(resources.filter((r) => r.includes('*') && !(logGroupArn && strip(r) === strip(logGroupArn)))).toEqual([]);
  });

  it.each([
    ['ssm:GetParameters', 'parameters'],
    ['dynamodb:PutItem', 'tables'],
    ['dynamodb:UpdateItem', 'table'],
    ['dynamodb:DeleteItem', 'table'],
    ['sns:Publish', 'topic'],
    ['sqs:SendMessage', 'queue'],
    ['sqs:ReceiveMessage', 'queue'],
    ['sqs:DeleteMessage', 'queue'],
    ['sqs:ChangeMessageVisibility', 'queue'],
    ['logs:PutLogEvents', 'log group'],
  ] as const)('%s is granted on exactly the %s the Lambda uses', (action, target) => {
    const s = get();
    const policy = policyOf(s);
    const expected = {
      parameters: policy.parameterArns,
      table: [arnBehind(s, ENV.dedupeTableName, 'Arn', 'the dedupe table')],
      tables: [
        arnBehind(s, ENV.dedupeTableName, 'Arn', 'the dedupe table'),
        arnBehind(s, ENV.incidentTableName, 'Arn', 'the incident table'),
      ],
      topic: [arnBehind(s, ENV.topicArn, 'Ref', 'the alert topic')],
      queue: [arnBehind(s, ENV.retryQueueUrl, 'Arn', 'the retry queue')],
      'log group': [policy.logGroupArn ?? '(the function names no log group)'],
    }[target];
    if (target === 'parameters') expect(expected).toHaveLength(6);
    expect(resourcesFor(policy, action)).toEqual([...expected].sort());
  });

  it("every Resource is one of this stack's resources or one of the six parameters", () => {
    const s = get();
    const policy = policyOf(s);
    const own = new Set([...policy.parameterArns, ...s.attributes.values()].flatMap((a) => [a, a.replace(/:\*$/, '')]));
    expect([...new Set(policy.resources)].filter((r) => !own.has(r) && !own.has(r.replace(/:\*$/, '')))).toEqual([]);
  });

  it('no publish right on the operations topic (or any topic but the alert topic)', () => {
    const s = get();
    const alertTopic = arnBehind(s, ENV.topicArn, 'Ref', 'the alert topic');
    const others = [...s.listedTopics].filter((t) => t !== alertTopic && t !== '');
    const resources = policyOf(s).resources;
    expect(others.filter((t) => resources.includes(t))).toEqual([]);
  });
}
