import type { DecodedMessage } from './message';
import { sha256 } from './message';

/**
 * A message a consumer could not accept, as published on `fil.dlq.v1` (key: the original key,
 * cut like the rest). Bounded whatever the original weighed: a value is kept up to
 * `VALUE_EXCERPT_BYTES` with its size and SHA-256, so a dead letter always fits the broker.
 */
export interface DeadLetter {
  originalTopic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  /** The value as text, whole or its first `VALUE_EXCERPT_BYTES`; null when it had none. */
  value: string | null;
  valueBytes: number;
  valueSha256: string | null;
  /** Key, headers or value were cut: a redrive reads the original from its topic. */
  truncated: boolean;
  reason: string;
  consumer: string;
  rejectedAt: string;
}

/** The dead letter a DLQ record holds; undefined when it holds something else (another writer's record, raw or other JSON). */
export function readDeadLetter(bytes: Buffer): DeadLetter | undefined {
  let letter: Partial<Record<keyof DeadLetter, unknown>>;
  try {
    letter = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const texts = [letter?.originalTopic, letter?.offset, letter?.reason, letter?.consumer, letter?.rejectedAt];
  const shaped =
    texts.every((text) => typeof text === 'string') &&
    Number.isInteger(letter.partition) &&
    [letter.key, letter.value, letter.valueSha256].every((text) => text === null || typeof text === 'string') &&
    typeof letter.headers === 'object' && letter.headers !== null && Object.values(letter.headers).every((text) => typeof text === 'string') &&
    typeof letter.truncated === 'boolean';
  return shaped ? (letter as DeadLetter) : undefined;
}

export const VALUE_EXCERPT_BYTES = 4096;
const KEY_EXCERPT_BYTES = 1024;
const HEADERS_BYTES = 4096;

/** The dead letter of a decoded message, refused by `consumer` for `reason`. */
export function deadLetterOf({ message, bytes }: DecodedMessage, reason: string, consumer: string): DeadLetter {
  const key = excerpt(message.key, KEY_EXCERPT_BYTES);
  const value = excerpt(bytes, VALUE_EXCERPT_BYTES);
  const headers: Record<string, string> = {};
  let headerBytes = 0;
  let headersCut = false;
  for (const [name, text] of Object.entries(message.headers)) {
    const kept = excerpt(text, KEY_EXCERPT_BYTES);
    headerBytes += Buffer.byteLength(name) + Buffer.byteLength(kept.text ?? '');
    if (headerBytes > HEADERS_BYTES) {
      headersCut = true;
      break;
    }
    headers[name] = kept.text ?? '';
    headersCut ||= kept.cut;
  }
  return {
    originalTopic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: key.text,
    headers,
    value: value.text,
    valueBytes: bytes?.length ?? 0,
    valueSha256: bytes && sha256(bytes),
    truncated: key.cut || value.cut || headersCut,
    reason,
    consumer,
    rejectedAt: new Date().toISOString(),
  };
}

/** One dead letter per message and consumer: a redelivery that is dead-lettered again keeps its id. */
export const deadLetterId = ({ message }: DecodedMessage, consumer: string) => `dlq:${consumer}:${message.topic}:${message.partition}:${message.offset}`;

function excerpt(text: string | Buffer | null | undefined, limit: number): { text: string | null; cut: boolean } {
  if (text == null) return { text: null, cut: false };
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return { text: bytes.subarray(0, limit).toString('utf8'), cut: bytes.length > limit };
}
