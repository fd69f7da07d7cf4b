/**
 * Chat destinations (issue 16): one relay function per destination, subscribed to the alert topic (lambda
 * protocol, the destination's severity filter), turning each alert into its chat message (lambda/chat/):
 *
 *   alert topic ──filter──▶ Slack relay ──▶ Slack chat topic ──▶ Amazon Q Developer Slack channel configuration
 *               ──filter──▶ Teams relay ──▶ Teams chat topic ──▶ Amazon Q Developer Teams channel configuration
 *               ──filter──▶ Telegram relay ──▶ Bot API sendMessage (token: SSM SecureString)
 *   any relay that fails 3 times (Lambda async retries) ──▶ chat failure queue ──▶ alarm (email)
 *
 * A topic per chat destination, because Amazon Q Developer subscribes to its topics itself, with no filter
 * policy: Slack's and Teams' severities are filtered on the relay's subscription instead. A relay per
 * destination, so a retry re-sends to that destination only. Nothing here exists when no chat key is set.
 *
 * Least privilege: each relay's role writes its own log group and either publishes to its one chat topic or
 * reads the one token parameter. The channel configurations' role has no permissions at all, and their
 * guardrail policy denies every action: custom notifications need no IAM permission (SNS delivers them), and
 * nobody in the channel can run AWS commands through Amazon Q.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { CfnMicrosoftTeamsChannelConfiguration, LoggingLevel, SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { Effect, ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ITopic, SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type ChatDestinationName, telegramTokenParameter } from '../lambda/chat/config';
import { CHAT_RELAY_FUNCTION, ENV, MESSAGE_ATTRIBUTES, METRICS } from '../lambda/contract';
import type { Severity } from '../lambda/model';
import { ALARM_PERIOD, type AlarmSpec } from './alarms';
import type { ChatSettings } from './context';

export interface ChatProps {
  readonly settings: ChatSettings;
  /** What the relays share with the stack's other functions: runtime, architecture, bundling, project root. */
  readonly functionDefaults: Pick<NodejsFunctionProps, 'projectRoot' | 'depsLockFilePath' | 'runtime' | 'architecture' | 'bundling'>;
  readonly entry: string;
  readonly logRetention: RetentionDays;
  readonly alertTopic: ITopic;
  readonly parameterPrefix: string;
  readonly kmsKeyArn?: string;
}

export class Chat extends Construct {
  /** The relay of each destination set. */
  readonly relays: Partial<Record<ChatDestinationName, NodejsFunction>> = {};
  /** Slack's and Teams' chat topics. */
  readonly topics: Partial<Record<'slack' | 'teams', Topic>> = {};
  readonly failures: Queue;
  /** For infra/alarms.ts. */
  readonly alarms: Record<string, AlarmSpec>;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ChatProps,
  ) {
    super(scope, id);
    const { settings } = props;
    this.failures = new Queue(this, 'Failures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(CHAT_RELAY_FUNCTION.failureRetentionDays),
    });
    Validations.of(this.failures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This queue is the relays' on-failure destination (a dead-letter queue itself); the ChatUndelivered alarm watches it.",
    });

    if (settings.slack || settings.teams) {
      const { role, guardrail } = this.channelRoleAndGuardrail();
      const name = (suffix: string) => `${Stack.of(this).stackName}-${suffix}`.replace(/[^A-Za-z0-9-_]/g, '-').slice(0, 128);
      if (settings.slack) {
        const topic = this.chatTopic('slack', settings.slack.severities);
        new SlackChannelConfiguration(this, 'SlackChannel', {
          slackChannelConfigurationName: name('slack'),
          slackWorkspaceId: settings.slack.workspaceId,
          slackChannelId: settings.slack.channelId,
          notificationTopics: [topic],
          role,
          guardrailPolicies: [guardrail],
          loggingLevel: LoggingLevel.ERROR,
          userRoleRequired: false,
        });
      }
      if (settings.teams) {
        const topic = this.chatTopic('teams', settings.teams.severities);
        new CfnMicrosoftTeamsChannelConfiguration(this, 'TeamsChannel', {
          configurationName: name('teams'),
          teamsTenantId: settings.teams.tenantId,
          teamId: settings.teams.teamId,
          teamsChannelId: settings.teams.channelId,
          snsTopicArns: [topic.topicArn],
          iamRoleArn: role.roleArn,
          guardrailPolicies: [guardrail.managedPolicyArn],
          loggingLevel: 'ERROR',
          userRoleRequired: false,
        });
      }
    }
    if (settings.telegram) {
      const relay = this.relay('telegram', settings.telegram.severities, {
        [ENV.telegramChatId]: settings.telegram.chatId,
        [ENV.telegramApiUrl]: CHAT_RELAY_FUNCTION.telegramApiUrl,
        [ENV.parameterPrefix]: props.parameterPrefix,
      });
      const name = telegramTokenParameter(props.parameterPrefix);
      const arn = Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') });
      relay.addToRolePolicy(new PolicyStatement({ actions: ['ssm:GetParameter'], resources: [arn] }));
      if (props.kmsKeyArn) {
        relay.addToRolePolicy(
          new PolicyStatement({
            actions: ['kms:Decrypt'],
            resources: [props.kmsKeyArn],
            conditions: { StringEquals: { 'kms:ViaService': `ssm.${Stack.of(this).region}.amazonaws.com` } },
          }),
        );
      }
    }

    this.alarms = {
      // Email only: the alert itself went out by email (and SMS) already; chat is a further copy.
      ChatUndelivered: {
        metric: this.failures.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: ALARM_PERIOD }),
        description:
          `A chat message failed ${CHAT_RELAY_FUNCTION.retryAttempts + 1} attempts over about 3 minutes and is in the chat ` +
          "failure queue (its email and SMS went out). The relay's log says why (Telegram: a wrong chat id or a revoked " +
          'token, `npm run configure -- --telegram-bot-token`). Each queued record holds the original SNS event ' +
          '(requestPayload): invoke the relay with it to re-send, then delete the record.',
        pages: false,
      },
    };
  }

  /** A chat topic for Slack or Teams, and its relay publishing to it. */
  private chatTopic(destination: 'slack' | 'teams', severities: readonly Severity[] | '*'): Topic {
    const topic = new Topic(this, `${capitalized(destination)}Topic`, { enforceSSL: true });
    this.topics[destination] = topic;
    const relay = this.relay(destination, severities, { [ENV.chatTopicArn]: topic.topicArn });
    topic.grantPublish(relay);
    return topic;
  }

  /** One destination's relay: its log group, role, function, async retry policy and filtered subscription. */
  private relay(
    destination: ChatDestinationName,
    severities: readonly Severity[] | '*',
    environment: Record<string, string>,
  ): NodejsFunction {
    const id = capitalized(destination);
    const logs = new LogGroup(this, `${id}RelayLogs`, { retention: this.props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new Role(this, `${id}RelayRole`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Voximplant ${destination} chat relay: its own log group and its one destination`,
    });
    logs.grantWrite(role);
    const relay = new NodejsFunction(this, `${id}Relay`, {
      ...this.props.functionDefaults,
      description: `Relays Voximplant alerts to ${destination}`,
      entry: this.props.entry,
      handler: 'handler',
      memorySize: 256,
      timeout: Duration.seconds(CHAT_RELAY_FUNCTION.timeoutSeconds),
      role,
      logGroup: logs,
      environment: {
        [ENV.chatDestination]: destination,
        ...environment,
        POWERTOOLS_SERVICE_NAME: METRICS.service,
        NODE_OPTIONS: '--enable-source-maps',
      },
      retryAttempts: CHAT_RELAY_FUNCTION.retryAttempts,
      onFailure: new SqsDestination(this.failures),
    });
    // The same redundant DependsOn as the receiver's (infra/stack.ts): silenced the same way.
    (relay.node.defaultChild as CfnFunction).addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
    const filterPolicy =
      severities === '*' ? undefined : { [MESSAGE_ATTRIBUTES.severity]: SubscriptionFilter.stringFilter({ allowlist: [...severities] }) };
    this.props.alertTopic.addSubscription(new LambdaSubscription(relay, { filterPolicy }));
    this.relays[destination] = relay;
    return relay;
  }

  /**
   * The channel configurations' role and guardrail. The role (assumed by Amazon Q Developer) has no policy; the
   * guardrail, which caps what anyone in the channel can do through it, denies everything.
   */
  private channelRoleAndGuardrail(): { role: Role; guardrail: ManagedPolicy } {
    const role = new Role(this, 'ChannelRole', {
      assumedBy: new ServicePrincipal('chatbot.amazonaws.com'),
      description: 'Amazon Q Developer channels of the Voximplant alerts: notifications only, no permissions',
    });
    const guardrail = new ManagedPolicy(this, 'ChannelGuardrail', {
      description: 'Voximplant alert channels: notifications only; no AWS action may be run from the channel',
      statements: [new PolicyStatement({ effect: Effect.DENY, actions: ['*'], resources: ['*'] })],
    });
    return { role, guardrail };
  }
}

const capitalized = (value: string): string => value[0].toUpperCase() + value.slice(1);
