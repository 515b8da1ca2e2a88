import { Topics } from '@fil/contracts';
import { ceHeaders, http, useTestEnvironment } from '@fil/testing';
import { killBroker, killService, type Fault } from '../chaos/faults';
import { runChaos, SHORT_FORM, type ChaosReport } from '../chaos/run-chaos';

useTestEnvironment('chaos');
jest.setTimeout(600_000);

/**
 * The short form of `npm run chaos` (docs/reliability.md): a small steady load of mixed
 * orders while the orchestrator and then the suite's own broker are killed -9 and started
 * again, with the suite's checks after each. A last phase does damage on purpose, so that
 * the checks are seen to catch it.
 */
const sabotage: Fault = {
  name: 'sabotage',
  baseline: true,
  async inject(world) {
    const inventory = world.system.url('inventory');
    const { body } = await http('GET', `${inventory}/stock/SKU-PA`);
    const paris = body.find((row: { locationId: string }) => row.locationId === 'CH-WH-PARIS');
    await http('PUT', `${inventory}/locations/CH-WH-PARIS/stock/SKU-PA`, { onHand: paris.onHand + 1, safetyStock: 0 });
    const [refund] = world.ledger.all(Topics.refunds);
    await world.probe.send(Topics.refunds, refund.key!, { ...refund.value, refundId: 'refund-sabotage' }, ceHeaders('returns', 'RefundIssued'));
    // A second decision on an order, as two orchestrators that both took it would publish.
    const cancelled = world.orders.find((order) => order.plan === 'cancel')!;
    const answer = world.ledger.of(Topics.ordersEvents, cancelled.orderId).find((m) => m.value?.previousStatus === 'RECEIVED')!;
    await world.probe.send(Topics.ordersEvents, cancelled.orderId, answer.value, { ...answer.headers, ce_id: `${answer.headers.ce_id}-sabotage` });
    await world.probe.send(Topics.inventoryCommands, 'SABOTAGE', { reservationId: 'SABOTAGE:R1', orderId: 'SABOTAGE', locationId: 'CH-WH-PARIS', lines: [] }, { ce_id: 'sabotage', ce_type: 'ReserveStock', ce_source: '/chaos' });
  },
};

let report: ChaosReport;

beforeAll(async () => {
  report = await runChaos({
    faults: [killService('order-orchestrator', 1_000), killBroker(3_000), sabotage],
    ...SHORT_FORM,
    rate: 1,
    beforeMs: 2_000,
    afterMs: 2_000,
  });
});

it.each(['kill -9 order-orchestrator', 'kill -9 Kafka broker'])('under %s, answers every order, brings each to its end and doubles nothing', (fault) => {
  const phase = report.phases.find((p) => p.fault === fault)!;
  expect(phase.failures).toEqual([]);
  expect(phase).toMatchObject({ lost: 0, doubles: 0, answered: phase.sent });
  expect(phase.sent).toBeGreaterThan(0);
});

it('catches a second answer to an order, a stock figure nobody explains, a second refund for a return and a valid message in the DLQ', () => {
  const phase = report.phases.find((p) => p.fault === 'sabotage')!;
  expect(phase.failures).toEqual([
    expect.stringMatching(/^double effect: CH-\S+ answered 2 times: CH-\S+:2 ALLOCATED, CH-\S+:2-sabotage ALLOCATED$/),
    expect.stringMatching(/^double effect: return RET-\S+ refunded 2 times/),
    expect.stringMatching(/^CH-\S+ ended CANCELLED in "kill -9 order-orchestrator", then moved to ALLOCATED$/),
    expect.stringMatching(/^CH-WH-PARIS\|SKU-PA: on hand \d+, expected \d+/),
    expect.stringMatching(/^the DLQ holds a valid message: fil.inventory.commands.v1 key SABOTAGE/),
  ]);
});
