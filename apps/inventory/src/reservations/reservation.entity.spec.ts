import { quantitiesBySku, Reservation } from './reservation.entity';

const request = { reservationId: 'r-1', orderId: 'o-1', locationId: 'store-lyon', lines: [{ sku: 'B', quantity: 1 }, { sku: 'A', quantity: 2 }] };

describe('reservation', () => {
  it('adds up lines of the same SKU and sorts them, the order rows are locked in', () => {
    expect(quantitiesBySku([{ sku: 'B', quantity: 1 }, { sku: 'A', quantity: 2 }, { sku: 'B', quantity: 3 }])).toEqual([
      ['A', 2],
      ['B', 4],
    ]);
  });

  it('releases or commits only once, and only while held', () => {
    const held = Reservation.held(request);
    expect(held.commit()).toBe('CONSUME');
    expect(held.commit()).toBeUndefined();
    expect(held.release()).toBe(false);
    expect(held.outcome().type).toBe('ReservationCommitted');

    const refused = Reservation.refused(request, 'INSUFFICIENT_STOCK', [{ sku: 'A', requested: 2, atp: 1 }]);
    expect(refused.release()).toBe(false);
    expect(refused.outcome()).toEqual({
      type: 'StockReservationRefused',
      data: expect.objectContaining({ reason: 'INSUFFICIENT_STOCK', shortLines: [{ sku: 'A', requested: 2, atp: 1 }] }),
    });
  });

  it('expires only once the grace period after its deadline is over, and only while held', () => {
    const deadline = new Date('2030-01-01T00:00:00Z');
    const at = (ms: number) => new Date(deadline.getTime() + ms);
    expect(Reservation.held(request).expire(at(3_600_000), 0)).toBe(false);
    const held = Reservation.held(request, deadline);
    expect(held.expire(at(59_999), 60_000)).toBe(false);
    expect(held.expire(at(60_000), 60_000)).toBe(true);
    expect(held.expire(at(60_000), 60_000)).toBe(false);
    expect(held.outcome().type).toBe('ReservationExpired');
    const committed = Reservation.held(request, deadline);
    committed.commit();
    expect(committed.expire(at(3_600_000), 0)).toBe(false);
  });

  it('never keeps a hold past its deadline for more than a tenth of the hold: a TTL of seconds expires in seconds', () => {
    const short = Reservation.held(request, new Date('2030-01-01T00:00:10Z'));
    short.createdAt = new Date('2030-01-01T00:00:00Z');
    expect(short.expire(new Date('2030-01-01T00:00:10.999Z'), 300_000)).toBe(false);
    expect(short.expire(new Date('2030-01-01T00:00:11Z'), 300_000)).toBe(true);
    const long = Reservation.held(request, new Date('2030-01-03T00:00:00Z'));
    long.createdAt = new Date('2030-01-01T00:00:00Z');
    expect(long.expire(new Date('2030-01-03T00:04:59Z'), 300_000)).toBe(false);
    expect(long.expire(new Date('2030-01-03T00:05:00Z'), 300_000)).toBe(true);
  });

  it('commits a reservation whatever its deadline: an expired one has its units taken again', () => {
    const expired = Reservation.held(request, new Date('2030-01-01T00:00:00Z'));
    expired.expire(new Date('2030-01-02T00:00:00Z'), 0);
    expect(expired.commit()).toBe('TAKE_AGAIN');
    expect(expired.outcome().type).toBe('ReservationCommitted');
    expect(expired.commit()).toBeUndefined();
    const released = Reservation.held(request);
    released.release();
    expect(released.commit()).toBeUndefined();
    expect(released.outcome().type).toBe('ReservationReleased');
  });
});
