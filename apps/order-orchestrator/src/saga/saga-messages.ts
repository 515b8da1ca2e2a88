import { FULFILLMENT_STATUSES, unsafeInput, type AvailabilityReport, type FulfillmentEvent, type Refund, type ReservationOutcome, type StockShortage } from '@fil/contracts';
import { InvalidMessage } from '@fil/messaging';

// The answers come from Fil's own services: they are trusted for their shape, but a
// value without the ids the saga keys on can never be applied, so it goes to the DLQ.

export function readReservationOutcome(value: unknown): ReservationOutcome {
  requireIds(value, ['orderId', 'reservationId'], 'reservation outcome');
  return value as ReservationOutcome;
}

export function readFulfillmentEvent(value: unknown): FulfillmentEvent {
  requireIds(value, ['orderId', 'fulfillmentId', 'locationId'], 'fulfillment event');
  if (!FULFILLMENT_STATUSES.includes((value as FulfillmentEvent).status)) {
    throw new InvalidMessage(`fulfillment event: status ${String((value as FulfillmentEvent).status)} is not a fulfillment status`);
  }
  return value as FulfillmentEvent;
}

export function readStockShortage(value: unknown): StockShortage {
  requireIds(value, ['locationId', 'sku'], 'stock shortage');
  const reservations = (value as StockShortage).reservations;
  const valid = Array.isArray(reservations) && reservations.every((r) => typeof r?.reservationId === 'string' && typeof r?.orderId === 'string');
  if (!valid) throw new InvalidMessage('stock shortage: reservations must be a list of {reservationId, orderId, quantity}');
  return value as StockShortage;
}

export function readAvailabilityReport(value: unknown): AvailabilityReport {
  requireIds(value, ['orderId', 'requestId'], 'availability report');
  const levels = (value as AvailabilityReport).levels;
  const valid = Array.isArray(levels) && levels.every((l) => typeof l?.locationId === 'string' && typeof l?.sku === 'string' && Number.isInteger(l.atp) && l.atp >= 0);
  if (!valid) throw new InvalidMessage('availability report: levels must be a list of {locationId, sku, atp}');
  return value as AvailabilityReport;
}

export function readRefund(value: unknown): Refund {
  requireIds(value, ['orderId', 'refundId'], 'refund');
  const lines = (value as Refund).lines;
  const valid = Array.isArray(lines) && lines.every((line) => typeof line?.sku === 'string' && Number.isInteger(line.quantity) && line.quantity >= 0);
  if (!valid) throw new InvalidMessage('refund: lines must be a list of {sku, quantity}');
  return value as Refund;
}

function requireIds(value: unknown, ids: string[], what: string): void {
  if (value === null || typeof value !== 'object') throw new InvalidMessage(`${what}: value must be a JSON object`);
  const missing = ids.filter((id) => typeof (value as Record<string, unknown>)[id] !== 'string' || !(value as Record<string, unknown>)[id]);
  if (missing.length) throw new InvalidMessage(`${what}: ${missing.join(', ')} must be non-empty strings`);
  const unsafe = unsafeInput(value);
  if (unsafe.length) throw new InvalidMessage(`${what}: ${unsafe.join('; ')}`);
}
