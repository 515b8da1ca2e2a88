// Operators' tool for the messages Fil could not take or could not send (docs/reliability.md):
//   npm run dlq -- list                          dead letters on fil.dlq.v1, one line each
//   npm run dlq -- show ID                       one dead letter, whole
//   npm run dlq -- redrive ID... | --all         re-send to the original topic; the consumer that dead-lettered it handles it once
//   npm run dlq -- parked [SERVICE...]           outbox rows the broker refused (all services by default)
//   npm run dlq -- unpark SERVICE:ROW...         let the relay send them again
//   npm run dlq -- discard SERVICE:ROW...        delete them unsent
//   npm run dlq -- dead-letter SERVICE TOPIC PARTITION OFFSET   give up on a message that holds its partition (/health)
import { createHash, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { FIL_SERVICES, Topics } from '@fil/contracts';
// The modules themselves, not the libraries' index: that pulls Nest and MikroORM, seconds at every start.
import { createKafka, physicalTopic } from '../libs/messaging/src/kafka';
import { decodeHeaders, REDRIVE_HEADER } from '../libs/messaging/src/message';
import type { DeadLetter } from '../libs/messaging/src/dead-letter';
import { databaseName, databaseUrl } from '../libs/persistence/src/database';

/** A dead letter with where it lies on fil.dlq.v1 (`partition:offset`, its id for this tool). */
interface Listed extends DeadLetter {
  id: string;
}

const kafka = createKafka(`fil-dlq-tool-${randomUUID().slice(0, 8)}`);

/** Reads `topic` to its end, or only the message at `at`, keeping what `keep` returns. */
async function read<T>(topic: string, keep: (partition: number, message: KafkaMessage) => T | undefined, at?: { partition: number; offset: string }): Promise<T[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await (async () => {
    if (!(await admin.listTopics()).includes(physicalTopic(topic))) throw new Error(`no topic ${physicalTopic(topic)} on this cluster`);
    return admin.fetchTopicOffsets(physicalTopic(topic));
  })().finally(() => admin.disconnect());
  // The last offset to read in each partition that has one.
  const last = new Map(
    ends
      .filter(({ partition, low, high }) => (at ? partition === at.partition && Number(low) <= Number(at.offset) && Number(at.offset) < Number(high) : Number(low) < Number(high)))
      .map(({ partition, high }) => [partition, at ? Number(at.offset) : Number(high) - 1]),
  );
  if (!last.size) return [];
  const found: T[] = [];
  const consumer = kafka.consumer({ groupId: `fil-dlq-tool-${randomUUID()}`, maxWaitTimeInMs: 100 });
  let timer: NodeJS.Timeout | undefined;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [physicalTopic(topic)], fromBeginning: !at });
    let finished!: () => void;
    const allRead = new Promise<void>((resolve) => (finished = resolve));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (!last.has(partition) || Number(message.offset) > last.get(partition)!) return;
        const kept = keep(partition, message);
        if (kept !== undefined) found.push(kept);
        if (Number(message.offset) === last.get(partition)) last.delete(partition);
        if (!last.size) finished();
      },
    });
    if (at) consumer.seek({ topic: physicalTopic(topic), partition: at.partition, offset: at.offset });
    await Promise.race([allRead, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out reading ${topic}`)), 30_000)))]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return found;
}

async function deadLetters(): Promise<Listed[]> {
  const seen = new Set<string>();
  const letters = await read(Topics.dlq, (partition, message) => {
    // The relay may publish a dead letter twice (crash before its mark): its ce_id tells.
    const ceId = decodeHeaders(message).ce_id;
    if (!message.value || (ceId && seen.has(ceId))) return undefined;
    if (ceId) seen.add(ceId);
    return { ...(JSON.parse(message.value.toString('utf8')) as DeadLetter), id: `${partition}:${message.offset}` };
  });
  return letters.sort((a, b) => a.rejectedAt.localeCompare(b.rejectedAt));
}

async function find(id: string): Promise<Listed> {
  const letter = (await deadLetters()).find((candidate) => candidate.id === id);
  if (!letter) throw new Error(`no dead letter ${id} on ${Topics.dlq} (ids are partition:offset, see list)`);
  return letter;
}

/** The original message: from the dead letter when it kept it whole, else from its topic, checked against its digest. */
async function original(letter: Listed): Promise<{ key: string | null; value: Buffer | null; headers: IHeaders }> {
  if (!letter.truncated) return { key: letter.key, value: letter.value === null ? null : Buffer.from(letter.value), headers: letter.headers };
  const [message] = await read(letter.originalTopic, (partition, found) => (found.offset === letter.offset ? found : undefined), {
    partition: letter.partition,
    offset: letter.offset,
  });
  const digest = message?.value && createHash('sha256').update(message.value).digest('hex');
  if (!message || digest !== letter.valueSha256) {
    throw new Error(`${letter.id}: the original at ${letter.originalTopic}/${letter.partition}@${letter.offset} is no longer on its topic`);
  }
  return { key: message.key?.toString('utf8') ?? null, value: message.value, headers: decodeHeaders(message) };
}

async function redrive(letters: Listed[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const letter of letters) {
      const { key, value, headers } = await original(letter);
      await producer.send({ topic: physicalTopic(letter.originalTopic), acks: -1, messages: [{ key, value, headers: { ...headers, [REDRIVE_HEADER]: letter.id } }] });
      console.log(`${letter.id}\tredriven to ${letter.originalTopic}`);
    }
  } finally {
    await producer.disconnect();
  }
}

/** Runs `work` on a service's database; a service without one (not deployed here) is skipped. */
async function inDatabase<T>(service: string, work: (client: Client) => Promise<T>): Promise<T | undefined> {
  const url = new URL(databaseUrl());
  url.pathname = `/${databaseName(service)}`;
  const client = new Client({ connectionString: url.toString() });
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code === '3D000') return undefined;
    throw error;
  }
  try {
    return await work(client);
  } catch (error) {
    // 42P01 undefined table, 42703 undefined column: the service has not run since the upgrade.
    if (['42P01', '42703'].includes((error as { code?: string }).code ?? '')) throw new Error(`${service}: its database is not migrated yet, start the service once`);
    throw error;
  } finally {
    await client.end();
  }
}

/** `SERVICE:ROW` as `parked` prints it. */
function parkedRow(ref: string): [service: string, row: string] {
  const match = /^(.+):(\d+)$/.exec(ref);
  if (!match) throw new Error(`${ref} is not SERVICE:ROW (see parked)`);
  return [match[1], match[2]];
}

async function onParked(refs: string[], sql: string, done: string): Promise<void> {
  for (const ref of refs) {
    const [service, row] = parkedRow(ref);
    const changed = await inDatabase(service, (client) => client.query(sql, [row]));
    if (!changed?.rowCount) throw new Error(`${ref}: no parked row`);
    console.log(`${ref}\t${done}`);
  }
}

const commands: Record<string, (args: string[]) => Promise<void>> = {
  async list() {
    for (const letter of await deadLetters()) {
      console.log([letter.id, letter.rejectedAt, letter.consumer, `${letter.originalTopic}/${letter.partition}@${letter.offset}`, letter.reason].join('\t'));
    }
  },
  async show([id]) {
    console.log(JSON.stringify(await find(id), null, 2));
  },
  async redrive(ids) {
    if (!ids.length) throw new Error('redrive needs dead letter ids or --all');
    const letters = ids.includes('--all') ? await deadLetters() : await Promise.all(ids.map(find));
    await redrive(letters);
  },
  async parked(services) {
    for (const service of services.length ? services : FIL_SERVICES) {
      const rows = await inDatabase(service, (client) =>
        client.query<{ id: string; topic: string; message_key: string | null; parked_at: Date; error: string; bytes: number }>(
          `select id, topic, message_key, parked_at, error, octet_length(payload) as bytes from outbox_message where parked_at is not null order by id`,
        ),
      );
      for (const row of rows?.rows ?? []) {
        console.log([`${service}:${row.id}`, row.parked_at.toISOString(), row.topic, row.message_key ?? '', `${row.bytes} bytes`, row.error].join('\t'));
      }
    }
  },
  unpark: (refs) => onParked(refs, 'update outbox_message set parked_at = null, error = null where id = $1 and parked_at is not null', 'unparked, the relay sends it again'),
  discard: (refs) => onParked(refs, 'delete from outbox_message where id = $1 and parked_at is not null', 'discarded'),
  async 'dead-letter'([service, topic, partition, offset]) {
    if (!/^\d+$/.test(partition ?? '') || !/^\d+$/.test(offset ?? '')) throw new Error('dead-letter needs SERVICE TOPIC PARTITION OFFSET');
    const asked = await inDatabase(service, (client) =>
      client.query('insert into dead_letter_request (consumer, topic, partition, message_offset) values ($1, $2, $3, $4) on conflict do nothing', [service, topic, partition, offset]),
    );
    if (!asked) throw new Error(`no database for service ${service}`);
    console.log(`${service} dead-letters ${topic}/${partition}@${offset} at its next attempt`);
  },
};

async function main([command, ...args]: string[]): Promise<void> {
  const run = commands[command];
  if (!run) throw new Error(`usage: npm run dlq -- ${Object.keys(commands).join(' | ')} (see scripts/dlq.ts)`);
  await run(args);
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`dlq: ${error.message}`);
  process.exit(1);
});
