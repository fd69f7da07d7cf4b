/**
 * Builds signed Voximplant callbacks the way Voximplant sends them, with the receiver's own `sign()`.
 * Used by the tests and by `npm run send-callback`.
 */
import { SAMPLE_DATA, sampleData } from '../lambda/render/samples';
import { sign } from '../lambda/signature';
import type { VoxSecrets } from './provision';

export interface CallbackOptions {
  readonly callbackId: number;
  readonly type?: string;
  /** Data under the property named after the type. */
  readonly data?: Record<string, unknown>;
  /** Extra or overriding top-level fields. */
  readonly fields?: Record<string, unknown>;
  /** Sign with these instead of the receiver's secrets (a forged callback). */
  readonly signWith?: Pick<VoxSecrets, 'salt' | 'apiKey'>;
}

export function buildCallback(secrets: VoxSecrets, options: CallbackOptions): Record<string, unknown> {
  const type = options.type ?? 'min_balance';
  const accountId = Number(secrets.accountId);
  const { salt, apiKey } = options.signWith ?? secrets;
  return {
    callback_id: options.callbackId,
    type,
    account_id: accountId,
    hash: sign(salt, accountId, apiKey, options.callbackId),
    account_name: 'acme',
    account_email: 'ops@acme.example',
    account_first_name: 'Jane',
    account_last_name: 'Doe',
    language_code: 'en',
    balance: 4.87,
    currency: 'USD',
    [type]: options.data ?? (type === 'min_balance' ? structuredClone(SAMPLE_DATA.min_balance) : {}),
    ...options.fields,
  };
}

export function envelope(...callbacks: Array<Record<string, unknown>>): string {
  return JSON.stringify({ callbacks });
}

// Sample data lives beside the type catalogue (lambda/render/samples.ts); re-exported for the sender's callers.
export { SAMPLE_DATA, SAMPLE_TYPES, sampleData } from '../lambda/render/samples';

/** A signed callback of `type` with that type's sample data (empty data for types without a sample). */
export function sampleCallback(secrets: VoxSecrets, options: Omit<CallbackOptions, 'data'>): Record<string, unknown> {
  const type = options.type ?? 'min_balance';
  return buildCallback(secrets, { ...options, type, data: structuredClone(sampleData(type) ?? {}) });
}
