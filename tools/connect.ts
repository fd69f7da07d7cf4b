/**
 * The account link's I/O: `configure --connect` stores a new salt in SSM and sets it, with this stack's webhook
 * URL, in Voximplant through the Management API (SetAccountInfo); `configure --check` compares Voximplant's
 * callback settings (GetAccountInfo) with the stack's. The decisions are tools/account-link.ts's.
 *
 * Order of `--connect`, chosen so that no callback Voximplant signs is refused at any point:
 * 1. GetAccountInfo: the credentials work, and the account's callback_url is empty, this stack's, or --replace
 *    was given. A refusal or an error here leaves everything as it was.
 * 2. SSM: when Voximplant's callbacks come to this stack, the salt it signs with today as
 *    `<prefix>/salt-previous` (the receiver accepts either), then the new salt as `<prefix>/salt`, with the
 *    account id and key.
 * 3. Wait until every running receiver has dropped the secrets it cached before step 2 (their cache TTL,
 *    SECRETS_TTL_SECONDS, 300 s unless the stack changed it), when SSM held a salt before: a warm receiver with
 *    only the old salt would otherwise refuse the first callbacks signed with the new one. The local stack
 *    restarts its function instead (SIGUSR2, as `configure --local` does). No wait when SSM held no salt.
 * 4. SetAccountInfo(callback_url, callback_salt, min_balance_to_notify).
 * 5. GetAccountInfo again: confirm Voximplant holds what was set.
 * The other order (Voximplant first) would have callbacks signed with a salt SSM does not hold yet: every one
 * refused (401) until SSM and then every receiver's cache caught up, and Voximplant's retries are not documented.
 * If step 4 fails, SSM keeps the new and the current salt, so whatever Voximplant signs with still verifies:
 * nothing is rolled back, and the same command, run again, finishes the link from the state it reads.
 */
import { readFileSync, statSync } from 'node:fs';
import { GetParametersCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { parameterNames } from '../lambda/config';
import { errorMessage } from '../lambda/errors';
import {
  AuthRefusedError,
  InvalidArgumentError,
  ManagementApiError,
  NotFoundError,
  ThrottledError,
  UnavailableError,
} from '../lambda/voximplant/errors';
import { parseServiceAccountCredentials, ServiceAccountCredentialsError, type ServiceAccountCredentials } from '../lambda/voximplant/jwt';
import { ManagementApi, type AccountInfo, type ManagementApiCredentials } from '../lambda/voximplant/management-api';
import { compareLink, describeChanges, generateCallbackSalt, planLink, refusalMessage } from './account-link';
import { Failure, UsageError } from './cli';
import { ensureAckKey, putSecrets } from '../local/provision';

/**
 * Largest SSM parameter value of the Standard tier, bytes ("Standard: 4 KB", AWS Systems Manager User Guide,
 * "Managing parameter tiers": https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html).
 * moto does not hold us to it; a service-account file (an RSA-2048 key and three fields) is about 2 KB.
 */
export const SSM_STANDARD_VALUE_MAX_BYTES = 4096;

/**
 * Where `--service-account FILE` is stored (SecureString), next to the other parameters. Not in
 * parameterNames(): the receiver's IAM policy grants exactly those, and GetParameters fails whole when one name
 * is not allowed. A stack that reads it grants ssm:GetParameter on this exact name (and kms:Decrypt).
 */
export function serviceAccountParameterName(prefix: string): string {
  return `${prefix}/service-account`;
}

/** A service-account credentials file: its text (stored as is) and the parsed key. Throws UsageError. */
export function readServiceAccountFile(path: string): { readonly json: string; readonly credentials: ServiceAccountCredentials } {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new UsageError(`--service-account: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)})`);
  }
  if (size > SSM_STANDARD_VALUE_MAX_BYTES) {
    throw new UsageError(`--service-account: ${path} is ${size} bytes; an SSM parameter holds at most ${SSM_STANDARD_VALUE_MAX_BYTES}`);
  }
  const json = readFileSync(path, 'utf8');
  try {
    return { json, credentials: parseServiceAccountCredentials(json) };
  } catch (error) {
    if (error instanceof ServiceAccountCredentialsError) throw new UsageError(`--service-account: ${error.message}`);
    throw error;
  }
}

/** The `WebhookUrl` output of a deployed stack (CloudFormation DescribeStacks). Throws Failure when there is none. */
export async function stackWebhookUrl(stackName: string): Promise<string> {
  // Imported here: only this path needs CloudFormation.
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cfn = new CloudFormationClient({});
  try {
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const url = Stacks[0]?.Outputs?.find((output) => output.OutputKey === 'WebhookUrl')?.OutputValue;
    if (!url) throw new Failure(`stack ${stackName} has no WebhookUrl output: is the deploy finished (\`npx cdk deploy\`)?`);
    return url;
  } catch (error) {
    if (error instanceof Failure) throw error;
    if (/does not exist/i.test(errorMessage(error))) {
      throw new Failure(
        `no stack named ${stackName} in region ${await cfn.config.region()}: deploy it first (\`npx cdk deploy\`), ` +
          'or name it with --stack-name, or give the URL with --webhook-url',
      );
    }
    throw error;
  } finally {
    cfn.destroy();
  }
}

/** What a Management API failure means for the user, in one sentence without credentials. */
export function apiFailureMessage(error: unknown, accountId: string): string {
  if (error instanceof AuthRefusedError) {
    return (
      `Voximplant refused the credentials for account ${accountId} (${error.message}): check the account id and the API key ` +
      '(control panel, Settings > API keys) or the service-account file, and that the service account may call the method'
    );
  }
  if (error instanceof NotFoundError) return `Voximplant does not know account ${accountId} (${error.message}): check the account id`;
  if (error instanceof ThrottledError) return `Voximplant asked us to slow down (${error.message}): try again in a minute`;
  if (error instanceof UnavailableError) return `Voximplant's Management API gave no usable answer (${error.message}): try again later`;
  if (error instanceof ManagementApiError) return `Voximplant answered with an error (${error.message})`;
  return errorMessage(error);
}

/** The Management API as a tool uses it: a person's wait per call, credentials fixed for the command. */
export function toolManagementApi(credentials: ManagementApiCredentials, timeoutMs: number): ManagementApi {
  return new ManagementApi(async () => credentials, { timeoutMs });
}

export interface ConnectOptions {
  readonly prefix: string;
  /** Where SSM is, for messages ("AWS, region eu-west-1", "local stack at ..."). */
  readonly where: string;
  readonly webhookUrl: string;
  readonly accountId: string;
  readonly apiKey: string;
  /** `--service-account FILE`: stored, and used instead of the API key to call the API. */
  readonly serviceAccount?: { readonly json: string; readonly credentials: ServiceAccountCredentials };
  readonly replace: boolean;
  readonly minBalance?: number;
  /** Step 3's wait when SSM held a salt before, seconds (AWS); 0 skips it. */
  readonly waitSeconds: number;
  /** The local stack: restart its function (drops its cached secrets) instead of waiting. */
  readonly restartLocal?: () => string;
  /** `npm run configure -- [--local] [--prefix ...]`: what the printed fix commands start with. */
  readonly command: string;
  /** The whole command line to run again to finish (no secret in it). */
  readonly finishCommand: string;
  readonly apiTimeoutMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly print?: (line: string) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether SSM holds a salt under `prefix` now (names only, nothing decrypted). */
async function hasSalt(ssm: SSMClient, prefix: string): Promise<boolean> {
  const { Parameters = [] } = await ssm.send(new GetParametersCommand({ Names: [parameterNames(prefix).salt], WithDecryption: false }));
  return Parameters.length > 0;
}

/** `configure --connect`, in the order the module comment gives. Exit code 0 when linked and confirmed; throws Failure before anything changed. */
export async function connectAccount(ssm: SSMClient, options: ConnectOptions): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const names = parameterNames(options.prefix);
  const credentials: ManagementApiCredentials = options.serviceAccount
    ? { serviceAccount: options.serviceAccount.credentials }
    : { accountId: options.accountId, apiKey: options.apiKey };
  const api = toolManagementApi(credentials, options.apiTimeoutMs);

  // 1. Read first: a refusal or an error changes nothing.
  let info: AccountInfo;
  try {
    info = await api.getAccountInfo();
  } catch (error) {
    throw new Failure(`${apiFailureMessage(error, options.accountId)}. Nothing was changed.`);
  }
  const newSalt = generateCallbackSalt();
  const plan = planLink(info, { stackUrl: options.webhookUrl, newSalt, replace: options.replace, minBalance: options.minBalance });
  if (plan.kind === 'refused') throw new Failure(refusalMessage(plan.currentUrl, options.webhookUrl, options.finishCommand));

  // 2. SSM: the salt Voximplant signs with today as the previous one first, so that a failure between the two
  // writes cannot leave the receiver with only the new salt while Voximplant still signs with the old.
  const saltBefore = await hasSalt(ssm, options.prefix);
  if (plan.previousSalt !== undefined) {
    await ssm.send(new PutParameterCommand({ Name: names.saltPrevious, Value: plan.previousSalt, Type: 'SecureString', Overwrite: true }));
  }
  await putSecrets(ssm, options.prefix, { salt: newSalt, accountId: options.accountId, apiKey: options.apiKey });
  const written = [`${names.salt} (SecureString, new)`, `${names.accountId} (String)`, `${names.apiKey} (SecureString)`];
  if (await ensureAckKey(ssm, options.prefix)) written.push(`${names.ackKey} (SecureString, a new random acknowledge key)`);
  if (plan.previousSalt !== undefined) written.push(`${names.saltPrevious} (SecureString: the salt Voximplant used until now)`);
  if (options.serviceAccount) {
    const name = serviceAccountParameterName(options.prefix);
    await ssm.send(new PutParameterCommand({ Name: name, Value: options.serviceAccount.json, Type: 'SecureString', Overwrite: true }));
    written.push(`${name} (SecureString)`);
  }
  print(`Wrote ${written.join(', ')} in ${options.where}.`);

  // 3. Every receiver holds the new salt before Voximplant signs with it.
  if (options.restartLocal) {
    print(options.restartLocal());
  } else if (saltBefore && options.waitSeconds > 0) {
    print(
      `Waiting ${options.waitSeconds} s so every running receiver has dropped the salt it cached (SECRETS_TTL_SECONDS) before ` +
        'Voximplant signs with the new one. Interrupting is safe: the receiver accepts both salts; run the same command again.',
    );
    await (options.sleep ?? defaultSleep)(options.waitSeconds * 1000);
  }

  // 4. Voximplant.
  try {
    await api.setAccountInfo(plan.changes);
  } catch (error) {
    print(setFailureState(error, options, info, plan.previousSalt !== undefined));
    return 1;
  }
  print(`Changed in Voximplant, account ${options.accountId}:`);
  for (const line of describeChanges(info, plan.changes)) print(`  ${line}`);
  if (plan.replacedUrl !== undefined) print(`  ${plan.replacedUrl} no longer receives this account's callbacks.`);

  // 5. Confirm.
  let after: AccountInfo;
  try {
    after = await api.getAccountInfo();
  } catch (error) {
    print(
      `Could not read the settings back (${apiFailureMessage(error, options.accountId)}): confirm with \`${options.command} --check\`.`,
    );
    return 0;
  }
  const findings = compareLink(after, { url: options.webhookUrl, salt: newSalt }, options.command);
  if (findings.length > 0) {
    print('Voximplant does not show what was set:');
    for (const finding of findings) print(`  ${finding}`);
    return 1;
  }
  print(`Confirmed: Voximplant sends account ${options.accountId}'s callbacks to ${options.webhookUrl}, signed with the salt in SSM.`);
  if (plan.previousSalt !== undefined) {
    print(
      `${names.saltPrevious} still verifies callbacks Voximplant signed before the switch (parked ones are retried for about ` +
        `45 minutes): remove it after an hour with \`${options.command} --remove-previous\`.`,
    );
  }
  return 0;
}

/** The state after SetAccountInfo failed once SSM was written, and the command that finishes the link. */
function setFailureState(error: unknown, options: ConnectOptions, before: AccountInfo, keptPrevious: boolean): string {
  const names = parameterNames(options.prefix);
  // No answer in time: the change may have been applied. A refusal with an error code: it was not.
  const unknown = error instanceof UnavailableError;
  const voximplant = unknown
    ? 'Voximplant may or may not have applied the change (no usable answer).'
    : `Voximplant did not change anything: callback_url is still ${before.callbackUrl ?? '(not set)'}, with its old salt.`;
  const invalid = error instanceof InvalidArgumentError ? ' Voximplant refused a value: the URL or amount must change first.' : '';
  const ssm = keptPrevious
    ? `SSM (${options.where}) holds the new salt in ${names.salt} and the salt Voximplant signed with until now in ` +
      `${names.saltPrevious}: callbacks signed with either still verify, so none is refused meanwhile.`
    : `SSM (${options.where}) holds the new salt in ${names.salt}; Voximplant sent this stack no callbacks before.`;
  return [
    `SetAccountInfo failed: ${apiFailureMessage(error, options.accountId)}.${invalid}`,
    `State now: ${ssm}`,
    `  ${voximplant}`,
    `Finish with the same command (it reads what Voximplant has and goes on from there):`,
    `  ${options.finishCommand}`,
  ].join('\n');
}

export interface CheckLinkOptions {
  readonly prefix: string;
  readonly webhookUrl: string;
  readonly command: string;
  readonly apiTimeoutMs: number;
  readonly print?: (line: string) => void;
}

/**
 * `configure --check`'s second half: Voximplant's callback_url and callback_salt against the stack's URL and
 * the salt in SSM. One line per finding with its fix; never a salt. Exit code 0 linked, 1 a finding, 2 the API
 * could not be asked (as `check-account`, issue 14).
 */
export async function checkAccountLink(ssm: SSMClient, options: CheckLinkOptions): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const names = parameterNames(options.prefix);
  const serviceAccountName = serviceAccountParameterName(options.prefix);
  const { Parameters = [] } = await ssm.send(
    new GetParametersCommand({
      Names: [names.salt, names.saltPrevious, names.accountId, names.apiKey, serviceAccountName],
      WithDecryption: true,
    }),
  );
  const value = (name: string) => Parameters.find((p) => p.Name === name)?.Value;
  const salt = value(names.salt);
  const accountId = value(names.accountId)?.trim();
  const apiKey = value(names.apiKey);
  // The caller listed the parameters first and stops when one is missing; this covers a deletion since.
  if (salt === undefined || accountId === undefined || apiKey === undefined) return 1;
  const serviceAccountJson = value(serviceAccountName);
  let credentials: ManagementApiCredentials;
  try {
    credentials = serviceAccountJson ? { serviceAccount: parseServiceAccountCredentials(serviceAccountJson) } : { accountId, apiKey };
  } catch (error) {
    print(`error: ${serviceAccountName}: ${errorMessage(error)}. Fix: ${options.command} --connect --service-account FILE`);
    return 2;
  }
  let info: AccountInfo;
  try {
    info = await toolManagementApi(credentials, options.apiTimeoutMs).getAccountInfo();
  } catch (error) {
    print(`error: the account link could not be checked: ${apiFailureMessage(error, accountId)}`);
    return 2;
  }
  const findings = compareLink(info, { url: options.webhookUrl, salt, saltPrevious: value(names.saltPrevious) }, options.command);
  if (findings.length === 0) {
    print(`Voximplant account ${accountId} sends its callbacks to this stack (${options.webhookUrl}), signed with the salt in SSM.`);
    return 0;
  }
  for (const finding of findings) print(finding);
  return 1;
}
