/**
 * An HTTP proxy in front of moto that counts requests per AWS service and can make a service fail.
 * Faults are injected on the wire, so the code under test runs unchanged (no test-only paths).
 *
 * Fault modes, checked in this order for each request:
 * - `hanging`: the connection is accepted and the request read, but never answered (a blackholed
 *   dependency: the client's own timeouts are all that end the wait);
 * - `failing` (a whole service) and `failingActions` (one `service:Action`): HTTP 503, as an outage answers;
 * - `throttling`: the service's own throttling error (HTTP 400/429 in the service's protocol), as AWS
 *   answers when an account's rate limit is exceeded;
 * - `stallingBody`: the request reaches moto (its effect is applied) and moto's status, headers and the
 *   first half of its body are sent back, the rest never (a response that starts and stalls: the SDK's
 *   connection and request timeouts stop at the headers, so only the caller's abort signal ends it);
 * - `answerLate`: the next request of a `service:Action` reaches moto at once (its effect is applied) but
 *   its answer is held back; a client that timed out meanwhile has retried (a write that landed although
 *   the caller saw a timeout); `answerLateEvery` does the same to every request of a `service:Action`
 *   (a service that works but answers slower than the client waits);
 * - `refusePublishEntry`: SNS `PublishBatch` only: the entries it picks are not forwarded to moto and come
 *   back in the response's `Failed` list (`InternalError`, `SenderFault` false), the others are published.
 *
 * Not a fault but SNS itself, always on (unless `enforceSnsLimits` is false): a `PublishBatch` that breaks one
 * of SNS's documented limits (lambda/sns-limits.ts: entries, sizes, ids, subject, attributes) is answered as
 * AWS answers it, HTTP 400 with the error code (e.g. `BatchRequestTooLong`), and never reaches moto, which
 * would accept it. Checked after `hanging`, `failing` and `throttling` (an unreachable SNS checks nothing).
 * global-setup.ts puts one such proxy, with no faults, in front of the run's moto, so every suite that
 * publishes through MOTO_ENDPOINT is checked too.
 */
import { randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { checkPublishBatch, type AttributeValue, type BatchEntry, type SnsLimitViolation } from '../../lambda/sns-limits';

export type Service = 'ssm' | 'sns' | 'dynamodb' | 'sqs' | 'other';

/** The service a signed AWS request is for, from the SigV4 credential scope (…/region/SERVICE/aws4_request). */
export function serviceOf(req: IncomingMessage): Service {
  const scope = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\/aws4_request/.exec(String(req.headers.authorization ?? ''));
  const service = scope?.[1];
  return service === 'ssm' || service === 'sns' || service === 'dynamodb' || service === 'sqs' ? service : 'other';
}

/** One entry of an SNS PublishBatch request, its form fields without the `PublishBatchRequestEntries.member.N.` prefix. */
export type PublishBatchEntry = Readonly<Record<string, string>>;

/** The operation of a request: `x-amz-target` for the JSON protocols, the `Action` form field for the Query protocol. */
function actionOf(req: IncomingMessage, body: Buffer): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    return new URLSearchParams(body.toString('utf8')).get('Action') ?? 'unknown';
  }
  return 'unknown';
}

/** An SNS error as the Query protocol answers it: an XML ErrorResponse with the code. */
function snsErrorResponse(status: number, code: string, message: string): { status: number; headers: OutgoingHttpHeaders; body: string } {
  const requestId = randomUUID();
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

/** What each service answers when it throttles, in its own protocol. */
function throttlingResponse(service: Service): { status: number; headers: OutgoingHttpHeaders; body: string } {
  const requestId = randomUUID();
  switch (service) {
    case 'ssm': // awsJson1_1: the error code travels as __type in the body
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
      };
    case 'dynamodb': // awsJson1_0, namespaced __type
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId },
        body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'Rate exceeded' }),
      };
    case 'sqs': // awsJson1_0 with awsQueryCompatible: the Query error code in x-amzn-query-error
      return {
        status: 400,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': requestId,
          'x-amzn-query-error': 'RequestThrottled;Sender',
        },
        body: JSON.stringify({ __type: 'com.amazonaws.sqs#RequestThrottled', message: 'Rate exceeded' }),
      };
    case 'sns': // Query protocol: an XML ErrorResponse; SNS documents ThrottledException as HTTP 429, code Throttled
    case 'other':
      return snsErrorResponse(429, 'Throttled', 'Rate exceeded');
  }
}

const MEMBER = /^PublishBatchRequestEntries\.member\.(\d+)\.(.+)$/;

/** A PublishBatch form's entries, in member order, and its other fields. */
function publishBatchForm(form: URLSearchParams) {
  const entries = new Map<number, Record<string, string>>();
  const rest: Array<[string, string]> = [];
  for (const [key, value] of form) {
    const member = MEMBER.exec(key);
    if (!member) {
      rest.push([key, value]);
      continue;
    }
    const index = Number(member[1]);
    if (!entries.has(index)) entries.set(index, {});
    entries.get(index)![member[2]] = value;
  }
  const ordered: PublishBatchEntry[] = [...entries.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
  return { entries: ordered, rest };
}

const ATTRIBUTE = /^MessageAttributes\.entry\.(\d+)\.(Name|Value\.DataType|Value\.StringValue|Value\.BinaryValue)$/;

/** One entry's form fields as the SDK shape sns-limits.ts checks (attributes from `MessageAttributes.entry.N.*`). */
function toBatchEntry(fields: PublishBatchEntry): BatchEntry {
  const attributes = new Map<number, { name?: string; value: { DataType?: string; StringValue?: string; BinaryValue?: Uint8Array } }>();
  for (const [key, value] of Object.entries(fields)) {
    const match = ATTRIBUTE.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    if (!attributes.has(index)) attributes.set(index, { value: {} });
    const attribute = attributes.get(index)!;
    if (match[2] === 'Name') attribute.name = value;
    else if (match[2] === 'Value.DataType') attribute.value.DataType = value;
    else if (match[2] === 'Value.StringValue') attribute.value.StringValue = value;
    else attribute.value.BinaryValue = Buffer.from(value, 'base64');
  }
  const MessageAttributes: Record<string, AttributeValue> = {};
  for (const { name, value } of attributes.values()) MessageAttributes[name ?? ''] = { ...value, DataType: value.DataType };
  return {
    Id: fields.Id,
    Message: fields.Message,
    Subject: fields.Subject,
    MessageStructure: fields.MessageStructure,
    ...(attributes.size > 0 ? { MessageAttributes } : {}),
  };
}

/** Why SNS would refuse this PublishBatch form (lambda/sns-limits.ts), or undefined. */
export function publishBatchRefusal(form: URLSearchParams): SnsLimitViolation | undefined {
  return checkPublishBatch(publishBatchForm(form).entries.map(toBatchEntry));
}

/**
 * Splits a PublishBatch form into the entries kept (renumbered from 1, so moto sees a well-formed request)
 * and the entries refused.
 */
function splitPublishBatch(form: URLSearchParams, refuse: (entry: PublishBatchEntry) => boolean) {
  const { entries, rest } = publishBatchForm(form);
  const kept = entries.filter((entry) => !refuse(entry));
  const refused = entries.filter((entry) => refuse(entry));
  const forwarded = new URLSearchParams(rest);
  kept.forEach((entry, i) => {
    for (const [field, value] of Object.entries(entry)) forwarded.append(`PublishBatchRequestEntries.member.${i + 1}.${field}`, value);
  });
  return { forwarded, kept, refused };
}

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Adds `Failed` members for the refused entries to a PublishBatch XML response. */
function withFailed(xml: string, refused: readonly PublishBatchEntry[]): string {
  const members = refused
    .map(
      (e) =>
        `<member><Id>${escapeXml(e.Id ?? '')}</Id><Code>InternalError</Code><SenderFault>false</SenderFault><Message>injected</Message></member>`,
    )
    .join('');
  if (xml.includes('<Failed/>')) return xml.replace('<Failed/>', `<Failed>${members}</Failed>`);
  if (xml.includes('</Failed>')) return xml.replace('</Failed>', `${members}</Failed>`);
  return xml.replace('</PublishBatchResult>', `<Failed>${members}</Failed></PublishBatchResult>`);
}

export class FaultProxy {
  readonly calls: Record<Service, number> = { ssm: 0, sns: 0, dynamodb: 0, sqs: 0, other: 0 };
  /** Every request's `service:Action` (e.g. `ssm:GetParameters`, `sns:PublishBatch`), in order, except `unlisted` ones. */
  readonly actions: string[] = [];
  /** Requests left out of `actions` (still counted, forwarded and faulted like any other). */
  unlisted?: (service: Service, body: string) => boolean;
  /** Services answered with HTTP 503 instead of being forwarded. */
  readonly failing = new Set<Service>();
  /** `service:Action`s (e.g. `dynamodb:DeleteItem`) answered with HTTP 503: one operation failing alone. */
  readonly failingActions = new Set<string>();
  /** Services answered with their throttling error instead of being forwarded. */
  readonly throttling = new Set<Service>();
  /** Services whose requests are read and never answered, until `releaseHung()` or `stop()`. */
  readonly hanging = new Set<Service>();
  /** Answer a PublishBatch that breaks SNS's documented limits as AWS does (400), instead of forwarding it. */
  enforceSnsLimits = true;
  /** Every PublishBatch refused for SNS's limits, in order. */
  readonly snsLimitRefusals: SnsLimitViolation[] = [];
  /** Services whose answers stop after the headers and half the body, until `releaseHung()` or `stop()`. */
  readonly stallingBody = new Set<Service>();
  /** SNS PublishBatch entries to refuse (listed as `Failed` in the response); the rest reach moto. */
  refusePublishEntry?: (entry: PublishBatchEntry) => boolean;
  /** `service:Action` → milliseconds: the next such request is applied at once and answered that late. */
  readonly answerLate = new Map<string, number>();
  /** `service:Action` → milliseconds: every such request is applied at once and answered that late. */
  readonly answerLateEvery = new Map<string, number>();
  private readonly hung = new Set<Socket>();
  private readonly lateTimers = new Set<NodeJS.Timeout>();
  private server?: Server;
  endpoint = '';

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const service = serviceOf(req);
      this.calls[service] += 1;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.handle(service, req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private handle(service: Service, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const action = actionOf(req, body);
    if (!this.unlisted?.(service, body.toString('utf8'))) this.actions.push(`${service}:${action}`);
    if (this.hanging.has(service)) {
      this.hung.add(req.socket);
      req.socket.once('close', () => this.hung.delete(req.socket));
      return;
    }
    if (this.failing.has(service) || this.failingActions.has(`${service}:${action}`)) {
      res.writeHead(503, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'ServiceUnavailable', message: `injected ${service} outage` }));
      return;
    }
    if (this.throttling.has(service)) {
      const { status, headers, body: errorBody } = throttlingResponse(service);
      res.writeHead(status, headers);
      res.end(errorBody);
      return;
    }
    if (service === 'sns' && action === 'PublishBatch' && this.enforceSnsLimits) {
      const refused = publishBatchRefusal(new URLSearchParams(body.toString('utf8')));
      if (refused) {
        this.snsLimitRefusals.push(refused);
        const { status, headers, body: errorBody } = snsErrorResponse(400, refused.code, refused.message);
        this.reply(res, status, headers, errorBody);
        return;
      }
    }
    if (this.stallingBody.has(service)) {
      this.forward(req, body, res, { stall: true });
      return;
    }
    const lateMs = this.answerLate.get(`${service}:${action}`) ?? this.answerLateEvery.get(`${service}:${action}`);
    if (lateMs !== undefined) {
      this.answerLate.delete(`${service}:${action}`);
      this.forward(req, body, res, { delayMs: lateMs });
      return;
    }
    const refuse = this.refusePublishEntry;
    if (service === 'sns' && action === 'PublishBatch' && refuse) {
      const { forwarded, kept, refused } = splitPublishBatch(new URLSearchParams(body.toString('utf8')), refuse);
      if (refused.length > 0) {
        if (kept.length === 0) {
          const requestId = randomUUID();
          const xml =
            '<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult><Successful/><Failed/></PublishBatchResult>' +
            `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishBatchResponse>`;
          this.reply(res, 200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, withFailed(xml, refused));
          return;
        }
        this.forward(req, Buffer.from(forwarded.toString(), 'utf8'), res, { rewrite: (xml) => withFailed(xml, refused) });
        return;
      }
    }
    this.forward(req, body, res);
  }

  private reply(res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: string): void {
    res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  /**
   * Sends the request on to moto; `rewrite` edits a successful response body, `delayMs` holds the answer
   * back, `stall` sends the status, the headers and half the body, then nothing more.
   */
  private forward(
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
    { rewrite, delayMs = 0, stall = false }: { rewrite?: (body: string) => string; delayMs?: number; stall?: boolean } = {},
  ): void {
    const target = new URL(this.target);
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, 'content-length': String(body.length) },
      },
      (upstreamRes) => {
        if (stall) {
          const chunks: Buffer[] = [];
          upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
          upstreamRes.on('end', () => this.stallAfterHeaders(req, res, upstreamRes, Buffer.concat(chunks)));
          return;
        }
        if (!rewrite && delayMs === 0) {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
          return;
        }
        const chunks: Buffer[] = [];
        upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstreamRes.on('end', () => {
          const { 'content-length': _length, 'transfer-encoding': _encoding, ...headers } = upstreamRes.headers;
          const status = upstreamRes.statusCode ?? 502;
          const text = Buffer.concat(chunks).toString('utf8');
          const timer = setTimeout(() => {
            this.lateTimers.delete(timer);
            if (res.destroyed || req.socket.destroyed) return; // the client gave up: the point of the fault
            this.reply(res, status, headers, rewrite && status === 200 ? rewrite(text) : text);
          }, delayMs);
          this.lateTimers.add(timer);
        });
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  }

  /** Answers with `upstream`'s status and headers and the first half of `body`, and never the rest. */
  private stallAfterHeaders(req: IncomingMessage, res: ServerResponse, upstream: IncomingMessage, body: Buffer): void {
    const { 'content-length': _length, 'transfer-encoding': _encoding, ...headers } = upstream.headers;
    // An empty body cannot stall by itself: announce one byte that never comes.
    res.writeHead(upstream.statusCode ?? 502, { ...headers, 'content-length': Math.max(1, body.length) });
    res.flushHeaders();
    res.write(body.subarray(0, Math.floor(body.length / 2)));
    this.hung.add(req.socket);
    req.socket.once('close', () => this.hung.delete(req.socket));
  }

  /** Ends every hung or stalled request by closing its connection (the client sees a reset). */
  releaseHung(): void {
    for (const socket of this.hung) socket.destroy();
    this.hung.clear();
  }

  resetCounts(): void {
    for (const key of Object.keys(this.calls) as Service[]) this.calls[key] = 0;
    this.actions.length = 0;
  }

  async stop(): Promise<void> {
    for (const timer of this.lateTimers) clearTimeout(timer);
    this.lateTimers.clear();
    this.releaseHung();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
