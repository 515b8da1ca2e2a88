import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client, type ClientConfig } from 'pg';
import { describeError } from '@fil/observability';

/** Notified at the commit of outbox rows to publish (the trigger of `messagingNotifyMigration`); each service has its own database. */
export const OUTBOX_CHANNEL = 'outbox_message';

/** How the relay's connection shows in `pg_stat_activity`. */
export const RELAY_CONNECTION_NAME = 'fil-outbox-relay';

// One relay at a time per service database, so the rows of one key are published in commit order.
const RELAY_LOCK = 0x0f11_0001;

const CLIENT_CHECK_MS = 1_000;

/**
 * The outbox relay's own connection. It LISTENs on the outbox channel and calls `wake` at each
 * notification, and once after each (re)connect: what was committed while no one listened was
 * not heard. It holds the relay lock from a pass that gets it until a pass fails, so that a pass
 * is a read and a mark on this connection, not a transaction of five statements from the pool.
 * A lost connection lets the lock go with it (another instance's relay may take over) and is
 * opened again with backoff until `close`.
 */
export class RelayConnection {
  private readonly logger = new Logger('RelayConnection');
  private readonly closing = new AbortController();
  private client?: Client;
  /** The client once it listens: a pass may use it. */
  private listening?: Client;
  private locked = false;
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

  /** The connection if it holds the relay lock (asked for again while another relay holds it), else nothing. */
  async holdingLock(): Promise<Client | undefined> {
    const client = this.listening;
    if (!client) return undefined;
    if (!this.locked) {
      const { rows } = await client.query<{ locked: boolean }>(`select pg_try_advisory_lock(${RELAY_LOCK}) as locked`);
      // The connection may have been lost and replaced while the lock was asked for.
      if (client !== this.listening) return undefined;
      this.locked = rows[0].locked;
    }
    return this.locked ? client : undefined;
  }

  /**
   * After a failed pass: the lock goes, and the other relays are woken to take it. A relay that
   * cannot reach the broker while its database connection is fine would otherwise keep every
   * other instance of the service from publishing.
   */
  async letLockGo(): Promise<void> {
    const client = this.listening;
    if (!client || !this.locked) return;
    this.locked = false;
    // A lost connection has let the lock go already.
    await client.query(`select pg_advisory_unlock(${RELAY_LOCK}); notify ${OUTBOX_CHANNEL}`).catch(() => undefined);
  }

  private async listen(): Promise<void> {
    let failures = 0;
    while (!this.closing.signal.aborted) {
      const client = new Client({ ...connectionOf(this.orm), application_name: RELAY_CONNECTION_NAME });
      const ended = new Promise((resolve) => client.once('end', resolve));
      // Without a listener, an error on the idle connection would crash the process.
      client.on('error', (error) => this.logger.warn(`outbox relay connection lost: ${describeError(error)}`));
      client.on('notification', () => this.wake());
      this.client = client;
      try {
        await client.connect();
        // A relay that dies while its mark waits on a lock: its backend ends within a second, the mark
        // undone and the relay lock free for the next relay, instead of marking once the lock is granted.
        await client.query(`set client_connection_check_interval = ${CLIENT_CHECK_MS}; listen ${OUTBOX_CHANNEL}`);
        [this.listening, this.locked] = [client, false];
        failures = 0;
        this.wake();
        await ended;
      } catch (error) {
        if (!this.closing.signal.aborted) this.logger.warn(`outbox relay cannot listen: ${describeError(error)}`);
        await client.end().catch(() => undefined);
      }
      [this.listening, this.locked] = [undefined, false];
      failures += 1;
      await pauseAfterFailures(failures, this.closing.signal);
    }
  }
}

/** The relay's wait before trying again: doubling from 200 ms up to 5 s, cut short when `stopped` aborts. */
export const pauseAfterFailures = (failures: number, stopped: AbortSignal) =>
  sleep(Math.min(5_000, 100 * 2 ** failures), undefined, { signal: stopped }).catch(() => undefined);

/** The settings of the ORM's own connections, so the relay reaches the same database. */
function connectionOf(orm: MikroORM): ClientConfig {
  const { host, port, user, password, database } = orm.em.getConnection().getConnectionOptions();
  if (typeof password !== 'function') return { host, port, user, password, database };
  const current = async () => {
    const secret = await password();
    return typeof secret === 'string' ? secret : secret.password;
  };
  return { host, port, user, database, password: current };
}
