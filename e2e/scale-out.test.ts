import { FIL_SERVICES } from '@fil/contracts';
import { physicalTopic } from '@fil/messaging';
import { useTestEnvironment } from '@fil/testing';
import { hotSkuRace } from '../chaos/faults';
import { runChaos, SHORT_FORM, type ChaosReport } from '../chaos/run-chaos';

useTestEnvironment('scale_out');
// Each of the two instances of a service gets six partitions of every topic it reads.
process.env.FIL_KAFKA_PARTITIONS = '12';
jest.setTimeout(600_000);

/**
 * Scale-out (issue 12): two instances of every service, in their consumer groups for the
 * whole run, under the fault suite's load of mixed orders and a burst of e-reservations
 * racing for a SKU the store holds little of; the fault suite's checks must find the same
 * as with one instance: nothing.
 */
let report: ChaosReport;

beforeAll(async () => {
  report = await runChaos({ ...SHORT_FORM, faults: [hotSkuRace(30)], secondInstances: true, rate: 3, beforeMs: 3_000, afterMs: 3_000 });
});

it('runs two members in the consumer group of every service, each of which consumed partitions of its own', () => {
  const groups = report.groups.map(({ groupId, state, members }) => ({ groupId, state, members: members.length, idle: members.filter((member) => !member.consumed).length }));
  expect(groups).toEqual(FIL_SERVICES.map((service) => ({ groupId: physicalTopic(`fil.${service}`), state: 'Stable', members: 2, idle: 0 })));
});

it('answers every order once, brings each to its end, doubles nothing and allocates exactly the hot SKU’s stock, no more', () => {
  const [phase] = report.phases;
  expect(phase.failures).toEqual([]);
  expect(phase).toMatchObject({ lost: 0, doubles: 0, answered: phase.sent });
  expect(phase.sent).toBeGreaterThan(30);
});
