/**
 * `npm run rehearse-deploy`: the README's deploy path with the real CDK CLI, offline, against a private moto
 * server (docs/testing.md, "Deploy rehearsal"). The tests run in order, each step on the previous one's result:
 *
 *   cdk synth (temp dir, global-setup.ts) → moto (own, free port) → cdk bootstrap → cdk deploy (change set) → what moto created
 *   → cdk destroy → all gone → cdk deploy --method=direct → the stack outputs → cdk destroy → all gone
 *
 * Outputs only with `--method=direct`: with change sets (the CLI's default, as a user runs it) moto builds the
 * stack's output map from the empty template CreateChangeSet starts with and never rebuilds it. Not rehearsed:
 * updates (moto 5.2.1 fails a second deploy over a stack, with a change set and with --method=direct) and
 * invoking the function (moto runs Lambda code only in Docker; test/integration/bundle.test.ts covers it).
 *
 * Settings (environment): REHEARSE_TIMEOUT_SECONDS (whole run, default 300), REHEARSE_KEEP=1 (keep the temp
 * dir), REHEARSE_VERBOSE=1 (stream the CLI's output).
 */
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, parameterNames } from '../../lambda/config';
import { startMoto, type MotoServer } from '../../local/moto';
import { callerAccount, createClients, readDeployed, readStackState, type Clients, type DeployedState, type StackState } from './aws';
import { cdk, cdkEnv, stopActiveCdk } from './cdk-cli';
import { describeDeployed } from './deployed.checks';
import { describeIam } from './iam.checks';
import { gap, printSummary, recordStep, timed } from './report';
import { describeGone, describeStack, type Snapshot } from './stack.checks';
import { MOTO_ACCOUNT, readCdkJsonContext, REGION, tryResolve, type Template } from './template';

const LIMIT_SECONDS = Number(process.env.REHEARSE_TIMEOUT_SECONDS ?? 300);
if (!Number.isFinite(LIMIT_SECONDS) || LIMIT_SECONDS <= 0)
  throw new Error(`REHEARSE_TIMEOUT_SECONDS must be a positive number, got ${process.env.REHEARSE_TIMEOUT_SECONDS}`);
/** Jest's bound for one CLI step: the whole run's limit, plus time to kill the CLI and report. */
const STEP_TIMEOUT_MS = LIMIT_SECONDS * 1000 + 30_000;

/** The cloud assembly global-setup.ts synthesized: read now, so each resource and output gets a named test. */
const workDir = process.env.REHEARSE_WORK_DIR ?? '';
const assembly = process.env.REHEARSE_ASSEMBLY ?? '';
const manifest = JSON.parse(readFileSync(join(assembly, 'manifest.json'), 'utf8')) as {
  artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
};
const stackArtifacts = Object.entries(manifest.artifacts).filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack');
const [stackName, stackArtifact] = stackArtifacts[0];
const template = JSON.parse(readFileSync(join(assembly, stackArtifact.properties!.templateFile!), 'utf8')) as Template;
const stack = { name: stackName, template, assembly };

let deadline = 0;
let moto: MotoServer | undefined;
let clients: Clients | undefined;
let env: NodeJS.ProcessEnv = {};
let account: string | undefined;
let cliFailed = false;

/** The value an earlier step should have produced; a clear failure when it did not. */
function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing: an earlier step failed`);
  return value;
}

/** One CDK CLI command within the run's deadline, timed. */
async function step(name: string, logName: string, args: string[]): Promise<string> {
  try {
    return await timed(name, () => cdk(args, { env, workDir, logName, timeoutMs: deadline - Date.now() }));
  } catch (error) {
    cliFailed = true;
    throw error;
  }
}

beforeAll(async () => {
  deadline = Date.now() + LIMIT_SECONDS * 1000 - Number(process.env.REHEARSE_SYNTH_MS ?? 0);
  recordStep('cdk synth (global setup)', Number(process.env.REHEARSE_SYNTH_MS ?? 0));
  moto = await timed('start moto', () => startMoto());
  clients = createClients(moto.endpoint);
  env = cdkEnv(moto.endpoint, moto.port, workDir);
}, 60_000);

afterAll(async () => {
  stopActiveCdk();
  for (const client of Object.values(clients ?? {})) client.destroy();
  const server = moto;
  moto = undefined;
  if (server) await timed('stop moto', () => server.stop());
  const keep = cliFailed || process.env.REHEARSE_KEEP === '1';
  printSummary(workDir, keep);
  if (!keep && workDir) rmSync(workDir, { recursive: true, force: true });
}, 30_000);

describe('1. preflight', () => {
  it(`STS GetCallerIdentity gives the account the CDK CLI will resolve (moto's default, ${MOTO_ACCOUNT})`, async () => {
    account = await callerAccount(need(clients, 'moto'));
    expect(account).toBe(MOTO_ACCOUNT);
  });
});

describe('2. cdk synth', () => {
  it("cdk synth with the README's context wrote one stack to a temp cloud assembly (global-setup.ts)", () => {
    process.stdout.write(
      `  stack ${stack.name}: ${Object.keys(template.Resources).length} resources, ${Object.keys(template.Outputs ?? {}).length} outputs\n`,
    );
    expect(stackArtifacts).toHaveLength(1);
    expect(Object.keys(template.Resources).length).toBeGreaterThan(0);
  });
});

// The same cloud assembly for every CLI command: one synth, and deploy ships exactly what was synthesized.
const appArgs = () => ['--app', stack.assembly];

describe('3. cdk bootstrap', () => {
  it(
    `cdk bootstrap aws://${MOTO_ACCOUNT}/${REGION} succeeds`,
    async () => {
      await step('cdk bootstrap', 'bootstrap', ['bootstrap', `aws://${need(account, 'the account')}/${REGION}`, ...appArgs()]);
    },
    STEP_TIMEOUT_MS,
  );
});

describe('4. cdk deploy (change set)', () => {
  it(
    'cdk deploy --require-approval never (a change set, as a user deploys) succeeds',
    async () => {
      await step('cdk deploy (change set)', 'deploy', ['deploy', stack.name, ...appArgs(), '--require-approval', 'never']);
    },
    STEP_TIMEOUT_MS,
  );
});

describe('5. the deployed stack, read from each service', () => {
  let state: DeployedState | undefined;
  beforeAll(async () => {
    const { name } = stack;
    state = await timed('read the deployed stack', () => readDeployed(need(clients, 'moto'), template, name, need(account, 'the account')));
  }, 60_000);
  const get = () => need(state, 'the deployed stack');

  describe('CloudFormation', () => describeStack(() => ({ template: get().template, state: get() }), { reportGaps: true }));
  describeDeployed(template, get);
  describe("IAM: the receiver's role", () => describeIam(get));
});

/**
 * `cdk destroy --force` as step `n`, then step `n + 1`: every resource the deploy made is gone. What to look for
 * is read just before the destroy.
 */
function destroyAndCheckGone(n: number, label: string, logName: string): void {
  let snapshot: Snapshot | undefined;
  describe(`${n}. ${label}`, () => {
    it(
      `${label} --force succeeds`,
      async () => {
        snapshot = { stackName: stack.name, physical: (await readStackState(need(clients, 'moto'), stack.name)).physical };
        await step(label, logName, ['destroy', stack.name, ...appArgs(), '--force']);
      },
      STEP_TIMEOUT_MS,
    );
  });
  describe(`${n + 1}. after ${label}, everything the deploy made is gone`, () => {
    describeGone(template, () => ({ clients: need(clients, 'moto'), snapshot: need(snapshot, 'what the deploy made') }));
  });
}

destroyAndCheckGone(6, 'cdk destroy', 'destroy');

const outputsFile = () => join(workDir, 'outputs.json');

describe('8. cdk deploy --method=direct', () => {
  it(
    'cdk deploy --method=direct --outputs-file succeeds (CreateStack: moto fills in the outputs only this way)',
    async () => {
      const { name } = stack;
      await step('cdk deploy --method=direct', 'deploy-direct', [
        'deploy',
        name,
        ...appArgs(),
        '--require-approval',
        'never',
        '--method=direct',
        '--outputs-file',
        outputsFile(),
      ]);
    },
    STEP_TIMEOUT_MS,
  );
});

describe('9. the direct deploy: its outputs, as a user copies them', () => {
  let state: StackState | undefined;
  let outputs: Record<string, string | undefined> = {};
  beforeAll(async () => {
    const { name } = stack;
    const c = need(clients, 'moto');
    state = await readStackState(c, name);
    const described = await c.cloudformation.send(new DescribeStacksCommand({ StackName: name }));
    outputs = Object.fromEntries((described.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  }, 60_000);

  describe('CloudFormation', () => describeStack(() => ({ template, state: need(state, 'the stack') }), { reportGaps: false }));

  it("--outputs-file has the template's outputs and agrees with DescribeStacks", () => {
    const file = (JSON.parse(readFileSync(outputsFile(), 'utf8')) as Record<string, Record<string, string>>)[stack.name] ?? {};
    expect(Object.keys(file).sort()).toEqual(Object.keys(template.Outputs ?? {}).sort());
    expect(Object.keys(file).length).toBeGreaterThan(0);
    expect(file).toEqual(outputs);
  });

  it.each(Object.keys(template.Outputs ?? {}))(
    'output %s is its template value resolved to the real resources (GAP: what moto did not create)',
    (key) => {
      const deployed = {
        physical: need(state, 'the stack').physical,
        attributes: new Map<string, string>(),
        account: need(account, 'the account'),
        stackName: stack.name,
      };
      const resolved = tryResolve(template.Outputs![key].Value, deployed);
      expect(outputs[key]).toBeDefined();
      if ('value' in resolved) expect(outputs[key]).toEqual(resolved.value);
      else
        gap(
          `output ${key} = ${JSON.stringify(outputs[key])} refers to ${resolved.unresolvable}, which moto did not create (it writes "None")`,
          'the output exists; test/infra checks its template value',
        );
    },
  );

  it('the six parameter names of parameterNames() are printed', () => {
    const names = Object.values(parameterNames(String(readCdkJsonContext().parameterPrefix ?? DEFAULTS.parameterPrefix)));
    const printed = Object.values(outputs).join(' ').split(' ');
    expect(names).toHaveLength(6);
    expect(names.filter((n) => !printed.includes(n))).toEqual([]);
  });
});

destroyAndCheckGone(10, 'cdk destroy (again)', 'destroy-direct');
