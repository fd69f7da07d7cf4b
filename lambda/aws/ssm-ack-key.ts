/**
 * The acknowledge key (SSM SecureString `<prefix>/ack-key`) for the acknowledge route: one GetParameter on exactly
 * that name, cached for a TTL, so a warm container makes no SSM call and a flood of links (valid or not) costs at
 * most one read per TTL per container. Not SsmSecrets (ssm-secrets.ts): that one reads the callback secrets too,
 * which this function must not be able to read.
 *
 * An absent parameter is cached like a value (undefined: links are not set up). A failed read falls back to the
 * cached key, however old: a rotation is rare, a page that says "try again" is worse.
 */
import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { errorMessage } from '../errors';
import { AckKeyUnavailableError, type AckKeySource } from '../incidents/ports';

export class SsmAckKey implements AckKeySource {
  private cached?: { readonly value: string | undefined; readonly fetchedAt: number };

  constructor(
    private readonly client: SSMClient,
    /** The parameter's full name (config.ts parameterNames(prefix).ackKey). */
    private readonly name: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(signal: AbortSignal): Promise<string | undefined> {
    if (this.cached && this.now() - this.cached.fetchedAt < this.ttlMs) return this.cached.value;
    let value: string | undefined;
    try {
      const { Parameter } = await this.client.send(new GetParameterCommand({ Name: this.name, WithDecryption: true }), {
        abortSignal: signal,
      });
      value = Parameter?.Value || undefined;
    } catch (error) {
      if (!(error instanceof ParameterNotFound)) {
        if (this.cached?.value !== undefined) return this.cached.value;
        throw new AckKeyUnavailableError(`reading ${this.name} from SSM failed: ${errorMessage(error)}`, { cause: error });
      }
    }
    this.cached = { value, fetchedAt: this.now() };
    return value;
  }
}
