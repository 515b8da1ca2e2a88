// The orders of the benchmark and the network that serves them. Two warehouses ship the
// whole catalogue; two stores near Lyon hold only its first half, so a click & collect order
// with a line of the second half needs a transfer, and an e-reservation of the first half is
// held in the store. Stock is far above what any run takes: every order has one right answer.
import type { DeliveryMode } from '@fil/contracts';
import { http, waitFor, type FilSystem } from '@fil/testing';

export const SKUS = Array.from({ length: 20 }, (_, i) => `SKU-B${String(i).padStart(3, '0')}`);
const IN_STORES = SKUS.slice(0, 10);
const WAREHOUSE_ONLY = SKUS.slice(10);
const STORES = ['ST-BENCH-1', 'ST-BENCH-2'];
const PLENTY = 1_000_000_000;

const LOCATIONS = [
  { id: 'WH-A', name: 'Bench Lyon', type: 'WAREHOUSE', lat: 45.7, lng: 4.9, ship: true, pickup: false, reserve: false, skus: SKUS },
  { id: 'WH-B', name: 'Bench Paris', type: 'WAREHOUSE', lat: 48.95, lng: 2.45, ship: true, pickup: false, reserve: false, skus: SKUS },
  { id: STORES[0], name: 'Bench Part-Dieu', type: 'STORE', lat: 45.7606, lng: 4.8594, ship: false, pickup: true, reserve: true, skus: IN_STORES },
  { id: STORES[1], name: 'Bench Villeurbanne', type: 'STORE', lat: 45.7719, lng: 4.8902, ship: false, pickup: true, reserve: true, skus: IN_STORES },
];

/** Creates the locations and their stock through inventory, and waits until the orchestrator's view has all of it. */
export async function setUpNetwork(system: FilSystem): Promise<void> {
  const put = async (path: string, body: object) => {
    const answer = await http('PUT', `${system.url('inventory')}${path}`, body);
    if (answer.status >= 300) throw new Error(`PUT ${path} answered ${answer.status} ${JSON.stringify(answer.body)}`);
  };
  for (const { id, skus, ...location } of LOCATIONS) {
    await put(`/locations/${id}`, location);
    for (const sku of skus) await put(`/locations/${id}/stock/${sku}`, { onHand: PLENTY, safetyStock: 0 });
  }
  const rows = LOCATIONS.reduce((sum, { skus }) => sum + skus.length, 0);
  await waitFor(async () => (await http('GET', `${system.url('order-orchestrator')}/availability?skus=${SKUS.join(',')}`)).body?.length === rows, {
    timeoutMs: 120_000,
    what: 'the stock view',
  });
}

/** An order to submit, what its first answer must be, and whether the channel cancels it once answered. */
export interface BenchOrder {
  orderId: string;
  deliveryMode: DeliveryMode;
  /** ALLOCATED for home delivery and click & collect, RESERVED for an e-reservation. */
  expected: 'ALLOCATED' | 'RESERVED';
  cancel: boolean;
  value: Record<string, unknown>;
}

type Line = [sku: string, quantity: number];

function submitted(orderId: string, n: number, deliveryMode: DeliveryMode, lines: Line[]): Record<string, unknown> {
  return {
    orderId,
    channel: 'bench',
    deliveryMode,
    customer: { id: `C${n % 1000}` },
    ...(deliveryMode === 'HOME_DELIVERY' ? { shippingAddress: { lat: 48.85, lng: 2.35 } } : { pickupLocationId: STORES[n % STORES.length] }),
    lines: lines.map(([sku, quantity], i) => ({ lineId: String(i + 1), sku, quantity, unitPrice: 10 + i * 10 })),
    currency: 'EUR',
    placedAt: new Date().toISOString(),
  };
}

/** `count` distinct SKUs of `from`, starting at a place that moves with n. */
const distinct = (from: string[], n: number, count: number): string[] => Array.from({ length: count }, (_, i) => from[(n * 7 + i) % from.length]);

/** The n-th order of the two-line home-delivery burst. */
export function twoLineOrder(orderId: string, n: number): BenchOrder {
  const value = submitted(orderId, n, 'HOME_DELIVERY', [[SKUS[n % SKUS.length], 1], [SKUS[(n * 7 + 3) % SKUS.length], 1]]);
  return { orderId, deliveryMode: 'HOME_DELIVERY', expected: 'ALLOCATED', cancel: false, value };
}

/**
 * The n-th order of the mixed burst, by its place in each run of 20: 12 home deliveries of 1 to 5
 * lines (60 %), 5 click & collect with a transfer (25 %), 3 e-reservations (15 %); one order in 20
 * (5 %), a different place in each run of 20 so that every kind gets some, is cancelled once answered.
 */
export function mixedOrder(orderId: string, n: number): BenchOrder {
  const place = n % 20;
  const cancel = place === Math.floor(n / 20) % 20;
  if (place < 12) {
    const lines = distinct(SKUS, n, 1 + (n % 5)).map((sku): Line => [sku, 1 + (n % 2)]);
    return { orderId, deliveryMode: 'HOME_DELIVERY', expected: 'ALLOCATED', cancel, value: submitted(orderId, n, 'HOME_DELIVERY', lines) };
  }
  if (place < 17) {
    const lines: Line[] = [[IN_STORES[n % IN_STORES.length], 1], [WAREHOUSE_ONLY[n % WAREHOUSE_ONLY.length], 1 + (n % 2)]];
    return { orderId, deliveryMode: 'CLICK_AND_COLLECT', expected: 'ALLOCATED', cancel, value: submitted(orderId, n, 'CLICK_AND_COLLECT', lines) };
  }
  const lines = distinct(IN_STORES, n, 1 + (n % 2)).map((sku): Line => [sku, 1]);
  return { orderId, deliveryMode: 'E_RESERVATION', expected: 'RESERVED', cancel, value: submitted(orderId, n, 'E_RESERVATION', lines) };
}
