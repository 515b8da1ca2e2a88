import type { CreateFulfillment } from '@fil/contracts';
import { Fulfillment, FulfillmentStepRefused, InvalidFulfillmentStep } from './fulfillment.entity';

const command = (overrides: Partial<CreateFulfillment> = {}): CreateFulfillment => ({
  fulfillmentId: 'F1',
  orderId: 'O1',
  locationId: 'WH1',
  kind: 'SHIP',
  reservationId: 'R1',
  lines: [
    { sku: 'A', quantity: 2 },
    { sku: 'B', quantity: 1 },
  ],
  ...overrides,
});
const fullPick = [
  { sku: 'A', quantity: 2 },
  { sku: 'B', quantity: 1 },
];

function packed(kind: CreateFulfillment['kind'] = 'SHIP') {
  const fulfillment = new Fulfillment(command({ kind }));
  fulfillment.pick(fullPick);
  fulfillment.pack([{ weightKg: 1.5 }]);
  return fulfillment;
}

describe('Fulfillment state machine', () => {
  it('starts CREATED with nothing picked and one history entry', () => {
    const fulfillment = new Fulfillment(command(), '00-trace-span-01');
    expect(fulfillment.status).toBe('CREATED');
    expect(fulfillment.lines).toEqual([
      { sku: 'A', quantity: 2, picked: 0 },
      { sku: 'B', quantity: 1, picked: 0 },
    ]);
    expect(fulfillment.history.map((entry) => entry.status)).toEqual(['CREATED']);
    expect(fulfillment.traceparent).toBe('00-trace-span-01');
  });

  it('merges allocation lines of the same SKU into one line to pick', () => {
    const fulfillment = new Fulfillment(command({ lines: [{ sku: 'A', quantity: 1 }, { sku: 'A', quantity: 2 }] }));
    expect(fulfillment.lines).toEqual([{ sku: 'A', quantity: 3, picked: 0 }]);
  });

  it('goes CREATED → PICKED → PACKED → SHIPPED → DELIVERED for a SHIP fulfillment, recording each step', () => {
    const fulfillment = new Fulfillment(command());
    expect(fulfillment.pick(fullPick)).toBe(true);
    expect(fulfillment.lines.map((line) => line.picked)).toEqual([2, 1]);
    expect(fulfillment.pack([{ weightKg: 1.5 }])).toBe(true);
    expect(fulfillment.ship('DHL', 'T1')).toBe(true);
    expect(fulfillment.toEvent()).toMatchObject({ status: 'SHIPPED', carrier: 'DHL', trackingNumber: 'T1', orderId: 'O1' });
    expect(fulfillment.deliver()).toBe(true);
    expect(fulfillment.history.map((entry) => entry.status)).toEqual(['CREATED', 'PICKED', 'PACKED', 'SHIPPED', 'DELIVERED']);
  });

  it('refuses a step from the wrong state and says which state it needs', () => {
    const fulfillment = new Fulfillment(command());
    expect(() => fulfillment.ship('DHL', 'T1')).toThrow(
      new FulfillmentStepRefused('cannot ship fulfillment F1: it is CREATED, it must be PACKED'),
    );
    expect(() => fulfillment.pack([{ weightKg: 1 }])).toThrow('it is CREATED, it must be PICKED');
    expect(() => fulfillment.deliver()).toThrow('it is CREATED, it must be SHIPPED');
    expect(fulfillment.status).toBe('CREATED');
  });

  it('treats a repeated step with the same data as already done, and with other data as refused', () => {
    const fulfillment = new Fulfillment(command());
    fulfillment.pick(fullPick);
    expect(fulfillment.pick([...fullPick].reverse())).toBe(false);
    fulfillment.pack([{ weightKg: 1.5 }]);
    expect(fulfillment.pack([{ weightKg: 1.5 }])).toBe(false);
    expect(() => fulfillment.pack([{ weightKg: 2 }])).toThrow(FulfillmentStepRefused);
    fulfillment.ship('DHL', 'T1');
    expect(fulfillment.ship('DHL', 'T1')).toBe(false);
    expect(() => fulfillment.ship('UPS', 'T1')).toThrow('it is SHIPPED, it must be PACKED');
    fulfillment.deliver();
    expect(fulfillment.deliver()).toBe(false);
    expect(fulfillment.history).toHaveLength(5);
  });

  it('treats a step repeated after the next ones (a retry whose answer was lost) as already done, unless the work was called off', () => {
    const fulfillment = packed();
    fulfillment.ship('DHL', 'T1');
    fulfillment.deliver();
    expect(fulfillment.pick(fullPick)).toBe(false);
    expect(fulfillment.pack([{ weightKg: 1.5 }])).toBe(false);
    expect(fulfillment.ship('DHL', 'T1')).toBe(false);
    expect(() => fulfillment.pack([{ weightKg: 3 }])).toThrow('it is DELIVERED, it must be PICKED');
    expect(fulfillment.history).toHaveLength(5);
    const counter = new Fulfillment(command({ kind: 'PICKUP' }));
    counter.ready([]);
    counter.collect();
    expect(counter.ready([])).toBe(false);
    const calledOff = packed();
    calledOff.cancel('customer changed their mind');
    expect(() => calledOff.pack([{ weightKg: 1.5 }])).toThrow('it is CANCELLED, it must be PICKED');
  });

  it('accepts a short pick with a reason, keeping what was found and what is missing', () => {
    const fulfillment = new Fulfillment(command());
    expect(fulfillment.pick([{ sku: 'A', quantity: 1, reason: 'NOT_FOUND' }, { sku: 'B', quantity: 0, reason: 'DAMAGED' }])).toBe(true);
    expect(fulfillment.lines).toEqual([
      { sku: 'A', quantity: 2, picked: 1 },
      { sku: 'B', quantity: 1, picked: 0 },
    ]);
    expect(fulfillment.shortLines).toEqual([
      { sku: 'A', missing: 1, reason: 'NOT_FOUND' },
      { sku: 'B', missing: 1, reason: 'DAMAGED' },
    ]);
    expect(fulfillment.history.at(-1)).toMatchObject({ status: 'PICKED', detail: 'A 1 missing (NOT_FOUND), B 1 missing (DAMAGED)' });
  });

  it('refuses to pack a parcel of which nothing was picked, and packs one with a unit found', () => {
    const empty = new Fulfillment(command());
    empty.pick([{ sku: 'A', quantity: 0, reason: 'NOT_FOUND' }, { sku: 'B', quantity: 0, reason: 'NOT_FOUND' }]);
    expect(() => empty.pack([{ weightKg: 1 }])).toThrow(new FulfillmentStepRefused('cannot pack fulfillment F1: nothing was picked, there is nothing to send'));
    expect(empty.status).toBe('PICKED');
    const short = new Fulfillment(command());
    short.pick([{ sku: 'A', quantity: 0, reason: 'NOT_FOUND' }, { sku: 'B', quantity: 1 }]);
    expect(short.pack([{ weightKg: 1 }])).toBe(true);
  });

  it('refuses a short line without a reason, leaving the fulfillment CREATED', () => {
    const fulfillment = new Fulfillment(command());
    expect(() => fulfillment.pick([{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }])).toThrow(
      new InvalidFulfillmentStep('cannot pick fulfillment F1: A (1 of 2) short without a reason (such as NOT_FOUND or DAMAGED)'),
    );
    expect(fulfillment.status).toBe('CREATED');
  });

  it('rejects pick lines that do not match the fulfillment: unknown, repeated, missing or too many', () => {
    const fulfillment = new Fulfillment(command());
    expect(() => fulfillment.pick([...fullPick, { sku: 'Z', quantity: 1 }])).toThrow(new InvalidFulfillmentStep('cannot pick fulfillment F1: it holds no sku Z'));
    expect(() => fulfillment.pick([...fullPick, { sku: 'A', quantity: 2 }])).toThrow('sku A is named twice');
    expect(() => fulfillment.pick([{ sku: 'A', quantity: 2 }])).toThrow('missing B');
    expect(() => fulfillment.pick([{ sku: 'A', quantity: 3 }, { sku: 'B', quantity: 1 }])).toThrow('only 2 to pick');
  });

  it('rejects parcels without a positive weight', () => {
    const fulfillment = new Fulfillment(command());
    fulfillment.pick(fullPick);
    expect(() => fulfillment.pack([{ weightKg: 0 }])).toThrow(InvalidFulfillmentStep);
    expect(() => fulfillment.pack([])).toThrow(InvalidFulfillmentStep);
  });

  it('allows cancelling until shipped, once', () => {
    const fulfillment = packed();
    expect(fulfillment.cancel('customer changed their mind')).toBe(true);
    expect(fulfillment.status).toBe('CANCELLED');
    expect(fulfillment.history.at(-1)).toMatchObject({ status: 'CANCELLED', detail: 'customer changed their mind' });
    expect(fulfillment.cancel('again')).toBe(false);
    expect(() => fulfillment.pick(fullPick)).toThrow('it is CANCELLED, it must be CREATED');
  });

  it('refuses to cancel once shipped', () => {
    const fulfillment = packed();
    fulfillment.ship('DHL', 'T1');
    expect(() => fulfillment.cancel('too late')).toThrow(/cannot cancel fulfillment F1: it is SHIPPED/);
    expect(fulfillment.status).toBe('SHIPPED');
  });

  it('sends a TRANSFER in transit instead of shipped, and never delivers it to a customer', () => {
    const fulfillment = packed('TRANSFER');
    fulfillment.ship('Van', 'V1');
    expect(fulfillment.status).toBe('IN_TRANSIT');
    expect(() => fulfillment.deliver()).toThrow(/only a SHIP fulfillment is delivered/);
  });

  it('neither packs nor ships a PICKUP fulfillment', () => {
    const fulfillment = new Fulfillment(command({ kind: 'PICKUP' }));
    fulfillment.pick(fullPick);
    expect(() => fulfillment.pack([{ weightKg: 1 }])).toThrow(/handed over at the counter/);
    expect(() => fulfillment.ship('DHL', 'T1')).toThrow(/collected at the store/);
  });
});

/** A transfer of `quantity` A to WH1 that found `found` of them, on its way. */
function transferTo(id: string, found: number, quantity = 1): Fulfillment {
  const transfer = new Fulfillment(command({ fulfillmentId: id, kind: 'TRANSFER', destinationLocationId: 'WH1', lines: [{ sku: 'A', quantity }] }));
  transfer.pick([{ sku: 'A', quantity: found, ...(found < quantity ? { reason: 'NOT_FOUND' as const } : {}) }]);
  if (found) {
    transfer.pack([{ weightKg: 1 }]);
    transfer.ship('Van', `V-${id}`);
  }
  return transfer;
}

describe('Fulfillment at the counter', () => {
  it('receives a transfer that is in transit, once', () => {
    const transfer = new Fulfillment(command({ kind: 'TRANSFER', destinationLocationId: 'ST1' }));
    expect(() => transfer.receive()).toThrow(new FulfillmentStepRefused('cannot receive fulfillment F1: it is CREATED, it must be IN_TRANSIT'));
    transfer.pick(fullPick);
    transfer.pack([{ weightKg: 2 }]);
    transfer.ship('DHL', 'T1');
    expect(transfer.receive()).toBe(true);
    expect(transfer.receive()).toBe(false);
    expect(transfer.history.at(-1)).toMatchObject({ status: 'RECEIVED', detail: 'at ST1' });
    expect(() => new Fulfillment(command()).receive()).toThrow(/only a TRANSFER is received/);
  });

  it('is ready only when no transfer is missing, then collected once', () => {
    const counter = new Fulfillment(command({ kind: 'PICKUP' }));
    expect(() => counter.collect()).toThrow(/it is CREATED, it must be READY_FOR_PICKUP/);
    expect(() => counter.ready(['F2 (IN_TRANSIT)'])).toThrow('cannot mark fulfillment F1 ready: transfers F2 (IN_TRANSIT) have not been received at WH1 yet');
    expect(counter.status).toBe('CREATED');
    expect(counter.ready([])).toBe(true);
    expect(counter.ready([])).toBe(false);
    expect(counter.collect()).toBe(true);
    expect(counter.collect()).toBe(false);
    expect(counter.history.map((entry) => entry.status)).toEqual(['CREATED', 'READY_FOR_PICKUP', 'COLLECTED']);
    expect(() => new Fulfillment(command()).ready([])).toThrow(/only a PICKUP fulfillment is handed over at the counter/);
  });

  it('is ready from PICKED too, may still be cancelled at the counter, and is then neither ready nor collected', () => {
    const counter = new Fulfillment(command({ kind: 'PICKUP' }));
    counter.pick(fullPick);
    expect(counter.ready([])).toBe(true);
    expect(counter.cancel('customer never came')).toBe(true);
    expect(() => counter.ready([])).toThrow('cannot mark ready fulfillment F1: it is CANCELLED, it must be CREATED or PICKED');
    expect(() => counter.collect()).toThrow('cannot collect fulfillment F1: it is CANCELLED, it must be READY_FOR_PICKUP');
  });

  it('is not ready while units a transfer was to bring are missing, found short or called off at its origin, until another brings them', () => {
    const counter = new Fulfillment(command({ kind: 'PICKUP', lines: [{ sku: 'A', quantity: 2 }], ownLines: [{ sku: 'A', quantity: 1 }] }));
    const foundNothing = transferTo('F2', 0);
    foundNothing.cancel('nothing found');
    expect(() => counter.ready([], [foundNothing])).toThrow('cannot mark fulfillment F1 ready: A 1 to come by transfer has not arrived at WH1 yet');
    expect(() => counter.ready([], [foundNothing, transferTo('F3', 1)])).toThrow(FulfillmentStepRefused);
    const brought = transferTo('F3', 1);
    brought.receive();
    expect(counter.ready([], [foundNothing, brought])).toBe(true);
  });

  it('is not ready, serving transfers only, before what they brought covers every unit', () => {
    const counter = new Fulfillment(command({ kind: 'PICKUP', reservationId: undefined, lines: [{ sku: 'A', quantity: 2 }] }));
    const short = transferTo('F2', 1, 2);
    short.receive();
    expect(() => counter.ready([], [short])).toThrow('cannot mark fulfillment F1 ready: A 1 to come by transfer has not arrived at WH1 yet');
  });

  it('announces where a transfer goes and when an e-reservation ends', () => {
    const transfer = new Fulfillment(command({ kind: 'TRANSFER', destinationLocationId: 'ST1' }));
    expect(transfer.toEvent()).toMatchObject({ kind: 'TRANSFER', destinationLocationId: 'ST1', expiresAt: undefined });
    const counter = new Fulfillment(command({ kind: 'PICKUP', expiresAt: '2030-01-01T00:00:00Z' }));
    expect(counter.toEvent()).toMatchObject({ kind: 'PICKUP', destinationLocationId: undefined, expiresAt: '2030-01-01T00:00:00.000Z' });
  });

  it('refuses to hand over an e-reservation past its deadline', () => {
    const counter = new Fulfillment(command({ kind: 'PICKUP', expiresAt: '2030-01-01T00:00:00.000Z' }));
    counter.ready([]);
    expect(() => counter.collect(new Date('2030-01-01T00:00:01.000Z'))).toThrow('cannot collect fulfillment F1: the reservation expired at 2030-01-01T00:00:00.000Z');
    expect(counter.collect(new Date('2029-12-31T23:59:59.000Z'))).toBe(true);
  });

  it('does not announce an e-reservation past its deadline as ready', () => {
    const counter = new Fulfillment(command({ kind: 'PICKUP', expiresAt: '2030-01-01T00:00:00.000Z' }));
    expect(() => counter.ready([], [], new Date('2030-01-01T00:00:01.000Z'))).toThrow('cannot mark ready fulfillment F1: the reservation expired at 2030-01-01T00:00:00.000Z');
    expect(counter.status).toBe('CREATED');
  });
});
