import { Client } from 'pg';
import { setting } from '@fil/config';
import { DATABASE_URL, DB_PREFIX } from './persistence-variables';

/** Base connection; each service gets its own database on it (`fil_orders`, `fil_inventory`...). */
export function databaseUrl(): string {
  return setting(DATABASE_URL);
}

/** The server of `databaseUrl`, connected to the database `name`: for tools that open their own pg client. */
export function databaseUrlOf(name: string): string {
  const url = new URL(databaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** `FIL_DB_PREFIX` keeps test runs apart from the demo's databases. */
export function databaseName(service: string): string {
  return `${setting(DB_PREFIX)}_${service.replace(/-/g, '_')}`;
}

/** Creates the database when missing; safe when several processes race to do it. */
export async function ensureDatabase(name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return;
    await client.query(`create database ${name}`).catch((error: { code?: string }) => {
      // 42P04 duplicate_database, 23505 unique_violation: another process created it first.
      if (error.code !== '42P04' && error.code !== '23505') throw error;
    });
  } finally {
    await client.end();
  }
}

export async function dropDatabase(name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}
