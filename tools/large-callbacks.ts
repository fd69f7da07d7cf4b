/**
 * Genuine callbacks whose alerts are as large as lambda/render/ lets them be (issue 11, section 1): long lists of
 * entries whose values are multi-byte text. Each is signed with the given secrets.
 */
import { buildCallback } from './callbacks';
import type { VoxSecrets } from './provision';

/** Cyrillic (2 bytes a character in UTF-8), longer than the 80 characters lambda/render/ shows of a value. */
const CYRILLIC_DETAILS = 'Аренда городского номера, Москва, тариф «Бизнес», списание ежемесячно, продление автоматически, без НДС';
/** `length` emoji (4 bytes each in UTF-8, 2 UTF-16 units, 1 code point). */
const emoji = (length: number) => Array.from({ length }, (_, i) => String.fromCodePoint(0x1f300 + ((i * 7) % 700))).join('');

/** `renewed_subscriptions` listing `count` rented phone numbers with Cyrillic subscription details. */
export function cyrillicRenewals(secrets: VoxSecrets, callbackId: number, count = 12): Record<string, unknown> {
  const subscriptions = Array.from({ length: count }, (_, i) => ({
    type: 'городской номер телефона (аренда)',
    name: `+7 495 555 ${String(1000 + i)} — многоканальный номер, Москва, отдел продаж и поддержки клиентов`,
    details: `${CYRILLIC_DETAILS} №${i + 1}`,
    cost: 12.5,
    next_renewal: '2026-12-28',
  }));
  return buildCallback(secrets, {
    callbackId,
    type: 'renewed_subscriptions',
    data: { subscriptions },
    fields: { account_name: 'ООО «Ромашка» — отдел продаж' },
  });
}

/** `expiring_certificates` listing `count` certificates whose file and application names are emoji. */
export function emojiCertificates(secrets: VoxSecrets, callbackId: number, count = 12): Record<string, unknown> {
  const certificates = Array.from({ length: count }, (_, i) => ({
    push_credential_id: 7000 + i,
    // Just past what lambda/render/ shows (80 code points of a name, 5 applications of 40), so the request stays small.
    cert_file_name: `${emoji(80)}-${i}.p12`,
    expiration_date: '2026-12-20 00:00:00',
    applications: Array.from({ length: 6 }, (_, j) => `${emoji(38)}-${j}`),
  }));
  return buildCallback(secrets, { callbackId, type: 'expiring_certificates', data: { certificates }, fields: { account_name: emoji(40) } });
}
