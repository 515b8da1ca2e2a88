// Drops what earlier test runs left behind (databases fil_test_*, topics test.*), so the
// broker and the database server do not fill up run after run. A run still going on (its
// databases have connections) on the same machine is left alone, topics included.
import { Client } from 'pg';
import { createKafka } from '@fil/messaging';
import { databaseUrl } from '@fil/persistence';

async function main() {
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  const { rows } = await client.query<{ datname: string; busy: boolean }>(
    `select datname, exists (select 1 from pg_stat_activity a where a.datname = d.datname) as busy
     from pg_database d where datname like 'fil\\_test\\_%'`,
  );
  const live = rows.filter((row) => row.busy).map((row) => row.datname);
  const idle = rows.filter((row) => !row.busy).map((row) => row.datname);
  for (const datname of idle) await client.query(`drop database if exists "${datname}"`).catch(() => live.push(datname));
  await client.end();

  // A test file's topics are `test.<name>.<run>.` and its databases `fil_test_<name>_<run>_<service>`.
  const ofLiveRun = (topic: string) => {
    const [, name, run] = topic.split('.');
    return live.some((datname) => datname.startsWith(`fil_test_${name}_${run}_`));
  };
  const admin = createKafka('fil-test-cleaner').admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith('test.') && !ofLiveRun(topic));
  if (topics.length) await admin.deleteTopics({ topics, timeout: 30_000 });
  await admin.disconnect();
  console.error(`cleaned ${idle.length} test databases and ${topics.length} test topics of earlier runs${live.length ? ` (${live.length} databases of a run still going on kept)` : ''}`);
}

main().catch((error) => {
  console.error(`could not clean earlier test runs: ${error.message}`);
  process.exit(1);
});
