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
    expect(held.commit()).toBe(true);
    expect(held.commit()).toBe(false);
    expect(held.release()).toBe(false);
    expect(held.outcome().type).toBe('ReservationCommitted');

    const refused = Reservation.refused(request, 'INSUFFICIENT_STOCK', [{ sku: 'A', requested: 2, atp: 1 }]);
    expect(refused.release()).toBe(false);
    expect(refused.outcome()).toEqual({
      type: 'StockReservationRefused',
      data: expect.objectContaining({ reason: 'INSUFFICIENT_STOCK', shortLines: [{ sku: 'A', requested: 2, atp: 1 }] }),
    });
  });
});
