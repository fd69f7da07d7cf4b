/**
 * The acknowledge key alone (SSM SecureString `<prefix>/ack-key`, config.ts parameterNames), for the notifier:
 * its role may read that one parameter, not the callback secrets. Cached in memory for a TTL, as SsmSecrets does.
 */
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { parameterNames } from '../config';
import { errorMessage, SecretsUnavailableError } from '../errors';
import type { AckKeySource } from '../incidents/notifier';

export class SsmAckKey implements AckKeySource {
  private cached?: { readonly value: string | undefined; readonly fetchedAt: number };
  private readonly name: string;

  constructor(
    private readonly client: SSMClient,
    prefix: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.name = parameterNames(prefix).ackKey;
  }

  /** The key, or undefined when the parameter does not exist. Throws SecretsUnavailableError when SSM cannot answer. */
  async get(signal: AbortSignal): Promise<string | undefined> {
    if (this.cached && this.now() - this.cached.fetchedAt < this.ttlMs) return this.cached.value;
    try {
      // GetParameters (not GetParameter): a missing parameter is an InvalidParameters entry, not an error.
      const { Parameters = [] } = await this.client.send(new GetParametersCommand({ Names: [this.name], WithDecryption: true }), {
        abortSignal: signal,
      });
      const value = Parameters.find((p) => p.Name === this.name)?.Value || undefined;
      this.cached = { value, fetchedAt: this.now() };
      return value;
    } catch (error) {
      if (this.cached) return this.cached.value;
      throw new SecretsUnavailableError(`Reading the acknowledge key from SSM failed: ${errorMessage(error)}`);
    }
  }
}
