/**
 * Secrets from SSM Parameter Store, cached in memory for a TTL: a warm invocation makes no SSM call,
 * and a rotated key is picked up within the TTL without a redeploy.
 *
 * Concurrent callers share one refresh, and each waits for it only as long as its own signal allows:
 * the refresh's SSM call is aborted once no caller waits for it any more.
 */
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { Secrets } from '../model';
import { parameterNames } from '../config';
import { untilAborted } from '../deadline';
import { errorMessage, SecretsUnavailableError } from '../errors';
import type { Log, SecretsSource } from '../ports';

interface Refresh {
  readonly promise: Promise<Secrets>;
  readonly controller: AbortController;
  waiters: number;
}

export class SsmSecrets implements SecretsSource {
  private cached?: { readonly secrets: Secrets; readonly fetchedAt: number };
  private refreshing?: Refresh;
  private readonly names: ReturnType<typeof parameterNames>;

  constructor(
    private readonly client: SSMClient,
    prefix: string,
    private readonly ttlMs: number,
    private readonly log: Log,
    private readonly now: () => number = Date.now,
  ) {
    this.names = parameterNames(prefix);
  }

  /** `signal` bounds this caller's wait; optional only for callers outside the Lambda (tools, tests). */
  async get(signal?: AbortSignal): Promise<Secrets> {
    if (this.cached && this.now() - this.cached.fetchedAt < this.ttlMs) return this.cached.secrets;
    // One refresh at a time, however many callers are waiting for it.
    const refresh = (this.refreshing ??= this.startRefresh());
    refresh.waiters += 1;
    try {
      return await untilAborted(refresh.promise, signal);
    } catch (error) {
      if (!signal?.aborted) throw error;
      if (this.cached) {
        this.log.warn('SSM did not answer in time; using the cached secrets', { error: errorMessage(signal.reason) });
        return this.cached.secrets;
      }
      throw new SecretsUnavailableError(`Reading secrets from SSM failed: ${errorMessage(signal.reason)}`);
    } finally {
      refresh.waiters -= 1;
      if (refresh.waiters === 0) {
        refresh.controller.abort();
        if (this.refreshing === refresh) this.refreshing = undefined;
      }
    }
  }

  private startRefresh(): Refresh {
    const controller = new AbortController();
    const refresh: Refresh = {
      controller,
      waiters: 0,
      promise: this.refresh(controller.signal).finally(() => {
        if (this.refreshing === refresh) this.refreshing = undefined;
      }),
    };
    return refresh;
  }

  private async refresh(signal: AbortSignal): Promise<Secrets> {
    try {
      const secrets = await this.fetch(signal);
      this.cached = { secrets, fetchedAt: this.now() };
      return secrets;
    } catch (error) {
      // Expired secrets verify today's callbacks unless a rotation just happened: better than refusing all.
      if (this.cached) {
        this.log.warn('Refreshing secrets from SSM failed; using the cached ones', { error: errorMessage(error) });
        return this.cached.secrets;
      }
      throw error;
    }
  }

  private async fetch(signal: AbortSignal): Promise<Secrets> {
    const names = this.names;
    let values: Map<string, string>;
    try {
      const { Parameters = [] } = await this.client.send(new GetParametersCommand({ Names: Object.values(names), WithDecryption: true }), {
        abortSignal: signal,
      });
      values = new Map(Parameters.filter((p) => p.Name && p.Value).map((p) => [p.Name!, p.Value!]));
    } catch (error) {
      throw new SecretsUnavailableError(`Reading secrets from SSM failed: ${errorMessage(error)}`);
    }
    const missing = [names.salt, names.accountId, names.apiKey].filter((name) => !values.has(name));
    if (missing.length > 0) {
      throw new SecretsUnavailableError(
        `SSM parameter(s) ${missing.join(', ')} not found: set them with \`npm run configure\` ` +
          `or \`aws ssm put-parameter --name <name> --type SecureString --value <value>\` (account id: --type String)`,
        missing,
      );
    }
    const salts = [values.get(names.salt)!, values.get(names.saltPrevious)];
    const apiKeys = [values.get(names.apiKey)!, values.get(names.apiKeyPrevious)];
    // During a rotation either half may be old or new: accept every combination of current and previous.
    const credentials: Array<{ salt: string; apiKey: string }> = [];
    for (const salt of salts) {
      for (const apiKey of apiKeys) {
        if (salt !== undefined && apiKey !== undefined) credentials.push({ salt, apiKey });
      }
    }
    const ackKey = values.get(names.ackKey);
    return { accountId: values.get(names.accountId)!.trim(), credentials, ...(ackKey === undefined ? {} : { ackKey }) };
  }
}
