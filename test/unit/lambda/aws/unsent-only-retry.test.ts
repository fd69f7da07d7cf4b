/**
 * The SNS client's retry strategy: what may have arrived is never re-sent, what provably did not is retried.
 * The classification on its own, then a real SNSClient (with handler.ts's timeouts, shortened) against a
 * local HTTP server that counts the requests it receives.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { mayHaveArrived, UnsentOnlyRetryStrategy } from '../../../../lambda/aws/unsent-only-retry';

const error = (fields: Record<string, unknown>, message = 'x') => Object.assign(new Error(message), fields);

describe('mayHaveArrived', () => {
  it.each([
    [
      'the request timeout (after connecting)',
      error({ name: 'TimeoutError', code: 'ETIMEDOUT' }, 'a request has exceeded the configured 1500 ms requestTimeout.'),
    ],
    ['the socket timeout', error({ name: 'TimeoutError' }, 'the request socket timed out after 1000 ms of inactivity')],
    ['a reset mid-request', error({ name: 'TimeoutError', code: 'ECONNRESET' }, 'socket hang up')],
    ['a broken pipe while writing', error({ code: 'EPIPE' })],
    ['an abort (a deadline)', error({ name: 'AbortError' })],
    // What the SDK throws when a deadline aborts a 200 whose body stalled (measured with fault 14's proxy).
    ['a 200 whose body never completed', error({ name: 'Error', $metadata: { httpStatusCode: 200 } }, 'aborted\n  Deserialization error')],
  ])('true for %s', (_, e) => expect(mayHaveArrived(e)).toBe(true));

  it.each([
    ['an answer: 503', error({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } })],
    ['an answer: a throttle', error({ name: 'Throttled', $metadata: { httpStatusCode: 429 } })],
    ['an answer: the service timed out reading the request', error({ name: 'RequestTimeout', $metadata: { httpStatusCode: 400 } })],
    ['a refused connection', error({ code: 'ECONNREFUSED' })],
    ['a failed DNS lookup', error({ code: 'ENOTFOUND' })],
    [
      'the connection timeout',
      error(
        { name: 'TimeoutError' },
        '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 1000 ms.',
      ),
    ],
    ['a serialization error', new TypeError('Invalid string')],
    ['something not an error', 'boom'],
  ])('false for %s', (_, e) => expect(mayHaveArrived(e)).toBe(false));
});

describe('UnsentOnlyRetryStrategy on a real SNSClient', () => {
  let server: Server;
  let received = 0;
  /** How the server treats each request: answer 503, or read it and answer after the client gave up. */
  let mode: 'unavailable' | 'late' = 'unavailable';

  beforeAll(async () => {
    server = createServer((req, res) => {
      received += 1;
      req.resume();
      req.on('end', () => {
        if (mode === 'late') return void setTimeout(() => res.destroyed || res.end(), 1_000).unref();
        res.writeHead(503, { 'content-type': 'text/xml' });
        res.end(
          '<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>down</Message></Error></ErrorResponse>',
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => (received = 0));

  function client() {
    return new SNSClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      maxAttempts: 2,
      retryStrategy: new UnsentOnlyRetryStrategy(2),
      requestHandler: { connectionTimeout: 1000, requestTimeout: 200, throwOnRequestTimeout: true },
    });
  }
  /** One PublishBatch through `sns` (destroyed afterwards); resolves to what it threw. */
  async function failureOf(sns: SNSClient): Promise<unknown> {
    const command = new PublishBatchCommand({
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      PublishBatchRequestEntries: [{ Id: '0', Message: 'm' }],
    });
    try {
      return await sns.send(command).then(
        () => undefined,
        (e: unknown) => e,
      );
    } finally {
      sns.destroy();
    }
  }

  it('retries a 5xx answer (2 attempts in all)', async () => {
    mode = 'unavailable';
    const failure = await failureOf(client());
    expect(received).toBe(2);
    expect(mayHaveArrived(failure)).toBe(false);
  });

  it('never re-sends a request whose answer did not come in time, and its error reads as an unknown outcome', async () => {
    mode = 'late';
    const failure = await failureOf(client());
    expect(received).toBe(1);
    expect(failure).toMatchObject({ name: 'TimeoutError' });
    expect(mayHaveArrived(failure)).toBe(true);
  });

  it('retries when nothing listens (connection refused): 2 attempts, a refusal, not an unknown outcome', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const failure = await failureOf(
      new SNSClient({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 2, retryStrategy: new UnsentOnlyRetryStrategy(2) }),
    );
    // Under jest, Node's own errors come from another realm and the SDK wraps them (asSdkError), keeping the message.
    expect(String((failure as Error).message)).toContain('ECONNREFUSED');
    expect(failure).toMatchObject({ $metadata: { attempts: 2 } });
    expect(mayHaveArrived(failure)).toBe(false);
  });
});
