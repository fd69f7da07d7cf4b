/**
 * SNS's documented PublishBatch limits (lambda/sns-limits.ts): each rule accepts its boundary and refuses one
 * past it with the code AWS answers.
 */
import { checkPublishBatch, entryBytes, SNS_LIMITS, type BatchEntry } from '../../../lambda/sns-limits';

const entry = (overrides: Partial<BatchEntry> = {}): BatchEntry => ({
  Id: '0',
  Message: 'hello',
  Subject: 'Voximplant: balance low',
  MessageAttributes: { severity: { DataType: 'String', StringValue: 'critical' } },
  ...overrides,
});
const codeOf = (...entries: BatchEntry[]) => checkPublishBatch(entries)?.code;
const ids = (n: number) => Array.from({ length: n }, (_, i) => entry({ Id: `e${i}` }));

describe('entryBytes', () => {
  it('counts UTF-8 bytes of message, subject and every attribute name, type and value', () => {
    const sized = entry({
      Message: 'Жё🔔',
      Subject: 'ab',
      MessageAttributes: { k: { DataType: 'String', StringValue: 'é' }, b: { DataType: 'Binary', BinaryValue: new Uint8Array(5) } },
    });
    // Ж ё: 2 bytes each, 🔔: 4; subject 2; k + String + é = 1 + 6 + 2; b + Binary + 5 bytes = 1 + 6 + 5.
    expect(entryBytes(sized)).toBe(8 + 2 + 9 + 12);
  });
});

describe('checkPublishBatch', () => {
  it('accepts a well-formed batch', () => {
    expect(checkPublishBatch(ids(SNS_LIMITS.maxBatchEntries))).toBeUndefined();
  });

  it('refuses an empty batch and more than 10 entries', () => {
    expect(codeOf()).toBe('EmptyBatchRequest');
    expect(codeOf(...ids(11))).toBe('TooManyEntriesInBatchRequest');
  });

  it('refuses entry ids that repeat, are longer than 80 characters or hold other characters', () => {
    expect(codeOf(entry({ Id: 'a' }), entry({ Id: 'a' }))).toBe('BatchEntryIdsNotDistinct');
    expect(codeOf(entry({ Id: 'x'.repeat(80) }))).toBeUndefined();
    expect(codeOf(entry({ Id: 'x'.repeat(81) }))).toBe('InvalidBatchEntryId');
    expect(codeOf(entry({ Id: 'a-b_C9' }))).toBeUndefined();
    for (const Id of ['a.b', 'a b', '', 'é', undefined]) expect(codeOf(entry({ Id }))).toBe('InvalidBatchEntryId');
  });

  it('refuses subjects of 100 characters, with line breaks or control characters, non-ASCII, or starting with a space', () => {
    expect(codeOf(entry({ Subject: 'S'.repeat(99) }))).toBeUndefined();
    expect(codeOf(entry({ Subject: '!ok, punctuation first' }))).toBeUndefined();
    for (const Subject of ['S'.repeat(100), 'a\nb', 'a\rb', 'a\tb', 'a\u0007', 'Баланс', 'emoji 🔔', ' leading space', '']) {
      expect(codeOf(entry({ Subject }))).toBe('InvalidParameter');
    }
  });

  it('refuses an empty message, invalid UTF-16, and json messages without a string default', () => {
    expect(codeOf(entry({ Message: '' }))).toBe('InvalidParameter');
    expect(codeOf(entry({ Message: 'a\uD800b' }))).toBe('InvalidParameter');
    expect(codeOf(entry({ MessageStructure: 'json', Message: '{"default":"x","sms":"y"}' }))).toBeUndefined();
    for (const Message of ['not json', '["default"]', '{"email":"x"}', '{"default":1}']) {
      expect(codeOf(entry({ MessageStructure: 'json', Message }))).toBe('InvalidParameter');
    }
    expect(codeOf(entry({ MessageStructure: 'xml' }))).toBe('InvalidParameter');
  });

  it('refuses more than 10 attributes and names SNS reserves or cannot take', () => {
    const attributes = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));
    expect(codeOf(entry({ MessageAttributes: attributes(10) }))).toBeUndefined();
    expect(codeOf(entry({ MessageAttributes: attributes(11) }))).toBe('InvalidParameter');
    expect(codeOf(entry({ MessageAttributes: { 'callback_type.v-2': { DataType: 'String', StringValue: 'v' } } }))).toBeUndefined();
    for (const name of ['.a', 'a.', 'a..b', 'AWS.x', 'amazon.x', 'a b', 'é', 'n'.repeat(257)]) {
      expect(codeOf(entry({ MessageAttributes: { [name]: { DataType: 'String', StringValue: 'v' } } }))).toBe('InvalidParameter');
    }
  });

  it('refuses attribute values SNS cannot type', () => {
    const one = (DataType: string | undefined, value: { StringValue?: string; BinaryValue?: Uint8Array }) =>
      codeOf(entry({ MessageAttributes: { a: { DataType, ...value } } }));
    expect(one('Number', { StringValue: '-12.5' })).toBeUndefined();
    expect(one('String.Array', { StringValue: '["a",1]' })).toBeUndefined();
    expect(one('Binary', { BinaryValue: new Uint8Array([1]) })).toBeUndefined();
    expect(one('String', { StringValue: '' })).toBe('ParameterValueInvalid');
    expect(one('String', {})).toBe('ParameterValueInvalid');
    expect(one('String', { StringValue: '\uDC00' })).toBe('ParameterValueInvalid');
    expect(one('Number', { StringValue: 'twelve' })).toBe('ParameterValueInvalid');
    expect(one('String.Array', { StringValue: '{"a":1}' })).toBe('ParameterValueInvalid');
    expect(one('Binary', { BinaryValue: new Uint8Array(0) })).toBe('ParameterValueInvalid');
    expect(one('Text', { StringValue: 'v' })).toBe('ParameterValueInvalid');
    expect(one(undefined, { StringValue: 'v' })).toBe('ParameterValueInvalid');
  });

  it('refuses one message over 262,144 bytes, counting subject and attributes, and accepts one at the limit', () => {
    const base = entryBytes(entry({ Message: '' }));
    expect(codeOf(entry({ Message: 'x'.repeat(SNS_LIMITS.maxMessageBytes - base) }))).toBeUndefined();
    expect(codeOf(entry({ Message: 'x'.repeat(SNS_LIMITS.maxMessageBytes - base + 1) }))).toBe('InvalidParameter');
    // In bytes, not characters: 131,073 two-byte characters are 262,146 bytes.
    expect(codeOf(entry({ Message: 'Ж'.repeat(131_073), Subject: undefined, MessageAttributes: undefined }))).toBe('InvalidParameter');
  });

  it('refuses a call whose messages together exceed 262,144 bytes although each fits', () => {
    const base = entryBytes(entry({ Message: '' }));
    const half = (Id: string, extra = 0) => entry({ Id, Message: 'x'.repeat(SNS_LIMITS.maxBatchBytes / 2 - base + extra) });
    expect(codeOf(half('a'), half('b'))).toBeUndefined();
    expect(checkPublishBatch([half('a'), half('b', 1)])).toEqual({
      code: 'BatchRequestTooLong',
      message: `the batch's messages total ${SNS_LIMITS.maxBatchBytes + 1} bytes, at most ${SNS_LIMITS.maxBatchBytes}`,
    });
  });
});
