import type { OrderLine } from '@fil/contracts';
import type { OrderAllocation } from '../orders/order.entity';
import { editPlan } from './edit-plan';

const line = (lineId: string, sku: string, quantity: number): OrderLine => ({ lineId, sku, quantity, unitPrice: 10 });
const part = (reservationId: string, locationId: string, lines: [string, number][], kind: OrderAllocation['kind'] = 'SHIP'): OrderAllocation => ({
  reservationId,
  locationId,
  kind,
  state: 'HELD',
  lines: lines.map(([sku, quantity]) => ({ sku, quantity })),
});
const order = (deliveryMode: 'HOME_DELIVERY' | 'CLICK_AND_COLLECT', lines: OrderLine[], parts: OrderAllocation[], backordered: { sku: string; quantity: number }[] = []) => ({
  deliveryMode,
  lines,
  backordered,
  live: () => parts,
});

describe('editPlan', () => {
  const lyon = part('O:R1', 'WH-LYON', [['A', 2], ['B', 1]]);
  const paris = part('O:R2', 'WH-PARIS', [['C', 1]]);
  const home = order('HOME_DELIVERY', [line('1', 'A', 2), line('2', 'B', 1), line('3', 'C', 1)], [lyon, paris]);

  it('gives back only the parts with fewer units, and routes what they carried that is still wanted', () => {
    const plan = editPlan(home, [line('1', 'A', 1), line('2', 'B', 1), line('3', 'C', 1)], false);
    expect(plan).toEqual({ added: [], removed: [{ sku: 'A', quantity: 1 }], callOff: [lyon], route: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }], backordered: [], replaceCounter: false });
  });

  it('routes only the units added, keeping every part, and cancels a line left out', () => {
    expect(editPlan(home, [line('1', 'A', 2), line('2', 'B', 1), line('3', 'C', 3), line('4', 'D', 1)], false)).toMatchObject({
      added: [{ sku: 'C', quantity: 2 }, { sku: 'D', quantity: 1 }],
      callOff: [],
      route: [{ sku: 'C', quantity: 2 }, { sku: 'D', quantity: 1 }],
    });
    expect(editPlan(home, [line('1', 'A', 2), line('2', 'B', 1)], false)).toMatchObject({ removed: [{ sku: 'C', quantity: 1 }], callOff: [paris], route: [] });
  });

  it('gives back every part and routes the whole order when the address moves, or when a counter order changes', () => {
    expect(editPlan(home, home.lines, true)).toMatchObject({ callOff: [lyon, paris], route: [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }, { sku: 'C', quantity: 1 }], replaceCounter: false });
    const store = part('O:R1', 'ST-1', [['A', 1]], 'PICKUP');
    const transfer = part('O:R2', 'WH-1', [['C', 1]], 'TRANSFER');
    const counter = order('CLICK_AND_COLLECT', [line('1', 'A', 1), line('2', 'C', 1)], [store, transfer]);
    expect(editPlan(counter, [line('1', 'A', 1), line('2', 'C', 2)], false)).toMatchObject({ callOff: [store, transfer], route: [{ sku: 'A', quantity: 1 }, { sku: 'C', quantity: 2 }], replaceCounter: true });
    expect(editPlan(counter, counter.lines, false)).toMatchObject({ callOff: [], route: [], replaceCounter: false });
  });

  it('keeps the backorder of SKUs the edit leaves alone and routes again those it changes', () => {
    const waiting = order('HOME_DELIVERY', [line('1', 'A', 3), line('2', 'C', 2)], [part('O:R1', 'WH-LYON', [['A', 1]]), paris], [{ sku: 'A', quantity: 2 }, { sku: 'C', quantity: 1 }]);
    expect(editPlan(waiting, [line('1', 'A', 3), line('2', 'C', 3)], false)).toMatchObject({ backordered: [{ sku: 'A', quantity: 2 }], callOff: [], route: [{ sku: 'C', quantity: 2 }] });
  });
});
