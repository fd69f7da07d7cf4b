/**
 * Hostile requests for test/integration/hostile.test.ts: the secrets the suite provisions, builders for
 * genuine and forged items, and a named table of bad inputs with the outcome each must have.
 * Pure: builds API Gateway events, talks to nothing.
 *
 * Over 400 lines: the table of hostile inputs is data, one named row each.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { sign } from '../../lambda/signature';
import { buildCallback, envelope } from '../../local/callbacks';
import type { VoxSecrets } from '../../local/provision';
import { httpEvent } from '../../local/fixtures';

/** Distinctive values, so that finding any of them in a log line cannot be a coincidence. */
export const HOSTILE_SECRETS: VoxSecrets = {
  salt: 'Zq7-hostile-salt-Kx2w',
  accountId: '7654321',
  apiKey: 'c0ffee42-5a1t-4b8e-9d10-hostile0key9',
};
export const ACCOUNT = Number(HOSTILE_SECRETS.accountId);
export const OTHER_ACCOUNT = ACCOUNT + 1;
/** The receiver's default MAX_BODY_BYTES (256 KiB). */
export const MAX_BODY = 256 * 1024;

/** Every hash-looking string a test put into a request body: none may ever appear in a log line. */
export const SENT_HASHES = new Set<string>();

export function remember(hash: unknown): void {
  if (typeof hash === 'string' && /^[0-9a-f]{32}$/i.test(hash.trim())) SENT_HASHES.add(hash.trim().toLowerCase());
}

export function signFor(callbackId: number | string, accountId: number | string = ACCOUNT, salt = HOSTILE_SECRETS.salt): string {
  const hash = sign(salt, accountId, HOSTILE_SECRETS.apiKey, callbackId);
  remember(hash);
  return hash;
}

/** A genuine item (all fields Voximplant sends) signed with the configured secrets. */
export function genuine(callbackId: number, fields?: Record<string, unknown>, type = 'min_balance'): Record<string, unknown> {
  const item = buildCallback(HOSTILE_SECRETS, { callbackId, type, fields });
  remember(item.hash);
  return item;
}

/** The smallest genuine item: only the four envelope fields. */
export function minimal(callbackId: number, type = 'min_balance'): Record<string, unknown> {
  return { callback_id: callbackId, account_id: ACCOUNT, type, hash: signFor(callbackId) };
}

/** Item texts with raw JSON (duplicate keys, `1e3`, `-0`...) that JSON.stringify cannot write. */
export function rawItem(pairs: ReadonlyArray<readonly [key: string, rawJson: string]>): string {
  return `{${pairs.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
}

export const rawEnvelope = (...itemTexts: string[]): string => `{"callbacks":[${itemTexts.join(',')}]}`;

export interface EventOptions {
  readonly method?: string;
  readonly headers?: Record<string, string> | undefined;
  /** Encode the body as base64 and say so (what API Gateway does for binary media). */
  readonly base64?: boolean;
}

export function post(body: string | undefined, options: EventOptions = {}): APIGatewayProxyEventV2 {
  const event = httpEvent(body, { method: options.method ?? 'POST', base64: options.base64 });
  if ('headers' in options) (event as { headers: unknown }).headers = options.headers;
  return event;
}

/** isBase64Encoded with a body the test wrote itself (invalid base64, raw bytes, line breaks...). */
export function base64Event(encodedBody: string): APIGatewayProxyEventV2 {
  return { ...httpEvent(undefined), isBase64Encoded: true, body: encodedBody };
}

export interface ResponseCounts {
  readonly accepted: number;
  readonly duplicates: number;
  readonly ignored: number;
  readonly rejected: number;
}

/** What the suite reads back from the inbox for one alert. */
export interface DeliveredAlert {
  readonly subject: string | undefined;
  readonly attributes: Readonly<Record<string, string>>;
  readonly alert: { callbackId: number; accountId: number; type: string; severity: string; subject: string; email: string; sms: string };
}

export interface HostileRow {
  readonly name: string;
  /** Requests sent first (e.g. the genuine delivery a replay repeats); each must be answered 200. */
  readonly setup?: readonly APIGatewayProxyEventV2[];
  readonly event: APIGatewayProxyEventV2;
  readonly status: number;
  /** For 200: the exact counts in the response body. */
  readonly counts?: ResponseCounts;
  /** Alerts the whole row (setup included) publishes. */
  readonly alerts: number;
  /** The callback ids those alerts carry, when they are not simply the genuine ids the row sent. */
  readonly alertIds?: readonly number[];
  /** Built to be expensive: the handler's time on `event` is printed (measured, never asserted: no timed tests). */
  readonly timed?: boolean;
  readonly check?: (alerts: readonly DeliveredAlert[]) => void;
}

const counts = (accepted: number, duplicates = 0, rejected = 0): ResponseCounts => ({ accepted, duplicates, ignored: 0, rejected });

/** Printable ASCII, one line: what SNS accepts as an email subject and what an SMS may carry. */
const PRINTABLE_LINE = /^[\x20-\x7E]*$/;

function expectSingleLineAscii(alerts: readonly DeliveredAlert[]): void {
  for (const { subject, alert } of alerts) {
    expect(subject).toBe(alert.subject);
    expect(subject).toMatch(PRINTABLE_LINE);
    expect(alert.sms).toMatch(PRINTABLE_LINE);
    expect(subject!.length).toBeLessThan(100);
    expect(alert.sms.length).toBeLessThanOrEqual(160);
  }
}

/** `text` padded with trailing JSON whitespace to exactly `bytes` UTF-8 bytes. */
function padTo(text: string, bytes: number): string {
  return text + ' '.repeat(bytes - Buffer.byteLength(text, 'utf8'));
}

/**
 * The table. Callback ids come from `firstId` upwards (plus 0 and 2^53 - 1, used here only), so rows never
 * collide with each other or with the suite's other tests. ALERT_TYPES is '*': every verified new callback
 * alerts, whatever its type.
 */
export function hostileRows(firstId: number): HostileRow[] {
  let next = firstId;
  const id = () => next++;
  const G = (fields?: Record<string, unknown>, type?: string) => genuine(id(), fields, type);
  const env = (...items: Array<Record<string, unknown>>) => envelope(...items);
  const rows: HostileRow[] = [];
  const row = (r: HostileRow) => rows.push(r);
  const rejected = (name: string, event: APIGatewayProxyEventV2, status: number, extra: Partial<HostileRow> = {}) =>
    row({ name, event, status, alerts: 0, ...extra });
  const accepted = (name: string, event: APIGatewayProxyEventV2, extra: Partial<HostileRow> = {}) =>
    row({ name, event, status: 200, counts: counts(1), alerts: 1, ...extra });

  // --- Not an envelope: 400 -------------------------------------------------------------------------
  rejected('empty body', post(''), 400);
  rejected('no body at all', post(undefined), 400);
  rejected('whitespace only', post(' \n\t\r '), 400);
  {
    const text = env(G());
    rejected('truncated JSON (a genuine envelope cut in half)', post(text.slice(0, Math.floor(text.length / 2))), 400);
  }
  rejected('JSON null', post('null'), 400);
  rejected('top-level array holding a genuine item', post(JSON.stringify([G()])), 400);
  rejected('top-level array holding a genuine envelope', post(JSON.stringify([{ callbacks: [G()] }])), 400);
  rejected('the envelope double-encoded as a JSON string', post(JSON.stringify(env(G()))), 400);
  rejected('a bare number', post('42'), 400);
  rejected('a bare boolean', post('true'), 400);
  rejected('empty object {}', post('{}'), 400);
  rejected('{"callbacks":{}}', post('{"callbacks":{}}'), 400);
  rejected('{"callbacks":[]}', post('{"callbacks":[]}'), 400);
  rejected('{"callbacks":null}', post('{"callbacks":null}'), 400);
  rejected('"callbacks" holding the array as a JSON string', post(JSON.stringify({ callbacks: JSON.stringify([G()]) })), 400);
  rejected('"Callbacks" (wrong case) holding a genuine item', post(JSON.stringify({ Callbacks: [G()] })), 400);
  rejected('"callbacks" as an array-like object {"0":item,"length":1}', post(JSON.stringify({ callbacks: { 0: G(), length: 1 } })), 400);
  // RFC 8259 §8.1: senders MUST NOT add a BOM, parsers MAY ignore one. JSON.parse refuses it and so does
  // the receiver: acceptable (no known sender adds one), and the row pins the behaviour down.
  rejected('UTF-8 BOM (U+FEFF) before a genuine envelope', post(`\uFEFF${env(G())}`), 400);
  rejected(
    'UTF-8 BOM bytes before a genuine envelope, base64',
    base64Event(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(env(G()))]).toString('base64')),
    400,
  );
  rejected(
    'duplicate "callbacks" keys: genuine first, empty last (last wins)',
    post(`{"callbacks":[${JSON.stringify(G())}],"callbacks":[]}`),
    400,
  );
  accepted(
    'duplicate "callbacks" keys: empty first, genuine last (last wins)',
    post(`{"callbacks":[],"callbacks":[${JSON.stringify(G())}]}`),
  );
  rejected('raw NUL byte before the JSON', post(`\u0000${env(G())}`), 400);
  rejected(
    'raw NUL byte inside a JSON string (unescaped control character)',
    post(env(G({ account_name: 'a@@b' })).replace('@@', '\u0000')),
    400,
  );
  rejected('trailing garbage after a genuine envelope', post(`${env(G())}xyz`), 400);
  rejected('a JavaScript comment before a genuine envelope', post(`/* hi */${env(G())}`), 400);
  rejected('single-quoted pseudo-JSON', post(env(G()).replace(/"/g, "'")), 400);
  rejected('NaN literal as balance', post(env(G()).replace('"balance":4.87', '"balance":NaN')), 400);
  rejected(
    'form-encoded body with a form content-type',
    post(`callbacks=${encodeURIComponent(JSON.stringify([G()]))}`, { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    400,
  );
  rejected(
    'multipart body',
    post(`--b\r\nContent-Disposition: form-data; name="callbacks"\r\n\r\n${JSON.stringify([G()])}\r\n--b--\r\n`, {
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
    }),
    400,
  );

  // --- Prototype pollution: JSON.parse makes "__proto__" an own property; nothing may be inherited ----
  rejected('"__proto__" at top level holding the callbacks', post(`{"__proto__":{"callbacks":[${JSON.stringify(G())}]}}`), 400);
  accepted(
    '"__proto__":{"polluted"} next to a genuine envelope',
    post(`{"__proto__":{"polluted":"yes"},"callbacks":[${JSON.stringify(G())}]}`),
  );
  accepted(
    '"constructor":{"prototype":{"polluted"}} next to a genuine envelope',
    post(`{"constructor":{"prototype":{"polluted":"yes"}},"callbacks":[${JSON.stringify(G())}]}`),
  );
  {
    const cid = id();
    rejected(
      'item whose envelope fields sit only under "__proto__"',
      post(rawEnvelope(`{"__proto__":${JSON.stringify(minimal(cid))}}`)),
      401,
    );
  }
  {
    const item = JSON.stringify(G());
    accepted(
      'genuine item carrying "__proto__" and "constructor" keys',
      post(rawEnvelope(`{"__proto__":{"polluted":"yes","type":"x"},"constructor":{"prototype":{"polluted":"yes"}},${item.slice(1)}`)),
    );
  }
  for (const type of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
    accepted(`genuine item with type "${type}"`, post(env(G(undefined, type))), {
      check: (alerts) => expect(alerts.map((a) => a.alert.type)).toEqual([type]),
    });
  }

  // --- Size bounds: 413 before parsing ----------------------------------------------------------------
  accepted('body of exactly 262,144 bytes (the bound)', post(padTo(env(G()), MAX_BODY)));
  rejected('body of 262,145 bytes (one over the bound)', post(padTo(env(G()), MAX_BODY + 1)), 413);
  rejected('2 MiB body', post(padTo(env(G()), 2 * 1024 * 1024)), 413, { timed: true });
  rejected('multi-byte account_name: 90,000 chars, 270,000 UTF-8 bytes', post(env(G({ account_name: '€'.repeat(90_000) }))), 413);
  accepted(
    '100,000-char ASCII account_name (length x 3 over the bound, bytes under)',
    post(env(G({ account_name: 'a'.repeat(100_000) }))),
    {
      check: expectSingleLineAscii,
    },
  );
  accepted('base64 body decoding to exactly 262,144 bytes', post(padTo(env(G()), MAX_BODY), { base64: true }));
  rejected('base64 body decoding to 262,145 bytes', post(padTo(env(G()), MAX_BODY + 1), { base64: true }), 413);
  rejected('base64 body of 4 MiB', base64Event('A'.repeat(4 * 1024 * 1024)), 413, { timed: true });
  {
    const gzipped = (bytes: Buffer, encoding = 'gzip') => ({
      ...base64Event(bytes.toString('base64')),
      headers: { 'content-encoding': encoding },
    });
    accepted('gzip-encoded genuine envelope', gzipped(gzipSync(Buffer.from(env(G())))));
    rejected('gzip bomb: 10 MB of zeros in about 10 KB', gzipped(gzipSync(Buffer.alloc(10_000_000))), 413, { timed: true });
    rejected('gzip body decoding to one byte over the bound', gzipped(gzipSync(Buffer.from(padTo(env(G()), MAX_BODY + 1)))), 413);
    rejected('content-encoding the receiver cannot decode (zstd)', gzipped(Buffer.from(env(G())), 'zstd'), 415);
  }
  rejected('base64 flag with no base64 characters at all', base64Event('!!!!@@@@####$$$$'), 400);
  rejected('base64 flag set on a plain JSON body (a lie)', { ...post(env(G())), isBase64Encoded: true }, 400);
  rejected(
    'base64 of invalid UTF-8 bytes',
    base64Event(Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0x7b, 0x7d]).toString('base64')),
    400,
  );
  accepted(
    'base64 with MIME line breaks every 76 chars (genuine)',
    base64Event(Buffer.from(env(G())).toString('base64').replace(/.{76}/g, '$&\r\n')),
  );

  // --- Deep nesting: must not overflow the stack or crash the process -------------------------------
  rejected('100,000 unclosed "["', post('['.repeat(100_000)), 400, { timed: true });
  rejected('100,000 balanced "[...]" (valid JSON, 200 KB)', post('['.repeat(100_000) + ']'.repeat(100_000)), 400, { timed: true });
  rejected('60,000 unclosed {"a": (300 KB: over the bound)', post('{"a":'.repeat(60_000)), 413, { timed: true });
  rejected('100,000 levels of arrays as the only callback', post(`{"callbacks":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), 401, {
    timed: true,
  });
  {
    const text = env(G());
    const nested = `${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}`;
    accepted(
      'genuine item whose data is 40,000 levels of objects',
      post(text.replace('{"is_min_credit":false,"is_repeated":false}', nested)),
      {
        timed: true,
      },
    );
  }

  // --- Many items: bounded work, one bad item never drops a good one ---------------------------------
  rejected('20,000 empty objects', post(`{"callbacks":[${Array(20_000).fill('{}').join(',')}]}`), 401, { timed: true });
  rejected('20,000 nulls', post(`{"callbacks":[${Array(20_000).fill('null').join(',')}]}`), 401, { timed: true });
  {
    const forged = Array.from({ length: 2000 }, () => {
      const cid = id();
      return { callback_id: cid, account_id: ACCOUNT, type: 'min_balance', hash: signFor(cid + 1) };
    });
    rejected('2,000 well-formed forged items (right account, wrong hash)', post(env(...forged)), 401, { timed: true });
  }
  {
    const one = minimal(id());
    row({
      name: 'one genuine item repeated 2,000 times in one request',
      event: post(env(...Array(2000).fill(one))),
      status: 200,
      counts: counts(1, 1999),
      alerts: 1,
      timed: true,
    });
  }
  row({
    name: 'one genuine item among 20,000 junk zeros',
    event: post(`{"callbacks":[${Array(20_000).fill('0').join(',')},${JSON.stringify(G())}]}`),
    status: 200,
    counts: counts(1, 0, 20_000),
    alerts: 1,
    timed: true,
  });

  // --- Ids: integers only, safe integers only, the configured account only ---------------------------
  // Canonical decimal strings carry the same digits the hash covers: accepted as the same ids.
  {
    const cid = id();
    accepted('callback_id as a canonical decimal string', post(env({ ...minimal(cid), callback_id: String(cid) })), { alertIds: [cid] });
  }
  accepted('account_id as a canonical decimal string', post(env({ ...minimal(id()), account_id: String(ACCOUNT) })));
  {
    const cid = id();
    rejected(
      'callback_id as a decimal string with a leading zero',
      post(env({ ...minimal(cid), callback_id: `0${cid}`, hash: signFor(`0${cid}`) })),
      401,
    );
  }
  {
    const cid = id();
    rejected(
      'callback_id as a string with a plus sign',
      post(env({ ...minimal(cid), callback_id: `+${cid}`, hash: signFor(`+${cid}`) })),
      401,
    );
  }
  {
    const cid = id();
    rejected('callback_id as a string with a space', post(env({ ...minimal(cid), callback_id: ` ${cid}`, hash: signFor(` ${cid}`) })), 401);
  }
  {
    const cid = id();
    rejected('callback_id as a float (id + 0.5, hash of id)', post(env({ ...minimal(cid), callback_id: cid + 0.5 })), 401);
  }
  {
    const cid = id();
    rejected('negative callback_id (hash of "-id")', post(env({ ...minimal(cid), callback_id: -cid, hash: signFor(-cid) })), 401);
  }
  {
    const cid = id();
    const h = signFor(cid);
    accepted(
      'callback_id written "id.0" (the same JSON number)',
      post(
        rawEnvelope(
          rawItem([
            ['callback_id', `${cid}.0`],
            ['account_id', String(ACCOUNT)],
            ['type', '"min_balance"'],
            ['hash', JSON.stringify(h)],
          ]),
        ),
      ),
      { alertIds: [cid] },
    );
  }
  {
    const k = id();
    const cid = k * 1000;
    accepted(
      'callback_id written in exponent notation ("Ne3")',
      post(
        rawEnvelope(
          rawItem([
            ['callback_id', `${k}e3`],
            ['account_id', String(ACCOUNT)],
            ['type', '"min_balance"'],
            ['hash', JSON.stringify(signFor(cid))],
          ]),
        ),
      ),
      { alertIds: [cid] },
    );
  }
  rejected(
    'callback_id 2^53 (unsafe: JSON may have rounded it)',
    post(env({ ...minimal(0), callback_id: 2 ** 53, hash: signFor(2 ** 53) })),
    401,
  );
  rejected(
    'callback_id 2^53 + 1 as text (JSON rounds it to 2^53; hash of the exact digits)',
    post(
      rawEnvelope(
        rawItem([
          ['callback_id', '9007199254740993'],
          ['account_id', String(ACCOUNT)],
          ['type', '"min_balance"'],
          ['hash', JSON.stringify(signFor('9007199254740993'))],
        ]),
      ),
    ),
    401,
  );
  accepted(
    'callback_id 2^53 - 1 (the largest safe integer)',
    post(env({ ...minimal(0), callback_id: Number.MAX_SAFE_INTEGER, hash: signFor(Number.MAX_SAFE_INTEGER) })),
    { alertIds: [Number.MAX_SAFE_INTEGER] },
  );
  rejected(
    'callback_id 1e400 (Infinity after parsing)',
    post(
      rawEnvelope(
        rawItem([
          ['callback_id', '1e400'],
          ['account_id', String(ACCOUNT)],
          ['type', '"min_balance"'],
          ['hash', JSON.stringify(signFor('Infinity'))],
        ]),
      ),
    ),
    401,
  );
  rejected('callback_id 1e21 (hash of "1e+21")', post(env({ ...minimal(0), callback_id: 1e21, hash: signFor(String(1e21)) })), 401);
  row({
    name: 'callback_id -0 after a genuine 0 (the same id: a duplicate)',
    setup: [post(env(minimal(0)))],
    event: post(
      rawEnvelope(
        rawItem([
          ['callback_id', '-0'],
          ['account_id', String(ACCOUNT)],
          ['type', '"min_balance"'],
          ['hash', JSON.stringify(signFor(0))],
        ]),
      ),
    ),
    status: 200,
    counts: counts(0, 1),
    alerts: 1,
    alertIds: [0],
  });
  {
    const cid = id();
    rejected(
      'another account id, with a hash valid for it under the same secrets',
      post(env({ ...G({ account_id: OTHER_ACCOUNT }), callback_id: cid, hash: signFor(cid, OTHER_ACCOUNT) })),
      401,
    );
  }
  {
    const cid = id();
    rejected('another account id, with the hash of the configured account', post(env({ ...minimal(cid), account_id: OTHER_ACCOUNT })), 401);
  }
  {
    const cid = id();
    accepted(
      'account_id written "7654321.0" (the same JSON number)',
      post(
        rawEnvelope(
          rawItem([
            ['callback_id', String(cid)],
            ['account_id', `${ACCOUNT}.0`],
            ['type', '"min_balance"'],
            ['hash', JSON.stringify(signFor(cid))],
          ]),
        ),
      ),
      { alertIds: [cid] },
    );
  }

  // --- Hashes: 32 lowercase hex chars, compared exactly --------------------------------------------
  const withHash = (name: string, hash: (genuineHash: string, cid: number) => unknown) => {
    const item = G();
    rejected(name, post(env({ ...item, hash: hash(item.hash as string, item.callback_id as number) })), 401);
  };
  withHash('hash of 31 chars', (h) => h.slice(0, 31));
  withHash('hash of 33 chars (genuine + "0")', (h) => `${h}0`);
  withHash('hash of 65 chars', (h) => `${h}${h}0`);
  // The protocol says lowercase; Voximplant sends lowercase. Refusing other spellings is the strict reading.
  withHash('genuine hash in upper case', (h) => h.toUpperCase());
  withHash('genuine hash with surrounding whitespace', (h) => ` ${h}\n`);
  withHash('genuine hash as a JSON number', (h) => Number.parseInt(h.slice(0, 12), 16));
  withHash('genuine hash inside an array', (h) => [h]);
  withHash('genuine hash inside an object', (h) => ({ hash: h }));
  withHash('empty hash', () => '');
  withHash('null hash', () => null);
  {
    const { hash: _h, ...item } = G();
    rejected('no hash field', post(env(item)), 401);
  }
  withHash('32 multi-byte chars', () => 'é'.repeat(32));
  withHash('31 genuine chars + NUL', (h) => `${h.slice(0, 31)}\u0000`);
  withHash('hash computed with an empty salt (configured salt is not empty)', (_h, cid) => signFor(cid, ACCOUNT, ''));
  withHash('hash of the next callback id', (_h, cid) => signFor(cid + 1));
  withHash('hash of the right values concatenated in another order', (_h, cid) => {
    const h = createHash('md5').update(`${HOSTILE_SECRETS.apiKey}${ACCOUNT}${HOSTILE_SECRETS.salt}${cid}`).digest('hex');
    remember(h);
    return h;
  });

  // --- Duplicate keys inside an item: JSON.parse keeps the last one ------------------------------------
  /** One item with two callback_id keys (JSON.parse keeps the last), signed over `signed`'s id. */
  const twoIds = (first: number, last: number, signed: number) =>
    post(
      rawEnvelope(
        rawItem([
          ['callback_id', String(first)],
          ['callback_id', String(last)],
          ['account_id', String(ACCOUNT)],
          ['type', '"min_balance"'],
          ['hash', JSON.stringify(signFor(signed))],
        ]),
      ),
    );
  {
    const first = id();
    const last = id();
    accepted('duplicate callback_id keys, hash of the last (last wins)', twoIds(first, last, last), {
      alertIds: [last],
      check: (alerts) => expect(alerts[0].alert.callbackId).toBe(last),
    });
  }
  {
    const first = id();
    const last = id();
    rejected('duplicate callback_id keys, hash of the first', twoIds(first, last, first), 401);
  }
  {
    const cid = id();
    rejected(
      'duplicate hash keys: genuine first, junk last',
      post(
        rawEnvelope(
          rawItem([
            ['callback_id', String(cid)],
            ['account_id', String(ACCOUNT)],
            ['type', '"min_balance"'],
            ['hash', JSON.stringify(signFor(cid))],
            ['hash', '"0"'],
          ]),
        ),
      ),
      401,
    );
  }

  // --- Types and free text: unsigned, so bounded and sanitized -------------------------------------
  rejected('type of 10,000 chars (genuine hash)', post(env(G(undefined, 't'.repeat(10_000)))), 401);
  accepted('type of exactly 100 chars (the bound)', post(env(G(undefined, 't'.repeat(100)))), { check: expectSingleLineAscii });
  rejected('type of 101 chars', post(env(G(undefined, 't'.repeat(101)))), 401);
  rejected('empty type', post(env({ ...G(), type: '' })), 401);
  rejected('type as a number', post(env({ ...G(), type: 42 })), 401);
  rejected('type null', post(env({ ...G(), type: null })), 401);
  // Unknown types are forwarded (ALERT_TYPES='*'), so the raw type reaches SNS: it must still be deliverable.
  accepted('type in Cyrillic', post(env(G(undefined, 'мин_баланс'))), { check: expectSingleLineAscii });
  accepted('type that is an emoji', post(env(G(undefined, '💸🔥'))), { check: expectSingleLineAscii });
  accepted('type with CRLF header injection', post(env(G(undefined, 'x\r\nX-Injected: 1'))), { check: expectSingleLineAscii });
  accepted('type with a NUL byte ("min_balance\\u0000")', post(env(G(undefined, 'min_balance\u0000'))), { check: expectSingleLineAscii });
  accepted('type with a lone surrogate ("min_balance\\ud800")', post(env(G(undefined, 'min_balance\ud800'))), {
    check: expectSingleLineAscii,
  });
  // Order matters here: this row must come right after the lone-surrogate one. A failed serialization must
  // not leave anything behind that affects the next, ordinary request on the same warm container.
  accepted('an ordinary genuine callback right after the lone-surrogate type', post(env(G())));
  accepted('account_name with HTML and script', post(env(G({ account_name: '<script>alert(1)</script><img src=x onerror=alert(2)>' }))), {
    check: expectSingleLineAscii,
  });
  accepted('account_name with CRLF header injection', post(env(G({ account_name: 'acme\r\nBcc: evil@example.com\r\n\r\nforged body' }))), {
    check: (alerts) => {
      expectSingleLineAscii(alerts);
      expect(alerts[0].subject).not.toMatch(/[\r\n]/);
      expect(alerts[0].alert.email).not.toMatch(/^Bcc:/m);
    },
  });
  accepted('account_name with NUL bytes', post(env(G({ account_name: 'ac\u0000me\u0000' }))), { check: expectSingleLineAscii });
  accepted(
    'account_name with U+2028, U+2029, U+202E and zero-width chars',
    post(env(G({ account_name: 'a\u2028b\u2029c\u202Ed\u200Be' }))),
    {
      check: (alerts) => {
        expectSingleLineAscii(alerts);
        expect(alerts[0].alert.email).not.toMatch(/[\u2028\u2029\u202E\u200B]/);
      },
    },
  );
  accepted('account_name that is emoji only', post(env(G({ account_name: '🏦💰🚨' }))), { check: expectSingleLineAscii });
  accepted('account_name as an object', post(env(G({ account_name: { toString: 'x', valueOf: 1 } }))), { check: expectSingleLineAscii });
  accepted('balance as an object and currency as HTML', post(env(G({ balance: { $gt: 0 }, currency: '<b>USD</b>' }))), {
    check: expectSingleLineAscii,
  });
  accepted('balance 1e308 and a 10,000-char currency', post(env(G({ balance: 1e308, currency: 'X'.repeat(10_000) }))), {
    check: expectSingleLineAscii,
  });
  accepted('min_balance data as a string', post(env(G({ min_balance: 'is_min_credit=true' }))), { check: expectSingleLineAscii });
  accepted('min_balance data as null', post(env(G({ min_balance: null }))), { check: expectSingleLineAscii });
  accepted(
    'account_email with CRLF (personal data: never rendered)',
    post(env(G({ account_email: 'x@y.example\r\nBcc: evil@example.com' }))),
    {
      check: (alerts) => expect(JSON.stringify(alerts[0].alert)).not.toContain('evil@example.com'),
    },
  );

  // --- Replays: the hash covers the id only -----------------------------------------------------------
  {
    const item = G();
    row({
      name: 'replay with altered balance and type (same callback_id + hash): a duplicate',
      setup: [post(env(item))],
      event: post(env({ ...item, balance: 999_999, type: 'account_is_frozen', account_is_frozen: {} })),
      status: 200,
      counts: counts(0, 1),
      alerts: 1,
      check: (alerts) => expect(alerts[0].alert.type).toBe('min_balance'),
    });
  }
  // By protocol, a first delivery whose unsigned body was altered in transit cannot be told from the real
  // one: the hash covers salt, account, API key and callback id only. The receiver alerts with the altered
  // numbers; the defences are HTTPS and the once-per-id rule above. This row documents it.
  accepted('first delivery of an altered body (balance changed in transit): indistinguishable', post(env(G({ balance: 123_456.78 }))), {
    check: (alerts) => expect(alerts[0].alert.email).toContain('123456.78 USD'),
  });
  {
    const item = G();
    row({ name: 'the same genuine item twice in one request', event: post(env(item, item)), status: 200, counts: counts(1, 1), alerts: 1 });
  }
  {
    const item = G();
    row({
      name: 'the same id twice in one request, the second with an altered type',
      event: post(env(item, { ...item, type: 'account_is_frozen' })),
      status: 200,
      counts: counts(1, 1),
      alerts: 1,
      check: (alerts) => expect(alerts[0].alert.type).toBe('min_balance'),
    });
  }
  {
    const forged = G();
    row({
      name: 'genuine and forged items in one request',
      event: post(env(G(), { ...forged, hash: signFor((forged.callback_id as number) + 1) })),
      status: 200,
      counts: counts(1, 0, 1),
      alerts: 1,
    });
  }
  {
    const item = G();
    row({
      name: 'replay in base64 after a plain delivery',
      setup: [post(env(item))],
      event: post(env(item), { base64: true }),
      status: 200,
      counts: counts(0, 1),
      alerts: 1,
    });
  }

  // --- Methods and headers -------------------------------------------------------------------------
  for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
    rejected(`${method} with a genuine body`, post(env(G()), { method }), 405);
  }
  // API Gateway always sends upper-case methods; anything else is refused, not guessed.
  rejected('lower-case "post" with a genuine body', post(env(G()), { method: 'post' }), 405);
  row({ name: 'GET with a genuine body (health check, body ignored)', event: post(env(G()), { method: 'GET' }), status: 200, alerts: 0 });
  row({ name: 'HEAD (health check)', event: post(undefined, { method: 'HEAD' }), status: 200, alerts: 0 });
  accepted('content-type text/plain (a lie: the body is JSON)', post(env(G()), { headers: { 'content-type': 'text/plain' } }));
  accepted('no content-type, no headers at all', post(env(G()), { headers: undefined }));
  accepted('content-type application/xml', post(env(G()), { headers: { 'content-type': 'application/xml; charset=ISO-8859-1' } }));

  return rows;
}
