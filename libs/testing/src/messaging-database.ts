import { MikroORM } from '@mikro-orm/postgresql';
import { messagingMigrations } from '@fil/messaging';
import { databaseName, dropDatabase, ensureDatabase, ormOptions } from '@fil/persistence';

/** A database holding only the messaging tables (outbox, handled messages), for tests of what runs on them. */
export async function openMessagingDatabase(service: string): Promise<MikroORM> {
  await ensureDatabase(databaseName(service));
  const orm = await MikroORM.init({
    ...ormOptions({ service, entities: [], migrations: messagingMigrations }),
    discovery: { warnWhenNoEntities: false },
  });
  await orm.getMigrator().up();
  return orm;
}

export async function closeMessagingDatabase(orm: MikroORM, service: string): Promise<void> {
  await orm.close();
  await dropDatabase(databaseName(service));
}
