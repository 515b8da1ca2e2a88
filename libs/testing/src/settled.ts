import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { physicalTopic } from '@fil/messaging';
import { Sweepers } from '@fil/platform';
import type { KafkaProbe } from './kafka-probe';
import { waitFor } from './test-environment';

/**
 * Resolves once the service running in `app` has handled every message sent so far on
 * `topics` (its consumer group committed their end offsets), each of its deadline sweeps has
 * run once more, its outbox is published, and `probe` has read what it watches to the end.
 * After this, asserting that nothing else happened is a fact, not a bet on a sleep.
 */
export async function settled(app: INestApplication, service: string, topics: string[], probe: KafkaProbe): Promise<void> {
  const admin = probe.kafka.admin();
  await admin.connect();
  try {
    const groupId = physicalTopic(`fil.${service}`);
    const sent = await endOffsets(admin, topics);
    await waitFor(
      async () => {
        const committed = await admin.fetchOffsets({ groupId, topics: topics.map(physicalTopic) });
        const at = new Map(committed.flatMap(({ topic, partitions }) => partitions.map((p) => [`${topic}:${p.partition}`, Number(p.offset)])));
        return [...sent].every(([partition, end]) => end === 0 || (at.get(partition) ?? -1) >= end);
      },
      { what: `${service} to handle everything sent on ${topics.join(', ')}`, timeoutMs: 30_000 },
    );
    await app.get(Sweepers).afterNextPass();
    const em = app.get<MikroORM>(MikroORM).em.fork();
    await waitFor(async () => (await em.execute('select 1 from outbox_message where published_at is null limit 1')).length === 0, {
      what: `${service}'s outbox to be published`,
      timeoutMs: 30_000,
    });
    await probe.caughtUp(await endOffsets(admin, probe.topics()));
  } finally {
    await admin.disconnect();
  }
}

/** The next offset of each partition (`topic:partition`, physical names). */
async function endOffsets(admin: ReturnType<KafkaProbe['kafka']['admin']>, topics: string[]): Promise<Map<string, number>> {
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (const { partition, high } of await admin.fetchTopicOffsets(physicalTopic(topic))) ends.set(`${physicalTopic(topic)}:${partition}`, Number(high));
  }
  return ends;
}
