/**
 * infra/chat.ts: the chat destinations in the template. Nothing of chat without a chat key; with every key, a
 * relay per destination with its severity filter, async retries into the failure queue, Slack and Teams channel
 * configurations on their own chat topics with a role that can do nothing and a deny-all guardrail, and the
 * Telegram relay reading exactly its token parameter.
 */
import { CHAT_RELAY_FUNCTION, ENV, MESSAGE_ATTRIBUTES } from '../../lambda/contract';
import { CHAT_CONTEXT, FULL_CONTEXT, named, only, removeOutdirs, render, resourcesOfType, synth, type Synthesized } from './synth';

afterAll(removeOutdirs);

let defaults: Synthesized;
let full: Synthesized;
let telegramOnly: Synthesized;
beforeAll(() => {
  defaults = synth();
  full = synth(FULL_CONTEXT);
  telegramOnly = synth({ telegramChatId: '@voximplant_ops' });
});

type Resource = { Type: string; Properties: Record<string, any> };
const resources = (s: Synthesized) => Object.entries(s.json.Resources as Record<string, Resource>);
const relays = (s: Synthesized) =>
  resourcesOfType(s.json, 'AWS::Lambda::Function').filter(([, f]) => f.Properties!.Environment?.Variables?.[ENV.chatDestination]);
const relayId = (s: Synthesized, destination: string) => {
  const found = relays(s).filter(([, f]) => f.Properties!.Environment.Variables[ENV.chatDestination] === destination);
  expect(found).toHaveLength(1);
  return found[0][0];
};
/** The statements of every inline policy attached to the role of logical id `roleId`. */
const statementsOfRole = (s: Synthesized, roleId: string) =>
  resourcesOfType(s.json, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties!.Roles.some((r: { Ref: string }) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties!.PolicyDocument.Statement as Array<Record<string, any>>);
const roleOf = (s: Synthesized, functionId: string) => s.json.Resources[functionId].Properties.Role['Fn::GetAtt'][0] as string;

describe('no chat key', () => {
  it('adds no chat topic, relay, queue, channel or alarm', () => {
    expect(resources(defaults).filter(([id, r]) => id.startsWith('Chat') || r.Type.startsWith('AWS::Chatbot::'))).toEqual([]);
    expect(relays(defaults)).toEqual([]);
  });
});

describe('every chat destination', () => {
  it('subscribes one relay per destination to the alert topic, each with its own severity filter', () => {
    const subscriptions = resourcesOfType(full.json, 'AWS::SNS::Subscription').filter(([, s]) => s.Properties!.Protocol === 'lambda');
    const byRelay = Object.fromEntries(
      subscriptions.map(([, s]) => [render(s.Properties!.Endpoint).replace(/^\$\{(\w+)\.Arn\}$/, '$1'), s.Properties!]),
    );
    const [, receiver] = named(full.json, 'AWS::Lambda::Function', 'Receiver');
    const alertTopic = receiver.Properties!.Environment.Variables[ENV.topicArn].Ref as string;
    for (const destination of ['slack', 'teams', 'telegram']) {
      const subscription = byRelay[relayId(full, destination)];
      expect(subscription.TopicArn).toEqual({ Ref: alertTopic });
    }
    expect(byRelay[relayId(full, 'slack')].FilterPolicy).toEqual({ [MESSAGE_ATTRIBUTES.severity]: ['critical'] });
    // teamsSeverities not set: the chat default.
    expect(byRelay[relayId(full, 'teams')].FilterPolicy).toEqual({ [MESSAGE_ATTRIBUTES.severity]: ['critical', 'warning'] });
    expect(byRelay[relayId(full, 'telegram')].FilterPolicy).toBeUndefined(); // '*'
  });

  it('retries a failed relay twice, then keeps the event in the failure queue, whose alarm emails', () => {
    const configs = resourcesOfType(full.json, 'AWS::Lambda::EventInvokeConfig');
    expect(configs).toHaveLength(3);
    const [queueId] = named(full.json, 'AWS::SQS::Queue', 'ChatFailures');
    for (const [, config] of configs) {
      expect(config.Properties!.MaximumRetryAttempts).toBe(CHAT_RELAY_FUNCTION.retryAttempts);
      expect(render(config.Properties!.DestinationConfig.OnFailure.Destination)).toBe(`\${${queueId}.Arn}`);
    }
    const alarm = resourcesOfType(full.json, 'AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('ChatUndelivered'));
    expect(alarm).toBeDefined();
    expect(alarm![1].Properties!.AlarmActions.map(render)).toHaveLength(1); // the operations topic only: never SMS
  });

  it('gives Slack and Teams each a chat topic, published to by their relay only', () => {
    const slack = only(full.json, 'AWS::Chatbot::SlackChannelConfiguration')[1].Properties!;
    const teams = only(full.json, 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration')[1].Properties!;
    expect(slack).toMatchObject({ SlackWorkspaceId: CHAT_CONTEXT.slackWorkspaceId, SlackChannelId: CHAT_CONTEXT.slackChannelId });
    expect(teams).toMatchObject({
      TeamsTenantId: CHAT_CONTEXT.teamsTenantId,
      TeamId: CHAT_CONTEXT.teamsId,
      TeamsChannelId: CHAT_CONTEXT.teamsChannelId,
    });
    for (const [destination, config] of [
      ['slack', slack],
      ['teams', teams],
    ] as const) {
      expect(config.UserRoleRequired).toBe(false);
      const [topic] = config.SnsTopicArns.map(render);
      const relay = full.json.Resources[relayId(full, destination)];
      expect(render(relay.Properties.Environment.Variables[ENV.chatTopicArn])).toBe(topic);
      const statements = statementsOfRole(full, roleOf(full, relayId(full, destination)));
      const publish = statements.filter((st) => [st.Action].flat().includes('sns:Publish'));
      expect(publish.map((st) => render(st.Resource))).toEqual([topic]);
    }
  });

  it('lets the channels do nothing: a role without permissions and a guardrail that denies every action', () => {
    const slack = only(full.json, 'AWS::Chatbot::SlackChannelConfiguration')[1].Properties!;
    const teams = only(full.json, 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration')[1].Properties!;
    const roleId = render(slack.IamRoleArn).replace(/^\$\{(\w+)\.Arn\}$/, '$1');
    expect(render(teams.IamRoleArn)).toBe(render(slack.IamRoleArn));
    const role = full.json.Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'chatbot.amazonaws.com' });
    expect(role.Properties.ManagedPolicyArns ?? []).toEqual([]);
    expect(role.Properties.Policies ?? []).toEqual([]);
    expect(statementsOfRole(full, roleId)).toEqual([]);
    const [guardrailId, guardrail] = only(full.json, 'AWS::IAM::ManagedPolicy');
    expect(guardrail.Properties!.PolicyDocument.Statement).toEqual([{ Effect: 'Deny', Action: '*', Resource: '*' }]);
    expect(slack.GuardrailPolicies.map(render)).toEqual([`\${${guardrailId}}`]);
    expect(teams.GuardrailPolicies.map(render)).toEqual([`\${${guardrailId}}`]);
  });

  it('lets the Telegram relay read exactly its token parameter (and decrypt it through SSM with the stack key)', () => {
    const relay = full.json.Resources[relayId(full, 'telegram')];
    expect(relay.Properties.Environment.Variables).toMatchObject({
      [ENV.telegramChatId]: CHAT_CONTEXT.telegramChatId,
      [ENV.telegramApiUrl]: CHAT_RELAY_FUNCTION.telegramApiUrl,
      [ENV.parameterPrefix]: FULL_CONTEXT.parameterPrefix,
    });
    const statements = statementsOfRole(full, roleOf(full, relayId(full, 'telegram')));
    const ssm = statements.filter((st) => [st.Action].flat().some((a: string) => a.startsWith('ssm:')));
    expect(ssm.map((st) => [st.Action, render(st.Resource)])).toEqual([
      [
        'ssm:GetParameter',
        `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${FULL_CONTEXT.parameterPrefix}/telegram-bot-token`,
      ],
    ]);
    const kms = statements.filter((st) => st.Action === 'kms:Decrypt');
    expect(kms.map((st) => st.Resource)).toEqual([FULL_CONTEXT.kmsKeyArn]);
    expect(statements.some((st) => [st.Action].flat().includes('sns:Publish'))).toBe(false);
  });
});

describe('Telegram alone', () => {
  it('adds its relay and the failure queue, and no chat topic, channel role or guardrail', () => {
    expect(relays(telegramOnly).map(([, f]) => f.Properties!.Environment.Variables[ENV.chatDestination])).toEqual(['telegram']);
    expect(resources(telegramOnly).filter(([, r]) => r.Type.startsWith('AWS::Chatbot::') || r.Type === 'AWS::IAM::ManagedPolicy')).toEqual(
      [],
    );
    expect(resources(telegramOnly).filter(([id, r]) => id.startsWith('Chat') && r.Type === 'AWS::SNS::Topic')).toEqual([]);
  });
});
