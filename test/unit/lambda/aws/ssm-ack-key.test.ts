/**
 * lambda/aws/ssm-ack-key.ts against a stubbed SSM client (aws-sdk-client-mock): one decrypted GetParameters of the
 * acknowledge key alone, a missing parameter as undefined, caching, and SSM failing with and without a cached key.
 */
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { SsmAckKey } from '../../../../lambda/aws/ssm-ack-key';
import { SecretsUnavailableError } from '../../../../lambda/errors';

const ssm = mockClient(SSMClient);
beforeEach(() => ssm.reset());
const signal = () => new AbortController().signal;

describe('SsmAckKey', () => {
  let now = 1_000_000;
  const source = () => new SsmAckKey(new SSMClient({}), '/vox', 300_000, () => now);

  it('reads only <prefix>/ack-key, decrypted, and caches it for the TTL', async () => {
    ssm.on(GetParametersCommand).resolves({ Parameters: [{ Name: '/vox/ack-key', Value: 'k1' }], InvalidParameters: [] });
    const key = source();
    expect(await key.get(signal())).toBe('k1');
    now += 299_000;
    expect(await key.get(signal())).toBe('k1');
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
    expect(ssm.commandCalls(GetParametersCommand)[0].args[0].input).toEqual({ Names: ['/vox/ack-key'], WithDecryption: true });
    now += 2_000;
    await key.get(signal());
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(2);
  });

  it('a parameter that does not exist is undefined (reminders go out without a link), not an error', async () => {
    ssm.on(GetParametersCommand).resolves({ Parameters: [], InvalidParameters: ['/vox/ack-key'] });
    expect(await source().get(signal())).toBeUndefined();
  });

  it('SSM failing: the cached key if there is one, else SecretsUnavailableError', async () => {
    ssm.on(GetParametersCommand).rejects(new Error('throttled'));
    await expect(source().get(signal())).rejects.toBeInstanceOf(SecretsUnavailableError);
    ssm.reset();
    ssm
      .on(GetParametersCommand)
      .resolvesOnce({ Parameters: [{ Name: '/vox/ack-key', Value: 'k1' }] })
      .rejects(new Error('throttled'));
    const key = source();
    expect(await key.get(signal())).toBe('k1');
    now += 600_000;
    expect(await key.get(signal())).toBe('k1');
  });
});
