import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client, type ClientConfig } from 'pg';
import { describeError } from '@fil/observability';

/** Notified at the commit of outbox rows to publish (the trigger of `messagingNotifyMigration`); each service has its own database. */
export const OUTBOX_CHANNEL = 'outbox_message';

/** How the listening connection shows in `pg_stat_activity`. */
export const OUTBOX_LISTENER_NAME = 'fil-outbox-relay';

/**
 * Holds one connection of its own that LISTENs on the outbox channel and calls `wake` at each
 * notification, and once after each (re)connect: what was committed while no one listened was
 * not heard. A lost connection is opened again with backoff until `close`.
 */
export class OutboxListener {
  private readonly logger = new Logger('OutboxListener');
  private readonly closing = new AbortController();
  private client?: Client;
  private loop?: Promise<void>;

  constructor(
    private readonly orm: MikroORM,
    private readonly wake: () => void,
  ) {}

  open(): void {
    this.loop ??= this.listen();
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }

  private async listen(): Promise<void> {
    let failures = 0;
    while (!this.closing.signal.aborted) {
      const client = new Client({ ...connectionOf(this.orm), application_name: OUTBOX_LISTENER_NAME });
      const ended = new Promise((resolve) => client.once('end', resolve));
      // Without a listener, an error on the idle connection would crash the process.
      client.on('error', (error) => this.logger.warn(`outbox listener connection lost: ${describeError(error)}`));
      client.on('notification', () => this.wake());
      this.client = client;
      try {
        await client.connect();
        await client.query(`listen ${OUTBOX_CHANNEL}`);
        failures = 0;
        this.wake();
        await ended;
      } catch (error) {
        if (!this.closing.signal.aborted) this.logger.warn(`outbox listener cannot listen: ${describeError(error)}`);
        await client.end().catch(() => undefined);
      }
      failures += 1;
      await sleep(Math.min(5_000, 100 * 2 ** failures), undefined, { signal: this.closing.signal }).catch(() => undefined);
    }
  }
}

/** The settings of the ORM's own connections, so the listener reaches the same database. */
function connectionOf(orm: MikroORM): ClientConfig {
  const { host, port, user, password, database } = orm.em.getConnection().getConnectionOptions();
  if (typeof password !== 'function') return { host, port, user, password, database };
  const current = async () => {
    const secret = await password();
    return typeof secret === 'string' ? secret : secret.password;
  };
  return { host, port, user, database, password: current };
}
