// Drops what earlier test runs left behind (databases fil_test_*, topics test.*), so the
// broker and the database server do not fill up run after run.
import { Client } from 'pg';
import { createKafka } from '@fil/messaging';
import { databaseUrl } from '@fil/persistence';

async function main() {
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  const { rows } = await client.query<{ datname: string }>("select datname from pg_database where datname like 'fil\\_test\\_%'");
  for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
  await client.end();

  const admin = createKafka('fil-test-cleaner').admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith('test.'));
  if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
  await admin.disconnect();
  console.error(`cleaned ${rows.length} test databases and ${topics.length} test topics of earlier runs`);
}

main().catch((error) => {
  console.error(`could not clean earlier test runs: ${error.message}`);
  process.exit(1);
});
