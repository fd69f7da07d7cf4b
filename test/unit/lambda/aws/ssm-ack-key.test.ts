/**
 * lambda/aws/ssm-ack-key.ts against a stubbed SSM client (aws-sdk-client-mock): the exact request, the cache (a value
 * and an absence alike), the stale fallback and the error it throws.
 */
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { SsmAckKey } from '../../../../lambda/aws/ssm-ack-key';
import { AckKeyUnavailableError } from '../../../../lambda/incidents/ports';
import { signalsOf } from '../../../support/sdk-calls';

const ssm = mockClient(SSMClient);
beforeEach(() => ssm.reset());

const NAME = '/vox/ack-key';
const signal = () => new AbortController().signal;
const notFound = () => new ParameterNotFound({ message: 'not found', $metadata: {} });

describe('SsmAckKey', () => {
  it('reads exactly the one parameter, decrypted', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: NAME, Value: 'k1' } });
    expect(await new SsmAckKey(new SSMClient({}), NAME, 300_000).get(signal())).toBe('k1');
    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: NAME, WithDecryption: true }]);
  });

  it('makes no call while the cache is fresh, reads again after the TTL', async () => {
    ssm
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Value: 'k1' } })
      .resolves({ Parameter: { Value: 'k2' } });
    let now = 1_000_000;
    const key = new SsmAckKey(new SSMClient({}), NAME, 300_000, () => now);
    expect(await key.get(signal())).toBe('k1');
    now += 299_999;
    expect(await key.get(signal())).toBe('k1');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    now += 1;
    expect(await key.get(signal())).toBe('k2');
  });

  it('an absent parameter is undefined (links not set up), cached like a value', async () => {
    ssm.on(GetParameterCommand).rejects(notFound());
    const key = new SsmAckKey(new SSMClient({}), NAME, 300_000, () => 5);
    expect(await key.get(signal())).toBeUndefined();
    expect(await key.get(signal())).toBeUndefined();
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
  });

  it('a failed read: AckKeyUnavailableError, or the cached key however old', async () => {
    ssm.on(GetParameterCommand).rejects(new Error('ThrottlingException: Rate exceeded'));
    let now = 0;
    const cold = new SsmAckKey(new SSMClient({}), NAME, 300_000, () => now);
    await expect(cold.get(signal())).rejects.toBeInstanceOf(AckKeyUnavailableError);

    ssm.reset();
    ssm
      .on(GetParameterCommand)
      .resolvesOnce({ Parameter: { Value: 'k1' } })
      .rejects(new Error('ThrottlingException: Rate exceeded'));
    const warm = new SsmAckKey(new SSMClient({}), NAME, 300_000, () => now);
    expect(await warm.get(signal())).toBe('k1');
    now += 3_600_000;
    expect(await warm.get(signal())).toBe('k1');
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
  });

  it('passes the caller’s signal to the SDK call', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'k1' } });
    const controller = new AbortController();
    await new SsmAckKey(new SSMClient({}), NAME, 300_000).get(controller.signal);
    expect(signalsOf(ssm)).toEqual([controller.signal]);
  });
});
