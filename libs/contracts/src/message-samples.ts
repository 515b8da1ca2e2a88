// One valid message of each type the services consume, as examples of the contract: the fast
// validation path's reference cases (fast-validation.spec.ts) and what bench/validation.bench.ts reads.
import {
  AvailabilityReport,
  CancelFulfillmentDto,
  CancelOrderDto,
  CheckAvailabilityDto,
  CreateFulfillment,
  EditOrderDto,
  FulfillmentEvent,
  OrderEvent,
  Refund,
  ReportShortPickDto,
  RequestReturnDto,
  ReservationOutcome,
  ReservationRefDto,
  ReserveStockDto,
  StockAdjustmentDto,
  StockShortage,
  SubmitOrderDto,
} from './index';

const at = '2026-11-30T10:00:00.000Z';
const line = { sku: 'SKU-1', quantity: 2 };

/** Each field set where the DTO allows it. */
export const MESSAGE_SAMPLES: [new () => object, Record<string, unknown>][] = [
  [
    SubmitOrderDto,
    {
      orderId: 'WEB-1',
      channel: 'web',
      deliveryMode: 'HOME_DELIVERY',
      customer: { id: 'C-1', name: 'Ada', email: 'ada@example.org' },
      shippingAddress: { lat: 48.86, lng: 2.33, street: '1 rue de Rivoli', city: 'Paris', postalCode: '75001', country: 'FR' },
      lines: [{ lineId: 'L1', sku: 'SKU-1', quantity: 2, unitPrice: 19.99 }],
      currency: 'EUR',
      placedAt: at,
    },
  ],
  [SubmitOrderDto, { orderId: 'APP-1', channel: 'app', deliveryMode: 'CLICK_AND_COLLECT', customer: { id: 'C-1' }, pickupLocationId: 'ST-1', lines: [{ lineId: 'L1', sku: 'SKU-1', quantity: 1, unitPrice: 5 }], currency: 'EUR', placedAt: at }],
  [CancelOrderDto, { orderId: 'WEB-1', reason: 'customer asked' }],
  [
    EditOrderDto,
    { editId: 'E-1', orderId: 'WEB-1', lines: [{ lineId: 'L1', sku: 'SKU-1', quantity: 1, unitPrice: 19.99 }], shippingAddress: { lat: 48.86, lng: 2.33, city: 'Paris' }, pickupLocationId: 'ST-1', reason: 'smaller basket' },
  ],
  [OrderEvent, { orderId: 'WEB-1', status: 'ALLOCATED', lines: [], allocations: [], occurredAt: at }],
  [CreateFulfillment, { fulfillmentId: 'F-1', orderId: 'WEB-1', locationId: 'WH-1', kind: 'TRANSFER', reservationId: 'R-1', lines: [line], destinationLocationId: 'ST-1', expiresAt: at }],
  [CancelFulfillmentDto, { fulfillmentId: 'F-1', orderId: 'WEB-1', reason: 'cancelled' }],
  [
    FulfillmentEvent,
    { fulfillmentId: 'F-1', orderId: 'WEB-1', locationId: 'WH-1', kind: 'SHIP', status: 'SHIPPED', reservationId: 'R-1', lines: [{ ...line, picked: 2 }], carrier: 'DHL', trackingNumber: 'T1', destinationLocationId: 'ST-1', expiresAt: at, reason: 'r', occurredAt: at },
  ],
  [StockAdjustmentDto, { adjustmentId: 'A-1', locationId: 'WH-1', sku: 'SKU-1', mode: 'DELTA', quantity: -3, reason: 'sale' }],
  [ReserveStockDto, { reservationId: 'R-1', orderId: 'WEB-1', locationId: 'WH-1', ttlSeconds: 60, lines: [line, { sku: 'SKU-2', quantity: 1 }] }],
  [ReservationRefDto, { reservationId: 'R-1', orderId: 'WEB-1' }],
  [ReportShortPickDto, { reservationId: 'R-1', orderId: 'WEB-1', fulfillmentId: 'F-1', locationId: 'WH-1', lines: [{ sku: 'SKU-1', missing: 1, reason: 'NOT_FOUND' }] }],
  [CheckAvailabilityDto, { requestId: 'Q-1', orderId: 'WEB-1', skus: ['SKU-1', 'SKU-2'] }],
  [AvailabilityReport, { requestId: 'Q-1', orderId: 'WEB-1', levels: [{ locationId: 'WH-1', sku: 'SKU-1', atp: 3 }] }],
  [StockShortage, { locationId: 'WH-1', sku: 'SKU-1', onHand: 0, reserved: 2, shortBy: 2, adjustmentId: 'A-1', reservations: [{ reservationId: 'R-1', orderId: 'WEB-1', quantity: 2 }] }],
  [ReservationOutcome, { reservationId: 'R-1', orderId: 'WEB-1', locationId: 'WH-1', lines: [line], reason: 'INSUFFICIENT_STOCK', shortLines: [{ sku: 'SKU-1', requested: 2, atp: -1 }] }],
  [RequestReturnDto, { returnId: 'RT-1', orderId: 'WEB-1', lines: [{ ...line, reason: 'too small' }] }],
  [Refund, { refundId: 'RF-1', returnId: 'RT-1', orderId: 'WEB-1', amount: 10, currency: 'EUR', lines: [{ ...line, unitPrice: 5, condition: 'RESELLABLE', amount: 10 }] }],
];
