/**
 * The local tools as users run them: `npm start` (tools/start.ts, with its own moto server),
 * `npm run send-callback` and `npm run configure`, each a real child process talking over HTTP.
 * The state file lives in a temporary directory (LOCAL_STACK_STATE), so a developer's own stack is never touched.
 *
 * Over 400 lines: the commands share one running local stack, started once.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { withoutLocalSettings } from '../../local/env';
import { findMotoPython, MOTO_INSTALL_COMMANDS, MotoMissingError } from '../../local/moto';
import { canListen, freePort } from '../../local/ports';
import { generateDemoSecrets, normalizeSecrets, parseDotEnv, resolveSecrets, validateSecrets } from '../../local/secrets';
import { isAlive as isRunning } from '../../local/state';
import { nodeVersionProblem, usageLine } from '../../tools/cli';
import { SAMPLE_DATA } from '../../local/callbacks';
import { KNOWN_TYPES } from '../../lambda/render';
import { VoximplantStandin } from '../../local/voximplant-standin';

const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** The user's secrets for this run, in a .env file (they must never be printed). */
const SECRETS = { salt: 'it-salt-Zq81xKp', accountId: '7654321', apiKey: 'b7e3c0de-1111-4a2b-9c3d-abcdefabcdef' };
const ROTATED = { salt: 'it-rotated-salt-4Hn2', apiKey: 'c0ffee00-2222-4b3c-8d4e-fedcbafedcba' };

const dir = mkdtempSync(join(tmpdir(), 'local-tools-'));
const stateFile = join(dir, 'state.json');
const envFile = join(dir, '.env');

/** The environment a user's shell would have: none of jest's moto settings, none of the VOX_* values. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = withoutLocalSettings(process.env);
  return { ...env, LOCAL_STACK_STATE: stateFile, NO_COLOR: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
}

interface Running {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly stderr: () => string;
  /** Resolves with the first match once stdout matches; rejects on timeout or exit. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  readonly exited: Promise<number | null>;
}

function start(script: string, args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(TSX, [script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const check of waiters) check();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    for (const check of waiters) check();
  });
  return {
    child,
    output: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolveMatch, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
        }, timeoutMs);
        const check = () => {
          const match = pattern.exec(stdout);
          if (match || hasExited) {
            clearTimeout(timer);
            waiters.delete(check);
            if (match) resolveMatch(match);
            else reject(new Error(`exited before ${pattern}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
  };
}

async function run(script: string, args: string[], extra: Record<string, string> = {}) {
  const proc = start(script, args, childEnv(extra));
  const code = await proc.exited;
  return { code, stdout: proc.output(), stderr: proc.stderr() };
}

const sendCallback = (...args: string[]) => run('tools/send-callback.ts', args);
const configure = (...args: string[]) => run('tools/configure.ts', args);

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** Polls a condition (not a clock): resolves as soon as it holds, fails with `what` after the deadline. */
async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A raw POST of `size` bytes, to see what the server answers before the body is done. */
function postBytes(url: string, size: number): Promise<{ status: number; body: string }> {
  return new Promise((done, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': size } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const write = () => {
      while (sent < size) {
        const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once('drain', write);
      }
      req.end();
    };
    req.on('response', () => req.removeAllListeners('drain'));
    write();
  });
}

describe('local tools, pure parts', () => {
  it('parses .env files: comments after a value are not part of it, quotes keep # and spaces', () => {
    expect(parseDotEnv('# comment\n\nexport VOX_SALT="a b#c"\nVOX_ACCOUNT_ID = 123\nVOX_API_KEY=\'k=1\'\nnot a pair\n')).toEqual({
      VOX_SALT: 'a b#c',
      VOX_ACCOUNT_ID: '123',
      VOX_API_KEY: 'k=1',
    });
    expect(parseDotEnv('VOX_SALT=s3cr3t   # the salt\n')).toEqual({ VOX_SALT: 's3cr3t' });
  });

  it("reads the README's own .env example as the three values it shows", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = [...readme.matchAll(/```(?:sh|dotenv)\n([\s\S]*?)```/g)].map((m) => m[1]).find((code) => /^VOX_SALT=/m.test(code));
    expect(block).toBeDefined();
    expect(block).toMatch(/#/); // the example does carry comments after the values
    expect(parseDotEnv(block!)).toEqual({
      VOX_SALT: 'the-salt-you-set-in-webhooks-settings',
      VOX_ACCOUNT_ID: '1234567',
      VOX_API_KEY: 'the-account-api-key',
    });
  });

  it('refuses secrets that cannot work, saying why, and trims only the account id (saying so)', () => {
    expect(validateSecrets({ accountId: '01234567' })).toEqual([expect.stringMatching(/without a leading zero/)]);
    expect(validateSecrets({ accountId: '9'.repeat(40) })).toEqual([expect.stringMatching(/at most 9007199254740991/)]);
    expect(validateSecrets({ accountId: '9007199254740991' })).toEqual([]);
    expect(validateSecrets({ accountId: '-5' })).toHaveLength(1);
    expect(validateSecrets({ salt: 'abc\ndef' })).toEqual([expect.stringMatching(/salt contains a control character/)]);
    expect(validateSecrets({ apiKey: 'key\t' })).toEqual([expect.stringMatching(/API key contains a control character/)]);
    expect(validateSecrets({ salt: ' s3cr3t' })).toEqual([
      expect.stringMatching(/salt starts or ends with a space: refused rather than trimmed/),
    ]);
    expect(validateSecrets({ apiKeyPrevious: 'k ' })).toEqual([expect.stringMatching(/previous API key starts or ends with a space/)]);
    expect(normalizeSecrets({ accountId: ' 1234567 ' })).toEqual({
      secrets: { accountId: '1234567' },
      notes: ['removed the spaces around the account id'],
    });
    expect(normalizeSecrets({ accountId: '1234567', salt: ' s ' })).toEqual({ secrets: { accountId: '1234567', salt: ' s ' }, notes: [] });
  });

  it('finds moto within 2 seconds or names the commands that install it', async () => {
    const started = Date.now();
    await expect(findMotoPython({ MOTO_PYTHON: '/nonexistent/python' })).rejects.toThrow(MotoMissingError);
    await expect(findMotoPython({}, dir)).resolves.toMatchObject({ source: 'python3' }); // no .venv in dir: python3 (CI's has moto)
    console.log(`moto discovery: ${Date.now() - started} ms for a missing MOTO_PYTHON and a python3 probe`);
    await expect(findMotoPython({ MOTO_PYTHON: '/nonexistent/python' })).rejects.toThrow(MOTO_INSTALL_COMMANDS);
  });

  it('checks the Node.js version: 22 and newer pass', () => {
    expect(nodeVersionProblem('v20.20.2')).toMatch(/Node.js 22 or newer is required, this is v20.20.2/);
    expect(nodeVersionProblem('v22.0.0')).toBeUndefined();
    expect(nodeVersionProblem('v24.11.1')).toBeUndefined();
    expect(usageLine('Intro.\n\nUsage: npm run x -- [options]\n\nmore')).toBe('Usage: npm run x -- [options]');
  });

  it('has sample data for exactly the types the receiver knows', () => {
    expect(Object.keys(SAMPLE_DATA).sort()).toEqual([...KNOWN_TYPES].sort());
  });

  it('generates demo secrets Voximplant would accept', () => {
    const secrets = generateDemoSecrets();
    expect(secrets.salt.length).toBeLessThanOrEqual(39);
    expect(secrets.accountId).toMatch(/^\d{7}$/);
    expect(secrets.apiKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(validateSecrets(secrets)).toEqual([]);
    expect(resolveSecrets({}, undefined).origin).toBe('generated demo values');
  });

  it('takes VOX_* from the environment over .env, and refuses partial or invalid sets without echoing them', () => {
    const resolved = resolveSecrets({ VOX_SALT: 'env-salt' }, { VOX_SALT: 'file-salt', VOX_ACCOUNT_ID: '1', VOX_API_KEY: 'k' });
    expect(resolved).toEqual({ secrets: { salt: 'env-salt', accountId: '1', apiKey: 'k' }, origin: 'environment and .env file' });
    expect(() => resolveSecrets({ VOX_SALT: 's' }, undefined)).toThrow(/VOX_ACCOUNT_ID, VOX_API_KEY are not set/);
    const longSalt = 'x'.repeat(40);
    expect(() => resolveSecrets({ VOX_SALT: longSalt, VOX_ACCOUNT_ID: 'acme', VOX_API_KEY: 'k' }, undefined)).toThrow(
      /at most 39[\s\S]*must be a positive whole number/,
    );
    try {
      resolveSecrets({ VOX_SALT: longSalt, VOX_ACCOUNT_ID: '1', VOX_API_KEY: 'k' }, undefined);
    } catch (error) {
      expect((error as Error).message).not.toContain(longSalt);
    }
  });
});

describe('npm start, send-callback and configure against it', () => {
  let port: number;
  let url: string;
  let stack: Running;
  let motoPid: number;
  let stackPid: number;
  /** Where `--voximplant-api` points the function: a loopback stand-in (http is allowed only there) holding this account. */
  let standin: VoximplantStandin;

  beforeAll(async () => {
    standin = await VoximplantStandin.start({ account: { accountId: SECRETS.accountId, apiKey: SECRETS.apiKey, balance: 4.2 } });
    writeFileSync(
      envFile,
      `# the user's own values\nVOX_SALT=${SECRETS.salt}\nexport VOX_ACCOUNT_ID=${SECRETS.accountId}\nVOX_API_KEY="${SECRETS.apiKey}"\n`,
    );
    port = await freePort();
    // Voximplant already sends this account's callbacks here, signed with the stack's salt: `configure --check` finds it linked.
    standin.account.callbackUrl = `http://127.0.0.1:${port}/`;
    standin.account.callbackSalt = SECRETS.salt;
    // The default 5-minute secrets cache: `configure --local` must still take effect at once.
    // Incidents off (INCIDENT_TABLE_NAME empty): these tests send many min_balance callbacks, each to be alerted;
    // with incidents on, every one after the first folds into the open low-balance incident (by design).
    stack = start(
      'tools/start.ts',
      ['--env-file', envFile, '--voximplant-api', standin.url],
      childEnv({ PORT: String(port), INCIDENT_TABLE_NAME: '' }),
    );
    const [, readyUrl] = await stack.waitFor(/Ready: (http:\/\/\S+)/, 45_000);
    url = readyUrl;
    motoPid = Number((await stack.waitFor(/moto pid (\d+)/))[1]);
    stackPid = Number((await stack.waitFor(/local stack pid (\d+)/))[1]);
  }, 50_000);

  afterAll(async () => {
    // Only if a test failed before the SIGINT test: never leave our processes behind.
    if (stack && stack.child.exitCode === null) stack.child.kill('SIGKILL');
    if (motoPid && isRunning(motoPid)) process.kill(motoPid, 'SIGKILL');
    if (stackPid && isRunning(stackPid)) process.kill(stackPid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await standin?.close();
  });

  it('starts on the given port, prints what it created, never the user secrets, and writes the state file', async () => {
    expect(url).toBe(`http://127.0.0.1:${port}/`);
    const out = stack.output();
    expect(out).toContain('Parameters: /voximplant-alerts/salt, /voximplant-alerts/account-id, /voximplant-alerts/api-key');
    expect(out).toMatch(/Topic: +arn:aws:sns:/);
    expect(out).toMatch(/Table: +voximplant-alerts-local-dedupe/);
    expect(out).toContain('npm run send-callback');
    expect(out).toContain('Secrets:    from the .env file (not shown)');
    expect(out).toContain(`Voximplant: ${standin.url}  (VOXIMPLANT_API_URL for the function)`);
    expect(out + stack.stderr()).not.toContain(SECRETS.salt);
    expect(out + stack.stderr()).not.toContain(SECRETS.apiKey);
    expect(isRunning(motoPid)).toBe(true);

    const state = JSON.parse(readFileSync(stateFile, 'utf8'));
    expect(state).toMatchObject({ pid: stackPid, url, mode: 'moto', motoPid, prefix: '/voximplant-alerts', secretsSource: '.env file' });
    expect(state.motoEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(JSON.stringify(state)).not.toContain(SECRETS.salt);

    const health = await fetch(url);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    await stack.waitFor(/» GET \/ 200 ok \d+ms/);

    // Only the stack's routes reach the function; API Gateway answers anything else with 404 itself.
    const other = await fetch(new URL('/other', url), { method: 'POST', body: '{}' });
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ message: 'Not Found' });
  });

  it('delivers a genuine callback: 200, the alert (its balance confirmed by the stand-in) printed by the sender and by the local stack', async () => {
    const result = await sendCallback('--callback-id', '5001');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('-> 200 {"accepted":1,"duplicates":0,"ignored":0,"rejected":0}');
    expect(result.stdout).toContain(`ALERT CRITICAL min_balance · callback 5001 · account ${SECRETS.accountId}`);
    expect(result.stdout).toContain('Subject: Voximplant: balance low on acme (4.87 USD; confirmed 4.20 USD)');
    expect(standin.requests.filter((r) => r.command === 'GetAccountInfo')).toHaveLength(1);
    await stack.waitFor(/» POST \/ 200 accepted=1 duplicates=0 ignored=0 rejected=0 \d+ms/);
    await stack.waitFor(
      /ALERT CRITICAL min_balance · callback 5001 ·[^\n]*\n│ Subject: Voximplant: balance low[^\n]*\n│ SMS \(\d+ chars\): Voximplant: balance low/,
    );
  });

  it('sends several callbacks per request with --count and --batch', async () => {
    const result = await sendCallback('--count', '3', '--batch', '3', '--callback-id', '6001');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('1 request(s) of up to 3');
    expect(result.stdout).toContain('"accepted":3');
    for (const id of [6001, 6002, 6003]) await stack.waitFor(new RegExp(`ALERT CRITICAL min_balance · callback ${id} `));
  });

  it('refuses forged and wrong-account callbacks with 401 and alerts nobody', async () => {
    const forged = await sendCallback('--forged', '--callback-id', '7001');
    expect(forged.code).toBe(0);
    expect(forged.stdout).toContain('-> 401 {"message":"unauthorized"}');
    expect(forged.stdout).toContain('No alert arrived');
    const wrongAccount = await sendCallback('--wrong-account', '--callback-id', '7002');
    expect(wrongAccount.code).toBe(0);
    expect(wrongAccount.stdout).toContain('-> 401 {"message":"unauthorized"}');
    await stack.waitFor(/» POST \/ 401 unauthorized[\s\S]*» POST \/ 401 unauthorized/);

    // A genuine callback sent afterwards arrives; the forged ones, published before it if at all, did not.
    expect((await sendCallback('--callback-id', '7003')).code).toBe(0);
    await stack.waitFor(/callback 7003 /);
    expect(stack.output()).not.toMatch(/callback 700[12] /);
  });

  it('suppresses a duplicate: the repeat counts as a duplicate and no second alert arrives', async () => {
    const result = await sendCallback('--duplicate', '--callback-id', '9001');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"accepted":1,"duplicates":0');
    expect(result.stdout).toContain('"accepted":0,"duplicates":1');
    expect(occurrences(result.stdout, 'callback 9001 ')).toBe(1);
    await stack.waitFor(/» POST \/ 200 accepted=0 duplicates=1/);

    expect((await sendCallback('--callback-id', '9002')).code).toBe(0);
    await stack.waitFor(/callback 9002 /);
    expect(occurrences(stack.output(), 'ALERT CRITICAL min_balance · callback 9001 ')).toBe(1);
  });

  it('answers 413 past 10 MB like API Gateway, without the function, and keeps serving', async () => {
    const response = await postBytes(url, 10 * 1024 * 1024 + 1);
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ message: 'Request Entity Too Large' });
    await stack.waitFor(/» POST \/ 413 Request Entity Too Large/);
    expect((await fetch(url)).status).toBe(200);
  });

  it('configure --local: --check lists the parameters by name only; bad values are refused', async () => {
    const check = await configure('--local', '--check');
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/ok +\/voximplant-alerts\/salt +SecureString/);
    expect(check.stdout).toMatch(/ok +\/voximplant-alerts\/account-id +String/);
    expect(check.stdout).toMatch(/ok +\/voximplant-alerts\/api-key +SecureString/);
    expect(check.stdout).toMatch(/- +\/voximplant-alerts\/salt-previous +not set/);
    expect(check.stdout).not.toContain(SECRETS.salt);
    expect(check.stdout).not.toContain(SECRETS.apiKey);
    // The account id is not secret (a String parameter); only the link's line names it.
    expect(check.stdout).toContain(`Voximplant account ${SECRETS.accountId} sends its callbacks to this stack`);
    expect(check.stdout.replace(/^Voximplant account .*$/m, '')).not.toContain(SECRETS.accountId);

    const tooLong = 'S'.repeat(40);
    const refused = await configure('--local', '--salt', tooLong, '--account-id', 'acme', '--api-key', 'k');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Voximplant allows at most 39');
    expect(refused.stderr).toContain('the account id must be a positive whole number');
    expect(refused.stderr).toContain('Usage: npm run configure -- [options]');
    expect(refused.stderr).not.toMatch(/^\s+at /m);

    const leadingZero = await configure('--local', '--salt', 'fine-salt', '--account-id', '0765432', '--api-key', 'k');
    expect(leadingZero.code).toBe(2);
    expect(leadingZero.stderr).toContain('without a leading zero');
    const spaced = await configure('--local', '--salt', ' fine-salt', '--account-id', '765432', '--api-key', 'k');
    expect(spaced.code).toBe(2);
    expect(spaced.stderr).toContain('the salt starts or ends with a space: refused rather than trimmed');
    const newline = await configure('--local', '--salt', 'fine\nsalt', '--account-id', '765432', '--api-key', 'k');
    expect(newline.code).toBe(2);
    expect(newline.stderr).toContain('the salt contains a control character');
    expect(refused.stdout + refused.stderr).not.toContain(tooLong);

    // Not a terminal and no value: a clear message instead of a prompt.
    const missing = await configure('--local', '--account-id', '1');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--salt is missing: pass it, set VOX_SALT/);
  });

  it('configure --local rotates: previous pair, then new values, which the receiver uses at once (no cache wait)', async () => {
    const previous = await configure('--local', '--previous', '--salt', SECRETS.salt, '--api-key', SECRETS.apiKey);
    expect(previous.code).toBe(0);
    const current = await run('tools/configure.ts', ['--local'], {
      VOX_SALT: ROTATED.salt,
      VOX_ACCOUNT_ID: ` ${SECRETS.accountId} `, // pasted with spaces: trimmed, and said
      VOX_API_KEY: ROTATED.apiKey,
    });
    expect(current.code).toBe(0);
    expect(current.stdout).toContain('note: removed the spaces around the account id');
    expect(current.stdout).toContain(
      'Wrote /voximplant-alerts/salt (SecureString), /voximplant-alerts/account-id (String), /voximplant-alerts/api-key (SecureString)',
    );
    expect(current.stdout + previous.stdout).not.toMatch(new RegExp(`${ROTATED.salt}|${ROTATED.apiKey}|${SECRETS.salt}`));

    // The new API key is the one regenerated in Voximplant; Voximplant still signs with the salt that is now the
    // previous one, so --check says the link is not finished (the README's rotation: change the salt there next).
    standin.account.apiKey = ROTATED.apiKey;
    const check = await configure('--local', '--check');
    expect(check.stdout).toContain("callback_salt is the stack's previous salt, not its current one");
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/ok +\/voximplant-alerts\/salt-previous +SecureString/);
    expect(check.stdout).toMatch(/ok +\/voximplant-alerts\/api-key-previous +SecureString/);

    // configure --local restarts the function (SIGUSR2) each time: no 5-minute wait for the cache.
    expect(current.stdout).toMatch(/The local stack \(pid \d+\) restarts its function now/);
    await stack.waitFor(/function restarted[\s\S]*function restarted/);

    // The sender signs with the new current values from SSM; the receiver, restarted, has them: one try.
    const sent = await sendCallback('--callback-id', '9501');
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    expect(sent.stdout).toContain('"accepted":1');
  });

  it('refuses a second start on the same port with a clear message, leaving the first one alone', async () => {
    const second = await run('tools/start.ts', ['--env-file', envFile], { PORT: String(port) });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`port ${port} is in use — is another \`npm start\` running?`);
    expect(second.stderr).not.toMatch(/^\s+at /m);
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).pid).toBe(stackPid);
    expect((await fetch(url)).status).toBe(200);
  });

  it('stops everything on SIGINT: exit 0, moto gone, port released, state file removed', async () => {
    stack.child.kill('SIGINT');
    expect(await stack.exited).toBe(0);
    expect(stack.output()).toContain(`moto server (pid ${motoPid}) stopped`);
    expect(() => process.kill(motoPid, 0)).toThrow();
    expect(() => process.kill(stackPid, 0)).toThrow();
    expect(await canListen(port)).toBe(true);
    expect(existsSync(stateFile)).toBe(false);
  });
});

describe('the account link offline: npm start --voximplant-standin', () => {
  it('check-account finds the account unlinked, configure --local --connect links it, then alerts are confirmed and the link is healthy', async () => {
    // A directory of its own: the suite above removes its own when it ends.
    const linkDir = mkdtempSync(join(tmpdir(), 'local-link-'));
    const linkState = join(linkDir, 'link-state.json');
    const linkEnv = join(linkDir, 'link.env');
    writeFileSync(linkEnv, `VOX_SALT=${SECRETS.salt}\nVOX_ACCOUNT_ID=${SECRETS.accountId}\nVOX_API_KEY=${SECRETS.apiKey}\n`);
    const extra = { LOCAL_STACK_STATE: linkState };
    const port = await freePort();
    const stack = start('tools/start.ts', ['--env-file', linkEnv, '--voximplant-standin'], childEnv({ ...extra, PORT: String(port) }));
    try {
      await stack.waitFor(/Ready: /, 45_000);
      expect(stack.output()).toContain(`a stand-in Management API for account ${SECRETS.accountId}`);

      // The stand-in's account has no callback URL or salt yet: findings, exit 1.
      const before = await run('tools/check-account.ts', ['--local'], extra);
      expect(before.code).toBe(1);
      expect(before.stdout).toContain('FINDING callback_url_wrong');
      expect(before.stdout).toContain('FINDING callback_salt_wrong');

      // The API address comes from the state file: no VOXIMPLANT_API_URL is given to the tools.
      const link = await run(
        'tools/configure.ts',
        ['--local', '--connect', '--account-id', SECRETS.accountId, '--api-key', SECRETS.apiKey],
        extra,
      );
      expect(link.stderr).toBe('');
      expect(link.code).toBe(0);
      expect(link.stdout).toContain(`callback_url: (not set) -> http://127.0.0.1:${port}/`);
      expect(link.stdout).toContain(`Confirmed: Voximplant sends account ${SECRETS.accountId}'s callbacks to http://127.0.0.1:${port}/`);
      await stack.waitFor(/function restarted/);

      const sent = await run('tools/send-callback.ts', ['--callback-id', '9101'], extra);
      expect(sent.code).toBe(0);
      expect(sent.stdout).toContain('Subject: Voximplant: balance low on acme (4.87 USD; confirmed 4.20 USD)');

      const after = await run('tools/check-account.ts', ['--local'], extra);
      expect(after.stdout).toContain('OK: linked to this stack');
      expect(after.code).toBe(0);
      for (const secret of [SECRETS.salt, SECRETS.apiKey]) expect(before.stdout + link.stdout + after.stdout).not.toContain(secret);
    } finally {
      stack.child.kill('SIGINT');
      expect(await stack.exited).toBe(0);
    }
    expect(stack.output()).toContain('stopped');
    rmSync(linkDir, { recursive: true, force: true });
  }, 120_000);
});

describe('npm start killed outright (SIGKILL: no handler runs)', () => {
  it('leaves no moto behind: moto ends with its parent, and a new start is not blocked by the stale state file', async () => {
    const killedState = join(dir, 'killed-state.json');
    const env = childEnv({ PORT: String(await freePort()), LOCAL_STACK_STATE: killedState });
    const killed = start('tools/start.ts', [], env);
    await killed.waitFor(/Ready: /, 45_000);
    expect(killed.output()).not.toContain('VOXIMPLANT_API_URL'); // off by default: the function's own default (the public API)
    const motoPid = Number((await killed.waitFor(/moto pid (\d+)/))[1]);
    const stackPid = Number((await killed.waitFor(/local stack pid (\d+)/))[1]);
    expect(isRunning(motoPid)).toBe(true);

    process.kill(stackPid, 'SIGKILL');
    await killed.exited;
    await waitUntil(() => !isRunning(motoPid), `moto (pid ${motoPid}) has exited`);
    expect(existsSync(killedState)).toBe(true); // nobody could remove it

    const again = start('tools/start.ts', [], { ...env, PORT: String(await freePort()) });
    try {
      await again.waitFor(/Ready: /, 45_000);
    } finally {
      again.child.kill('SIGINT');
      expect(await again.exited).toBe(0);
    }
  }, 120_000);
});

describe('the front door: help, mistakes and prerequisites, as a new user meets them', () => {
  const COMMANDS: Array<[string, string]> = [
    ['tools/start.ts', 'Usage: npm start'],
    ['tools/send-callback.ts', 'Usage: npm run send-callback'],
    ['tools/configure.ts', 'Usage: npm run configure'],
    ['tools/load.ts', 'Usage: npm run load'],
    ['bench/bench.ts', 'Usage: npm run bench'],
    ['tools/preflight.ts', 'Usage: npx tsx tools/preflight.ts'],
  ];

  it.each(COMMANDS)('%s --help prints its usage and does nothing else', async (script, usage) => {
    const benchResults = join(ROOT, 'bench-results');
    const hadBenchResults = existsSync(benchResults);
    const result = await run(script, ['--help']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(usage);
    expect(result.stdout).not.toMatch(/starting moto|\[bench\]|Deploy rehearsal \(offline\): real CDK/);
    expect(existsSync(stateFile)).toBe(false);
    if (!hadBenchResults) expect(existsSync(benchResults)).toBe(false);
  });

  it.each(COMMANDS)('%s with a bad flag: one error line and the usage line, exit 2', async (script, usage) => {
    const result = await run(script, ['--bogus']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringContaining("error: Unknown option '--bogus'"),
      expect.stringContaining(usage),
    ]);
  });

  it('a flag missing its value (npm start -- --env-file) gets the usage line, not a stack trace', async () => {
    const result = await run('tools/start.ts', ['--env-file']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: Option '--env-file <value>' argument missing\nUsage: npm start/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('send-callback --help warns that --forged raises an alarm and says what the smoke test proves', async () => {
    const { stdout } = await run('tools/send-callback.ts', ['--help']);
    expect(stdout).toMatch(/--forged[\s\S]*trips the CallbacksUnverifiable alarm: an email to\s+everyone on the operations topic/);
    expect(stdout).toContain('it does not show that those\nvalues match what Voximplant has');
  });

  it('ALERT_TYPES with a typo stops npm start before anything starts, naming the closest known type', async () => {
    const result = await run('tools/start.ts', [], { ALERT_TYPES: 'min_balanse', PORT: String(await freePort()) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ALERT_TYPES: "min_balanse" is not a known Voximplant callback type; did you mean min_balance?');
    expect(result.stdout).not.toContain('starting moto');
    expect(existsSync(stateFile)).toBe(false);
  });

  it('--voximplant-api (or VOXIMPLANT_API_URL) that the function would refuse stops npm start before anything starts', async () => {
    const plain = await run('tools/start.ts', ['--voximplant-api', 'http://api.example.com/platform_api'], {
      PORT: String(await freePort()),
    });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('--voximplant-api: VOXIMPLANT_API_URL must be https (http only to a loopback host)');
    expect(plain.stdout).not.toContain('starting moto');
    const fromEnv = await run('tools/start.ts', [], { VOXIMPLANT_API_URL: 'not a url', PORT: String(await freePort()) });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toContain('VOXIMPLANT_API_URL is not a URL');
    expect(existsSync(stateFile)).toBe(false);
  });

  it('without moto, npm start and npm test fail at once with one line and the commands that work', async () => {
    for (const script of ['tools/start.ts', 'tools/preflight.ts']) {
      const started = Date.now();
      const result = await run(script, [], { MOTO_PYTHON: join(dir, 'no-such-python'), PORT: String(await freePort()) });
      console.log(`${script} without moto: exit ${result.code} after ${Date.now() - started} ms (tsx start-up included)`);
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`MOTO_PYTHON=${join(dir, 'no-such-python')} cannot run moto server`);
      expect(lines[0]).toContain(MOTO_INSTALL_COMMANDS);
      expect(result.stdout).not.toContain('starting moto');
    }
  });

  /** The first descendant of `root` whose command line contains `marker`, from `ps`. */
  function descendant(root: number, marker: string): number | undefined {
    const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
    const family = new Set([root]);
    for (let grew = true; grew;) {
      grew = false;
      for (const row of rows) {
        if (family.has(row.ppid) && !family.has(row.pid)) {
          family.add(row.pid);
          grew = true;
        }
      }
    }
    return rows.find((row) => row.pid !== root && family.has(row.pid) && row.args.includes(marker))?.pid;
  }

  it('Ctrl-C while moto is still starting stops everything at once, moto included', async () => {
    const env = childEnv({ PORT: String(await freePort()), LOCAL_STACK_STATE: join(dir, 'ctrl-c-state.json') });
    const stack = start('tools/start.ts', [], env);
    await stack.waitFor(/starting moto server/);
    let moto: number | undefined;
    await waitUntil(() => (moto = descendant(stack.child.pid!, 'moto.server')) !== undefined, 'moto has been spawned');
    const receiver = descendant(stack.child.pid!, 'tools/start.ts')!; // the node process tsx runs the tool in
    const started = Date.now();
    // A terminal's Ctrl-C reaches the tool and moto alike, once each: moto dies of it before it ever answers.
    process.kill(moto!, 'SIGINT');
    process.kill(receiver, 'SIGINT');
    const code = await Promise.race([stack.exited, new Promise<string>((r) => setTimeout(r, 15_000, 'still running after 15 s').unref())]);
    console.log(`Ctrl-C during start-up: exit ${code} after ${Date.now() - started} ms`);
    expect(code).toBe(0);
    expect(stack.output()).toMatch(/stopping\.\.\.\n[\s\S]*stopped/);
    expect(stack.output()).not.toContain('Ready:');
    expect(stack.stderr()).not.toMatch(/did not answer|^\s+at /m);
    await waitUntil(() => !isRunning(moto!), `moto (pid ${moto}) has exited`);
  }, 30_000);

  describe('send-callback --url against a deployment (here: a stand-in server that records what it gets)', () => {
    let received: string[];
    let server: ReturnType<typeof createHttpServer>;
    let target: string;
    const vox = { VOX_SALT: 'deployed-salt', VOX_ACCOUNT_ID: '7654321', VOX_API_KEY: 'deployed-key' };

    beforeAll(async () => {
      received = [];
      server = createHttpServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          received.push(body);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ accepted: 1, duplicates: 0, ignored: 0, rejected: 0 }));
        });
      });
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      const address = server.address();
      target = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    it('says what it will send and to whom, and sends nothing without a confirmation', async () => {
      const result = await run('tools/send-callback.ts', ['--url', target], vox);
      expect(result.code).toBe(2);
      expect(result.stdout).toContain(`This sends 1 signed min_balance callback(s) to ${target}`);
      expect(result.stdout).toContain('every subscriber of its alert topic: email for each, SMS for critical ones');
      expect(result.stderr).toContain('pass --yes to send without asking');
      expect(received).toEqual([]);
    });

    it('--forged says first that it raises an alarm for everyone on the operations topic', async () => {
      const result = await run('tools/send-callback.ts', ['--url', target, '--forged'], vox);
      expect(result.code).toBe(2);
      expect(result.stdout).toContain('trips the CallbacksUnverifiable alarm: every email subscriber of the operations topic');
      expect(received).toEqual([]);
    });

    it('with --yes sends a callback that is unmistakably a test', async () => {
      const result = await run('tools/send-callback.ts', ['--url', target, '--yes'], vox);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(received).toHaveLength(1);
      const [callback] = JSON.parse(received[0]).callbacks;
      expect(callback).toMatchObject({ type: 'min_balance', account_id: 7654321, account_name: 'TEST sent by send-callback' });
    });
  });
});
