import type { EntityManager } from '@mikro-orm/postgresql';
import { executeBound } from '@fil/persistence';

/** What dedupe needs of a message: CloudEvents ids are unique only per source. */
export interface Claimable {
  source: string;
  id: string;
  digest: string;
  /** Where it was read (`topic/partition@offset`): a copy read elsewhere is sent again, not redelivered. */
  record: string;
}

/**
 * `fresh` the first time a (source, id) is seen, and once more for each copy sent again of a
 * message this consumer dead-lettered; `redelivered` when it was handled with the same content;
 * `conflict` when it was handled with other content.
 */
export type Claim = 'fresh' | 'redelivered' | 'conflict';

const keyOf = ({ source, id }: { source: string; id: string }) => JSON.stringify([source, id]);
export const recordOf = ({ topic, partition, offset }: { topic: string; partition: number; offset: string }) => `${topic}/${partition}@${offset}`;

/**
 * Records messages as handled by `consumer`, in one statement, and says for each, in order,
 * what it is; of several with one (source, id) in the list, the first is the one claimed.
 * A dead-lettered message had no effect: a copy of it with the same content, redriven by an
 * operator or sent again by its sender once the cause is fixed, is `fresh` once. Only the very
 * record that was dead-lettered, read again after a crash, is `redelivered`.
 */
export async function claimMessages(tx: EntityManager, consumer: string, messages: Claimable[]): Promise<Claim[]> {
  const firsts = new Map<string, Claimable>();
  for (const message of messages) if (!firsts.has(keyOf(message))) firsts.set(keyOf(message), message);
  const inserted = await executeBound<{ source: string; id: string }>(
    tx,
    `insert into handled_message (consumer, source, message_id, digest)
     select ?, source, id, digest from jsonb_to_recordset(?::jsonb) as m(source text, id text, digest text)
     on conflict do nothing returning source, message_id as id`,
    [consumer, JSON.stringify([...firsts.values()])],
  );
  const fresh = new Set(inserted.map(keyOf));
  const handledWith = new Map<string, string | null>([...firsts].map(([key, message]) => [key, message.digest]));
  const earlier = [...firsts].filter(([key]) => !fresh.has(key)).map(([, message]) => message);
  if (earlier.length) {
    for (const taken of await takeBackDeadLettered(tx, consumer, earlier)) fresh.add(keyOf(taken));
    const rows = await executeBound<{ source: string; id: string; digest: string | null }>(
      tx,
      `select h.source, h.message_id as id, h.digest
       from handled_message h join jsonb_to_recordset(?::jsonb) as m(source text, id text) on (h.source, h.message_id) = (m.source, m.id)
       where h.consumer = ?`,
      [JSON.stringify(earlier), consumer],
    );
    for (const row of rows) handledWith.set(keyOf(row), row.digest);
  }
  return messages.map((message) => {
    if (fresh.delete(keyOf(message))) return 'fresh';
    const digest = handledWith.get(keyOf(message));
    // A row from before digests were kept cannot tell: a redelivery, as it always was.
    return !digest || digest === message.digest ? 'redelivered' : 'conflict';
  });
}

/** Notes that the messages `consumer` claimed were dead-lettered, and which record was, so that a copy sent again may take them back. */
export async function markDeadLettered(tx: EntityManager, consumer: string, messages: Omit<Claimable, 'digest'>[]): Promise<void> {
  if (!messages.length) return;
  await executeBound(
    tx,
    `update handled_message h set dead_lettered = true, dead_lettered_record = m.record from jsonb_to_recordset(?::jsonb) as m(source text, id text, record text)
     where h.consumer = ? and (h.source, h.message_id) = (m.source, m.id)`,
    [JSON.stringify(messages.map(({ source, id, record }) => ({ source, id, record }))), consumer],
  );
}

/** Claims again, once, the dead-lettered messages of which these are copies with the same content read from another record. */
function takeBackDeadLettered(tx: EntityManager, consumer: string, copies: Claimable[]) {
  return executeBound<{ source: string; id: string }>(
    tx,
    `update handled_message h set dead_lettered = false, dead_lettered_record = null, handled_at = now()
     from jsonb_to_recordset(?::jsonb) as m(source text, id text, digest text, record text)
     where h.consumer = ? and (h.source, h.message_id, h.digest) = (m.source, m.id, m.digest) and h.dead_lettered
       and h.dead_lettered_record is distinct from m.record
     returning h.source, h.message_id as id`,
    [JSON.stringify(copies), consumer],
  );
}
