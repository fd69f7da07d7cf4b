/**
 * An in-process AWS for the warm-path benchmark: replaces NodeHttpHandler.prototype.handle (the one place
 * where every SDK v3 client in Node.js leaves the process) with canned responses, and counts the calls.
 * Everything above the socket still runs: middleware, endpoint resolution, SigV4 signing, serialization
 * and deserialization. Must be installed before the handler (and so the SDK clients) is imported.
 *
 * Protocols (see each client's runtimeConfig.shared in node_modules): SSM is awsJson1_1, DynamoDB is
 * awsJson1_0 and SQS is awsJson1_0 too (all select the operation with X-Amz-Target); SNS is awsQuery (form
 * body, XML answer).
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { HttpResponse, type HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { parameterNames } from '../lambda/config';
import type { VoxSecrets } from '../local/provision';

export interface CallCounts {
  ssm: number;
  dynamodb: number;
  sns: number;
  /** The retry queue: SendMessage when a request is parked (never on the success path). */
  sqs: number;
  /** By operation, e.g. `DynamoDB.PutItem`. */
  readonly operations: Record<string, number>;
  /** Messages in all PublishBatch calls. */
  snsMessages: number;
}

export interface PublishedPayload {
  /** Per PublishBatch call: the bytes SNS bills (message body + subject + attribute names, types and values). */
  readonly batchBytes: number;
  readonly messages: number;
}

export interface Stub {
  readonly counts: CallCounts;
  /** Copies the counters, so a caller can subtract before from after. */
  snapshot(): CallCounts;
  /** When on, every PublishBatch's billed payload is measured (costly: leave it off while timing). */
  measurePayload: boolean;
  readonly payloads: PublishedPayload[];
  restore(): void;
}

function emptyCounts(): CallCounts {
  return { ssm: 0, dynamodb: 0, sns: 0, sqs: 0, snsMessages: 0, operations: {} };
}

function respond(statusCode: number, contentType: string, body: string): { response: HttpResponse } {
  const bytes = Buffer.from(body, 'utf8');
  return {
    response: new HttpResponse({
      statusCode,
      headers: { 'content-type': contentType, 'content-length': String(bytes.length), 'x-amzn-requestid': 'bench-stub' },
      // A stream, like the IncomingMessage the real handler returns, so the SDK's stream collector runs too.
      body: Readable.from([bytes], { objectMode: false }),
    }),
  };
}

const ENTRY_ID = /PublishBatchRequestEntries\.member\.(\d+)\.Id=([^&]*)/g;

/** What SNS bills for one PublishBatch: the sum over entries of message, subject and attributes. */
function billedBytes(form: URLSearchParams): PublishedPayload {
  let bytes = 0;
  let messages = 0;
  for (const [key, value] of form) {
    if (!key.startsWith('PublishBatchRequestEntries.member.')) continue;
    if (key.endsWith('.Id')) messages += 1;
    if (/\.(Message|Subject)$/.test(key) || /\.MessageAttributes\.entry\.\d+\.(Name|Value\.DataType|Value\.StringValue)$/.test(key)) {
      bytes += Buffer.byteLength(value, 'utf8');
    }
  }
  return { batchBytes: bytes, messages };
}

export function installStub(secrets: VoxSecrets, parameterPrefix: string): Stub {
  const names = parameterNames(parameterPrefix);
  const parameters = [
    { Name: names.salt, Type: 'SecureString', Value: secrets.salt, Version: 1 },
    { Name: names.accountId, Type: 'String', Value: secrets.accountId, Version: 1 },
    { Name: names.apiKey, Type: 'SecureString', Value: secrets.apiKey, Version: 1 },
  ];
  const getParameters = JSON.stringify({ Parameters: parameters, InvalidParameters: [names.saltPrevious, names.apiKeyPrevious] });

  const stub: Stub = {
    counts: emptyCounts(),
    snapshot() {
      return { ...stub.counts, operations: { ...stub.counts.operations } };
    },
    measurePayload: false,
    payloads: [],
    restore() {
      NodeHttpHandler.prototype.handle = original;
    },
  };
  const count = (service: 'ssm' | 'dynamodb' | 'sns' | 'sqs', operation: string) => {
    stub.counts[service] += 1;
    stub.counts.operations[operation] = (stub.counts.operations[operation] ?? 0) + 1;
  };

  const original = NodeHttpHandler.prototype.handle;
  NodeHttpHandler.prototype.handle = async function handle(request: HttpRequest) {
    const target = request.headers['x-amz-target'];
    if (target !== undefined) {
      const [prefix, operation] = target.split('.');
      if (prefix === 'AmazonSSM') {
        count('ssm', `SSM.${operation}`);
        if (operation === 'GetParameters') return respond(200, 'application/x-amz-json-1.1', getParameters);
      } else if (prefix.startsWith('DynamoDB_')) {
        count('dynamodb', `DynamoDB.${operation}`);
        // GetItem: no item (the incident table's read before an opening's conditional put); the writes succeed.
        if (operation === 'GetItem' || operation === 'PutItem' || operation === 'UpdateItem' || operation === 'DeleteItem') {
          return respond(200, 'application/x-amz-json-1.0', '{}');
        }
      } else if (prefix === 'AmazonSQS') {
        count('sqs', `SQS.${operation}`);
        if (operation === 'SendMessage') {
          // The SDK checks MD5OfMessageBody against what it sent.
          const { MessageBody = '' } = JSON.parse(String(request.body)) as { MessageBody?: string };
          const md5 = createHash('md5').update(MessageBody, 'utf8').digest('hex');
          return respond(
            200,
            'application/x-amz-json-1.0',
            JSON.stringify({ MessageId: '00000000-0000-4000-8000-000000000000', MD5OfMessageBody: md5 }),
          );
        }
        if (operation === 'ChangeMessageVisibility') return respond(200, 'application/x-amz-json-1.0', '{}');
      }
      throw new Error(`bench stub: no canned answer for ${target}`);
    }
    const body = typeof request.body === 'string' ? request.body : String(request.body ?? '');
    if (body.startsWith('Action=PublishBatch&')) {
      count('sns', 'SNS.PublishBatch');
      if (stub.measurePayload) stub.payloads.push(billedBytes(new URLSearchParams(body)));
      let successful = '';
      let messages = 0;
      for (const match of body.matchAll(ENTRY_ID)) {
        messages += 1;
        successful += `<member><Id>${match[2]}</Id><MessageId>00000000-0000-4000-8000-${match[1].padStart(12, '0')}</MessageId></member>`;
      }
      stub.counts.snsMessages += messages;
      return respond(
        200,
        'text/xml',
        '<PublishBatchResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishBatchResult>' +
          `<Successful>${successful}</Successful><Failed/></PublishBatchResult>` +
          '<ResponseMetadata><RequestId>bench-stub</RequestId></ResponseMetadata></PublishBatchResponse>',
      );
    }
    throw new Error(`bench stub: unexpected request to ${request.hostname}${request.path}: ${body.slice(0, 80)}`);
  } as typeof original;
  return stub;
}
