/**
 * The acknowledge link's route: an API Gateway HTTP API request for `GET|POST /ack/{token}` → an outcome → a
 * plain page (ack-page.ts). Pure apart from its ports (the store, the key), so it is tested with in-memory ones.
 *
 * GET only shows the incident and a form: mail scanners and link previewers open links in mail on their own
 * (docs/how-it-works.md, "Acknowledging"), and a GET that acknowledged would stop reminders nobody read.
 * POST (the form, application/x-www-form-urlencoded, at most ACK_ROUTE.maxBodyBytes) acknowledges, through the
 * versioned update loop: of two concurrent POSTs exactly one writes, the other reads 'already-acknowledged'.
 *
 * Logs the incident's key and the outcome, never the token (it is the credential) nor the name typed.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ACK_ROUTE, METRICS } from '../contract';
import { BUDGET, type Deadline } from '../deadline';
import { errorMessage } from '../errors';
import type { Counters, Log } from '../ports';
import { clean } from '../render/text';
import { verifyAckToken, type AckClaims } from './ack-token';
import { ackPage, type AckView, type IncidentView } from './ack-page';
import { acknowledge } from './lifecycle';
import { incidentKeyString, type Incident } from './model';
import type { AckKeySource, IncidentStore } from './ports';
import { update } from './update';

export interface AckDeps {
  readonly store: IncidentStore;
  readonly ackKey: AckKeySource;
  readonly log: Log;
  readonly counters: Counters;
}

/** What the route decided: the page, its status code, and the incident it was about when the token verified. */
export interface AckDecision {
  readonly statusCode: number;
  readonly view: AckView;
  readonly claims?: AckClaims;
}

/** The form's fields once read: `name` cleaned (one line, no control or invisible characters, bounded) or absent. */
export type AckForm = { readonly ok: true; readonly name?: string } | { readonly ok: false; readonly statusCode: 413 | 415 };

/**
 * The "your name" field as stored and shown to the others: one line of at most ACK_ROUTE.nameMaxLength code
 * points (render/text.ts clean: control characters become spaces, invisible ones go); blank → undefined.
 */
export function cleanName(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  return clean(raw, ACK_ROUTE.nameMaxLength) || undefined;
}

/**
 * Reads the POST body as the page's form: 415 unless it is application/x-www-form-urlencoded without a content
 * coding, 413 over ACK_ROUTE.maxBodyBytes (checked before decoding). Parsed with URLSearchParams.
 */
export function readForm(event: APIGatewayProxyEventV2): AckForm {
  const type = (event.headers?.['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const coding = (event.headers?.['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded' || coding !== 'identity') return { ok: false, statusCode: 415 };
  const raw = typeof event.body === 'string' ? event.body : '';
  const max = ACK_ROUTE.maxBodyBytes;
  // Bounded before decoding: base64 takes 4 characters per 3 bytes (API Gateway may encode a form body), and
  // UTF-8 at least one byte per UTF-16 unit.
  if (raw.length > (event.isBase64Encoded ? Math.ceil(max / 3) * 4 : max)) return { ok: false, statusCode: 413 };
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > max) return { ok: false, statusCode: 413 };
  const name = cleanName(new URLSearchParams(bytes.toString('utf8')).get(ACK_ROUTE.nameField));
  return name === undefined ? { ok: true } : { ok: true, name };
}

const viewOf = (incident: Incident): IncidentView => ({ key: incident.key, openedAt: incident.openedAt });

/**
 * The page for the record `current` as acknowledge() classifies it; `acting` (a POST) turns a conflict into
 * 409, a GET shows the same state with 200.
 */
function pageFor(
  outcome: ReturnType<typeof acknowledge>['outcome'],
  current: Incident | undefined,
  acting: boolean,
  claims: AckClaims,
): AckDecision {
  if (outcome === 'not-found' || current === undefined) return { statusCode: 404, view: { kind: 'not-found' }, claims };
  const incident = viewOf(current);
  const conflict = acting ? 409 : 200;
  switch (outcome) {
    case 'acknowledged':
      return { statusCode: 200, view: acting ? { kind: 'acknowledged', incident } : { kind: 'confirm', incident }, claims };
    case 'already-acknowledged':
      return {
        statusCode: conflict,
        view: { kind: 'already-acknowledged', incident, at: current.acknowledgedAt, by: current.acknowledgedBy },
        claims,
      };
    case 'resolved':
      return { statusCode: conflict, view: { kind: 'resolved', incident, at: current.resolvedAt }, claims };
  }
}

/**
 * Decides one request by `deadline`: never throws for a dependency's failure (503, "try again"). `now` is epoch
 * ms (the token's expiry and the acknowledgement's time).
 */
export async function decideAck(event: APIGatewayProxyEventV2, deps: AckDeps, now: number, deadline: Deadline): Promise<AckDecision> {
  const method = (event.requestContext?.http?.method ?? '').toUpperCase();
  const acting = method === 'POST';
  if (!acting && method !== 'GET' && method !== 'HEAD') return { statusCode: 405, view: { kind: 'bad-request', reason: 'method' } };
  let name: string | undefined;
  if (acting) {
    const form = readForm(event);
    if (!form.ok)
      return { statusCode: form.statusCode, view: { kind: 'bad-request', reason: form.statusCode === 413 ? 'too-large' : 'media-type' } };
    name = form.name;
  }

  let key: string | undefined;
  try {
    key = await deps.ackKey.get(deadline.within(BUDGET.fallbackCallMs).signal);
  } catch (error) {
    deps.log.warn('The acknowledge key could not be read', { error: errorMessage(error) });
    return { statusCode: 503, view: { kind: 'unavailable' } };
  }
  // 404, not 503: nothing to retry until someone creates the key (and a 5xx anyone could cause would reach Api5xx).
  if (key === undefined) return { statusCode: 404, view: { kind: 'not-set-up' } };
  const check = verifyAckToken(event.pathParameters?.[ACK_ROUTE.parameter] ?? '', key, now);
  if (!check.ok)
    return check.reason === 'expired' ? { statusCode: 410, view: { kind: 'expired' } } : { statusCode: 404, view: { kind: 'invalid' } };
  const { claims } = check;

  try {
    if (!acting) {
      const current = await deps.store.get(claims.key, deadline.signal);
      return pageFor(acknowledge(current, { incidentId: claims.incidentId, at: now }).outcome, current, false, claims);
    }
    const ack = { incidentId: claims.incidentId, at: now, ...(name === undefined ? {} : { by: name }) };
    const { result, incident } = await update(
      deps.store,
      claims.key,
      (current) => {
        const { outcome, next } = acknowledge(current, ack);
        return { result: outcome, next };
      },
      deadline.signal,
    );
    return pageFor(result, incident, true, claims);
  } catch (error) {
    deps.log.warn('The incident could not be read or written', { incident: incidentKeyString(claims.key), error: errorMessage(error) });
    return { statusCode: 503, view: { kind: 'unavailable' }, claims };
  }
}

/** Answers one request: decides it, logs and counts the outcome (no token, no name), renders the page. */
export async function handleAck(
  event: APIGatewayProxyEventV2,
  deps: AckDeps,
  now: number,
  deadline: Deadline,
): Promise<APIGatewayProxyStructuredResultV2> {
  const decision = await decideAck(event, deps, now, deadline);
  const { view, statusCode, claims } = decision;
  deps.log.info('Acknowledge link', {
    outcome: view.kind,
    statusCode,
    ...(claims === undefined ? {} : { incident: incidentKeyString(claims.key), incidentId: claims.incidentId }),
  });
  const metric =
    view.kind === 'acknowledged'
      ? METRICS.names.acknowledged
      : view.kind === 'invalid' || view.kind === 'expired'
        ? METRICS.names.ackRefused
        : view.kind === 'unavailable' || view.kind === 'not-set-up'
          ? METRICS.names.ackUnavailable
          : undefined;
  if (metric !== undefined) deps.counters.count(metric, 1);
  return ackPage(view, statusCode);
}
