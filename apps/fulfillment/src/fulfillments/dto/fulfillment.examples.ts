/** Examples for the OpenAPI document: what staff see of a fulfillment, after each step. */
const base = {
  id: 'WEB-1042-F1',
  orderId: 'WEB-1042',
  locationId: 'wh-saint-priest',
  kind: 'SHIP',
  reservationId: 'WEB-1042:R1',
  destinationLocationId: null,
  expiresAt: null,
  shortLines: [],
  parcels: [],
  carrier: null,
  trackingNumber: null,
  createdAt: '2026-11-22T09:00:00.000Z',
};

const created = {
  ...base,
  status: 'CREATED',
  lines: [
    { sku: 'SKU-0001', quantity: 2, picked: 0 },
    { sku: 'SKU-0002', quantity: 1, picked: 0 },
  ],
  history: [{ status: 'CREATED', at: '2026-11-22T09:00:00.000Z' }],
  updatedAt: '2026-11-22T09:00:00.000Z',
};

const picked = {
  ...created,
  status: 'PICKED',
  lines: [
    { sku: 'SKU-0001', quantity: 2, picked: 1 },
    { sku: 'SKU-0002', quantity: 1, picked: 1 },
  ],
  shortLines: [{ sku: 'SKU-0001', missing: 1, reason: 'NOT_FOUND' }],
  history: [...created.history, { status: 'PICKED', at: '2026-11-22T09:20:00.000Z', detail: 'SKU-0001 1 missing (NOT_FOUND)' }],
  updatedAt: '2026-11-22T09:20:00.000Z',
};

const shipped = {
  ...picked,
  status: 'SHIPPED',
  parcels: [{ weightKg: 1.2 }],
  carrier: 'Colissimo',
  trackingNumber: '6A12345678901',
  history: [
    ...picked.history,
    { status: 'PACKED', at: '2026-11-22T09:30:00.000Z', detail: '1 parcel(s)' },
    { status: 'SHIPPED', at: '2026-11-22T11:00:00.000Z', detail: 'Colissimo 6A12345678901' },
  ],
  updatedAt: '2026-11-22T11:00:00.000Z',
};

const counter = {
  ...created,
  id: 'APP-77-C',
  orderId: 'APP-77',
  locationId: 'store-lyon-part-dieu',
  kind: 'PICKUP',
  reservationId: 'APP-77:R1',
  status: 'READY_FOR_PICKUP',
  history: [...created.history, { status: 'READY_FOR_PICKUP', at: '2026-11-22T15:00:00.000Z' }],
};

export const FULFILLMENT_EXAMPLES = {
  created,
  picked,
  shipped,
  counter,
  list: [created, counter],
  conflict: { statusCode: 409, error: 'Conflict', message: 'cannot pack fulfillment WEB-1042-F1: it is CREATED, it must be PICKED' },
};
