import { AvailabilityReport, FulfillmentEvent, Refund, ReservationOutcome, StockShortage } from './index';
import { validateAs } from './validation';

const outcome = { reservationId: 'O-1:R1', orderId: 'O-1', locationId: 'WH-1', lines: [{ sku: 'SKU-1', quantity: 2 }] };

describe('replies to the orchestrator', () => {
  it('accept what inventory sends for a reservation short-picked to nothing, and for a refusal at a location whose ATP is below zero', () => {
    expect(validateAs(ReservationOutcome, { ...outcome, lines: [] }).ok).toBe(true);
    expect(validateAs(ReservationOutcome, { ...outcome, reason: 'INSUFFICIENT_STOCK', shortLines: [{ sku: 'SKU-1', requested: 2, atp: -3 }] }).ok).toBe(true);
  });

  it('accept a fulfillment event without its optional fields', () => {
    const event = { fulfillmentId: 'O-1-F1', orderId: 'O-1', locationId: 'WH-1', kind: 'SHIP', status: 'CREATED', lines: [{ sku: 'SKU-1', quantity: 2, picked: 0 }], occurredAt: '2026-01-01T00:00:00Z' };
    expect(validateAs(FulfillmentEvent, event).ok).toBe(true);
  });

  it.each([
    ['ReservationOutcome', ReservationOutcome, { ...outcome, lines: [{ sku: 'SKU 1', quantity: 2 }] }, 'lines.0.sku: sku must be 1-64 letters'],
    ['StockShortage', StockShortage, { locationId: 'WH-1', sku: 'SKU/1', onHand: 0, reserved: 2, shortBy: 2, adjustmentId: 'A-1', reservations: [] }, 'sku: sku must be 1-64 letters'],
    ['AvailabilityReport', AvailabilityReport, { requestId: 'O-1:A1', orderId: 'O-1', levels: [{ locationId: 'WH-1', sku: 'SKU 1', atp: 1 }] }, 'levels.0.sku: sku must be 1-64 letters'],
    [
      'Refund',
      Refund,
      { refundId: 'RF-1', returnId: 'R-1', orderId: 'O-1', amount: 1, currency: 'EUR', lines: [{ sku: '', quantity: 1, unitPrice: 1, condition: 'RESELLABLE', amount: 1 }] },
      'lines.0.sku: sku must be 1-64 letters',
    ],
  ])('refuse a %s whose SKU breaks the id rule, naming the field', (_name, dto, value, error) => {
    expect(validateAs(dto as new () => object, value)).toEqual({ ok: false, errors: expect.arrayContaining([expect.stringContaining(error)]) });
  });
});
