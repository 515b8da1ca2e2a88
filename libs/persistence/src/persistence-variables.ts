import { integer, oneOf, text, url } from '@fil/config';

export const DATABASE_URL = url('DATABASE_URL', ['postgresql:', 'postgres:'], 'postgresql://postgres@127.0.0.1:5432/postgres', 'The PostgreSQL server; each service creates and uses its own database on it.');
export const DB_PREFIX = text('FIL_DB_PREFIX', 'fil', 'Start of each service database name (fil_orders...): keeps test runs apart from the demo.', {
  pattern: /^[a-z_][a-z0-9_]{0,50}$/,
  accepts: 'up to 51 lowercase letters, digits and _, not starting with a digit',
});
export const DB_POOL = integer('FIL_DB_POOL', { min: 1, max: 1000, unit: 'connections', fallback: 10 }, 'Most connections each instance opens to its database.');
export const SQL_DEBUG = oneOf('FIL_SQL_DEBUG', ['0', '1'], '0', '1 logs every SQL statement (at info).');

export const persistenceVariables = [DATABASE_URL, DB_PREFIX, DB_POOL, SQL_DEBUG];
