/** The parked-message codec (lambda/aws/parked-codec.ts): SQS message bodies and attributes round-trip. */
import { decodeParked, encodeParked } from '../../../../lambda/aws/parked-codec';
import { parkedRecord as record } from '../../../support/fixtures';

describe('parked message codec', () => {
  it.each([
    ['plain JSON', '{"callbacks":[1]}'],
    ['non-ASCII text', '{"callbacks":["é ✓ 😀"]}'],
    ['characters SQS refuses', '{"callbacks":["\u0000\u0001\uFFFE"]}'],
  ])('round-trips %s', (_name, body) => {
    expect(decodeParked(record(body, { receivedAt: 42 }))).toEqual({ body, receivedAt: 42, verified: false });
    expect(decodeParked(record(body, { receivedAt: 42, verified: true }))).toEqual({ body, receivedAt: 42, verified: true });
  });

  it('reads a message parked before the verified attribute existed as unverified (verified again)', () => {
    expect(decodeParked(record('{"callbacks":[1]}', { legacy: true })).verified).toBe(false);
  });

  it('uses base64 only when SQS would refuse the body', () => {
    expect(encodeParked({ body: '{"a":"é"}', receivedAt: 1, verified: true }).attributes.bodyEncoding).toBe('utf8');
    expect(encodeParked({ body: '{"a":"\u0001"}', receivedAt: 1, verified: true }).attributes.bodyEncoding).toBe('base64');
  });
});
