/**
 * lambda/aws/ssm-secrets.ts against a stubbed SSM client (aws-sdk-client-mock): exact requests, caching, error mapping.
 */
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { SsmSecrets } from '../../../../lambda/aws/ssm-secrets';
import { SecretsUnavailableError } from '../../../../lambda/errors';
import { MemoryLog } from '../../../support/fakes';
import { VOX } from '../../../../local/fixtures';
import { signalsOf } from '../../../support/sdk-calls';

const ssm = mockClient(SSMClient);
beforeEach(() => ssm.reset());

function parameters(values: Record<string, string>) {
  return { Parameters: Object.entries(values).map(([Name, Value]) => ({ Name, Value })), InvalidParameters: [] };
}

const CURRENT = { '/vox/salt': VOX.salt, '/vox/account-id': VOX.accountId, '/vox/api-key': VOX.apiKey };

describe('SsmSecrets', () => {
  function source(now: () => number = Date.now) {
    return new SsmSecrets(new SSMClient({}), '/vox', 300_000, new MemoryLog(), now);
  }

  it('reads all six names in one decrypted GetParameters call', async () => {
    ssm.on(GetParametersCommand).resolves(parameters(CURRENT));
    expect(await source().get()).toEqual({ accountId: VOX.accountId, credentials: [{ salt: VOX.salt, apiKey: VOX.apiKey }] });
    expect(ssm.commandCalls(GetParametersCommand)[0].args[0].input).toEqual({
      Names: ['/vox/salt', '/vox/account-id', '/vox/api-key', '/vox/salt-previous', '/vox/api-key-previous', '/vox/ack-key'],
      WithDecryption: true,
    });
  });

  it('makes no SSM call while the cache is fresh, and refreshes after the TTL', async () => {
    ssm.on(GetParametersCommand).resolves(parameters(CURRENT));
    let now = 1_000_000;
    const secrets = source(() => now);
    await secrets.get();
    now += 299_000;
    await secrets.get();
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
    now += 2_000;
    await secrets.get();
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(2);
  });

  it('shares one refresh between concurrent callers', async () => {
    ssm.on(GetParametersCommand).resolves(parameters(CURRENT));
    const secrets = source();
    await Promise.all([secrets.get(), secrets.get(), secrets.get()]);
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
  });

  it('accepts every current/previous combination during a rotation', async () => {
    ssm.on(GetParametersCommand).resolves(parameters({ ...CURRENT, '/vox/salt-previous': 'oldSalt', '/vox/api-key-previous': 'old-key' }));
    const { credentials } = await source().get();
    expect(credentials).toEqual([
      { salt: VOX.salt, apiKey: VOX.apiKey },
      { salt: VOX.salt, apiKey: 'old-key' },
      { salt: 'oldSalt', apiKey: VOX.apiKey },
      { salt: 'oldSalt', apiKey: 'old-key' },
    ]);
  });

  it('names a missing parameter and how to set it', async () => {
    ssm.on(GetParametersCommand).resolves(parameters({ '/vox/account-id': VOX.accountId }));
    const error = await source()
      .get()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsUnavailableError);
    expect((error as SecretsUnavailableError).missing).toEqual(['/vox/salt', '/vox/api-key']);
    expect((error as Error).message).toMatch(/\/vox\/salt, \/vox\/api-key not found: set them with `npm run configure`/);
  });

  it('fails with SecretsUnavailableError when SSM is down and nothing is cached', async () => {
    ssm.on(GetParametersCommand).rejects(new Error('connect ECONNREFUSED'));
    await expect(source().get()).rejects.toThrow(SecretsUnavailableError);
  });

  describe('a refresh SSM does not answer (headers sent, body stalled)', () => {
    /** An SSM client whose every call waits until the test answers it or its abortSignal aborts. */
    function stalledSsm() {
      const calls: Array<{ signal: AbortSignal; answer: (output: unknown) => void }> = [];
      const client = {
        send: (_command: unknown, options: { abortSignal: AbortSignal }) =>
          new Promise((resolve, reject) => {
            calls.push({ signal: options.abortSignal, answer: resolve });
            options.abortSignal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
          }),
      } as unknown as SSMClient;
      return { client, calls };
    }

    it('a caller with a shorter deadline stops waiting at its own; the shared refresh goes on for the other', async () => {
      const { client, calls } = stalledSsm();
      const secrets = new SsmSecrets(client, '/vox', 300_000, new MemoryLog());
      const short = new AbortController();
      const long = new AbortController();
      const first = secrets.get(short.signal);
      const second = secrets.get(long.signal);
      expect(calls).toHaveLength(1); // one shared refresh
      short.abort(new Error('deadline'));
      await expect(first).rejects.toThrow(SecretsUnavailableError);
      expect(calls[0].signal.aborted).toBe(false); // still wanted by the second caller
      calls[0].answer(parameters(CURRENT));
      await expect(second).resolves.toMatchObject({ accountId: VOX.accountId });
    });

    it('aborts the SSM call once no caller waits, and the next caller starts a new refresh', async () => {
      const { client, calls } = stalledSsm();
      const secrets = new SsmSecrets(client, '/vox', 300_000, new MemoryLog());
      const only = new AbortController();
      const waiting = secrets.get(only.signal);
      only.abort(new Error('deadline'));
      await expect(waiting).rejects.toThrow(/deadline/);
      expect(calls[0].signal.aborted).toBe(true);
      const next = secrets.get(new AbortController().signal);
      expect(calls).toHaveLength(2);
      calls[1].answer(parameters(CURRENT));
      await expect(next).resolves.toMatchObject({ accountId: VOX.accountId });
    });

    it("serves the cached secrets past their TTL when the refresh does not finish by the caller's deadline", async () => {
      const { client, calls } = stalledSsm();
      let now = 0;
      const log = new MemoryLog();
      const secrets = new SsmSecrets(client, '/vox', 300_000, log, () => now);
      const warm = secrets.get(new AbortController().signal);
      calls[0].answer(parameters(CURRENT));
      await warm;
      now += 600_000;
      const deadline = new AbortController();
      const stale = secrets.get(deadline.signal);
      deadline.abort(new Error('deadline'));
      await expect(stale).resolves.toMatchObject({ accountId: VOX.accountId });
      expect(log.text()).toContain('SSM did not answer in time; using the cached secrets');
    });
  });

  it('keeps serving cached secrets when a refresh fails', async () => {
    let now = 0;
    const secrets = source(() => now);
    ssm.on(GetParametersCommand).resolvesOnce(parameters(CURRENT)).rejects(new Error('throttled'));
    await secrets.get();
    now += 600_000;
    await expect(secrets.get()).resolves.toMatchObject({ accountId: VOX.accountId });
  });

  it("gives its SDK call an abort signal (the shared refresh's own, aborted when no caller waits), so the whole response is bounded", async () => {
    const { signal } = new AbortController();
    ssm.on(GetParametersCommand).resolves(parameters(CURRENT));
    await new SsmSecrets(new SSMClient({}), '/vox', 300_000, new MemoryLog()).get(signal);
    expect(signalsOf(ssm)).toHaveLength(1);
    expect(signalsOf(ssm)[0]).toBeInstanceOf(AbortSignal);
  });
});
