import { Client } from 'pg';
import { databaseName, databaseUrlOf } from '@fil/persistence';
import type { ServiceName } from '@fil/testing';

/** The name each service goes by in its database, consumer group and ce_source (the orchestrator's is `orders`). */
const SERVICE_ID: Record<ServiceName, string> = { 'order-orchestrator': 'orders', inventory: 'inventory', fulfillment: 'fulfillment', returns: 'returns' };

export function serviceId(service: ServiceName): string {
  return SERVICE_ID[service];
}

/** This run's database of `service` (FIL_DB_PREFIX): the only ones the suite ever reads or disturbs. */
export function serviceDatabase(service: ServiceName): string {
  return databaseName(SERVICE_ID[service]);
}

/** A connection of the suite's own to `database` (the server's `postgres` by default). */
export async function connectTo(database = 'postgres'): Promise<Client> {
  const client = new Client({ connectionString: databaseUrlOf(database) });
  // A terminated connection reports here; the query in flight rejects on its own.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Read-only SQL on one service's database, for what no API shows (reservations, outbox). */
export async function readOnly<T>(service: ServiceName, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = await connectTo(serviceDatabase(service));
  try {
    await client.query('set default_transaction_read_only = on');
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end().catch(() => undefined);
  }
}
