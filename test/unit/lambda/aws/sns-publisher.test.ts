/**
 * lambda/aws/sns-publisher.ts against a stubbed SNS client (aws-sdk-client-mock): exact requests and how each
 * answer sorts alerts into published, failed and ambiguous.
 */
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { Alert } from '../../../../lambda/model';
import { SnsPublisher } from '../../../../lambda/aws/sns-publisher';
import { FakeSnsTopic, MemoryLog } from '../../../support/fakes';
import { signalsOf } from '../../../support/sdk-calls';

const sns = mockClient(SNSClient);
beforeEach(() => sns.reset());

describe('SnsPublisher', () => {
  const alert = (callbackId: number): Alert => ({
    accountId: 1234567,
    callbackId,
    type: 'min_balance',
    severity: 'critical',
    subject: 'Voximplant: balance low',
    email: 'Your balance is low.',
    sms: 'Balance low',
  });

  const publisher = () => new SnsPublisher(new SNSClient({}), 'arn:topic', new MemoryLog());
  /** SNS's own checks (lambda/sns-limits.ts) answer every PublishBatch the stubbed client sends. */
  function topic() {
    const fake = new FakeSnsTopic();
    sns.on(PublishBatchCommand).callsFake((input) => fake.publishBatch(input));
    return fake;
  }

  it('sends one entry per alert: email, SMS and the alert as JSON, with filterable attributes', async () => {
    const fake = topic();
    await publisher().publish([alert(1)]);
    const [[entry]] = fake.calls;
    expect(entry).toMatchObject({
      Id: '0',
      Subject: 'Voximplant: balance low',
      MessageStructure: 'json',
      MessageAttributes: {
        callback_type: { DataType: 'String', StringValue: 'min_balance' },
        severity: { DataType: 'String', StringValue: 'critical' },
      },
    });
    const message = JSON.parse(entry.Message!);
    expect(message).toEqual({ default: JSON.stringify(alert(1)), email: 'Your balance is low.', sms: 'Balance low' });
  });

  it('publishes in calls of at most 10, in order', async () => {
    const fake = topic();
    const alerts = Array.from({ length: 23 }, (_, i) => alert(i));
    const result = await publisher().publish(alerts);
    expect(fake.calls.map((call) => call.length)).toEqual([10, 10, 3]);
    expect(fake.refused).toEqual([]);
    expect(result.published.map((a) => a.callbackId)).toEqual(alerts.map((a) => a.callbackId));
  });

  it('packs by bytes: ten alerts of 60 KB each go out in calls SNS accepts, the first one in the first call', async () => {
    const fake = topic();
    const big = (callbackId: number): Alert => ({ ...alert(callbackId), email: 'Ж'.repeat(15_000) }); // 30 KB, twice in the entry
    const alerts = Array.from({ length: 10 }, (_, i) => big(i));
    const result = await publisher().publish(alerts);
    expect(fake.refused).toEqual([]);
    expect(fake.calls.length).toBeGreaterThan(1);
    expect(JSON.parse(JSON.parse(fake.calls[0][0].Message!).default).callbackId).toBe(0);
    expect(result).toEqual({ published: alerts, failed: [], ambiguous: [] });
  });

  it('reports the entries SNS refused, and a whole batch when the call fails', async () => {
    sns
      .on(PublishBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .rejects(new Error('down'));
    const publisher = new SnsPublisher(new SNSClient({}), 'arn:topic', new MemoryLog());
    const partial = await publisher.publish([alert(1), alert(2), alert(3)]);
    expect(partial.failed.map((a) => a.callbackId)).toEqual([2]);
    expect(partial.published.map((a) => a.callbackId)).toEqual([1, 3]);
    const down = await publisher.publish([alert(4)]);
    expect(down).toEqual({ published: [], failed: [alert(4)], ambiguous: [] });
  });

  it('reports a batch whose call timed out or was cut off after sending as ambiguous, not failed', async () => {
    const timedOut = Object.assign(new Error('a request has exceeded the configured 1500 ms requestTimeout.'), {
      name: 'TimeoutError',
      code: 'ETIMEDOUT',
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });
    sns.on(PublishBatchCommand).rejectsOnce(timedOut).rejectsOnce(refused);
    const log = new MemoryLog();
    const publisher = new SnsPublisher(new SNSClient({}), 'arn:topic', log);
    expect(await publisher.publish([alert(5)])).toEqual({ published: [], failed: [], ambiguous: [alert(5)] });
    expect(await publisher.publish([alert(6)])).toEqual({ published: [], failed: [alert(6)], ambiguous: [] });
    expect(log.lines.map((l) => l.message)).toEqual(['SNS PublishBatch outcome unknown', 'SNS PublishBatch failed']);
  });

  it("passes the caller's signal to every SDK call, so the whole response is bounded", async () => {
    const { signal } = new AbortController();
    sns.on(PublishBatchCommand).resolves({ Successful: [], Failed: [] });
    const alert: Alert = { accountId: 1, callbackId: 2, type: 'min_balance', severity: 'critical', subject: 's', email: 'e', sms: 's' };
    await new SnsPublisher(new SNSClient({}), 'arn:topic', new MemoryLog()).publish([alert], signal);
    expect(signalsOf(sns)).toEqual([signal]);
  });
});
