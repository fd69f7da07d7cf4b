/**
 * How the commands show things in a terminal: colours (only on a TTY, never with NO_COLOR), an alert as a
 * person reads it, and `npm start`'s one line per request.
 */
import type { Alert } from '../lambda/model';
import type { HttpResponse } from '../local/api-gateway';
import type { InboxMessage } from '../local/provision';

const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string) => (text: string) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
export const bold = paint('1');
export const dim = paint('2');
export const red = paint('31');
export const green = paint('32');
export const yellow = paint('33');
export const cyan = paint('36');

const SEVERITY_PAINT: Record<string, (text: string) => string> = { critical: red, warning: yellow, info: cyan };

/** An alert as a person reads it: subject, the SMS, the email. */
export function formatAlert(alert: Alert, message?: InboxMessage): string {
  const severity = (SEVERITY_PAINT[alert.severity] ?? cyan)(alert.severity.toUpperCase());
  const rule = '─'.repeat(72);
  return [
    `┌${rule}`,
    `│ ${bold('ALERT')} ${severity} ${alert.type} · callback ${alert.callbackId} · account ${alert.accountId}`,
    `│ ${bold('Subject:')} ${message?.subject ?? alert.subject}`,
    `│ ${bold('SMS')} (${alert.sms.length} chars): ${alert.sms}`,
    `│ ${bold('Email:')}`,
    ...alert.email
      .replace(/\n+$/, '')
      .split('\n')
      .map((line) => `│   ${line}`),
    `└${rule}`,
  ].join('\n');
}

/** The one line per request: method, path, status, counts, time taken. */
export function formatRequestLine(method: string, path: string, response: HttpResponse, ms: number): string {
  let detail = '';
  try {
    const body = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
    const counts = ['accepted', 'duplicates', 'ignored', 'rejected'].filter((key) => typeof body[key] === 'number');
    detail =
      counts.length > 0 ? counts.map((key) => `${key}=${body[key]}`).join(' ') : typeof body.message === 'string' ? body.message : '';
    if (typeof body.status === 'string' && detail === '') detail = body.status;
  } catch {
    // not JSON: no detail
  }
  const status = response.statusCode;
  const colour = status < 300 ? green : status < 500 ? yellow : red;
  const time = new Date().toISOString().slice(11, 19);
  return `${dim(time)} ${bold('»')} ${method} ${path} ${colour(String(status))} ${detail} ${dim(`${ms}ms`)}`.replace(/ +/g, ' ');
}
