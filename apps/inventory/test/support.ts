import { randomUUID } from 'node:crypto';
import { InventoryCommandTypes, Topics, type ReservationOutcome } from '@fil/contracts';
import { AS_ADMIN, ceHeaders, testToken, type KafkaProbe, type ProbedMessage } from '@fil/testing';

export const store = { name: 'Lyon Part-Dieu', type: 'STORE', lat: 45.7606, lng: 4.859, ship: true, pickup: true, reserve: true };

export async function put(url: string, path: string, body: unknown, token = testToken('admin')): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
}

export async function stockAt(url: string, locationId: string, sku: string) {
  const levels = (await (await fetch(`${url}/stock/${sku}`, AS_ADMIN)).json()) as { locationId: string; onHand: number; reserved: number; atp: number }[];
  return levels.find((level) => level.locationId === locationId);
}

/** Sends a command as the orchestrator would: key = orderId, CloudEvents headers. */
export function sendCommand(probe: KafkaProbe, type: string, value: { orderId: string }) {
  return probe.send(Topics.inventoryCommands, value.orderId, value, ceHeaders('orders', type));
}

export function reserve(probe: KafkaProbe, reservationId: string, locationId: string, lines: { sku: string; quantity: number }[]) {
  return sendCommand(probe, InventoryCommandTypes.reserve, { reservationId, orderId: `order-${reservationId}`, locationId, lines } as never);
}

export function answersTo(probe: KafkaProbe, reservationId: string): ProbedMessage[] {
  return probe.messages(Topics.inventoryEvents, (m) => (m.value as ReservationOutcome).reservationId === reservationId);
}

export function answerTo(probe: KafkaProbe, reservationId: string, type?: string): Promise<ProbedMessage> {
  return probe.waitForMessage(
    Topics.inventoryEvents,
    (m) => (m.value as ReservationOutcome).reservationId === reservationId && (!type || m.headers.ce_type === type),
  );
}

/** A POS adjustment; each send is a new message (new ce_id), as a resending POS does. */
export function adjust(probe: KafkaProbe, locationId: string, sku: string, mode: 'SET' | 'DELTA', quantity: number, adjustmentId: string = randomUUID()) {
  return probe.send(
    Topics.inventoryAdjustments,
    `${locationId}:${sku}`,
    { adjustmentId, locationId, sku, mode, quantity, reason: 'till' },
    { ce_id: randomUUID(), ce_type: 'StockAdjusted', ce_source: '/pos', ce_specversion: '1.0' },
  );
}
