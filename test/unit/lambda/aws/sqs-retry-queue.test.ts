/**
 * lambda/aws/sqs-retry-queue.ts against a stubbed SQS client (aws-sdk-client-mock): parking and backoff requests.
 */
import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsRetryQueue } from '../../../../lambda/aws/sqs-retry-queue';
import { MemoryLog } from '../../../support/fakes';
import { signalsOf } from '../../../support/sdk-calls';

const sqs = mockClient(SQSClient);
beforeEach(() => sqs.reset());

describe('SqsRetryQueue', () => {
  const queue = (log = new MemoryLog()) => new SqsRetryQueue(() => new SQSClient({}), 'https://sqs/retry', log);

  it('parks the raw body with its receive time as message attributes', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    await queue().park({ body: '{"callbacks":[1]}', receivedAt: 1234, verified: true });
    expect(sqs.commandCalls(SendMessageCommand)[0].args[0].input).toEqual({
      QueueUrl: 'https://sqs/retry',
      MessageBody: '{"callbacks":[1]}',
      MessageAttributes: {
        receivedAt: { DataType: 'String', StringValue: '1234' },
        bodyEncoding: { DataType: 'String', StringValue: 'utf8' },
        verified: { DataType: 'String', StringValue: 'true' },
      },
    });
  });

  it('lets a parking failure through, so the webhook can answer 503', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('down'));
    await expect(queue().park({ body: '{}', receivedAt: 1, verified: false })).rejects.toThrow('down');
  });

  it('backs off by changing visibility timeouts in batches of at most 10 (the SQS limit), and never throws', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).resolvesOnce({ Successful: [], Failed: [] }).rejects(new Error('down'));
    const log = new MemoryLog();
    const delays = Array.from({ length: 12 }, (_, i) => ({ receiptHandle: `rh${i}`, seconds: 30 * (i + 1) }));
    await expect(queue(log).backoff(delays)).resolves.toBeUndefined();
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.Entries?.length)).toEqual([10, 2]);
    expect(calls[1]).toEqual({
      QueueUrl: 'https://sqs/retry',
      Entries: [
        { Id: '0', ReceiptHandle: 'rh10', VisibilityTimeout: 330 },
        { Id: '1', ReceiptHandle: 'rh11', VisibilityTimeout: 360 },
      ],
    });
    expect(log.lines).toHaveLength(1); // the second call failed
  });

  it('logs the entries SQS could not delay', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({
      Successful: [{ Id: '0' }],
      Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', SenderFault: true, Message: 'invalid' }],
    });
    const log = new MemoryLog();
    await queue(log).backoff([
      { receiptHandle: 'a', seconds: 30 },
      { receiptHandle: 'b', seconds: 30 },
    ]);
    expect(log.lines).toEqual([expect.objectContaining({ message: 'Could not delay the retry' })]);
    expect(log.text()).toContain('ReceiptHandleIsInvalid');
  });

  it("passes the caller's signal to every SDK call, so the whole response is bounded", async () => {
    const { signal } = new AbortController();
    sqs
      .on(SendMessageCommand)
      .resolves({ MessageId: 'm' })
      .on(ChangeMessageVisibilityBatchCommand)
      .resolves({ Successful: [], Failed: [] });
    const queue = new SqsRetryQueue(() => new SQSClient({}), 'https://sqs/retry', new MemoryLog());
    await queue.park({ body: '{}', receivedAt: 1, verified: true }, signal);
    await queue.backoff([{ receiptHandle: 'a', seconds: 30 }], signal);
    expect(signalsOf(sqs)).toEqual([signal, signal]);
  });
});
