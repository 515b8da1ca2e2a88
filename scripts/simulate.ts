// Replays recorded orders under a proposed routing policy beside the one they used (docs/decisions/0007):
//   npm run simulate -- --policy FILE                       the last 1000 orders
//   npm run simulate -- --policy FILE --orders N            the last N
//   npm run simulate -- --policy FILE --from DATE --to DATE orders created in [from, to), 10 000 at most
// FILE is a routing policy document as PUT /routing/policies takes it. Reads the orchestrator's
// database (DATABASE_URL, FIL_DB_PREFIX) and changes nothing.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { databaseName, databaseUrlOf } from '../libs/persistence/src/database';
import { policyDocumentProblems } from '../apps/order-orchestrator/src/routing/dto/routing-policy.document';
import { loadRecordedDecisions, MAX_ORDERS, withNumberedPlaceholders, type SimulationWindow } from '../apps/order-orchestrator/src/routing/recorded-decisions';
import type { PolicyDocument } from '../apps/order-orchestrator/src/routing/routing-policy';
import { simulate } from '../apps/order-orchestrator/src/routing/simulation';
import { simulationMarkdown } from '../apps/order-orchestrator/src/routing/simulation-report';

const USAGE = 'usage: npm run simulate -- --policy FILE [--from DATE --to DATE | --orders N]';

function proposedPolicy(file: string): PolicyDocument {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const problems = policyDocumentProblems(parsed);
  if (problems.length) throw new Error(`${file} is not a valid routing policy document:\n  ${problems.join('\n  ')}`);
  return parsed as PolicyDocument;
}

function window(values: { from?: string; to?: string; orders?: string }): SimulationWindow {
  const date = (value: string | undefined, name: string) => {
    if (value === undefined) return undefined;
    const parsed = new Date(value);
    if (Number.isNaN(parsed.getTime())) throw new Error(`--${name} ${value} is not a date`);
    return parsed;
  };
  if (values.orders !== undefined && (!/^\d+$/.test(values.orders) || Number(values.orders) < 1 || Number(values.orders) > MAX_ORDERS)) {
    throw new Error(`--orders must be a whole number from 1 to ${MAX_ORDERS}`);
  }
  return { from: date(values.from, 'from'), to: date(values.to, 'to'), orders: values.orders === undefined ? undefined : Number(values.orders) };
}

async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { policy: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, orders: { type: 'string' } } });
  if (!values.policy) throw new Error(USAGE);
  const proposed = proposedPolicy(values.policy);
  const client = new Client({ connectionString: databaseUrlOf(databaseName('orders')) });
  await client.connect();
  try {
    const { decisions, versions } = await loadRecordedDecisions(async (sql, params) => (await client.query(withNumberedPlaceholders(sql), params)).rows, window(values));
    process.stdout.write(simulationMarkdown(simulate(decisions, versions, proposed)));
  } finally {
    await client.end();
  }
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`simulate: ${error.message}`);
  process.exit(1);
});
