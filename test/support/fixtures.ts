/** Test-only fixtures; the test vector, secrets and httpEvent live in local/fixtures.ts (the bench uses them too). */
import type { SQSRecord } from 'aws-lambda';
import { encodeParked } from '../../lambda/aws/parked-codec';

/**
 * An SQS record of a parked request as Lambda's event source hands it over (message attributes from
 * encodeParked); `legacy`: parked by an earlier version, without the `verified` attribute.
 */
export function parkedRecord(
  body: string,
  options: { id?: string; receiveCount?: number; receivedAt?: number; verified?: boolean; legacy?: boolean } = {},
): SQSRecord {
  const encoded = encodeParked({ body, receivedAt: options.receivedAt ?? 1_700_000_000_000, verified: options.verified ?? false });
  const { body: messageBody } = encoded;
  const attributes = Object.fromEntries(Object.entries(encoded.attributes).filter(([name]) => !options.legacy || name !== 'verified'));
  return {
    messageId: options.id ?? 'm1',
    receiptHandle: `rh-${options.id ?? 'm1'}`,
    body: messageBody,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: '1700000000000',
      SenderId: 'x',
      ApproximateFirstReceiveTimestamp: '1700000000000',
    },
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [k, { stringValue: v, dataType: 'String', stringListValues: [], binaryListValues: [] }]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:retry',
    awsRegion: 'us-east-1',
  };
}

/**
 * Incidents off (INCIDENT_TABLE_NAME empty: a supported configuration, every alert a one-off), for the suites whose
 * subject is each callback's own alert and that send many min_balance callbacks, which incidents would fold into
 * one by design. Incidents on moto: test/integration/incidents.test.ts and bundle.test.ts.
 */
export const INCIDENTS_OFF = { INCIDENT_TABLE_NAME: '' } as const;
