import type { EntityClass, MigrationObject } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { setting } from '@fil/config';
import { LOG_LEVEL } from '@fil/observability';
import { databaseName, databaseUrl } from './database';
import { DB_POOL, SQL_DEBUG } from './persistence-variables';

export interface ServiceDatabase {
  service: string;
  entities: EntityClass<unknown>[];
  /** Applied in order at start; the messaging tables come first. */
  migrations: MigrationObject[];
}

export function ormOptions(db: ServiceDatabase): Options {
  return defineConfig({
    clientUrl: databaseUrl(),
    dbName: databaseName(db.service),
    entities: db.entities,
    extensions: [Migrator],
    migrations: { migrationsList: db.migrations, transactional: true, allOrNothing: true, snapshot: false },
    pool: { min: 1, max: setting(DB_POOL) },
    allowGlobalContext: false,
    // Writes are flushed by the transaction that makes them or by an explicit flush; without
    // auto flush, MikroORM defines no change-tracking accessors on each entity it loads or creates.
    flushMode: 'commit',
    forceUtcTimezone: true,
    debug: setting(SQL_DEBUG) === '1',
    colors: false,
    // Same JSON lines as the services' own logs (migrations applied, SQL when debugging).
    logger: (message: string) => {
      if (!['warn', 'error'].includes(setting(LOG_LEVEL))) writeLine(db.service, 'mikro-orm', 'info', message);
    },
    // knex's own warnings (a connection lost) would otherwise be plain text among the JSON lines.
    driverOptions: {
      log: {
        warn: (message: unknown) => setting(LOG_LEVEL) !== 'error' && writeLine(db.service, 'knex', 'warn', message),
        error: (message: unknown) => writeLine(db.service, 'knex', 'error', message),
        deprecate: (method: string, alternative: string) => setting(LOG_LEVEL) !== 'error' && writeLine(db.service, 'knex', 'warn', `${method} is deprecated: use ${alternative}`),
        debug: () => undefined,
      },
    },
  });
}

function writeLine(service: string, context: string, level: 'info' | 'warn' | 'error', message: unknown): void {
  const line = { time: new Date().toISOString(), level, service, context, msg: message instanceof Error ? message.message : String(message) };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
