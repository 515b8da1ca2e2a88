import { ORDER_STATUSES, type OrderStatus } from '@fil/contracts';
import { Order, OrderTransitionRefused } from './order.entity';

const ALLOWED: Record<string, OrderStatus[]> = {
  RECEIVED: ['ALLOCATED', 'PARTIALLY_ALLOCATED', 'RESERVED', 'REJECTED', 'CANCELLED'],
  ALLOCATED: ['ALLOCATED', 'PARTIALLY_ALLOCATED', 'IN_FULFILLMENT', 'READY_FOR_PICKUP', 'SHIPPED', 'REJECTED', 'CANCELLED'],
  PARTIALLY_ALLOCATED: ['PARTIALLY_ALLOCATED', 'ALLOCATED', 'IN_FULFILLMENT', 'READY_FOR_PICKUP', 'SHIPPED', 'REJECTED', 'CANCELLED'],
  RESERVED: ['READY_FOR_PICKUP', 'COLLECTED', 'EXPIRED', 'CANCELLED'],
  IN_FULFILLMENT: ['IN_FULFILLMENT', 'READY_FOR_PICKUP', 'SHIPPED', 'REJECTED', 'CANCELLED'],
  READY_FOR_PICKUP: ['COLLECTED', 'EXPIRED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: ['PARTIALLY_RETURNED', 'RETURNED'],
  COLLECTED: ['PARTIALLY_RETURNED', 'RETURNED'],
  PARTIALLY_RETURNED: ['PARTIALLY_RETURNED', 'RETURNED'],
  NEEDS_ATTENTION: ['CANCELLED'],
};
// A failed compensation may strike at any point: every status but itself may go to NEEDS_ATTENTION.
for (const status of ORDER_STATUSES) if (status !== 'NEEDS_ATTENTION') ALLOWED[status] = [...(ALLOWED[status] ?? []), 'NEEDS_ATTENTION'];

function orderIn(status: OrderStatus): Order {
  const { order } = Order.receive(
    { orderId: 'O-1', lines: [{ lineId: '1', sku: 'A', quantity: 2, unitPrice: 10 }, { lineId: '2', sku: 'B', quantity: 1, unitPrice: 5 }], contentHash: 'h' },
    'submitted',
  );
  order.status = status;
  return order;
}

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

  for (const from of ORDER_STATUSES) {
    for (const to of ORDER_STATUSES) {
      const allowed = (ALLOWED[from] ?? []).includes(to);
      it(`${allowed ? 'allows' : 'refuses'} ${from} → ${to}`, () => {
        const order = orderIn(from);
        if (allowed) {
          expect(order.transition(to, 'because')).toMatchObject({ from, to, cause: 'because', number: 2 });
          expect(order.status).toBe(to);
        } else {
          expect(() => order.transition(to, 'because')).toThrow(new OrderTransitionRefused(`order O-1 cannot go from ${from} to ${to}`));
          expect(order.status).toBe(from);
          expect(order.steps).toBe(1);
        }
      });
    }
  }

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

describe('Order.addReturned', () => {
  it('is complete only once every ordered unit has come back, over several refunds', () => {
    const order = orderIn('DELIVERED');
    expect(order.addReturned([{ sku: 'A', quantity: 1 }])).toBe(false);
    expect(order.addReturned([{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }])).toBe(true);
    expect(order.returned).toEqual({ A: 2, B: 1 });
  });
});
