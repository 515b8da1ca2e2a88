import type { EntityManager } from '@mikro-orm/postgresql';

/** What dedupe needs of a message: CloudEvents ids are unique only per source. */
export interface Claimable {
  source: string;
  id: string;
  digest: string;
}

/**
 * `fresh` the first time a (source, id) is seen; `redelivered` when it was handled with the
 * same content; `conflict` when it was handled with other content.
 */
export type Claim = 'fresh' | 'redelivered' | 'conflict';

const keyOf = ({ source, id }: { source: string; id: string }) => JSON.stringify([source, id]);

/**
 * Records messages as handled by `consumer`, in one statement, and says for each, in order,
 * what it is; of several with one (source, id) in the list, the first is the one claimed.
 */
export async function claimMessages(tx: EntityManager, consumer: string, messages: Claimable[]): Promise<Claim[]> {
  const firsts = new Map<string, Claimable>();
  for (const message of messages) if (!firsts.has(keyOf(message))) firsts.set(keyOf(message), message);
  const inserted = await tx.execute<{ source: string; id: string }[]>(
    `insert into handled_message (consumer, source, message_id, digest)
     select ?, source, id, digest from jsonb_to_recordset(?::jsonb) as m(source text, id text, digest text)
     on conflict do nothing returning source, message_id as id`,
    [consumer, JSON.stringify([...firsts.values()])],
  );
  const fresh = new Set(inserted.map(keyOf));
  const handledWith = new Map<string, string | null>([...firsts].map(([key, message]) => [key, message.digest]));
  const earlier = [...firsts].filter(([key]) => !fresh.has(key)).map(([, message]) => message);
  if (earlier.length) {
    const rows = await tx.execute<{ source: string; id: string; digest: string | null }[]>(
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
