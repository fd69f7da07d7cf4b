/**
 * `npm run check-account`: one dry watchdog pass (lambda/watchdog/pass.ts) against the deployed stack, or with
 * `--local` against the running local stack: asks Voximplant's GetAccountInfo with the stack's own secrets and
 * prints each finding on its own line. It reports only: no alert, no state written, no metric.
 *
 * Exit codes: 0 the account is healthy and linked to this stack; 1 a finding (the Management API refusing the
 * stack's credentials is one); 2 the API (or SSM, or the stack) could not be asked, or the command was misused.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { watchdogDeps } from '../lambda/aws/watchdog-deps';
import { DEFAULTS, parameterNames } from '../lambda/config';
import { Deadline } from '../lambda/deadline';
import { errorMessage } from '../lambda/errors';
import { ENV, WATCHDOG_FUNCTION } from '../lambda/contract';
import { amount } from '../lambda/render/fields';
import { en } from '../lambda/render/i18n';
import { CREDENTIALS_REFUSED } from '../lambda/watchdog/findings';
import { runPass, type PassResult } from '../lambda/watchdog/pass';
import { STACK_NAME } from '../infra/stack-name';
import { parseCommandLine, runCommand, UsageError } from './cli';

const USAGE = `Usage: npm run check-account -- [options]

Asks Voximplant (GetAccountInfo) about the account with the stack's own secrets and prints each finding on
its own line: callback URL not this stack's, callback salt not the stack's (never printed), account frozen,
balance below min_balance_to_notify with no min_balance callback received, credentials refused.
Reports only: sends no alert and changes nothing.

Options:
  --local                 the running local stack (\`npm start\`) and its secrets, instead of the deployed stack
  --stack <name>          the deployed stack (default ${STACK_NAME}); its outputs give the URL, table and prefix
  --voximplant-api <url>  the Management API (default ${ENV.voximplantApiUrl}, else the public host)
  --webhook-url <url>     override the stack's WebhookUrl output
  --table <name>          override the stack's DedupeTableName output
  --prefix <path>         override the SSM parameter prefix (default from the stack, else ${DEFAULTS.parameterPrefix})
  -h, --help              this text

Exit codes: 0 healthy and linked to this stack, 1 a finding, 2 the API could not be asked.
AWS: your default credentials chain (AWS_PROFILE, AWS_REGION).`;

/** Exit codes (module docstring). */
export const EXIT = { healthy: 0, finding: 1, unasked: 2 } as const;

interface Target {
  readonly webhookUrl: string;
  readonly tableName: string;
  readonly prefix: string;
  readonly where: string;
}

/** The deployed stack's WebhookUrl, DedupeTableName and parameter prefix (from SaltParameterName). */
async function stackTarget(stackName: string): Promise<Partial<Target>> {
  const cloudformation = new CloudFormationClient({});
  try {
    const { Stacks = [] } = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = new Map((Stacks[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    const salt = outputs.get('SaltParameterName');
    return {
      webhookUrl: outputs.get('WebhookUrl'),
      tableName: outputs.get('DedupeTableName'),
      prefix: salt?.endsWith('/salt') ? salt.slice(0, -'/salt'.length) : undefined,
      where: `stack ${stackName}, region ${await cloudformation.config.region()}`,
    };
  } finally {
    cloudformation.destroy();
  }
}

/** The lines to print and the exit code for a pass's result. */
export function report(result: PassResult, target: Pick<Target, 'webhookUrl' | 'where'>): { lines: string[]; code: number } {
  if (result.kind === 'refused') {
    return {
      lines: [`FINDING ${CREDENTIALS_REFUSED}: Voximplant refused the stored account id and API key (${result.reason})`],
      code: EXIT.finding,
    };
  }
  if (result.kind === 'unavailable') return { lines: [`UNAVAILABLE: ${result.reason}`], code: EXIT.unasked };
  const { info, sightings } = result;
  const context = [
    `account ${info.accountId}`,
    `balance ${amount(info.balance, info.currency, en.format) ?? 'unknown'}`,
    `min_balance_to_notify ${amount(info.minBalanceToNotify, info.currency, en.format) ?? 'unknown'}`,
    `last verified callback ${sightings.lastVerifiedAt === undefined ? 'none on record' : new Date(sightings.lastVerifiedAt).toISOString()}`,
  ].join(', ');
  if (result.findings.length === 0) {
    return { lines: [`OK: linked to this stack (${target.webhookUrl}, ${target.where}); ${context}`], code: EXIT.healthy };
  }
  return {
    lines: [...result.findings.map((f) => `FINDING ${f.condition}: ${f.detail}`), `(${context})`],
    code: EXIT.finding,
  };
}

async function main(argv: string[]): Promise<number> {
  const values = parseCommandLine(argv, USAGE, {
    local: { type: 'boolean', default: false },
    stack: { type: 'string' },
    'voximplant-api': { type: 'string' },
    'webhook-url': { type: 'string' },
    table: { type: 'string' },
    prefix: { type: 'string' },
  });
  let found: Partial<Target>;
  if (values.local) {
    if (values.stack !== undefined) throw new UsageError('use --local or --stack, not both');
    // Imported here so a check of the deployed stack does not load the local stack's module.
    const state = (await import('../local/attach')).useLocalStack();
    found = { webhookUrl: state.url, tableName: state.tableName, prefix: state.prefix, where: `local stack at ${state.url}` };
  } else if (values['webhook-url'] !== undefined && values.table !== undefined) {
    found = { where: 'the given stack' };
  } else {
    try {
      found = await stackTarget(values.stack ?? STACK_NAME);
    } catch (error) {
      console.log(`UNAVAILABLE: could not read the stack's outputs: ${errorMessage(error)}`);
      return EXIT.unasked;
    }
  }
  const target: Target = {
    webhookUrl: values['webhook-url'] ?? found.webhookUrl ?? '',
    tableName: values.table ?? found.tableName ?? '',
    prefix: (values.prefix ?? found.prefix ?? DEFAULTS.parameterPrefix).replace(/\/+$/, ''),
    where: found.where ?? '',
  };
  if (!target.webhookUrl || !target.tableName) {
    throw new UsageError('the stack has no WebhookUrl or DedupeTableName output: deploy it, or pass --webhook-url and --table');
  }

  const deps = watchdogDeps({
    parameterPrefix: target.prefix,
    tableName: target.tableName,
    topicArn: 'unused: a dry pass publishes nothing',
    webhookUrl: target.webhookUrl,
    apiBaseUrl: values['voximplant-api'],
    // Warnings go to stderr: stdout holds only the findings.
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: { count: () => undefined, gauge: () => undefined },
  });
  try {
    // Asked by a person, now: no grace period for a min_balance callback that may still be on its way.
    const result = await runPass({ ...deps, assess: { minBalanceGraceMs: 0 } }, Deadline.in(WATCHDOG_FUNCTION.timeoutSeconds * 1000), {
      dry: true,
    });
    const { lines, code } = report(result, target);
    for (const line of lines) console.log(line);
    if (code === EXIT.unasked) {
      const names = parameterNames(target.prefix);
      console.error(`(secrets read from ${names.accountId}, ${names.apiKey}, ${names.salt} in ${target.where})`);
    }
    return code;
  } finally {
    deps.destroy();
  }
}

if (require.main === module) runCommand(USAGE, () => main(process.argv.slice(2)));
