/**
 * `npm run rehearse-deploy`: the README's deploy path with the real CDK CLI, offline, against moto server.
 *
 *   moto (own, free port) → cdk synth (temp dir) → cdk bootstrap → cdk deploy → assert what moto modelled
 *   → cdk destroy → assert it is gone → cdk deploy --method=direct → assert the stack outputs → cdk destroy
 *
 * What it proves: the app synthesizes with the context a user passes, bootstrapping works, the assets (the
 * esbuild bundle and the template) publish, CloudFormation accepts the template, and the resources moto
 * models come out wired as the Lambda needs them: names and ARNs in the function's environment, IAM scoped to
 * exact ARNs, the dedupe table, the topics, the retry queue and its event source. Then that `cdk destroy`
 * removes them. Resources moto's CloudFormation does not model (API Gateway v2, SNS subscriptions and topic
 * policies, SQS queue policies, CloudWatch alarms) are listed as "not modelled", never silently passed.
 *
 * Two things stock moto 5.2.1 needs from the caller, both on the CDK CLI's side (nothing changes in moto):
 *  - AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION=http://localhost:PORT. The CLI reads this variable when it turns
 *    the template's s3:// location into the TemplateURL it hands CloudFormation. Without it the URL is
 *    http://127.0.0.1:PORT/bucket/key, and moto, which reads TemplateURL from its own S3 in-process, takes the
 *    first label of a host it does not recognise as the bucket ("127"): "The specified bucket does not exist".
 *    A URL containing "localhost" makes moto read it path-style. Only the string matters: nothing connects to
 *    it, so every real connection stays on 127.0.0.1 (moto listens there only).
 *  - Outputs only with `--method=direct`. With change sets (the CLI's default) moto builds the stack's output
 *    map from the empty template CreateChangeSet starts with and never rebuilds it, so Outputs stay empty.
 *    CreateStack (`--method=direct`) has them. The main deploy uses change sets, as a user's `cdk deploy`
 *    does; a second, direct deploy checks the outputs.
 *
 * Where moto creates a resource but drops a property (the table's TimeToLiveSpecification, the function's
 * Architectures), the check is reported as GAP with the value CloudFormation received (GetTemplate). Not
 * rehearsed: updates (moto 5.2.1 fails a second deploy: change set "Stack with id cdk-deploy-change-set does
 * not exist"; --method=direct: UpdateStack 500, KeyError 'BootstrapVersion'), and invoking the function
 * (moto runs Lambda code only in Docker).
 *
 * Lambda, IAM, CloudFormation and CloudWatch Logs are read with boto3 (always installed with moto): their
 * JavaScript clients are not dependencies of this project. SNS, DynamoDB and SQS use the project's SDK clients.
 *
 * Usage: npm run rehearse-deploy [-- --timeout 300 --keep --verbose]
 * Exit code: 0 passed, 1 failed, 124 timed out, 130/143 interrupted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULTS, parameterNames } from '../lambda/config';
import { DEDUPE_TABLE, ENV, RETRY_QUEUE } from '../lambda/names';
import { exitUsage, parseCommandLine } from './cli';
import { freePort, motoEnv, startMoto, type MotoServer } from './moto';

const ROOT = resolve(__dirname, '..');
// The SDK's "Node.js 20 support ends in 2027" notice, printed by this process and by every CDK CLI run: noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const REGION = 'us-east-1';
/** moto's default account; the run confirms it through STS GetCallerIdentity, as the CDK CLI does. */
const MOTO_ACCOUNT = '123456789012';
/** Subscribers for the deploy, as the README's Deploy section shows them. */
const CONTEXT = { alertEmail: 'ops@example.com', alertSms: '+15551234567' } as const;
/** Template resource types that must come out of a deploy to moto as real resources. */
const MODELLED_TYPES = new Set([
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::Permission',
  'AWS::DynamoDB::Table',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::Logs::LogGroup',
]);

// ---------------------------------------------------------------------------------------------------
// Options

const HELP = `Deploy rehearsal, offline: the real CDK CLI against a private moto server.

Usage: npm run rehearse-deploy [-- options]

  --timeout <seconds>  bound for the whole run (default 300, or REHEARSE_TIMEOUT_SECONDS)
  --keep               keep the temp dir (cloud assembly, CLI logs) even when the run passes
  --verbose            stream the CDK CLI's output
  -h, --help           this text

Exit code: 0 passed, 1 failed, 124 timed out, 130/143 interrupted.`;

const options = parseCommandLine(process.argv.slice(2), HELP, {
  timeout: { type: 'string' },
  keep: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
});
const timeoutSeconds = Number(options.timeout ?? process.env.REHEARSE_TIMEOUT_SECONDS ?? 300);
if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
  exitUsage(`--timeout must be a positive number of seconds, got ${JSON.stringify(options.timeout ?? process.env.REHEARSE_TIMEOUT_SECONDS)}`, HELP);
}
const deadline = Date.now() + timeoutSeconds * 1000;

// ---------------------------------------------------------------------------------------------------
// Results: steps with their wall time, checks with PASS / FAIL / GAP (moto does not model it)

type Status = 'PASS' | 'FAIL' | 'GAP';
interface CheckResult {
  readonly group: string;
  readonly name: string;
  readonly status: Status;
  readonly detail?: string;
}
interface StepResult {
  readonly name: string;
  readonly ms: number;
  readonly ok: boolean;
}

const checks: CheckResult[] = [];
const steps: StepResult[] = [];
const notModelled = new Map<string, string[]>();

function record(group: string, name: string, status: Status, detail?: string): void {
  checks.push({ group, name, status, detail });
  const mark = status === 'PASS' ? 'PASS' : status === 'FAIL' ? 'FAIL' : 'GAP ';
  console.log(`    ${mark} ${group}: ${name}${detail && status !== 'PASS' ? `\n           ${detail.replace(/\n/g, '\n           ')}` : ''}`);
}

function check(group: string, name: string, ok: boolean, detail?: string): boolean {
  record(group, name, ok ? 'PASS' : 'FAIL', detail);
  return ok;
}

function expectEqual(group: string, name: string, actual: unknown, expected: unknown): boolean {
  return check(group, name, isDeepStrictEqual(actual, expected), `expected ${show(expected)}, got ${show(actual)}`);
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

class TimeoutError extends Error {}
class StepError extends Error {}

function remainingMs(): number {
  return deadline - Date.now();
}

/** Runs one step, timed, within the run's deadline. Assertion failures are recorded, not thrown. */
async function step<T>(name: string, body: () => Promise<T>, { bounded = true } = {}): Promise<T> {
  console.log(`\n» ${name}`);
  const started = Date.now();
  let ok = false;
  try {
    if (bounded && remainingMs() <= 0) throw new TimeoutError(`no time left for "${name}"`);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      if (!bounded) return;
      timer = setTimeout(() => reject(new TimeoutError(`"${name}" was still running at the ${timeoutSeconds} s limit`)), remainingMs());
    });
    try {
      const result = await Promise.race([body(), expired]);
      ok = true;
      return result;
    } finally {
      clearTimeout(timer);
    }
  } finally {
    const ms = Date.now() - started;
    steps.push({ name, ms, ok });
    console.log(`  ${ok ? 'done' : 'FAILED'} in ${seconds(ms)}`);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

// ---------------------------------------------------------------------------------------------------
// Processes: the CDK CLI in its own process group (killed as a group), the boto3 bridge

let activeChild: ChildProcess | undefined;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

function stopActiveChild(): void {
  const child = activeChild;
  if (!child) return;
  killGroup(child, 'SIGTERM');
  setTimeout(() => killGroup(child, 'SIGKILL'), 3000).unref();
}

interface RunResult {
  readonly code: number | null;
  /** stdout and stderr, interleaved. */
  readonly output: string;
  readonly stdout: string;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, log: WriteStream, input?: string): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    log.write(`$ ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    activeChild = child;
    let output = '';
    let stdout = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      log.write(text);
      if (options.verbose) process.stdout.write(text.replace(/^(?=.)/gm, '    │ '));
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onData(chunk);
    });
    child.stderr?.on('data', onData);
    child.once('error', (error) => {
      if (activeChild === child) activeChild = undefined;
      reject(error);
    });
    child.once('close', (code) => {
      if (activeChild === child) activeChild = undefined;
      log.end('\n');
      resolvePromise({ code, output, stdout });
    });
    child.stdin?.end(input ?? '');
  });
}

/** The tail of a CLI's output, without the SDK's Node-version notice, for a failure message. */
function tail(output: string, lines = 25): string {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '' && !/NodeVersionSupportWarning|node >=22|January 2027|a\.co\/|trace-warnings|upgrade to node/.test(line))
    .slice(-lines)
    .join('\n');
}

/**
 * boto3 calls in one Python process (an interpreter start costs about a second). Paginated operations are
 * read to the end. Each result is { ok, result } or { ok: false, code, message }.
 */
const BOTO_BRIDGE = `
import json, os, sys
import boto3, botocore.exceptions
calls = json.load(sys.stdin)
clients, out = {}, []
for call in calls:
    try:
        service = call["service"]
        if service not in clients:
            clients[service] = boto3.client(service, endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])
        client, op, params = clients[service], call["op"], call.get("params", {})
        if client.can_paginate(op):
            result = client.get_paginator(op).paginate(**params).build_full_result()
        else:
            result = getattr(client, op)(**params)
        result.pop("ResponseMetadata", None)
        out.append({"ok": True, "result": result})
    except botocore.exceptions.ClientError as error:
        out.append({"ok": False, "code": error.response.get("Error", {}).get("Code"), "message": str(error)})
    except Exception as error:
        out.append({"ok": False, "code": type(error).__name__, "message": str(error)})
json.dump(out, sys.stdout, default=str)
`;

interface BotoCall {
  readonly service: 'cloudformation' | 'lambda' | 'iam' | 'logs' | 'sts';
  readonly op: string;
  readonly params?: Record<string, unknown>;
}
type BotoResult = { ok: true; result: any } | { ok: false; code: string; message: string };

// ---------------------------------------------------------------------------------------------------
// The template and the reading of its references against what moto created

type Resource = { Type: string; Properties?: Record<string, any>; Condition?: string };
type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, { Value: unknown }> };

class Unresolvable extends Error {}

interface Deployed {
  /** Logical id → physical id, from ListStackResources. */
  readonly physical: Map<string, string>;
  /** `${logicalId}.${attribute}` → value, for the GetAtt the template uses, from the services themselves. */
  readonly attributes: Map<string, string>;
  readonly account: string;
  readonly stackName: string;
}

/** Resolves Ref / Fn::GetAtt / Fn::Join / literals the way CloudFormation would, from what moto created. */
function resolveValue(value: unknown, deployed: Deployed): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => resolveValue(item, deployed));
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0];
    if (key === 'Ref') {
      const pseudo: Record<string, string> = {
        'AWS::Region': REGION,
        'AWS::AccountId': deployed.account,
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
        'AWS::StackName': deployed.stackName,
      };
      const id = String(arg);
      const found = pseudo[id] ?? deployed.physical.get(id);
      if (found === undefined) throw new Unresolvable(id);
      return found;
    }
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
      const found = deployed.attributes.get(`${id}.${attribute}`);
      if (found === undefined) throw new Unresolvable(`${id}.${attribute}`);
      return found;
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((part) => String(resolveValue(part, deployed))).join(separator);
    }
  }
  return Object.fromEntries(entries.map(([key, inner]) => [key, resolveValue(inner, deployed)]));
}

function resourcesOfType(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function refTarget(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && 'Ref' in value ? String((value as { Ref: unknown }).Ref) : undefined;
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function queueName(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

function readCdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

// ---------------------------------------------------------------------------------------------------
// The rehearsal

interface Snapshot {
  readonly functionName: string;
  readonly tableNames: string[];
  readonly topicArns: string[];
  readonly queueNames: string[];
  readonly roleNames: string[];
  readonly logGroupNames: string[];
}

async function main(): Promise<number> {
  const workDir = mkdtempSync(join(tmpdir(), 'rehearse-deploy-'));
  workDirForLogs = workDir;
  const assembly = join(workDir, 'cdk.out');
  const logFor = (name: string) => createWriteStream(join(workDir, `${name}.log`), { flags: 'a' });
  let moto: MotoServer | undefined;
  let passed = false;

  console.log(`Deploy rehearsal (offline): real CDK CLI against moto server; limit ${timeoutSeconds} s; work dir ${workDir}`);
  const stopMoto = async () => {
    const server = moto;
    moto = undefined;
    // Not bound by the deadline: moto is stopped even after a timeout (stop() SIGKILLs it after 5 s).
    if (server) await step('stop moto', () => server.stop(), { bounded: false });
  };
  onSignal = async () => {
    stopActiveChild();
    const server = moto;
    moto = undefined;
    await server?.stop();
  };

  try {
    const port = await freePort();
    const server = await step('start moto', () => startMoto({ port }));
    moto = server;
    console.log(`  moto on ${server.endpoint} (pid ${server.pid})`);

    const awsEnv: NodeJS.ProcessEnv = { ...process.env };
    // Nothing of the caller's own AWS setup may leak in: no profile, session, role or service endpoint.
    for (const key of Object.keys(awsEnv)) {
      if (/^AWS_(ENDPOINT_URL|PROFILE|DEFAULT_PROFILE|SESSION_TOKEN|ROLE_|WEB_IDENTITY|CONTAINER_|SHARED_CREDENTIALS_FILE|CONFIG_FILE)/.test(key)) delete awsEnv[key];
    }
    Object.assign(awsEnv, motoEnv(server.endpoint, REGION), {
      AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'no-credentials'),
      AWS_CONFIG_FILE: join(workDir, 'no-config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_DISABLE_CLI_TELEMETRY: '1',
      // See the header: the TemplateURL CloudFormation gets must name "localhost" for moto to find its bucket.
      AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION: `http://localhost:${server.port}`,
    });

    const boto = async (calls: BotoCall[]): Promise<BotoResult[]> => {
      const { code, output, stdout } = await run(server.python, ['-c', BOTO_BRIDGE], awsEnv, logFor('boto3'), JSON.stringify(calls));
      if (code !== 0) throw new StepError(`the boto3 bridge failed (exit ${code}):\n${tail(output)}`);
      return JSON.parse(stdout) as BotoResult[];
    };
    const cdk = async (name: string, args: string[]) => {
      console.log(`  $ npx cdk ${args.join(' ').replaceAll(workDir, '<temp>')}`);
      const { code, output } = await run('npx', ['cdk', ...args, '--no-notices'], awsEnv, logFor(name));
      if (code !== 0) throw new StepError(`npx cdk ${args[0]} failed (exit ${code}); last lines:\n${tail(output)}\n(full log: ${join(workDir, `${name}.log`)})`);
      return output;
    };
    const clientConfig = {
      region: REGION,
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    };
    const clients = { sns: new SNSClient(clientConfig), dynamodb: new DynamoDBClient(clientConfig), sqs: new SQSClient(clientConfig) };

    const account = await step('sts get-caller-identity', async () => {
      const [identity] = await boto([{ service: 'sts', op: 'get_caller_identity' }]);
      if (!identity.ok) throw new StepError(`STS GetCallerIdentity failed: ${identity.message}`);
      const id = String(identity.result.Account);
      expectEqual('preflight', 'the account the CDK CLI will resolve (moto default)', id, MOTO_ACCOUNT);
      return id;
    });

    const contextArgs = Object.entries(CONTEXT).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
    await step('cdk synth', () =>
      cdk('synth', ['synth', '--quiet', ...contextArgs, '--output', assembly]),
    );
    const manifest = JSON.parse(readFileSync(join(assembly, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; displayName?: string; properties?: { templateFile?: string } }>;
    };
    const stacks = Object.entries(manifest.artifacts).filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
    if (stacks.length !== 1) throw new StepError(`expected one stack in the cloud assembly, found ${stacks.length}`);
    const [stackName, stackArtifact] = stacks[0];
    const template = JSON.parse(readFileSync(join(assembly, stackArtifact.properties!.templateFile!), 'utf8')) as Template;
    console.log(`  stack ${stackName}: ${Object.keys(template.Resources).length} resources, ${Object.keys(template.Outputs ?? {}).length} outputs`);

    // The same cloud assembly for every CLI command: one synth, and deploy ships exactly what was synthesized.
    const appArgs = ['--app', assembly];
    await step('cdk bootstrap', () => cdk('bootstrap', ['bootstrap', `aws://${account}/${REGION}`, ...appArgs]));
    await step('cdk deploy (change set)', () =>
      cdk('deploy', ['deploy', stackName, ...appArgs, '--require-approval', 'never']),
    );
    const snapshot = await step('assert deployed', () => assertDeployed({ template, stackName, account, boto, clients }));
    await step('cdk destroy', () => cdk('destroy', ['destroy', stackName, ...appArgs, '--force']));
    await step('assert gone', () => assertGone(snapshot, stackName, boto, clients));

    const outputsFile = join(workDir, 'outputs.json');
    await step('cdk deploy --method=direct', () =>
      cdk('deploy-direct', ['deploy', stackName, ...appArgs, '--require-approval', 'never', '--method=direct', '--outputs-file', outputsFile]),
    );
    const snapshot2 = await step('assert outputs', () => assertOutputs({ template, stackName, account, boto, outputsFile }));
    await step('cdk destroy (again)', () => cdk('destroy-direct', ['destroy', stackName, ...appArgs, '--force']));
    await step('assert gone (again)', () => assertGone(snapshot2, stackName, boto, clients));

    for (const client of Object.values(clients)) client.destroy();
    passed = checks.every((c) => c.status !== 'FAIL');
  } catch (error) {
    // Interrupted: the signal handler stops everything, reports and exits; failures caused by that are noise.
    if (stopping) await new Promise<never>(() => undefined);
    const timedOut = error instanceof TimeoutError;
    if (timedOut) stopActiveChild();
    record('run', timedOut ? 'finished within the time limit' : 'completed every step', 'FAIL', error instanceof Error ? error.message : String(error));
    if (!(error instanceof TimeoutError || error instanceof StepError)) console.error(error);
    exitCodeOnFailure = timedOut ? 124 : 1;
  } finally {
    await stopMoto().catch((error) => console.error(`could not stop moto: ${error}`));
  }

  summary(passed, workDir);
  if (passed && !options.keep) rmSync(workDir, { recursive: true, force: true });
  return passed ? 0 : exitCodeOnFailure;
}

let exitCodeOnFailure = 1;
let workDirForLogs = '';
let onSignal: (() => Promise<void>) | undefined;

// ---------------------------------------------------------------------------------------------------
// Assertions on the deployed stack

interface AssertContext {
  readonly template: Template;
  readonly stackName: string;
  readonly account: string;
  readonly boto: (calls: BotoCall[]) => Promise<BotoResult[]>;
}

function must(result: BotoResult, what: string): any {
  if (!result.ok) throw new StepError(`${what}: ${result.code}: ${result.message}`);
  return result.result;
}

/** ListStackResources: which template resources moto created, which it skipped (types it does not model). */
async function readStack(ctx: AssertContext, { reportGaps = true } = {}): Promise<Map<string, string>> {
  const { template, stackName, boto } = ctx;
  const [listed, described, received] = await boto([
    { service: 'cloudformation', op: 'list_stack_resources', params: { StackName: stackName } },
    { service: 'cloudformation', op: 'describe_stacks', params: { StackName: stackName } },
    { service: 'cloudformation', op: 'get_template', params: { StackName: stackName } },
  ]);
  const stack = must(described, 'DescribeStacks').Stacks[0];
  expectEqual('stack', 'status', stack.StackStatus, 'CREATE_COMPLETE');
  const body = must(received, 'GetTemplate').TemplateBody;
  check('stack', 'CloudFormation received exactly the synthesized template', isDeepStrictEqual(typeof body === 'string' ? JSON.parse(body) : body, template));

  const physical = new Map<string, string>();
  for (const summary of must(listed, 'ListStackResources').StackResourceSummaries as any[]) {
    // moto lists each resource it skipped as an entry with empty ids: only named entries are real.
    if (summary.LogicalResourceId) {
      physical.set(summary.LogicalResourceId, summary.PhysicalResourceId);
      if (!/_COMPLETE$/.test(summary.ResourceStatus)) check('stack', `${summary.LogicalResourceId} status`, false, summary.ResourceStatus);
    }
  }
  notModelled.clear();
  const missingModelled: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (physical.has(id)) continue;
    if (MODELLED_TYPES.has(resource.Type)) missingModelled.push(`${id} (${resource.Type})`);
    else notModelled.set(resource.Type, [...(notModelled.get(resource.Type) ?? []), id]);
  }
  check('stack', `every ${[...MODELLED_TYPES].map((t) => t.replace(/^AWS::/, '')).join(', ')} of the template was created`, missingModelled.length === 0, `missing: ${missingModelled.join(', ')}`);
  if (reportGaps) for (const [type, ids] of notModelled) record('stack', `${type} x${ids.length} not created: moto's CloudFormation does not model it`, 'GAP', ids.join(', '));
  return physical;
}

async function assertDeployed(
  ctx: AssertContext & { clients: { sns: SNSClient; dynamodb: DynamoDBClient; sqs: SQSClient } },
): Promise<Snapshot> {
  const { template, stackName, account, boto, clients } = ctx;
  const physical = await readStack(ctx);
  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${account}:${resource}`;
  const attributes = new Map<string, string>();

  // ── SNS topics ──
  const listedTopics = new Set<string>();
  for (let token: string | undefined, first = true; first || token; first = false) {
    const page = await clients.sns.send(new ListTopicsCommand({ NextToken: token }));
    for (const topic of page.Topics ?? []) if (topic.TopicArn) listedTopics.add(topic.TopicArn);
    token = page.NextToken;
  }
  const topicArns: string[] = [];
  for (const [id] of resourcesOfType(template, 'AWS::SNS::Topic')) {
    const topicArn = physical.get(id);
    if (!topicArn) continue;
    topicArns.push(topicArn);
    const attrs = await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })).then((r) => r.Attributes, () => undefined);
    check('sns', `topic ${id} exists (${topicArn})`, listedTopics.has(topicArn) && attrs?.TopicArn === topicArn);
    attributes.set(`${id}.TopicArn`, topicArn);
  }
  check('sns', `${resourcesOfType(template, 'AWS::SNS::Topic').length} topic(s) in the template, as many deployed`, topicArns.length === resourcesOfType(template, 'AWS::SNS::Topic').length);
  const subscriptions = resourcesOfType(template, 'AWS::SNS::Subscription');
  const createdSubscriptions = subscriptions.filter(([id]) => physical.has(id));
  for (const [id, resource] of createdSubscriptions) {
    const topicArn = resolveValue(resource.Properties?.TopicArn, { physical, attributes, account, stackName }) as string;
    const listed = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    const found = (listed.Subscriptions ?? []).some((s) => s.Protocol === resource.Properties?.Protocol && s.Endpoint === resource.Properties?.Endpoint);
    check('sns', `subscription ${id}: ${resource.Properties?.Protocol} ${resource.Properties?.Endpoint}`, found);
  }

  // ── DynamoDB tables ──
  const tableNames: string[] = [];
  for (const [id, resource] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
    const name = physical.get(id);
    if (!name) continue;
    tableNames.push(name);
    const table = await clients.dynamodb.send(new DescribeTableCommand({ TableName: name })).then((r) => r.Table, () => undefined);
    if (!check('dynamodb', `table ${id} exists (${name})`, table?.TableStatus === 'ACTIVE', `DescribeTable: ${show(table?.TableStatus)}`)) continue;
    attributes.set(`${id}.Arn`, table!.TableArn!);
    const props = resource.Properties ?? {};
    expectEqual('dynamodb', `${id} key schema`, table!.KeySchema, props.KeySchema);
    expectEqual('dynamodb', `${id} attribute definitions`, table!.AttributeDefinitions, props.AttributeDefinitions);
    expectEqual('dynamodb', `${id} billing mode`, table!.BillingModeSummary?.BillingMode ?? 'PROVISIONED', props.BillingMode ?? 'PROVISIONED');
    const ttl = props.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
    if (ttl) {
      const described = await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name }));
      const status = described.TimeToLiveDescription?.TimeToLiveStatus;
      if (status === 'ENABLED' || status === 'ENABLING') {
        expectEqual('dynamodb', `${id} TTL on ${ttl.AttributeName}`, described.TimeToLiveDescription?.AttributeName, ttl.AttributeName);
      } else {
        record(
          'dynamodb',
          `${id} TTL on ${ttl.AttributeName}: DescribeTimeToLive says ${status}`,
          'GAP',
          "moto's CloudFormation Table ignores TimeToLiveSpecification; CloudFormation did receive " + show(ttl),
        );
      }
    }
  }

  // ── SQS queues (the retry queue and its dead-letter queue, when the template has them) ──
  const queueNames: string[] = [];
  const queueArnById = new Map<string, string>();
  const queueResources = resourcesOfType(template, 'AWS::SQS::Queue');
  const queueAttrs = new Map<string, Record<string, string>>();
  for (const [id] of queueResources) {
    const url = physical.get(id);
    if (!url) continue;
    const name = queueName(url);
    queueNames.push(name);
    const found = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name })).then((r) => r.QueueUrl, () => undefined);
    if (!check('sqs', `queue ${id} exists (${name})`, found !== undefined)) continue;
    const attrs = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: found, AttributeNames: ['All'] }))).Attributes ?? {};
    queueAttrs.set(id, attrs);
    check('sqs', `${id} has an ARN`, !!attrs.QueueArn);
    queueArnById.set(id, attrs.QueueArn ?? '');
    attributes.set(`${id}.Arn`, attrs.QueueArn ?? '');
    attributes.set(`${id}.QueueName`, name);
  }
  for (const [id, resource] of queueResources) {
    const attrs = queueAttrs.get(id);
    if (!attrs) continue;
    const props = resource.Properties ?? {};
    for (const key of ['VisibilityTimeout', 'MessageRetentionPeriod', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds']) {
      if (props[key] !== undefined) expectEqual('sqs', `${id} ${key}`, attrs[key], String(props[key]));
    }
    if (props.SqsManagedSseEnabled !== undefined) {
      if (attrs.SqsManagedSseEnabled !== undefined) expectEqual('sqs', `${id} SqsManagedSseEnabled`, attrs.SqsManagedSseEnabled, String(props.SqsManagedSseEnabled));
      else record('sqs', `${id} SqsManagedSseEnabled`, 'GAP', 'moto does not report SqsManagedSseEnabled');
    }
    if (props.RedrivePolicy) {
      const redrive = JSON.parse(attrs.RedrivePolicy ?? '{}') as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
      const target = resolveValue(props.RedrivePolicy.deadLetterTargetArn, { physical, attributes, account, stackName });
      expectEqual('sqs', `${id} dead-letter target`, redrive.deadLetterTargetArn, target);
      expectEqual('sqs', `${id} maxReceiveCount`, Number(redrive.maxReceiveCount), Number(props.RedrivePolicy.maxReceiveCount));
    }
  }
  if (queueResources.length > 0) check('sqs', `${queueResources.length} queue(s) in the template, as many deployed`, queueNames.length === queueResources.length);

  // ── Lambda: the receiver (the function whose environment names the alert topic) ──
  const receivers = resourcesOfType(template, 'AWS::Lambda::Function').filter(([, r]) => r.Properties?.Environment?.Variables?.[ENV.topicArn] !== undefined);
  if (receivers.length !== 1) throw new StepError(`expected one receiver function in the template, found ${receivers.length}`);
  const [receiverId, receiver] = receivers[0];
  const functionName = physical.get(receiverId);
  if (!functionName) throw new StepError(`moto did not create the receiver function ${receiverId}`);
  const roleIds = resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id);
  const logGroupIds = resourcesOfType(template, 'AWS::Logs::LogGroup').map(([id]) => id);
  const [config, mappings, policy, ...rest] = await boto([
    { service: 'lambda', op: 'get_function_configuration', params: { FunctionName: functionName } },
    { service: 'lambda', op: 'list_event_source_mappings', params: { FunctionName: functionName } },
    { service: 'lambda', op: 'get_policy', params: { FunctionName: functionName } },
    ...roleIds.flatMap((id): BotoCall[] => [
      { service: 'iam', op: 'get_role', params: { RoleName: physical.get(id) ?? '-' } },
      { service: 'iam', op: 'list_role_policies', params: { RoleName: physical.get(id) ?? '-' } },
      { service: 'iam', op: 'list_attached_role_policies', params: { RoleName: physical.get(id) ?? '-' } },
    ]),
    { service: 'logs', op: 'describe_log_groups', params: { logGroupNamePrefix: stackName } },
  ]);
  const fn = must(config, `GetFunctionConfiguration ${functionName}`);
  attributes.set(`${receiverId}.Arn`, fn.FunctionArn);
  check('lambda', `function ${receiverId} exists (${functionName}), state ${fn.State}`, fn.State === 'Active');
  const props = receiver.Properties ?? {};
  console.log(`    (the stack's receiver: ${props.Runtime}, ${asArray(props.Architectures).join('/') || 'x86_64'}, ${props.MemorySize} MB, ${props.Timeout} s, ${props.Handler})`);
  expectEqual('lambda', 'runtime', fn.Runtime, props.Runtime);
  expectEqual('lambda', 'memory (MB)', fn.MemorySize, props.MemorySize);
  expectEqual('lambda', 'timeout (s)', fn.Timeout, props.Timeout);
  expectEqual('lambda', 'handler', fn.Handler, props.Handler);
  const wantArch = asArray<string>(props.Architectures);
  const gotArch = asArray<string>(fn.Architectures);
  if (isDeepStrictEqual(gotArch, wantArch.length ? wantArch : ['x86_64'])) {
    check('lambda', `architecture ${gotArch.join('/')}`, true);
  } else if (isDeepStrictEqual(gotArch, ['x86_64'])) {
    record('lambda', `architecture: moto reports ${show(gotArch)}, the stack says ${show(wantArch)}`, 'GAP', "moto's CloudFormation Lambda model drops Architectures (x86_64 default); CloudFormation received the template with " + show(wantArch));
  } else {
    expectEqual('lambda', 'architecture', gotArch, wantArch);
  }
  check('lambda', 'code uploaded from the asset bucket', Number(fn.CodeSize) > 0, `CodeSize ${fn.CodeSize}`);

  // IAM roles first: the function's Role is a GetAtt on one of them.
  const roles = new Map<string, { role: any; inline: string[]; attached: any[] }>();
  roleIds.forEach((id, index) => {
    const [role, inline, attached] = rest.slice(index * 3, index * 3 + 3);
    if (!physical.has(id)) return;
    const r = must(role, `GetRole ${physical.get(id)}`).Role;
    attributes.set(`${id}.Arn`, r.Arn);
    roles.set(id, { role: r, inline: must(inline, 'ListRolePolicies').PolicyNames, attached: must(attached, 'ListAttachedRolePolicies').AttachedPolicies });
  });
  const logGroups = (must(rest[rest.length - 1], 'DescribeLogGroups').logGroups ?? []) as any[];
  for (const id of logGroupIds) {
    const name = physical.get(id);
    const group = logGroups.find((g) => g.logGroupName === name);
    if (!check('logs', `log group ${id} exists (${name})`, group !== undefined)) continue;
    // CloudFormation's GetAtt Arn; real AWS appends ":*" (moto does not), so ARNs are compared without it.
    attributes.set(`${id}.Arn`, String(group.logGroupArn ?? group.arn).replace(/:\*$/, ''));
    const retention = template.Resources[id].Properties?.RetentionInDays;
    if (retention !== undefined) expectEqual('logs', `${id} retention (days)`, group.retentionInDays, retention);
  }

  const deployed: Deployed = { physical, attributes, account, stackName };
  const receiverRoleId = (props.Role?.['Fn::GetAtt'] ?? [])[0] as string | undefined;
  const receiverRole = receiverRoleId ? roles.get(receiverRoleId) : undefined;
  expectEqual('lambda', 'role', fn.Role, receiverRole?.role.Arn);

  // The environment: every variable of the template, with its references read against what moto created.
  const env = (fn.Environment?.Variables ?? {}) as Record<string, string>;
  const templateEnv = (props.Environment?.Variables ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(templateEnv)) {
    try {
      expectEqual('lambda', `environment ${name}`, env[name], resolveValue(value, deployed));
    } catch (error) {
      if (!(error instanceof Unresolvable)) throw error;
      record('lambda', `environment ${name}`, 'GAP', `refers to ${error.message}, which moto did not create; deployed value ${show(env[name])}`);
    }
  }
  expectEqual('lambda', 'no environment variable beyond the template', Object.keys(env).sort(), Object.keys(templateEnv).sort());
  // And independently of the template: what the Lambda's own config.ts requires, from the real resources.
  const context = readCdkJsonContext();
  const prefix = String(context.parameterPrefix ?? DEFAULTS.parameterPrefix);
  expectEqual('lambda', `${ENV.parameterPrefix} (cdk.json context)`, env[ENV.parameterPrefix], prefix);
  expectEqual('lambda', `${ENV.alertTypes} (cdk.json context)`, env[ENV.alertTypes], String(context.alertTypes ?? DEFAULTS.alertTypes));
  const dedupeTableId = refTarget(templateEnv[ENV.dedupeTableName]);
  const dedupeTable = dedupeTableId ? physical.get(dedupeTableId) : undefined;
  check('lambda', `${ENV.dedupeTableName} names the stack's table, which exists`, !!dedupeTable && env[ENV.dedupeTableName] === dedupeTable && attributes.has(`${dedupeTableId}.Arn`), `got ${show(env[ENV.dedupeTableName])}`);
  const dedupeTableTtl = dedupeTableId ? template.Resources[dedupeTableId]?.Properties?.TimeToLiveSpecification : undefined;
  expectEqual('dynamodb', `the dedupe table (${ENV.dedupeTableName}) has key ${DEDUPE_TABLE.partitionKey} and TTL on ${DEDUPE_TABLE.ttlAttribute} in the template`, [dedupeTableId && template.Resources[dedupeTableId].Properties?.KeySchema?.[0]?.AttributeName, dedupeTableTtl], [DEDUPE_TABLE.partitionKey, { AttributeName: DEDUPE_TABLE.ttlAttribute, Enabled: true }]);
  const alertTopicId = refTarget(templateEnv[ENV.topicArn]);
  const alertTopicArn = alertTopicId ? physical.get(alertTopicId) : undefined;
  check('lambda', `${ENV.topicArn} is the stack's alert topic, which exists`, !!alertTopicArn && env[ENV.topicArn] === alertTopicArn && listedTopics.has(alertTopicArn), `got ${show(env[ENV.topicArn])}`);
  const retryQueueId = refTarget(templateEnv[ENV.retryQueueUrl]);
  const retryQueueArn = retryQueueId ? queueArnById.get(retryQueueId) : undefined;
  if (queueResources.length > 0) {
    check('lambda', `${ENV.retryQueueUrl} is the stack's retry queue, which exists`, !!retryQueueId && env[ENV.retryQueueUrl] === physical.get(retryQueueId) && !!retryQueueArn, `got ${show(env[ENV.retryQueueUrl])}`);
    if (retryQueueId) {
      const redrive = JSON.parse(queueAttrs.get(retryQueueId)?.RedrivePolicy ?? '{}') as { maxReceiveCount?: number | string };
      expectEqual('sqs', `the retry queue's maxReceiveCount is RETRY_QUEUE.maxReceiveCount (lambda/names.ts)`, Number(redrive.maxReceiveCount), RETRY_QUEUE.maxReceiveCount);
      expectEqual('sqs', `the retry queue's visibility timeout is RETRY_QUEUE.visibilityTimeoutSeconds`, queueAttrs.get(retryQueueId)?.VisibilityTimeout, String(RETRY_QUEUE.visibilityTimeoutSeconds));
    }
  }

  // Event source mappings (the retry queue feeding the same function).
  const listedMappings = (must(mappings, 'ListEventSourceMappings').EventSourceMappings ?? []) as any[];
  for (const [id, resource] of resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')) {
    const source = resolveValue(resource.Properties?.EventSourceArn, deployed);
    const mapping = listedMappings.find((m) => m.UUID === physical.get(id));
    if (!check('lambda', `event source mapping ${id}: ${source} → ${functionName}`, mapping?.EventSourceArn === source && mapping?.FunctionArn === fn.FunctionArn, `listed: ${show(listedMappings.map((m) => [m.UUID, m.EventSourceArn]))}`)) continue;
    expectEqual('lambda', `${id} state`, mapping.State, 'Enabled');
    if (resource.Properties?.BatchSize !== undefined) expectEqual('lambda', `${id} batch size`, mapping.BatchSize, resource.Properties.BatchSize);
    if (resource.Properties?.FunctionResponseTypes) expectEqual('lambda', `${id} response types`, mapping.FunctionResponseTypes, resource.Properties.FunctionResponseTypes);
  }
  if (policy.ok) {
    const statements = JSON.parse(policy.result.Policy).Statement as any[];
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').length;
    check('lambda', `resource policy: ${permissions} invoke permission(s) for ${[...new Set(statements.map((s) => s.Principal?.Service))].join(', ')}`, statements.length === permissions);
    const unresolved = statements.filter((s) => /:None\//.test(JSON.stringify(s.Condition ?? {})));
    if (unresolved.length > 0) record('lambda', `resource policy SourceArn names API "None"`, 'GAP', 'the permissions refer to the HTTP API, which moto did not create; moto writes its unresolved Ref as "None"');
  } else if (resourcesOfType(template, 'AWS::Lambda::Permission').length > 0) {
    check('lambda', 'resource policy', false, `${policy.code}: ${policy.message}`);
  }

  // ── IAM: the receiver's role, inline policy only, every Resource an exact ARN of this stack ──
  if (!receiverRole) throw new StepError(`the receiver's role ${receiverRoleId} was not created`);
  const trust = receiverRole.role.AssumeRolePolicyDocument;
  const trustDoc = typeof trust === 'string' ? JSON.parse(decodeURIComponent(trust)) : trust;
  expectEqual('iam', 'the role trusts lambda.amazonaws.com only', (trustDoc.Statement as any[]).map((s) => [s.Effect, s.Action, s.Principal]), [['Allow', 'sts:AssumeRole', { Service: 'lambda.amazonaws.com' }]]);
  expectEqual('iam', 'no managed policy attached (ListAttachedRolePolicies)', receiverRole.attached, []);
  check('iam', `inline policies (ListRolePolicies): ${receiverRole.inline.join(', ')}`, receiverRole.inline.length > 0);
  const documents = await boto(receiverRole.inline.map((name) => ({ service: 'iam' as const, op: 'get_role_policy', params: { RoleName: receiverRole.role.RoleName, PolicyName: name } })));
  const statements = documents.flatMap((doc, index) => {
    const document = must(doc, `GetRolePolicy ${receiverRole.inline[index]}`).PolicyDocument;
    return asArray((typeof document === 'string' ? JSON.parse(decodeURIComponent(document)) : document).Statement) as any[];
  });
  const allResources = statements.flatMap((s) => asArray<string>(s.Resource));
  check('iam', 'every statement is Allow with Action and Resource (no NotAction / NotResource)', statements.every((s) => s.Effect === 'Allow' && s.Action && s.Resource && !s.NotAction && !s.NotResource));
  const receiverLogGroupArn = (() => {
    const id = refTarget(props.LoggingConfig?.LogGroup);
    return id ? attributes.get(`${id}.Arn`) : undefined;
  })();
  // A log group's ARN ends in ":*" in real AWS (its streams); that is the only wildcard allowed.
  const wildcards = allResources.filter((r) => r.includes('*') && !(receiverLogGroupArn && r.replace(/:\*$/, '') === receiverLogGroupArn.replace(/:\*$/, '')));
  check('iam', 'no "*" in any Resource', wildcards.length === 0, `wildcards: ${show(wildcards)}`);

  const parameterArns = Object.values(parameterNames(prefix)).map((name) => arn('ssm', `parameter${name}`));
  const tableArn = dedupeTableId ? attributes.get(`${dedupeTableId}.Arn`) : undefined;
  const resourcesFor = (action: string) =>
    [...new Set(statements.filter((s) => asArray<string>(s.Action).includes(action)).flatMap((s) => asArray<string>(s.Resource)))]
      .map((r) => (r.startsWith('arn:aws:logs:') ? r.replace(/:\*$/, '') : r))
      .sort();
  // What the Lambda's code calls, each on exactly the resource it needs.
  const required: [string, string[]][] = [
    ['ssm:GetParameters', parameterArns],
    ['dynamodb:PutItem', [tableArn ?? 'the dedupe table']],
    ['dynamodb:UpdateItem', [tableArn ?? 'the dedupe table']],
    ['dynamodb:DeleteItem', [tableArn ?? 'the dedupe table']],
    ['sns:Publish', [alertTopicArn ?? 'the alert topic']],
  ];
  if (retryQueueId) {
    required.push(['sqs:SendMessage', [retryQueueArn ?? 'the retry queue']]);
    required.push(['sqs:ReceiveMessage', [retryQueueArn ?? 'the retry queue']]);
    required.push(['sqs:DeleteMessage', [retryQueueArn ?? 'the retry queue']]);
    required.push(['sqs:ChangeMessageVisibility', [retryQueueArn ?? 'the retry queue']]);
  }
  if (receiverLogGroupArn) required.push(['logs:PutLogEvents', [receiverLogGroupArn]]);
  for (const [action, expected] of required) {
    const label = action === 'ssm:GetParameters' ? `${action} on exactly the ${expected.length} parameter ARNs of parameterNames('${prefix}')` : `${action} on exactly ${expected.join(', ')}`;
    expectEqual('iam', label, resourcesFor(action), [...expected].sort());
  }
  // Nothing beyond this stack's own resources and the five parameters.
  const own = new Set([...parameterArns, ...attributes.values()].flatMap((a) => [a, a.replace(/:\*$/, '')]));
  const foreign = [...new Set(allResources)].filter((r) => !own.has(r) && !own.has(r.replace(/:\*$/, '')));
  check('iam', `every Resource (${new Set(allResources).size}) is one of this stack's resources or a parameter`, foreign.length === 0, `foreign: ${show(foreign)}`);
  const operationsTopics = topicArns.filter((t) => t !== alertTopicArn);
  check('iam', 'no publish right on the operations topic', !operationsTopics.some((t) => allResources.includes(t)));
  console.log(`    (policy: ${statements.map((s) => asArray<string>(s.Action).join('+')).join(' | ')})`);

  return {
    functionName,
    tableNames,
    topicArns,
    queueNames,
    roleNames: [...roles.values()].map((r) => r.role.RoleName),
    logGroupNames: logGroupIds.map((id) => physical.get(id)).filter((n): n is string => !!n),
  };
}

/** Second deploy (CreateStack): the outputs a user copies, read back and compared with the real resources. */
async function assertOutputs(ctx: AssertContext & { outputsFile: string }): Promise<Snapshot> {
  const { template, stackName, account, boto, outputsFile } = ctx;
  const physical = await readStack(ctx, { reportGaps: false });
  const [described] = await boto([{ service: 'cloudformation', op: 'describe_stacks', params: { StackName: stackName } }]);
  const outputs = Object.fromEntries(((must(described, 'DescribeStacks').Stacks[0].Outputs ?? []) as any[]).map((o) => [o.OutputKey, o.OutputValue]));
  const fromFile = (JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>)[stackName] ?? {};
  expectEqual('outputs', `--outputs-file has the ${Object.keys(template.Outputs ?? {}).length} outputs of the template`, Object.keys(fromFile).sort(), Object.keys(template.Outputs ?? {}).sort());
  expectEqual('outputs', '--outputs-file agrees with DescribeStacks', fromFile, outputs);
  const deployed: Deployed = { physical, attributes: new Map(), account, stackName };
  for (const [key, output] of Object.entries(template.Outputs ?? {})) {
    try {
      expectEqual('outputs', key, outputs[key], resolveValue(output.Value, deployed));
    } catch (error) {
      if (!(error instanceof Unresolvable)) throw error;
      record('outputs', `${key} = ${show(outputs[key])}`, 'GAP', `refers to ${error.message}, which moto did not create (moto writes the unresolved reference as "None")`);
    }
  }
  const names = parameterNames(String(readCdkJsonContext().parameterPrefix ?? DEFAULTS.parameterPrefix));
  const parameterOutputs = Object.values(outputs).filter((v) => Object.values(names).some((n) => String(v).split(' ').includes(n)));
  check('outputs', 'the five parameter names of parameterNames() are printed', Object.values(names).every((n) => parameterOutputs.join(' ').split(' ').includes(n)));

  const ids = (type: string) => resourcesOfType(template, type).map(([id]) => physical.get(id)).filter((v): v is string => !!v);
  const receiverId = resourcesOfType(template, 'AWS::Lambda::Function').find(([, r]) => r.Properties?.Environment?.Variables?.[ENV.topicArn] !== undefined)?.[0];
  return {
    functionName: receiverId ? physical.get(receiverId) ?? '' : '',
    tableNames: ids('AWS::DynamoDB::Table'),
    topicArns: ids('AWS::SNS::Topic'),
    queueNames: ids('AWS::SQS::Queue').map(queueName),
    roleNames: ids('AWS::IAM::Role'),
    logGroupNames: ids('AWS::Logs::LogGroup'),
  };
}

async function assertGone(
  snapshot: Snapshot,
  stackName: string,
  boto: (calls: BotoCall[]) => Promise<BotoResult[]>,
  clients: { sns: SNSClient; dynamodb: DynamoDBClient; sqs: SQSClient },
): Promise<void> {
  const [stack, fn, logGroups, ...roles] = await boto([
    { service: 'cloudformation', op: 'describe_stacks', params: { StackName: stackName } },
    { service: 'lambda', op: 'get_function', params: { FunctionName: snapshot.functionName } },
    { service: 'logs', op: 'describe_log_groups', params: { logGroupNamePrefix: stackName } },
    ...snapshot.roleNames.map((name): BotoCall => ({ service: 'iam', op: 'get_role', params: { RoleName: name } })),
  ]);
  const stackStatus = stack.ok ? stack.result.Stacks?.[0]?.StackStatus : undefined;
  check('destroy', `stack ${stackName} deleted`, !stack.ok || stackStatus === 'DELETE_COMPLETE', `status ${stackStatus}`);
  check('destroy', `function ${snapshot.functionName} gone`, !fn.ok && fn.code === 'ResourceNotFoundException', fn.ok ? 'still there' : `${fn.code}`);
  for (const name of snapshot.tableNames) {
    const gone = await clients.dynamodb.send(new DescribeTableCommand({ TableName: name })).then(() => false, (e: Error) => e.name === 'ResourceNotFoundException');
    check('destroy', `table ${name} gone`, gone);
  }
  const topics = (await clients.sns.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn) ?? [];
  for (const topicArn of snapshot.topicArns) check('destroy', `topic ${topicArn} gone`, !topics.includes(topicArn));
  for (const name of snapshot.queueNames) {
    const gone = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name })).then(() => false, (e: Error) => /NonExistentQueue|QueueDoesNotExist/.test(e.name));
    check('destroy', `queue ${name} gone`, gone);
  }
  snapshot.roleNames.forEach((name, index) => {
    const role = roles[index];
    check('destroy', `role ${name} gone`, !role.ok && role.code === 'NoSuchEntity', role.ok ? 'still there' : role.code);
  });
  const remaining = ((must(logGroups, 'DescribeLogGroups').logGroups ?? []) as any[]).map((g) => g.logGroupName);
  for (const name of snapshot.logGroupNames) check('destroy', `log group ${name} gone`, !remaining.includes(name));
}

// ---------------------------------------------------------------------------------------------------
// Summary

function summary(passed: boolean, workDir: string): void {
  const count = (status: Status) => checks.filter((c) => c.status === status).length;
  console.log('\n──────── Deploy rehearsal summary ────────');
  console.log('Steps (wall time):');
  const width = Math.max(...steps.map((s) => s.name.length), 10);
  for (const s of steps) console.log(`  ${s.ok ? '  ' : '✗ '}${s.name.padEnd(width)}  ${seconds(s.ms).padStart(8)}`);
  const total = steps.reduce((sum, s) => sum + s.ms, 0);
  console.log(`  ${'  '}${'total'.padEnd(width)}  ${seconds(total).padStart(8)}`);
  console.log(`Checks: ${count('PASS')} passed, ${count('FAIL')} failed, ${count('GAP')} not modelled by moto (not counted as failures).`);
  if (notModelled.size > 0) {
    console.log(`Not created by moto (its CloudFormation does not model these types): ${[...notModelled].map(([t, ids]) => `${t} x${ids.length}`).join(', ')}.`);
  }
  const failures = checks.filter((c) => c.status === 'FAIL');
  if (failures.length > 0) {
    console.log('Failures:');
    for (const f of failures) console.log(`  - ${f.group}: ${f.name}${f.detail ? `\n      ${f.detail.replace(/\n/g, '\n      ')}` : ''}`);
  }
  if (!passed || options.keep) console.log(`Cloud assembly and CLI logs kept in ${workDir}`);
  console.log(passed ? 'PASS: deploy rehearsal' : 'FAIL: deploy rehearsal');
}

// ---------------------------------------------------------------------------------------------------

let stopping = false;
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: stopping the CDK CLI and moto`);
    void (onSignal?.() ?? Promise.resolve()).finally(() => {
      console.error(`FAIL: deploy rehearsal interrupted by ${signal} after ${steps.length} step(s); moto stopped; logs in ${workDirForLogs}`);
      process.exit(code);
    });
  });
}

// A last resort if something ignores the deadline: kill what is left and leave.
const watchdog = setTimeout(() => {
  console.error(`deploy rehearsal: still running ${timeoutSeconds + 20} s after start; killing what is left`);
  stopActiveChild();
  void (onSignal?.() ?? Promise.resolve()).finally(() => process.exit(124));
}, timeoutSeconds * 1000 + 20_000);
watchdog.unref();

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
