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
 * it goes to the DLQ at once with this reason instead of being retried.
 */
export class InvalidMessage extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidMessage';
  }
}

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
  /** Of key, type and value, not of time or trace: tells a redelivery from another message under the same id. */
  digest: string;
  /** Why the message can never be accepted, if so. */
  invalid?: string;
}

/** Decodes a record; a value that is not JSON is kept raw and reported as `invalid`. */
export function decodeMessage(topic: string, partition: number, message: KafkaMessage): DecodedMessage {
  const { headers, key, problem } = readEnvelope(message);
  const raw = message.value === null ? null : message.value.toString('utf8');
  const id = (!problem && headers.ce_id) || sha256(topic, key ?? '', raw ?? '');
  const digest = sha256(key ?? '', headers.ce_type ?? '', message.value ?? '');
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
  if (problem) return { message: decoded, digest, invalid: problem };
  if (raw === null) return { message: decoded, digest, invalid: 'message has no value' };
  try {
    decoded.value = JSON.parse(raw);
    return { message: decoded, digest };
  } catch (error) {
    return { message: decoded, digest, invalid: `value is not valid JSON: ${(error as Error).message}` };
  }
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
  const headers = Object.fromEntries(Object.entries(original).map(([name, value]) => [escape(name), escape(value)]));
  const withNul = Object.entries(original).find(([name, value]) => hasNul(name) || hasNul(value));
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
function sha256(...parts: (string | Buffer)[]): string {
  const hash = createHash('sha256');
  parts.forEach((part, index) => (index ? hash.update('\u0000') : hash).update(part));
  return hash.digest('hex');
}
