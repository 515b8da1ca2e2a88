// Operators' tool for the messages Fil could not take or could not send (docs/reliability.md):
//   npm run dlq -- list                          dead letters on fil.dlq.v1, one line each
//   npm run dlq -- show ID                       one dead letter, whole
//   npm run dlq -- redrive ID... | --all         re-send to the original topic; the consumer that dead-lettered it handles it once
//   npm run dlq -- parked [SERVICE...]           outbox rows the broker refused (all services by default)
//   npm run dlq -- unpark SERVICE:ROW...         let the relay send them again
//   npm run dlq -- discard SERVICE:ROW...        delete them unsent
//   npm run dlq -- dead-letter SERVICE TOPIC PARTITION OFFSET   give up on a message that holds its partition (/health)
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { FIL_SERVICES, Topics } from '@fil/contracts';
// The modules themselves, not the libraries' index: that pulls Nest and MikroORM, seconds at every start.
import { createKafka } from '../libs/messaging/src/kafka';
import { DeadLetterQueue, type ListedDeadLetter } from '../libs/messaging/src/dead-letter-queue';
import { databaseName, databaseUrlOf } from '../libs/persistence/src/database';

const queue = new DeadLetterQueue(createKafka(`fil-dlq-tool-${randomUUID().slice(0, 8)}`), Topics.dlq);

async function find(id: string): Promise<ListedDeadLetter> {
  const letter = await queue.find(id);
  if (!letter) throw new Error(`no dead letter ${id} on ${Topics.dlq} (ids are partition:offset, see list)`);
  return letter;
}

/** Runs `work` on a service's database; a service without one (not deployed here) is skipped. */
async function inDatabase<T>(service: string, work: (client: Client) => Promise<T>): Promise<T | undefined> {
  const client = new Client({ connectionString: databaseUrlOf(databaseName(service)) });
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
    for (const letter of await queue.list()) {
      console.log([letter.id, letter.rejectedAt, letter.consumer, `${letter.originalTopic}/${letter.partition}@${letter.offset}`, letter.reason].join('\t'));
    }
  },
  async show([id]) {
    console.log(JSON.stringify(await find(id), null, 2));
  },
  async redrive(ids) {
    if (!ids.length) throw new Error('redrive needs dead letter ids or --all');
    const letters = ids.includes('--all') ? await queue.list() : await Promise.all(ids.map(find));
    await queue.redrive(letters, (letter) => console.log(`${letter.id}\tredriven to ${letter.originalTopic}`));
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
