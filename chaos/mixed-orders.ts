import type { OrderStatus } from '@fil/contracts';

/** Two warehouses that ship and a store with a counter that takes e-reservations. */
export const NETWORK = [
  { id: 'CH-WH-LYON', name: 'Chaos Lyon', type: 'WAREHOUSE', lat: 45.6967, lng: 4.9439, ship: true, pickup: false, reserve: false },
  { id: 'CH-WH-PARIS', name: 'Chaos Paris', type: 'WAREHOUSE', lat: 48.95, lng: 2.45, ship: true, pickup: false, reserve: false },
  { id: 'CH-ST-LYON', name: 'Chaos Part-Dieu', type: 'STORE', lat: 45.7606, lng: 4.8594, ship: false, pickup: true, reserve: true },
] as const;

export const RETURNS_LOCATION = 'CH-WH-LYON';
const STORE = 'CH-ST-LYON';
const PLENTY = 1_000_000;

/** A SKU the store holds little of, ordered only by the plan `reserve-hot`: orders race for it. */
export const HOT_SKU = 'SKU-HOT';
export const HOT_STOCK = 6;

/**
 * Stock that no run can exhaust, so that every order has one right outcome: SKU-LP only
 * in Lyon and SKU-PA only in Paris make two parcels; SKU-STORE is the store's own; SKU-WH
 * is in both warehouses but not in the store, so click & collect needs a transfer. The
 * hot SKU is the exception, and its plan allows for it running out.
 */
export const STOCK: readonly [string, string, number][] = [
  ['CH-WH-LYON', 'SKU-BOTH', PLENTY],
  ['CH-WH-PARIS', 'SKU-BOTH', PLENTY],
  ['CH-WH-LYON', 'SKU-WH', PLENTY],
  ['CH-WH-PARIS', 'SKU-WH', PLENTY],
  ['CH-WH-LYON', 'SKU-LY', PLENTY],
  ['CH-WH-PARIS', 'SKU-PA', PLENTY],
  ['CH-ST-LYON', 'SKU-STORE', PLENTY],
  ['CH-ST-LYON', HOT_SKU, HOT_STOCK],
];
export const SKUS = [...new Set(STOCK.map(([, sku]) => sku))];

/** What the suite does with an order after it is answered, and the state it must end in. */
export type Plan = 'deliver' | 'deliver-return-one' | 'deliver-return-all' | 'cancel' | 'collect-with-transfer' | 'reserve-collect' | 'reserve-cancel' | 'reserve-hot';

/** `soldOut`: the answer, and end, of an order whose plan lets its stock run out. */
export const EXPECTED: Record<Plan, { answer: OrderStatus; end: OrderStatus; soldOut?: OrderStatus }> = {
  deliver: { answer: 'ALLOCATED', end: 'DELIVERED' },
  'deliver-return-one': { answer: 'ALLOCATED', end: 'PARTIALLY_RETURNED' },
  'deliver-return-all': { answer: 'ALLOCATED', end: 'RETURNED' },
  cancel: { answer: 'ALLOCATED', end: 'CANCELLED' },
  'collect-with-transfer': { answer: 'ALLOCATED', end: 'COLLECTED' },
  'reserve-collect': { answer: 'RESERVED', end: 'COLLECTED' },
  'reserve-cancel': { answer: 'RESERVED', end: 'CANCELLED' },
  'reserve-hot': { answer: 'RESERVED', end: 'COLLECTED', soldOut: 'REJECTED' },
};

/**
 * One turn of the mix: half home delivery (a third of it returned), a fifth cancelled, the
 * rest collected in store. A two-parcel order returned whole puts SKU-PA back on sale in
 * Lyon, where orders then race for it on the orchestrator's view: refusals and re-routes.
 */
export const MIX: Plan[] = ['deliver', 'deliver-return-one', 'collect-with-transfer', 'cancel', 'reserve-collect', 'deliver', 'deliver-return-all', 'collect-with-transfer', 'reserve-cancel', 'deliver'];


const LYON = { lat: 45.764, lng: 4.8357 };

/** An order as a channel submits it on fil.orders.submitted.v1. */
export interface SubmittedOrder extends Record<string, unknown> {
  orderId: string;
  lines: { lineId: string; sku: string; quantity: number; unitPrice: number }[];
}

/** The n-th order of the run: its plan and what a channel submits. */
export function mixedOrder(n: number, orderId: string, mix: Plan[] = MIX): { plan: Plan; order: SubmittedOrder } {
  const plan = mix[n % mix.length];
  const lines = linesOf(plan, n);
  const homeDelivery = !plan.startsWith('reserve') && plan !== 'collect-with-transfer';
  const order = {
    orderId,
    channel: 'chaos',
    deliveryMode: homeDelivery ? 'HOME_DELIVERY' : plan === 'collect-with-transfer' ? 'CLICK_AND_COLLECT' : 'E_RESERVATION',
    customer: { id: `CHAOS-${n % 50}` },
    ...(homeDelivery ? { shippingAddress: LYON } : { pickupLocationId: STORE }),
    lines: lines.map(([sku, quantity], i) => ({ lineId: String(i + 1), sku, quantity, unitPrice: 10 + i })),
    currency: 'EUR',
    placedAt: new Date().toISOString(),
  };
  return { plan, order };
}

function linesOf(plan: Plan, n: number): [string, number][] {
  if (plan === 'collect-with-transfer') return [['SKU-STORE', 1], ['SKU-WH', 2]];
  if (plan === 'reserve-hot') return [[HOT_SKU, 1]];
  if (plan.startsWith('reserve')) return [['SKU-STORE', 1 + (n % 2)]];
  return n % 3 === 0 ? [['SKU-LY', 1], ['SKU-PA', 1]] : [['SKU-BOTH', 1 + (n % 2)], ['SKU-WH', 1]];
}
