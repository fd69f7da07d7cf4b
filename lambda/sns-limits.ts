/**
 * SNS's documented limits on `PublishBatch`, as constants and as one checker. Pure: no AWS imports, no I/O.
 * The publisher sizes its calls with `entryBytes` and the constants; the tests' SNS double
 * (test/support/fakes.ts) and the check in front of moto (test/support/fault-proxy.ts) refuse what
 * `checkPublishBatch` refuses, with the error code AWS answers, because moto enforces almost none of it.
 *
 * Sources (Amazon SNS API Reference and Developer Guide, public pages):
 * - PublishBatch, https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html: at most 10 entries
 *   (TooManyEntriesInBatchRequest); "the maximum allowed individual message size and the maximum total payload
 *   size (the sum of the individual lengths of all of the batched messages) are both 256 KiB (262,144 bytes)",
 *   by default (the topic's MaximumMessageSize); "the combined size of all messages in the batch, including
 *   each message's body and attributes" must not exceed it (BatchRequestTooLong); errors EmptyBatchRequest,
 *   BatchEntryIdsNotDistinct, InvalidBatchEntryId.
 * - PublishBatchRequestEntry, https://docs.aws.amazon.com/sns/latest/api/API_PublishBatchRequestEntry.html:
 *   the Id is unique within the request, up to 80 characters of alphanumerics, hyphens and underscores; the
 *   Subject is "ASCII text that begins with a letter, number, or punctuation mark; must not include line
 *   breaks or control characters; and must be less than 100 characters long"; MessageStructure `json` needs
 *   a JSON object with a string `default` key.
 * - Publish, https://docs.aws.amazon.com/sns/latest/api/API_Publish.html: messages are UTF-8 strings of at
 *   most 262,144 bytes ("not 262,144 characters"); protocol keys of a `json` message must be strings.
 * - MessageAttributeValue, https://docs.aws.amazon.com/sns/latest/api/API_MessageAttributeValue.html: name,
 *   type and value must not be empty; "all parts of the message attribute, including name, type, and value,
 *   are included in the message size restriction"; data types String, String.Array, Number, Binary.
 * - Amazon SNS message attributes, https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html:
 *   names of A-Z, a-z, 0-9, `_`, `-`, `.`, not starting or ending with a period, no `..`, not starting with
 *   `AWS.` or `Amazon.` (any case), up to 256 characters; a data type of up to 256 bytes; up to 10 attributes
 *   per message (the limit for raw delivery to SQS, where more are discarded as client errors).
 */

/** SNS's limits on one PublishBatch call (topic defaults; this stack never raises MaximumMessageSize). */
export const SNS_LIMITS = {
  /** Entries per PublishBatch call. */
  maxBatchEntries: 10,
  /** Bytes of one message: body, subject and attributes (names, types, values). */
  maxMessageBytes: 262_144,
  /** Bytes of all the messages of one call together, counted the same way. */
  maxBatchBytes: 262_144,
  /** Subject characters: "less than 100". */
  maxSubjectChars: 99,
  maxEntryIdChars: 80,
  maxAttributes: 10,
  maxAttributeNameChars: 256,
  maxAttributeTypeBytes: 256,
} as const;

/** One entry as the SDK's `PublishBatchRequestEntry` has it (structurally compatible, no SDK import). */
export interface BatchEntry {
  readonly Id: string | undefined;
  readonly Message: string | undefined;
  readonly Subject?: string;
  readonly MessageStructure?: string;
  readonly MessageAttributes?: Readonly<Record<string, AttributeValue>>;
}

export interface AttributeValue {
  readonly DataType: string | undefined;
  readonly StringValue?: string;
  readonly BinaryValue?: Uint8Array;
}

/** The error codes SNS answers a refused PublishBatch with (Query protocol `Code`, HTTP 400). */
export type SnsLimitCode =
  | 'EmptyBatchRequest'
  | 'TooManyEntriesInBatchRequest'
  | 'BatchRequestTooLong'
  | 'BatchEntryIdsNotDistinct'
  | 'InvalidBatchEntryId'
  | 'InvalidParameter'
  | 'ParameterValueInvalid';

/** Why SNS would refuse a whole PublishBatch call. */
export interface SnsLimitViolation {
  readonly code: SnsLimitCode;
  readonly message: string;
}

const utf8 = (text: string | undefined): number => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));

/**
 * The bytes SNS counts against the size limits for one entry: the UTF-8 bytes of the message and the
 * subject, and of every attribute's name, data type and value (binary values by their length).
 */
export function entryBytes(entry: BatchEntry): number {
  let bytes = utf8(entry.Message) + utf8(entry.Subject);
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    bytes += utf8(name) + utf8(value.DataType) + utf8(value.StringValue) + (value.BinaryValue?.byteLength ?? 0);
  }
  return bytes;
}

const ENTRY_ID = /^[A-Za-z0-9_-]+$/;
/** Printable ASCII, the first character not a space (a letter, number or punctuation mark). */
const SUBJECT = /^[\x21-\x7E][\x20-\x7E]*$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;
const DATA_TYPES = new Set(['String', 'String.Array', 'Number', 'Binary']);
/** A lone surrogate has no UTF-8 encoding: SNS cannot take it as text. */
const LONE_SURROGATE = /\p{Cs}/u;

const violation = (code: SnsLimitCode, message: string): SnsLimitViolation => ({ code, message });

function checkAttributes(id: string, attributes: Readonly<Record<string, AttributeValue>>): SnsLimitViolation | undefined {
  const names = Object.keys(attributes);
  if (names.length > SNS_LIMITS.maxAttributes) {
    return violation('InvalidParameter', `entry ${id}: ${names.length} message attributes, at most ${SNS_LIMITS.maxAttributes}`);
  }
  for (const name of names) {
    const bad = (why: string) => violation('InvalidParameter', `entry ${id}: message attribute name "${name.slice(0, 40)}" ${why}`);
    if (name.length === 0 || name.length > SNS_LIMITS.maxAttributeNameChars)
      return bad(`must have 1 to ${SNS_LIMITS.maxAttributeNameChars} characters`);
    if (!ATTRIBUTE_NAME.test(name)) return bad('may hold only A-Z, a-z, 0-9, _, - and .');
    if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) return bad('must not start or end with a period or hold ".."');
    if (/^(aws|amazon)\./i.test(name)) return bad('must not start with the reserved AWS. or Amazon. prefix');
    const { DataType, StringValue, BinaryValue } = attributes[name];
    const badValue = (why: string) => violation('ParameterValueInvalid', `entry ${id}: message attribute "${name}" ${why}`);
    if (DataType === undefined || !DATA_TYPES.has(DataType) || utf8(DataType) > SNS_LIMITS.maxAttributeTypeBytes) {
      return badValue(`has data type "${String(DataType).slice(0, 40)}"; expected String, String.Array, Number or Binary`);
    }
    if (DataType === 'Binary') {
      if (!BinaryValue || BinaryValue.byteLength === 0) return badValue('is Binary without a value');
      continue;
    }
    if (StringValue === undefined || StringValue === '') return badValue('has an empty value');
    if (LONE_SURROGATE.test(StringValue)) return badValue('is not valid Unicode');
    if (DataType === 'Number' && !Number.isFinite(Number(StringValue))) return badValue('is not a number');
    if (DataType === 'String.Array') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(StringValue);
      } catch {
        parsed = undefined;
      }
      if (!Array.isArray(parsed)) return badValue('is not a JSON array');
    }
  }
  return undefined;
}

function checkMessage(id: string, entry: BatchEntry): SnsLimitViolation | undefined {
  const { Message, MessageStructure } = entry;
  if (Message === undefined || Message === '') return violation('InvalidParameter', `entry ${id}: empty message`);
  if (LONE_SURROGATE.test(Message)) return violation('InvalidParameter', `entry ${id}: the message is not valid UTF-8`);
  if (MessageStructure === undefined) return undefined;
  if (MessageStructure !== 'json') return violation('InvalidParameter', `entry ${id}: MessageStructure must be "json"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Message);
  } catch {
    return violation('InvalidParameter', `entry ${id}: MessageStructure is json but the message is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return violation('InvalidParameter', `entry ${id}: a json message must be a JSON object`);
  }
  if (typeof (parsed as Record<string, unknown>).default !== 'string') {
    return violation('InvalidParameter', `entry ${id}: a json message needs a string "default" key`);
  }
  return undefined;
}

function checkEntry(entry: BatchEntry): SnsLimitViolation | undefined {
  const id = String(entry.Id);
  const message = checkMessage(id, entry);
  if (message) return message;
  const { Subject } = entry;
  if (Subject !== undefined && (Subject.length > SNS_LIMITS.maxSubjectChars || !SUBJECT.test(Subject))) {
    return violation(
      'InvalidParameter',
      `entry ${id}: the subject must be printable ASCII of 1 to ${SNS_LIMITS.maxSubjectChars} characters starting with a letter, number or punctuation mark, without line breaks`,
    );
  }
  const attributes = checkAttributes(id, entry.MessageAttributes ?? {});
  if (attributes) return attributes;
  const bytes = entryBytes(entry);
  if (bytes > SNS_LIMITS.maxMessageBytes) {
    return violation('InvalidParameter', `entry ${id}: message too long (${bytes} bytes, at most ${SNS_LIMITS.maxMessageBytes})`);
  }
  return undefined;
}

/**
 * What SNS would answer a PublishBatch call with these entries: the first rule broken (an error that refuses
 * the whole call, HTTP 400), or undefined when SNS would accept the call. Checks, in this order: the number
 * of entries, the entry ids, each entry (message, subject, attributes, size), then the call's total size.
 */
export function checkPublishBatch(entries: readonly BatchEntry[]): SnsLimitViolation | undefined {
  if (entries.length === 0) return violation('EmptyBatchRequest', 'the batch request has no entries');
  if (entries.length > SNS_LIMITS.maxBatchEntries) {
    return violation('TooManyEntriesInBatchRequest', `${entries.length} entries, at most ${SNS_LIMITS.maxBatchEntries}`);
  }
  const ids = new Set<string>();
  for (const { Id } of entries) {
    if (Id === undefined || Id.length > SNS_LIMITS.maxEntryIdChars || !ENTRY_ID.test(Id)) {
      return violation(
        'InvalidBatchEntryId',
        `entry id "${String(Id).slice(0, 100)}": up to ${SNS_LIMITS.maxEntryIdChars} alphanumerics, hyphens and underscores`,
      );
    }
    if (ids.has(Id)) return violation('BatchEntryIdsNotDistinct', `entry id "${Id}" appears twice`);
    ids.add(Id);
  }
  for (const entry of entries) {
    const refused = checkEntry(entry);
    if (refused) return refused;
  }
  const total = entries.reduce((sum, entry) => sum + entryBytes(entry), 0);
  if (total > SNS_LIMITS.maxBatchBytes) {
    return violation('BatchRequestTooLong', `the batch's messages total ${total} bytes, at most ${SNS_LIMITS.maxBatchBytes}`);
  }
  return undefined;
}
