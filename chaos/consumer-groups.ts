import { AssignerProtocol, type Admin, type Kafka } from 'kafkajs';
import { physicalTopic } from '@fil/messaging';
import { SERVICE_NAMES, waitFor, type ServiceName } from '@fil/testing';
import { serviceId } from './service-databases';

/** A member of a service's consumer group: how many partitions it holds, and on how many of them the group committed offsets. */
export interface GroupMember {
  memberId: string;
  partitions: number;
  consumed: number;
}

export interface GroupUse {
  service: ServiceName;
  groupId: string;
  state: string;
  members: GroupMember[];
}

const groupOf = (service: ServiceName) => physicalTopic(`fil.${serviceId(service)}`);

/** Waits until the broker serves consumer groups: a fresh one creates its offsets topic at the first look-up, on a busy machine later than a consumer waits before it crashes. */
export async function groupsServed(kafka: Kafka): Promise<void> {
  await withAdmin(kafka, (admin) =>
    waitFor(() => admin.describeGroups(['fil-chaos-warm-up']).then(() => true), { timeoutMs: 120_000, intervalMs: 1_000, what: 'the broker to serve consumer groups' }),
  );
}

/** Waits until the group of every service is stable with `members` members, each holding partitions. */
export async function everyGroupHas(kafka: Kafka, members: number): Promise<void> {
  await withAdmin(kafka, (admin) =>
    waitFor(
      async () => (await describe(admin)).every((group) => group.state === 'Stable' && group.members.length === members && group.members.every((member) => member.partitions > 0)),
      { timeoutMs: 60_000, intervalMs: 500, what: `every service's consumer group to have ${members} members holding partitions` },
    ),
  );
}

/**
 * Each service's consumer group as it stands: its members and what they consumed. With the members
 * in the group before the first message and no rebalance since, the offsets committed on a member's
 * partitions are its own work.
 */
export function consumerGroups(kafka: Kafka): Promise<GroupUse[]> {
  return withAdmin(kafka, describe);
}

async function describe(admin: Admin): Promise<GroupUse[]> {
  const { groups } = await admin.describeGroups(SERVICE_NAMES.map(groupOf));
  return Promise.all(
    SERVICE_NAMES.map(async (service) => {
      const { groupId, state, members } = groups.find((group) => group.groupId === groupOf(service))!;
      const committed = new Set<string>();
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
        for (const { partition, offset } of partitions) if (Number(offset) > 0) committed.add(`${topic}:${partition}`);
      }
      const uses = members.map(({ memberId, memberAssignment }) => {
        const held = Object.entries(AssignerProtocol.MemberAssignment.decode(memberAssignment)?.assignment ?? {}).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}:${p}`));
        return { memberId, partitions: held.length, consumed: held.filter((partition) => committed.has(partition)).length };
      });
      return { service, groupId, state, members: uses };
    }),
  );
}

async function withAdmin<T>(kafka: Kafka, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}
