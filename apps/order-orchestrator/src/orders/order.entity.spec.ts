import { ORDER_STATUSES, type OrderStatus } from '@fil/contracts';
import { Order, OrderTransitionRefused } from './order.entity';

function orderIn(status: OrderStatus): Order {
  const { order } = Order.receive(
    { orderId: 'O-1', lines: [{ lineId: '1', sku: 'A', quantity: 2, unitPrice: 10 }, { lineId: '2', sku: 'B', quantity: 1, unitPrice: 5 }], contentHash: 'h' },
    'submitted',
  );
  order.status = status;
  return order;
}

/** Nothing more happens to the order (NEEDS_ATTENTION aside, which any status may need). */
const FINAL: readonly OrderStatus[] = ['REJECTED', 'CANCELLED', 'EXPIRED', 'RETURNED'];
/** A part has shipped, or the goods were handed over. */
const GOODS_GONE: readonly OrderStatus[] = ['SHIPPED', 'DELIVERED', 'COLLECTED', 'PARTIALLY_RETURNED'];
const pairs = ORDER_STATUSES.flatMap((from) => ORDER_STATUSES.map((to) => [from, to] as const));

/** Where the entity lets an order in `status` go next, itself excluded. */
const exits = (status: OrderStatus) => ORDER_STATUSES.filter((to) => to !== status && orderIn(status).canMoveTo(to));
const enteredFrom = (status: OrderStatus) => ORDER_STATUSES.filter((from) => from !== status && orderIn(from).canMoveTo(status));

function reachableFrom(start: OrderStatus): Set<OrderStatus> {
  const seen = new Set<OrderStatus>([start]);
  const queue = [start];
  while (queue.length) {
    for (const next of exits(queue.shift()!)) {
      if (!seen.has(next)) queue.push(next);
      seen.add(next);
    }
  }
  return seen;
}

/** The moves out of `statuses` that go anywhere but `allowed`, as `FROM → TO`: a failure names them. */
const movesOutside = (statuses: readonly OrderStatus[], allowed: readonly OrderStatus[]) =>
  statuses.flatMap((from) => exits(from).filter((to) => !allowed.includes(to)).map((to) => `${from} → ${to}`));

describe('Order state machine', () => {
  it('starts RECEIVED at step 1, or REJECTED with its errors', () => {
    const received = Order.receive({ orderId: 'O-1', lines: [], contentHash: 'h', customer: { id: 'C-1' } }, 'submitted on web');
    expect(received.order.status).toBe('RECEIVED');
    expect(received.order.customerId).toBe('C-1');
    expect(received.step).toMatchObject({ number: 1, from: null, to: 'RECEIVED', cause: 'submitted on web' });
    const rejected = Order.reject({ orderId: 'O-2', lines: [], contentHash: 'h' }, ['lines: too few'], 'VALIDATION_FAILED');
    expect(rejected.order.status).toBe('REJECTED');
    expect(rejected.order.errors).toEqual(['lines: too few']);
  });

  it('takes a move exactly when it says it may, and a refused move changes nothing', () => {
    for (const [from, to] of pairs) {
      const order = orderIn(from);
      if (order.canMoveTo(to)) {
        expect(order.transition(to, 'because')).toMatchObject({ from, to, cause: 'because', number: 2 });
        expect(order.status).toBe(to);
      } else {
        expect(() => order.transition(to, 'because')).toThrow(new OrderTransitionRefused(`order O-1 cannot go from ${from} to ${to}`));
        expect(order).toMatchObject({ status: from, steps: 1 });
      }
    }
  });

  it('reaches every status from RECEIVED', () => {
    expect([...reachableFrom('RECEIVED')].sort()).toEqual([...ORDER_STATUSES].sort());
  });

  it('leaves a final status for nothing but NEEDS_ATTENTION, and reaches a final status from every other', () => {
    expect(movesOutside(FINAL, ['NEEDS_ATTENTION'])).toEqual([]);
    expect(ORDER_STATUSES.filter((status) => !FINAL.some((final) => reachableFrom(status).has(final)))).toEqual([]);
  });

  it('lets any status but NEEDS_ATTENTION itself go to NEEDS_ATTENTION, which a person resolves by cancelling', () => {
    for (const status of ORDER_STATUSES) expect(orderIn(status).canMoveTo('NEEDS_ATTENTION')).toBe(status !== 'NEEDS_ATTENTION');
    expect(exits('NEEDS_ATTENTION')).toEqual(['CANCELLED']);
  });

  it('cancels until a part has shipped or been collected, never after (PRODUCT.md)', () => {
    const open = ORDER_STATUSES.filter((status) => !FINAL.includes(status) && status !== 'NEEDS_ATTENTION');
    expect(open.filter((status) => orderIn(status).canMoveTo('CANCELLED'))).toEqual(open.filter((status) => !GOODS_GONE.includes(status)));
  });

  it('never goes back once goods have left: from a shipped or collected status only on, to returns, or to NEEDS_ATTENTION', () => {
    expect(movesOutside(GOODS_GONE, [...GOODS_GONE, 'RETURNED', 'NEEDS_ATTENTION'])).toEqual([]);
  });

  it('expires only an e-reservation still waiting at the counter, and counts returns only after delivery or collection', () => {
    expect(enteredFrom('EXPIRED').filter((from) => from !== 'NEEDS_ATTENTION')).toEqual(['RESERVED', 'READY_FOR_PICKUP']);
    expect(enteredFrom('RESERVED')).toEqual(['RECEIVED']);
    const returnsFrom = ORDER_STATUSES.filter((from) => ['PARTIALLY_RETURNED', 'RETURNED'].some((to) => from !== to && orderIn(from).canMoveTo(to as OrderStatus)));
    expect(returnsFrom).toEqual(['DELIVERED', 'COLLECTED', 'PARTIALLY_RETURNED']);
  });

  it('numbers steps one after the other', () => {
    const order = orderIn('RECEIVED');
    expect(order.transition('ALLOCATED', 'reserved').number).toBe(2);
    expect(order.transition('IN_FULFILLMENT', 'picked').number).toBe(3);
  });
});

describe('Order.cancel', () => {
  it.each(['RECEIVED', 'ALLOCATED', 'IN_FULFILLMENT'] as const)('cancels a %s order with the reason as cause', (status) => {
    const order = orderIn(status);
    expect(order.cancel('customer changed their mind')).toMatchObject({ from: status, to: 'CANCELLED', cause: 'customer changed their mind' });
  });

  it.each([
    ['SHIPPED', 'a part has already shipped'],
    ['DELIVERED', 'it has already been delivered'],
    ['COLLECTED', 'it has already been collected'],
    ['REJECTED', 'it was rejected'],
    ['CANCELLED', 'it is already cancelled'],
  ] as const)('refuses to cancel a %s order, saying why', (status, why) => {
    const order = orderIn(status);
    expect(() => order.cancel('too late')).toThrow(`order O-1 cannot be cancelled: ${why} (status ${status})`);
    expect(order.status).toBe(status);
  });
});

describe('Order.cancel with parts under way', () => {
  it('refuses once one shipment of several has left, naming it', () => {
    const order = orderIn('IN_FULFILLMENT');
    const part = { kind: 'SHIP' as const, lines: [{ sku: 'A', quantity: 1 }], state: 'HELD' as const };
    order.addAllocations([
      { ...part, locationId: 'W1', reservationId: 'O-1:R1', fulfillmentId: 'O-1-F1', fulfillmentStatus: 'SHIPPED' },
      { ...part, locationId: 'W2', reservationId: 'O-1:R2', fulfillmentId: 'O-1-F2', fulfillmentStatus: 'PICKED' },
    ]);
    expect(() => order.cancel('too late')).toThrow('order O-1 cannot be cancelled: a part has already shipped (O-1-F1 from W1) (status IN_FULFILLMENT)');
  });

  it.each([
    ['received at the pickup store, with a counter to call off', 'RECEIVED', true, undefined],
    ['on its way to the pickup store, with a counter to call off', 'IN_TRANSIT', true, undefined],
    ['on its way, with no counter yet (a line backordered)', 'IN_TRANSIT', false, undefined],
    ['received, with no counter yet (a line backordered)', 'RECEIVED', false, undefined],
  ] as const)('with a transfer %s: %s', (_, fulfillmentStatus, withCounter, why) => {
    const order = orderIn('READY_FOR_PICKUP');
    if (withCounter) order.counterFulfillmentId = 'O-1-F2';
    order.addAllocations([{ kind: 'TRANSFER', lines: [{ sku: 'A', quantity: 1 }], state: 'HELD', locationId: 'W1', reservationId: 'O-1:R1', fulfillmentId: 'O-1-F1', fulfillmentStatus }]);
    expect(order.whyNotCancellable()).toBe(why && `order O-1 cannot be cancelled: ${why} (status READY_FOR_PICKUP)`);
  });

  it('keeps the earliest deadline of the steps waiting for an answer', () => {
    const order = orderIn('RECEIVED');
    const part = { kind: 'SHIP' as const, lines: [{ sku: 'A', quantity: 1 }], state: 'RESERVING' as const };
    order.addAllocations([
      { ...part, locationId: 'W1', reservationId: 'O-1:R1', deadline: '2030-01-01T00:00:02.000Z' },
      { ...part, locationId: 'W2', reservationId: 'O-1:R2', deadline: '2030-01-01T00:00:01.000Z' },
    ]);
    expect(order.nextDeadline?.toISOString()).toBe('2030-01-01T00:00:01.000Z');
    order.updateAllocation('O-1:R2', { state: 'HELD', deadline: undefined });
    expect(order.nextDeadline?.toISOString()).toBe('2030-01-01T00:00:02.000Z');
    order.updateAllocation('O-1:R1', { state: 'HELD', deadline: undefined });
    expect(order.nextDeadline).toBeNull();
  });
});

describe('Order.routed', () => {
  it('numbers its routing decisions from 0, one record each, and counts them', () => {
    const order = orderIn('RECEIVED');
    const decision = { at: '2026-01-01T00:00:00.000Z', cause: 'initial routing', lines: [], outcome: 'ALLOCATE' as const, allocations: [], backordered: [], explanation: {} };
    expect([order.routed(decision), order.routed({ ...decision, cause: 're-route' })].map(({ orderId, seq, record }) => [orderId, seq, record.cause])).toEqual([
      ['O-1', 0, 'initial routing'],
      ['O-1', 1, 're-route'],
    ]);
    expect(order.routingDecisions).toBe(2);
  });
});

describe('Order.addReturned', () => {
  it('is complete only once every ordered unit has come back, over several refunds', () => {
    const order = orderIn('DELIVERED');
    expect(order.addReturned([{ sku: 'A', quantity: 1 }])).toBe(false);
    expect(order.addReturned([{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }])).toBe(true);
    expect(order.returned).toEqual({ A: 2, B: 1 });
  });
});

describe('Order in NEEDS_ATTENTION, resolved by a person', () => {
  const part = { kind: 'SHIP' as const, lines: [{ sku: 'A', quantity: 1 }] };

  it('goes back to the status it came from, only from NEEDS_ATTENTION', () => {
    const order = orderIn('CANCELLED');
    order.transition('NEEDS_ATTENTION', 'release never confirmed');
    expect(order.attentionFrom).toBe('CANCELLED');
    expect(order.resume('retried')).toMatchObject({ from: 'NEEDS_ATTENTION', to: 'CANCELLED', cause: 'retried' });
    expect(order.attentionFrom).toBeNull();
    expect(() => order.resume('again')).toThrow(new OrderTransitionRefused('order O-1 is CANCELLED, not NEEDS_ATTENTION: it is not waiting for a person'));
    expect(order.status).toBe('CANCELLED');
  });

  it('lists the steps it gave up waiting for: those without a deadline, and no others', () => {
    const order = orderIn('ALLOCATED');
    order.addAllocations([
      { ...part, locationId: 'W1', reservationId: 'O-1:R1', state: 'RELEASING' },
      { ...part, locationId: 'W1', reservationId: 'O-1:R2', state: 'RELEASING', deadline: '2030-01-01T00:00:00.000Z' },
      { ...part, locationId: 'W1', reservationId: 'O-1:R3', state: 'HELD', fulfillmentId: 'O-1-F3' },
      { ...part, locationId: 'W1', reservationId: 'O-1:R4', state: 'HELD', fulfillmentId: 'O-1-F4', fulfillmentStatus: 'CREATED' },
      { ...part, locationId: 'W1', reservationId: 'O-1:R5', state: 'CANCELLING', fulfillmentId: 'O-1-F5' },
      { ...part, locationId: 'W1', reservationId: 'O-1:R6', state: 'RELEASED' },
    ]);
    const check = order.addCheck({ lines: [{ sku: 'B', quantity: 1 }], why: 'short', purpose: 'route' });
    expect(order.givenUp().parts.map((given) => given.reservationId)).toEqual(['O-1:R1', 'O-1:R3', 'O-1:R5']);
    expect(order.givenUp().checks).toEqual([check]);
  });

  it('counts as unwanted every hold of an order that was cancelled, but only the called-off ones of a live order, and never what left', () => {
    const parts = [
      { ...part, locationId: 'W1', reservationId: 'O-1:R1', state: 'HELD' as const },
      { ...part, locationId: 'W1', reservationId: 'O-1:R2', state: 'CANCELLING' as const, fulfillmentId: 'O-1-F2' },
      { ...part, locationId: 'W1', reservationId: 'O-1:R3', state: 'HELD' as const, fulfillmentId: 'O-1-F3', fulfillmentStatus: 'SHIPPED' as const },
      { ...part, locationId: 'W1', reservationId: 'O-1:R4', state: 'COMMITTED' as const, fulfillmentId: 'O-1-F4', fulfillmentStatus: 'DELIVERED' as const },
    ];
    const ids = (holds: { reservationId: string }[]) => holds.map((hold) => hold.reservationId);
    const cancelled = orderIn('CANCELLED');
    cancelled.addAllocations(parts);
    cancelled.transition('NEEDS_ATTENTION', 'stuck');
    expect(ids(cancelled.unwantedHolds().held)).toEqual(['O-1:R1', 'O-1:R2']);
    expect(ids(cancelled.unwantedHolds().gone)).toEqual(['O-1:R3', 'O-1:R4']);
    const live = orderIn('ALLOCATED');
    live.addAllocations(parts);
    live.transition('NEEDS_ATTENTION', 'stuck');
    expect(ids(live.unwantedHolds().held)).toEqual(['O-1:R2']);
  });

  it('may be cancelled again when it was cancelled before it needed attention, whatever left since', () => {
    const order = orderIn('CANCELLED');
    order.addAllocations([{ ...part, locationId: 'W1', reservationId: 'O-1:R1', state: 'HELD', fulfillmentId: 'O-1-F1', fulfillmentStatus: 'SHIPPED' }]);
    order.transition('NEEDS_ATTENTION', 'shipped before it could be called off');
    expect(order.cancel('parcel recovered')).toMatchObject({ from: 'NEEDS_ATTENTION', to: 'CANCELLED' });
    const live = orderIn('IN_FULFILLMENT');
    live.addAllocations([{ ...part, locationId: 'W1', reservationId: 'O-1:R1', state: 'HELD', fulfillmentId: 'O-1-F1', fulfillmentStatus: 'SHIPPED' }]);
    live.transition('NEEDS_ATTENTION', 'stuck');
    expect(() => live.cancel('too late')).toThrow(/cannot be cancelled: a part has already shipped/);
  });
});
