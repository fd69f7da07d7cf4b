/**
 * The acknowledge route's pages: one small self-contained HTML document per outcome, no external assets, no
 * script. Every interpolated value is HTML-escaped; the one inline style is allowed by its hash in the
 * Content-Security-Policy, so nothing else can run or load. Pure: no AWS, no clock.
 *
 * The pages say no more than the link's holder already knows from the alert: the account, what the incident
 * is about and when it opened; who acknowledged and when (what the others are told anyway).
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ACK_ROUTE } from '../contract';
import type { IncidentKey, IncidentKind } from './model';

/** What the link's holder may see about the incident. Times are epoch ms. */
export interface IncidentView {
  readonly key: IncidentKey;
  readonly openedAt: number;
}

/** Every page the route answers with; `statusCode` is decided by the route (ack-route.ts). */
export type AckView =
  | { readonly kind: 'confirm'; readonly incident: IncidentView }
  | { readonly kind: 'acknowledged'; readonly incident: IncidentView }
  | { readonly kind: 'already-acknowledged'; readonly incident: IncidentView; readonly at?: number; readonly by?: string }
  | { readonly kind: 'resolved'; readonly incident: IncidentView; readonly at?: number }
  /** A genuine link of an opening that is no longer on record (resolved and opened again, or expired by TTL). */
  | { readonly kind: 'not-found' }
  | { readonly kind: 'expired' }
  /** Forged, altered or malformed: one page for all, so the answer tells nothing about the key. */
  | { readonly kind: 'invalid' }
  | { readonly kind: 'not-set-up' }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'bad-request'; readonly reason: 'too-large' | 'media-type' | 'method' };

/** Plain words for each kind (the alert's subject says the same in its own words). */
const KIND_LABEL: Readonly<Record<IncidentKind, string>> = {
  low_balance: 'Low balance',
  account_frozen: 'Account frozen',
  sip_registration: 'SIP registration failing',
  card_payment_failed: 'Card payment failed',
  callback_url_wrong: 'Callback URL points elsewhere',
  callback_salt_wrong: 'Callback salt does not match',
};

const STYLE = 'body{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:2em auto;padding:0 1em}dt{font-weight:600}';
/** Only the style above may apply; nothing may load, run, frame the page or be posted anywhere but here. */
export const CONTENT_SECURITY_POLICY =
  `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; ` +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** The response headers of every page. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  // The token is in the URL: no other site may see it as a referrer.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-robots-tag': 'noindex, nofollow',
};

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** `text` safe anywhere in HTML text or a quoted attribute. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

/** `2026-11-30 14:05 UTC`: the reader's time zone is unknown; the alert said UTC too. */
export const utcTime = (ms: number): string => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function facts(incident: IncidentView): string {
  const { accountId, kind, subject } = incident.key;
  const rows: Array<[string, string]> = [
    ['Account', String(accountId)],
    ['Incident', subject === '' ? KIND_LABEL[kind] : `${KIND_LABEL[kind]} (registration ${subject})`],
    ['Opened', utcTime(incident.openedAt)],
  ];
  return `<dl>${rows.map(([name, value]) => `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>`;
}

const who = (by: string | undefined, at: number | undefined): string =>
  [by === undefined ? '' : ` by ${escapeHtml(by)}`, at === undefined ? '' : ` at ${utcTime(at)}`].join('');

/** The title and body HTML of `view`. */
function content(view: AckView): { readonly title: string; readonly body: string } {
  switch (view.kind) {
    case 'confirm':
      return {
        title: 'Acknowledge this incident?',
        body:
          `${facts(view.incident)}<p>Acknowledging stops the reminders, and everyone who got this incident is told who acknowledged it.</p>` +
          `<form method="post"><p><label>Your name (optional) <input name="${ACK_ROUTE.nameField}" maxlength="${ACK_ROUTE.nameMaxLength}" autocomplete="name"></label></p>` +
          '<p><button type="submit">Acknowledge</button></p></form>',
      };
    case 'acknowledged':
      return {
        title: 'Acknowledged',
        body: `${facts(view.incident)}<p>Acknowledged. Reminders stopped; everyone who got the incident will be told.</p>`,
      };
    case 'already-acknowledged':
      return {
        title: 'Already acknowledged',
        body: `${facts(view.incident)}<p>This incident was already acknowledged${who(view.by, view.at)}. Nothing changed.</p>`,
      };
    case 'resolved':
      return {
        title: 'Already resolved',
        body: `${facts(view.incident)}<p>This incident was resolved${who(undefined, view.at)}. Nothing to acknowledge.</p>`,
      };
    case 'not-found':
      return {
        title: 'Incident no longer open',
        body: '<p>This link belongs to an incident that is no longer on record (it was resolved, and may have opened again since: the newest alert carries its own link). Nothing changed.</p>',
      };
    case 'expired':
      return {
        title: 'Link expired',
        body: '<p>This acknowledge link has expired. A later reminder carries a new one. Nothing changed.</p>',
      };
    case 'invalid':
      return { title: 'Link not valid', body: '<p>This acknowledge link is not valid. Nothing changed.</p>' };
    case 'not-set-up':
      return { title: 'Not set up', body: '<p>Acknowledge links are not set up on this stack (no acknowledge key). Nothing changed.</p>' };
    case 'unavailable':
      return { title: 'Try again', body: '<p>The incident could not be read just now. Nothing changed: try again in a minute.</p>' };
    case 'bad-request':
      return { title: 'Not understood', body: '<p>This request is not the acknowledge form. Nothing changed.</p>' };
  }
}

/** The complete response for `view` with `statusCode`. */
export function ackPage(view: AckView, statusCode: number): APIGatewayProxyStructuredResultV2 {
  const { title, body } = content(view);
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
    `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  return {
    statusCode,
    headers: { ...PAGE_HEADERS, ...(statusCode === 503 ? { 'retry-after': '60' } : {}) },
    body: html,
  };
}
