import { randomUUID } from 'node:crypto';
import {
  FULFILLMENT_CANCEL_REFUSED,
  FULFILLMENT_EVENT_TYPES,
  InventoryEventTypes,
  Topics,
  type CreateFulfillment,
  type FulfillmentEvent,
  type FulfillmentStatus,
  type LocationRecord,
  type Refund,
  type ReservationOutcome,
  type ReserveStockDto,
} from '@fil/contracts';
import type { INestApplication } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { ceHeaders, settled, testToken, waitFor, type KafkaProbe, type ProbedMessage } from '@fil/testing';

/** A valid home-delivery order as a channel would submit it. */
export function anOrder(orderId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderId,
    channel: 'web',
    deliveryMode: 'HOME_DELIVERY',
    customer: { id: 'CUST-42', name: 'Camille Martin' },
    shippingAddress: { lat: 45.764, lng: 4.8357, city: 'Lyon' },
    lines: [
      { lineId: '1', sku: 'SKU-A', quantity: 2, unitPrice: 19.9 },
      { lineId: '2', sku: 'SKU-B', quantity: 1, unitPrice: 59 },
    ],
    currency: 'EUR',
    placedAt: '2025-03-01T10:00:00.000Z',
    ...overrides,
  };
}

/** Headers as a channel stamps them: any source but a Fil service's. */
const channelHeaders = (type: string, extra: Record<string, string> = {}) => ({
  ce_specversion: '1.0',
  ce_id: randomUUID(),
  ce_type: type,
  ce_source: '/channels/test',
  ...extra,
});

/** A channel submits an order; key = orderId unless told otherwise. */
export function submit(probe: KafkaProbe, value: unknown, key = String((value as { orderId?: unknown })?.orderId ?? ''), extra: Record<string, string> = {}) {
  return probe.send(Topics.ordersSubmitted, key, value, channelHeaders('OrderSubmitted', extra));
}

/** Inventory announces new figures for one location and SKU. */
export function stockLevel(probe: KafkaProbe, locationId: string, sku: string, atp: number) {
  return probe.send(
    Topics.stockLevels,
    `${locationId}:${sku}`,
    { locationId, sku, onHand: atp, reserved: 0, safetyStock: 0, atp },
    ceHeaders('inventory', 'StockLevelChanged'),
  );
}

/** Inventory announces a location's profile; unset capabilities default to a shipping warehouse. */
export function location(probe: KafkaProbe, id: string, lat: number, lng: number, over: Partial<LocationRecord> = {}) {
  const value: LocationRecord = { id, name: id, type: 'WAREHOUSE', lat, lng, ship: true, pickup: false, reserve: false, dailyCapacity: null, priority: null, ...over };
  return probe.send(Topics.locations, id, value, ceHeaders('inventory', 'LocationChanged'));
}

/** Inventory reports that an adjustment left fewer units than reserved, naming the reservations hit (inventory keys it `locationId:sku`). */
export function shortage(
  probe: KafkaProbe,
  locationId: string,
  sku: string,
  reservations: { reservationId: string; orderId: string; quantity: number }[],
  key = reservations[0].orderId,
) {
  const value = { locationId, sku, onHand: 0, reserved: reservations.reduce((sum, r) => sum + r.quantity, 0), shortBy: 1, adjustmentId: `adj-${sku}`, reservations };
  return probe.send(Topics.inventoryEvents, key, value, ceHeaders('inventory', InventoryEventTypes.shortage));
}

/**
 * Plays inventory's answer to every CheckAvailability the orchestrator asks, from `truth`
 * (`locationId:sku` → ATP, what inventory holds whatever the orchestrator's view says).
 * Returns a function that stops answering.
 */
export function answerAvailability(probe: KafkaProbe, truth: Map<string, number>): () => void {
  const answered = new Set<string>();
  const timer = setInterval(() => {
    for (const question of probe.messages(Topics.inventoryCommands, (m) => m.headers.ce_type === 'CheckAvailability' && !answered.has(m.headers.ce_id))) {
      answered.add(question.headers.ce_id);
      const { requestId, orderId, skus } = question.value as { requestId: string; orderId: string; skus: string[] };
      const levels = [...truth]
        .map(([key, atp]) => ({ locationId: key.split(':')[0], sku: key.split(':')[1], atp }))
        .filter((level) => skus.includes(level.sku) && level.atp > 0);
      void probe.send(Topics.inventoryEvents, orderId, { requestId, orderId, levels }, ceHeaders('inventory', 'AvailabilityReported'));
    }
  }, 50);
  return () => clearInterval(timer);
}

/** Inventory answers a release, commit or expiry of a reservation. */
export function reservationEvent(probe: KafkaProbe, command: ReserveStockDto, type: 'released' | 'committed' | 'expired') {
  const { ttlSeconds: _ttl, expiresAt: _deadline, ...held } = command;
  return probe.send(Topics.inventoryEvents, command.orderId, held, ceHeaders('inventory', InventoryEventTypes[type]));
}

/** Inventory answers a ReserveStock command. */
export function answerReservation(
  probe: KafkaProbe,
  command: ReserveStockDto,
  outcome: 'reserved' | 'refused',
  {
    reason,
    key = command.orderId,
    shortLines,
    headers = ceHeaders('inventory', InventoryEventTypes[outcome]),
  }: { reason?: string; key?: string; shortLines?: ReservationOutcome['shortLines']; headers?: Record<string, string> } = {},
) {
  const { ttlSeconds: _ttl, expiresAt: _deadline, ...held } = command;
  const value: ReservationOutcome = { ...held, ...(reason ? { reason } : {}), ...(shortLines ? { shortLines } : {}) };
  return probe.send(Topics.inventoryEvents, key, value, headers);
}

/**
 * Fulfillment reports progress on a fulfillment the orchestrator created; with `refusal`, it
 * refuses a call-off that came after the goods left (FulfillmentCancelRefused, the fulfillment as it stands).
 */
export function fulfillmentEvent(probe: KafkaProbe, command: CreateFulfillment, status: FulfillmentStatus, picked: Record<string, number> = {}, refusal?: string) {
  const value: FulfillmentEvent = {
    fulfillmentId: command.fulfillmentId,
    orderId: command.orderId,
    locationId: command.locationId,
    kind: command.kind,
    status,
    reservationId: command.reservationId,
    lines: command.lines.map((line) => ({ ...line, picked: picked[line.sku] ?? line.quantity })),
    ...(status === 'SHIPPED' || status === 'IN_TRANSIT' ? { carrier: 'DHL', trackingNumber: 'JD001' } : {}),
    ...(refusal ? { reason: refusal } : {}),
    occurredAt: new Date().toISOString(),
  };
  return probe.send(Topics.fulfillmentEvents, command.orderId, value, ceHeaders('fulfillment', refusal ? FULFILLMENT_CANCEL_REFUSED : FULFILLMENT_EVENT_TYPES[status]));
}

/** Returns publishes a refund; the key decides the partition, so tests that need ordering pass one. */
export function refund(probe: KafkaProbe, value: Refund, key = value.returnId) {
  return probe.send(Topics.refunds, key, value, ceHeaders('returns', 'RefundIssued'));
}

export function sendCancel(probe: KafkaProbe, value: unknown, key: string) {
  return probe.send(Topics.ordersCommands, key, value, channelHeaders('CancelOrder'));
}

export function sendEdit(probe: KafkaProbe, value: { orderId: string } & Record<string, unknown>) {
  return probe.send(Topics.ordersCommands, value.orderId, value, channelHeaders('EditOrder'));
}

export const orderEvents = (probe: KafkaProbe, orderId: string): ProbedMessage[] => probe.messages(Topics.ordersEvents, (m) => m.key === orderId);

export function orderEvent(probe: KafkaProbe, orderId: string, type: string, timeoutMs = 20_000): Promise<ProbedMessage> {
  return probe.waitForMessage(Topics.ordersEvents, (m) => m.key === orderId && m.headers.ce_type === type, timeoutMs);
}

export function command(probe: KafkaProbe, topic: string, orderId: string, type: string, where: (value: any) => boolean = () => true): Promise<ProbedMessage> {
  return probe.waitForMessage(topic, (m) => m.key === orderId && m.headers.ce_type === type && where(m.value));
}

export const commandsOf = (probe: KafkaProbe, topic: string, orderId: string, type: string): ProbedMessage[] =>
  probe.messages(topic, (m) => m.key === orderId && m.headers.ce_type === type);

export async function call(url: string, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, token = testToken('admin')): Promise<{ status: number; body: any }> {
  const response = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Locations and levels come on different topics: an order is routed well only once both are in the views. */
export async function networkKnown(app: INestApplication, locations: number, stockRows: number): Promise<void> {
  const connection = app.get(MikroORM).em.getConnection();
  const count = async (table: string) => Number((await connection.execute(`select count(*) as n from ${table}`))[0].n);
  await waitFor(async () => (await count('location_view')) === locations && (await count('stock_view')) === stockRows, {
    what: `the views to hold ${locations} locations and ${stockRows} stock rows`,
  });
}

/** Everything sent to the orchestrator so far has been handled, a sweep has run, and what it published has been read. */
export function orchestratorSettled(app: INestApplication, probe: KafkaProbe): Promise<void> {
  const inputs = [Topics.ordersSubmitted, Topics.ordersCommands, Topics.inventoryEvents, Topics.fulfillmentEvents, Topics.refunds, Topics.stockLevels, Topics.locations];
  return settled(app, 'orders', inputs, probe);
}
