import { createHash, randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';

/** A message to publish: written to the outbox with the state change that caused it. */
export interface OutgoingMessage<T = unknown> {
  topic: string;
  key: string;
  /** CloudEvents `type`, e.g. `OrderAllocated`. */
  type: string;
  data: T;
  /** CloudEvents `id`; give a deterministic one when the same cause may emit twice. */
  id?: string;
  /** The trace it continues; by default the active span's. */
  traceparent?: string;
}

/** A message as a handler sees it, decoded once by the consumer. */
export interface IncomingMessage<T = unknown> {
  /** `ce_id`, or a digest of topic, key and value when the sender gave none. */
  id: string;
  /** `ce_source`, or '' when the sender gave none: ids are unique only per source. */
  source: string;
  type?: string;
  /** Logical topic name (without any deployment prefix). */
  topic: string;
  partition: number;
  offset: string;
  key?: string;
  headers: Record<string, string>;
  /** The raw value as received, kept for the DLQ. */
  raw: string | null;
  value: T;
  traceparent?: string;
}

/**
 * Thrown by a handler (or the decoder) when a message can never be accepted:
 * it goes to the DLQ at once with this reason. Any other error is taken as one
 * that may pass (database, lock, bug) and the message is retried until it does.
 */
export class InvalidMessage extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidMessage';
  }
}

/**
 * The most Fil publishes or accepts in one message, key, value and headers together: half the
 * broker's default limit (1 MB), so that a full message always fits in a request with others.
 */
export const MAX_MESSAGE_BYTES = 512 * 1024;

/** Thrown by `Outbox.add` for a message over the limit, so the state change rolls back; a consumed message that causes it is invalid. */
export class MessageTooLarge extends InvalidMessage {
  constructor(reason: string) {
    super(reason);
    this.name = 'MessageTooLarge';
  }
}

type Bytes = string | Buffer | null | undefined;

/** What a message weighs against `MAX_MESSAGE_BYTES`. */
export function messageBytes(key: Bytes, value: Bytes, headers: Record<string, Bytes>): number {
  const size = (part: Bytes) => (part == null ? 0 : Buffer.byteLength(part));
  return Object.entries(headers).reduce((total, [name, header]) => total + size(name) + size(header), size(key) + size(value));
}

export const overLimit = (bytes: number) => `message of ${bytes} bytes is over the limit of ${MAX_MESSAGE_BYTES} bytes`;

export const CE_SPEC_VERSION = '1.0';

export function cloudEventHeaders(service: string, message: OutgoingMessage, activeTraceparent?: string) {
  const traceparent = message.traceparent ?? activeTraceparent;
  const headers: Record<string, string> = {
    ce_specversion: CE_SPEC_VERSION,
    ce_id: message.id ?? randomUUID(),
    ce_type: message.type,
    ce_source: `/fil/${service}`,
    ce_time: new Date().toISOString(),
    'content-type': 'application/json',
  };
  if (traceparent) headers.traceparent = traceparent;
  return headers;
}

export function decodeHeaders(message: KafkaMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first.toString();
  }
  return headers;
}

export interface DecodedMessage {
  message: IncomingMessage;
  /** The value as received, for the DLQ's excerpt and digest. */
  bytes: Buffer | null;
  /** Of key, type and value, not of time or trace: tells a redelivery from another message under the same id. */
  digest: string;
  /** Why its content can never be accepted (no value, not JSON, too large), if so. */
  invalid?: string;
}

/** Sent by the DLQ tool on a message it re-sends, with the dead letter's id: tells ops a copy from the original. */
export const REDRIVE_HEADER = 'fil_redrive';

/** Decodes a record; a value that is not JSON or too large is kept raw and reported as `invalid`. */
export function decodeMessage(topic: string, partition: number, message: KafkaMessage): DecodedMessage {
  const { headers, key, problem } = readEnvelope(message);
  const bytes = messageBytes(message.key, message.value, headers);
  const raw = message.value === null ? null : message.value.toString('utf8');
  const id = (!problem && headers.ce_id) || sha256(topic, key ?? '', raw ?? '');
  const decoded: IncomingMessage = {
    id,
    source: problem ? '' : (headers.ce_source ?? ''),
    type: headers.ce_type,
    topic,
    partition,
    offset: message.offset,
    key,
    headers,
    raw,
    value: undefined,
    traceparent: headers.traceparent,
  };
  const result = { message: decoded, bytes: message.value };
  // A value that cannot be read is digested as it came; one that can, in its canonical form below.
  const unread = (invalid: string) => ({ ...result, digest: sha256(key ?? '', headers.ce_type ?? '', message.value ?? ''), invalid });
  if (problem) return unread(problem);
  if (raw === null) return unread('message has no value');
  try {
    // Parsed even when too large (the broker bounds it), so that its sender may still be answered.
    decoded.value = JSON.parse(raw);
  } catch (error) {
    return unread(bytes > MAX_MESSAGE_BYTES ? overLimit(bytes) : `value is not valid JSON: ${(error as Error).message}`);
  }
  // The same content written with its keys in another order (a stored copy sent again) is a redelivery.
  const parsed = { ...result, digest: sha256(key ?? '', headers.ce_type ?? '', canonicalOrRaw(decoded.value, raw)) };
  return bytes > MAX_MESSAGE_BYTES ? { ...parsed, invalid: overLimit(bytes) } : parsed;
}

/** A value nested too deep to sort (it is refused anyway) is digested as it came. */
function canonicalOrRaw(value: unknown, raw: string): string {
  try {
    return canonicalJson(value);
  } catch {
    return raw;
  }
}

/** JSON with object keys sorted, so the same order hashes the same whatever its key order. */
export function canonicalJson(value: unknown): string {
  // Most values are plain JSON: a copy with sorted keys, written by the native JSON.stringify.
  const sorted = withSortedKeys(value);
  return sorted === UNSORTABLE ? concatenatedCanonicalJson(value) : JSON.stringify(sorted);
}

/** What JSON.stringify of a copy would not write as the concatenation does: an integer-like key (objects list those first), `__proto__`, a toJSON, an undefined array item... */
const UNSORTABLE = Symbol('unsortable');
const INDEX_LIKE = /^(?:0|[1-9]\d*)$/;

/** `value`, or a copy of it with every object's keys in sorted order; UNSORTABLE when the copy would not write the same JSON. */
function withSortedKeys(value: unknown): unknown {
  if (value === null) return value;
  if (typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? UNSORTABLE : value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index += 1) {
      const item = value[index];
      if (item === undefined) return UNSORTABLE;
      const sorted = withSortedKeys(item);
      if (sorted === UNSORTABLE) return UNSORTABLE;
      if (sorted !== item) (copy ??= value.slice())[index] = sorted;
    }
    return copy ?? value;
  }
  const prototype = Object.getPrototypeOf(value);
  if ((prototype !== Object.prototype && prototype !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return UNSORTABLE;
  const keys = Object.keys(value);
  let inOrder = true;
  for (let index = 0; index < keys.length; index += 1) {
    const key = keys[index];
    if (key === '__proto__' || INDEX_LIKE.test(key)) return UNSORTABLE;
    if (index && keys[index - 1] > key) inOrder = false;
  }
  if (!inOrder) keys.sort();
  let copy: Record<string, unknown> | undefined = inOrder ? undefined : {};
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    const sorted = withSortedKeys(item);
    if (sorted === UNSORTABLE) return UNSORTABLE;
    if (copy) copy[key] = sorted;
    else if (sorted !== item) copy = { ...(value as Record<string, unknown>), [key]: sorted };
  }
  return copy ?? value;
}

/** The canonical JSON as every stored digest was made, for the values the copy cannot write. */
function concatenatedCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let json = '[';
    for (let index = 0; index < value.length; index += 1) json += `${index ? ',' : ''}${concatenatedCanonicalJson(value[index]) ?? ''}`;
    return `${json}]`;
  }
  // The default sort compares UTF-16 code units, as `<` does.
  const keys = Object.keys(value).sort();
  let json = '{';
  for (const key of keys) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) json += `${json.length > 1 ? ',' : ''}${JSON.stringify(key)}:${concatenatedCanonicalJson(item)}`;
  }
  return `${json}}`;
}

const MAX_ID_LENGTH = 256;

/**
 * Key and headers as they may be stored: they end up in text and jsonb columns, which refuse
 * NUL bytes, and in the dedupe table's primary key, which refuses huge values. A message whose
 * envelope breaks that is invalid, and kept with its NULs escaped so that the DLQ can hold it.
 */
function readEnvelope(message: KafkaMessage): { headers: Record<string, string>; key?: string; problem?: string } {
  const original = decodeHeaders(message);
  const key = message.key?.toString('utf8');
  const escape = (text: string) => text.replaceAll('\u0000', '\\u0000');
  const hasNul = (text: string) => text.includes('\u0000');
  const withNul = Object.entries(original).find(([name, value]) => hasNul(name) || hasNul(value));
  const headers = withNul ? Object.fromEntries(Object.entries(original).map(([name, value]) => [escape(name), escape(value)])) : original;
  const tooLong = (['ce_id', 'ce_source'] as const).find((name) => (original[name]?.length ?? 0) > MAX_ID_LENGTH);
  const problem =
    key !== undefined && hasNul(key)
      ? 'key: must not contain NUL bytes'
      : withNul
        ? `header ${escape(withNul[0])}: must not contain NUL bytes`
        : tooLong && `${tooLong}: must be at most ${MAX_ID_LENGTH} characters`;
  return { headers, key: key === undefined ? undefined : escape(key), problem: problem || undefined };
}

/** Hex sha256 of the parts joined by NULs (the ids of messages without ce_id were always made so). */
export function sha256(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  parts.forEach((part, index) => (index ? hash.update('\u0000') : hash).update(part));
  return hash.digest('hex');
}
