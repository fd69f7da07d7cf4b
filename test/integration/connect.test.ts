/**
 * `npm run configure -- --connect` and `--check` as users run them: tools/configure.ts as a child process, SSM
 * and CloudFormation through the real AWS SDK against the run's moto server, and Voximplant's Management API
 * played by the loopback stand-in (local/voximplant-standin.ts) through VOXIMPLANT_API_URL.
 * Each test has its own parameter prefix and a deployed-stack stand-in: a CloudFormation stack in moto whose
 * only content is the WebhookUrl output configure reads.
 *
 * Over 400 lines: one suite per command path, sharing one moto server and stand-in.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { parameterNames } from '../../lambda/config';
import { API_ERROR_CODES } from '../../lambda/voximplant/errors';
import { motoEnv } from '../../local/moto';
import { putSecrets } from '../../local/provision';
import { serviceAccountParameterName } from '../../tools/connect';
import { STANDIN_ACCOUNT, VoximplantStandin, type StandinAccount } from '../../local/voximplant-standin';

const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const OTHER_URL = 'https://crm.example.com/voximplant-hook';
const SALT_LENGTH = 32;

const ssm = new SSMClient({});
const cfn = new CloudFormationClient({});
const dir = mkdtempSync(join(tmpdir(), 'connect-'));
let standin: VoximplantStandin;
let prefix: string;
let stackName: string;
let stackUrl: string;

afterAll(() => {
  ssm.destroy();
  cfn.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh parameter prefix and a deployed stack with its WebhookUrl output, for one test or one group. */
async function newStack(): Promise<void> {
  const id = randomUUID().slice(0, 8);
  prefix = `/connect-it-${id}`;
  stackName = `connect-it-${id}`;
  stackUrl = `https://${id}.execute-api.us-east-1.amazonaws.com/`;
  await cfn.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: JSON.stringify({
        Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
        Outputs: { WebhookUrl: { Value: stackUrl } },
      }),
    }),
  );
}

async function closeStandin(): Promise<void> {
  standin?.release();
  await standin?.close();
}

async function startStandin(account: Partial<StandinAccount> = {}, options: Parameters<typeof VoximplantStandin.start>[0] = {}) {
  standin = await VoximplantStandin.start({ ...options, account });
  return standin;
}

/** A user's shell: no jest AWS/VOX settings; moto as "AWS", the stand-in as the Management API, the account's id and key. */
function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(AWS_|VOX_|VOXIMPLANT_|LOCAL_STACK_)/.test(key)) env[key] = value;
  Object.assign(env, motoEnv(process.env.MOTO_ENDPOINT!), {
    VOXIMPLANT_API_URL: standin.url,
    VOX_ACCOUNT_ID: STANDIN_ACCOUNT.accountId,
    VOX_API_KEY: STANDIN_ACCOUNT.apiKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function configure(args: string[], extra: Record<string, string | undefined> = {}): Promise<Result> {
  const child = spawn(TSX, ['tools/configure.ts', ...args], { cwd: ROOT, env: childEnv(extra), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
}

const connect = (...args: string[]) => configure(['--connect', '--stack-name', stackName, '--prefix', prefix, ...args]);
const check = (...args: string[]) => configure(['--check', '--stack-name', stackName, '--prefix', prefix, ...args]);

/** Every parameter under this test's prefix, decrypted, by name. */
async function parameters(): Promise<Record<string, string>> {
  const { Parameters = [] } = await ssm.send(new GetParametersByPathCommand({ Path: prefix, WithDecryption: true }));
  return Object.fromEntries(Parameters.map((p) => [p.Name!, p.Value!]));
}

const commands = () => standin.requests.map((r) => r.command);

/** Polls a condition (never a clock): resolves once it holds. */
async function waitUntil(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function expectNoSecret(result: Result, ...secrets: Array<string | undefined>) {
  for (const secret of [STANDIN_ACCOUNT.apiKey, ...secrets]) {
    if (secret) expect(result.stdout + result.stderr).not.toContain(secret);
  }
}

describe('configure --connect', () => {
  beforeEach(newStack);
  afterEach(closeStandin);

  it('a fresh account: stores the salt, account id and key, sets URL and salt in Voximplant, confirms, prints no secret', async () => {
    await startStandin();
    const result = await connect();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const salt = standin.account.callbackSalt!;
    expect(salt).toHaveLength(SALT_LENGTH);
    expect(standin.account.callbackUrl).toBe(stackUrl);
    const names = parameterNames(prefix);
    const stored = await parameters();
    expect(stored).toEqual({
      [names.salt]: salt,
      [names.accountId]: STANDIN_ACCOUNT.accountId,
      [names.apiKey]: STANDIN_ACCOUNT.apiKey,
      // Created because absent: 32 random bytes, base64url; never printed.
      [names.ackKey]: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect(result.stdout).toContain(`${names.ackKey} (SecureString, a new random acknowledge key)`);
    expectNoSecret(result, stored[names.ackKey]);
    expect(commands()).toEqual(['GetAccountInfo', 'SetAccountInfo', 'GetAccountInfo']);
    expect(standin.requests[1].form).toMatchObject({ callback_url: stackUrl, callback_salt: salt });
    expect(result.stdout).toContain(`callback_url: (not set) -> ${stackUrl}`);
    expect(result.stdout).toContain(`callback_salt: (not set) -> a new random salt of ${SALT_LENGTH} characters (not shown)`);
    expect(result.stdout).toContain(`Confirmed: Voximplant sends account ${STANDIN_ACCOUNT.accountId}'s callbacks to ${stackUrl}`);
    expect(result.stdout).not.toContain('Waiting'); // SSM held no salt: no receiver can hold an old one
    expectNoSecret(result, salt);
  });

  it('an account linked elsewhere: refused, shows the URL and --replace, nothing changed in SSM or Voximplant', async () => {
    await startStandin({ callbackUrl: OTHER_URL, callbackSalt: 'their-salt-0123456789' });
    await putSecrets(ssm, prefix, { salt: 'stack-salt-before', accountId: STANDIN_ACCOUNT.accountId, apiKey: STANDIN_ACCOUNT.apiKey });
    const before = await parameters();
    const result = await connect('--min-balance', '5');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: Voximplant already sends this account's callbacks to ${OTHER_URL}`);
    expect(result.stderr).toContain(
      `npm run configure -- --prefix ${prefix} --stack-name ${stackName} --connect --min-balance 5 --replace`,
    );
    expect(result.stderr).toContain('nothing was changed');
    expect(await parameters()).toEqual(before);
    expect(commands()).toEqual(['GetAccountInfo']);
    expect(standin.account).toMatchObject({ callbackUrl: OTHER_URL, callbackSalt: 'their-salt-0123456789', minBalanceToNotify: 10 });
    expectNoSecret(result, 'stack-salt-before', 'their-salt-0123456789');
  });

  it('--replace takes the account over, says which URL lost it, and keeps no previous salt (its callbacks never came here)', async () => {
    await startStandin({ callbackUrl: OTHER_URL, callbackSalt: 'their-salt-0123456789' });
    const result = await connect('--replace', '--wait', '0');
    expect(result.code).toBe(0);
    expect(standin.account.callbackUrl).toBe(stackUrl);
    expect(result.stdout).toContain(`callback_url: ${OTHER_URL} -> ${stackUrl}`);
    expect(result.stdout).toContain(`${OTHER_URL} no longer receives this account's callbacks.`);
    const stored = await parameters();
    expect(stored[parameterNames(prefix).salt]).toBe(standin.account.callbackSalt);
    expect(stored[parameterNames(prefix).saltPrevious]).toBeUndefined();
    expectNoSecret(result, standin.account.callbackSalt, 'their-salt-0123456789');
  });

  it('--min-balance sets min_balance_to_notify; a negative or non-numeric amount is refused before any call', async () => {
    await startStandin();
    const result = await connect('--min-balance', '25.5');
    expect(result.code).toBe(0);
    expect(standin.account.minBalanceToNotify).toBe(25.5);
    expect(standin.requests[1].form.min_balance_to_notify).toBe('25.5');
    expect(result.stdout).toContain('min_balance_to_notify: 10 USD -> 25.5 USD');

    for (const amount of ['-3', 'ten']) {
      const refused = await connect(`--min-balance=${amount}`);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--min-balance must be a non-negative amount');
    }
    expect(commands()).toEqual(['GetAccountInfo', 'SetAccountInfo', 'GetAccountInfo']);
  });

  it('a re-link of this stack: SSM first (new salt, and the one in use as previous), the wait, then Voximplant; only the salt changes', async () => {
    await startStandin({ callbackUrl: stackUrl, callbackSalt: 'salt-in-use-0123456789' });
    await putSecrets(ssm, prefix, { salt: 'salt-in-use-0123456789', accountId: STANDIN_ACCOUNT.accountId, apiKey: STANDIN_ACCOUNT.apiKey });
    standin.fault = { kind: 'slow' };
    standin.faultCommand = 'SetAccountInfo';
    const running = connect('--wait', '1');
    await waitUntil(() => commands().includes('SetAccountInfo'), 'SetAccountInfo arrives');
    // While Voximplant has not switched yet, SSM already holds both salts: whichever it signs with verifies.
    const names = parameterNames(prefix);
    const during = await parameters();
    expect(during[names.saltPrevious]).toBe('salt-in-use-0123456789');
    expect(during[names.salt]).toHaveLength(SALT_LENGTH);
    expect(standin.account.callbackSalt).toBe('salt-in-use-0123456789');
    standin.release();
    standin.fault = undefined;

    const result = await running;
    expect(result.code).toBe(0);
    expect(standin.account.callbackSalt).toBe(during[names.salt]);
    expect(standin.requests[1].form).not.toHaveProperty('callback_url');
    expect(result.stdout).toContain(`callback_url: unchanged (${stackUrl})`);
    expect(result.stdout).toMatch(/Waiting 1 s so every running receiver has dropped the salt it cached/);
    expect(result.stdout.indexOf('Wrote ')).toBeLessThan(result.stdout.indexOf('Waiting'));
    expect(result.stdout).toContain(`--remove-previous`);
    expectNoSecret(result, during[names.salt], 'salt-in-use-0123456789');
  });

  it('credentials refused: a clear error, exit 1, nothing written', async () => {
    await startStandin();
    const result = await configure(['--connect', '--stack-name', stackName, '--prefix', prefix], { VOX_API_KEY: 'wrong-key-abcdef' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: Voximplant refused the credentials for account ${STANDIN_ACCOUNT.accountId}`);
    expect(result.stderr).toContain('Nothing was changed.');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(await parameters()).toEqual({});
    expectNoSecret(result, 'wrong-key-abcdef');
  });

  it('API unavailable or too slow before anything changed: exit 1, nothing written', async () => {
    await startStandin();
    standin.fault = { kind: 'answer', status: 503, body: 'Service Unavailable' };
    const unavailable = await connect();
    expect(unavailable.code).toBe(1);
    expect(unavailable.stderr).toContain("Voximplant's Management API gave no usable answer");
    expect(unavailable.stderr).toContain('Nothing was changed.');

    standin.fault = { kind: 'slow' };
    const slow = await connect();
    expect(slow.code).toBe(1);
    expect(slow.stderr).toMatch(/no answer within \d+ ms/);
    expect(await parameters()).toEqual({});
    expect(standin.account.callbackUrl).toBeUndefined();
  });

  it('SetAccountInfo without an answer after SSM was written: says the state and the command; that command finishes the link', async () => {
    await startStandin();
    standin.fault = { kind: 'slow' };
    standin.faultCommand = 'SetAccountInfo';
    const first = await connect('--min-balance', '7');
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('SetAccountInfo failed:');
    expect(first.stdout).toContain(`State now: SSM (AWS, region us-east-1) holds the new salt in ${prefix}/salt`);
    expect(first.stdout).toContain('Voximplant may or may not have applied the change');
    expect(first.stdout).toContain(`  npm run configure -- --prefix ${prefix} --stack-name ${stackName} --connect --min-balance 7`);
    expectNoSecret(first, (await parameters())[`${prefix}/salt`]);

    // The held request lands late (Voximplant did apply it); the same command then finishes from that state.
    standin.release();
    standin.fault = undefined;
    await waitUntil(() => standin.account.callbackUrl === stackUrl, 'the late SetAccountInfo is applied');
    const lateSalt = standin.account.callbackSalt;
    const second = await connect('--min-balance', '7', '--wait', '0');
    expect(second.code).toBe(0);
    const stored = await parameters();
    expect(stored[`${prefix}/salt`]).toBe(standin.account.callbackSalt);
    expect(stored[`${prefix}/salt-previous`]).toBe(lateSalt);
    expect(standin.account.minBalanceToNotify).toBe(7);
  });

  it('SetAccountInfo refused after SSM was written: Voximplant unchanged, SSM state and the command to finish', async () => {
    await startStandin({ callbackUrl: stackUrl, callbackSalt: 'salt-in-use-0123456789' });
    standin.fault = { kind: 'error', code: API_ERROR_CODES.internalError, msg: 'Internal error' };
    standin.faultCommand = 'SetAccountInfo';
    const result = await connect();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `holds the new salt in ${prefix}/salt and the salt Voximplant signed with until now in ${prefix}/salt-previous`,
    );
    expect(standin.account.callbackSalt).toBe('salt-in-use-0123456789');
    expect((await parameters())[`${prefix}/salt-previous`]).toBe('salt-in-use-0123456789');
  });

  it('--service-account: stored as a SecureString next to the others, and the API is called with the JWT, not the key', async () => {
    const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await startStandin({}, { serviceAccountKeys: [{ keyId: 'key-1', publicKey: keys.publicKey }] });
    const file = join(dir, `service-account-${randomUUID()}.json`);
    const json = JSON.stringify({
      account_email: 'ops@example.com',
      account_id: Number(STANDIN_ACCOUNT.accountId),
      key_id: 'key-1',
      private_key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    });
    writeFileSync(file, json, { mode: 0o600 });
    const result = await configure(['--connect', '--stack-name', stackName, '--prefix', prefix, '--service-account', file], {
      VOX_ACCOUNT_ID: undefined, // taken from the credentials file
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(standin.requests.every((r) => r.authorization === 'Bearer [redacted]' && !('api_key' in r.form))).toBe(true);
    const stored = await parameters();
    expect(stored[serviceAccountParameterName(prefix)]).toBe(json);
    expect(stored[`${prefix}/account-id`]).toBe(STANDIN_ACCOUNT.accountId);
    expect(result.stdout).not.toContain('PRIVATE KEY');

    // --check reads it back and uses it too.
    standin.requests.length = 0;
    expect((await check()).code).toBe(0);
    expect(standin.requests[0].authorization).toBe('Bearer [redacted]');
  });

  it('configure --local --connect: links the running local stack URL and restarts its function instead of waiting', async () => {
    await startStandin();
    // The local stack's process, as configure sees it: a live pid in the state file that restarts on SIGUSR2.
    const localStack = spawn(
      process.execPath,
      ['-e', "process.on('SIGUSR2',()=>console.log('restart'));console.log('up');setInterval(()=>{},1e6)"],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    localStack.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitUntil(() => output.includes('up'), 'the local stack process is up');
      const stateFile = join(dir, `state-${randomUUID()}.json`);
      const localUrl = 'http://127.0.0.1:3999/';
      writeFileSync(
        stateFile,
        JSON.stringify({
          pid: localStack.pid,
          url: localUrl,
          mode: 'moto',
          motoEndpoint: process.env.MOTO_ENDPOINT,
          region: 'us-east-1',
          prefix,
        }),
      );
      // A loopback URL must never reach the real API: without a stand-in it is refused before any call.
      const guarded = await configure(['--local', '--connect'], { LOCAL_STACK_STATE: stateFile, VOXIMPLANT_API_URL: undefined });
      expect(guarded.code).toBe(2);
      expect(guarded.stderr).toContain(`${localUrl} is this machine's own address`);

      await putSecrets(ssm, prefix, { salt: 'local-salt-before', accountId: STANDIN_ACCOUNT.accountId, apiKey: STANDIN_ACCOUNT.apiKey });
      const result = await configure(['--local', '--connect'], { LOCAL_STACK_STATE: stateFile });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(standin.account.callbackUrl).toBe(localUrl);
      expect((await parameters())[`${prefix}/salt`]).toBe(standin.account.callbackSalt);
      expect(result.stdout).toContain(`in local stack at ${localUrl}`);
      expect(result.stdout).toContain(`The local stack (pid ${localStack.pid}) restarts its function now`);
      expect(result.stdout).not.toContain('Waiting');
      await waitUntil(() => output.includes('restart'), 'the local stack got SIGUSR2');

      const checked = await configure(['--local', '--check'], { LOCAL_STACK_STATE: stateFile });
      expect(checked.code).toBe(0);
      expect(checked.stdout).toContain(`sends its callbacks to this stack (${localUrl})`);
    } finally {
      localStack.kill('SIGKILL');
    }
  });
});

describe('configure --check (one linked stack; each test changes the account, then puts it back)', () => {
  let linkedAccount: StandinAccount;
  beforeAll(async () => {
    await newStack();
    await startStandin();
    expect((await connect()).code).toBe(0);
    linkedAccount = { ...standin.account };
  });
  afterAll(closeStandin);
  afterEach(() => {
    Object.assign(standin.account, linkedAccount);
    standin.fault = undefined;
  });
  const linked = async () => {
    standin.requests.length = 0;
  };

  it('linked: exit 0, one line saying so, the salt in no output', async () => {
    await linked();
    const result = await check();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('All required parameters exist.');
    expect(result.stdout).toContain(`Voximplant account ${STANDIN_ACCOUNT.accountId} sends its callbacks to this stack (${stackUrl})`);
    expect(commands()).toEqual(['GetAccountInfo']);
    expectNoSecret(result, standin.account.callbackSalt);
  });

  it('URL mismatch: exit 1, the URL found and the fix', async () => {
    await linked();
    standin.account.callbackUrl = OTHER_URL;
    const result = await check();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `callback_url is ${OTHER_URL}, not this stack's ${stackUrl}: callbacks go elsewhere. Fix (if that URL feeds nothing else): npm run configure -- --prefix ${prefix} --stack-name ${stackName} --connect --replace`,
    );
    expect(result.stdout).not.toContain('callback_salt');
  });

  it('salt mismatch: exit 1, one line with the fix, neither salt printed', async () => {
    await linked();
    const stored = standin.account.callbackSalt;
    standin.account.callbackSalt = 'typed-differently-in-the-panel';
    const result = await check();
    expect(result.code).toBe(1);
    const findings = result.stdout.split('\n').filter((line) => line.startsWith('callback_'));
    expect(findings).toEqual([
      `callback_salt differs from the stack's salt: every callback is refused (401). Fix: npm run configure -- --prefix ${prefix} --stack-name ${stackName} --connect`,
    ]);
    expectNoSecret(result, stored, 'typed-differently-in-the-panel');
  });

  it('the API cannot be asked: exit 2 with the reason', async () => {
    await linked();
    standin.fault = { kind: 'error', code: API_ERROR_CODES.authorizationFailed, msg: 'Authorization failed' };
    const result = await check();
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('error: the account link could not be checked: Voximplant refused the credentials');
  });
});
