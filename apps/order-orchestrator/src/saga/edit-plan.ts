import type { AllocationLine, DeliveryMode, OrderLine } from '@fil/contracts';
import { orderedBySku, type OrderAllocation } from '../orders/order.entity';

export interface EditPlan {
  /** Units added and cancelled per SKU. */
  added: AllocationLine[];
  removed: AllocationLine[];
  /** The parts to give back. */
  callOff: OrderAllocation[];
  /** What the order still needs beyond the parts it keeps: to route once the called-off stock is back. */
  route: AllocationLine[];
  /** The backorder that stays. */
  backordered: AllocationLine[];
  /** The pickup store's counter lists every unit: it is replaced. */
  replaceCounter: boolean;
}

const linesOf = (units: Map<string, number>) => [...units].filter(([, quantity]) => quantity > 0).map(([sku, quantity]) => ({ sku, quantity }));

/**
 * What an edit does to the parts of an order. At home, a part that carries a SKU whose
 * quantity went down is given back and the rest of its lines routed again, a SKU that went
 * up gets only the units added: untouched parts stay. At a counter (click & collect,
 * e-reservation) the counter's work covers the whole order, and a new address or store
 * changes where everything should come from: every part is given back and the whole
 * order routed again.
 */
export function editPlan(order: { deliveryMode?: DeliveryMode; lines: OrderLine[]; backordered: AllocationLine[]; live(): OrderAllocation[] }, lines: OrderLine[], moved: boolean): EditPlan {
  const before = orderedBySku(order.lines);
  const after = orderedBySku(lines);
  const skus = new Set([...before.keys(), ...after.keys()]);
  const added = linesOf(new Map([...skus].map((sku) => [sku, (after.get(sku) ?? 0) - (before.get(sku) ?? 0)])));
  const removed = linesOf(new Map([...skus].map((sku) => [sku, (before.get(sku) ?? 0) - (after.get(sku) ?? 0)])));
  const changed = new Set([...added, ...removed].map(({ sku }) => sku));
  const atCounter = order.deliveryMode !== 'HOME_DELIVERY';
  const everything = moved || (atCounter && changed.size > 0);
  const fewer = new Set(removed.map(({ sku }) => sku));
  const callOff = everything ? order.live() : order.live().filter((part) => part.lines.some(({ sku }) => fewer.has(sku)));
  const backordered = everything ? [] : order.backordered.filter(({ sku }) => !changed.has(sku));
  const covered = orderedBySku([...order.live().filter((part) => !callOff.includes(part)).flatMap((part) => part.lines), ...backordered]);
  const route = linesOf(new Map([...after].map(([sku, quantity]) => [sku, quantity - (covered.get(sku) ?? 0)])));
  return { added, removed, callOff, route, backordered, replaceCounter: atCounter && everything };
}
