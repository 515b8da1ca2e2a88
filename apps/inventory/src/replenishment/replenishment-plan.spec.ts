import { replenishmentPlan, type StockMovement } from './replenishment-plan';

const settings = { windowDays: 28, leadTimeDays: 7, coverDays: 14 };
const locations = new Map([
  ['ST-PARIS', { lat: 48.8606, lng: 2.3376 }],
  ['ST-LYON', { lat: 45.7606, lng: 4.859 }],
  ['WH-ORLY', { lat: 48.7262, lng: 2.3652 }],
  ['ST-LILLE', { lat: 50.6365, lng: 3.0635 }],
]);
const row = (locationId: string, sku: string, onHand: number, unitsOut: number, reserved = 0, safetyStock = 0): StockMovement => ({ locationId, sku, onHand, reserved, safetyStock, unitsOut });

describe('replenishmentPlan', () => {
  it('gives velocity, cover and the need to last the lead time and the cover after, for a known history', () => {
    // 56 units out in 28 days: 2 a day; 21 days to cover: 42; ATP 10 - 2 reserved = 8.
    const [jeans] = replenishmentPlan('ST-PARIS', [row('ST-PARIS', 'JEANS', 10, 56, 2)], locations, settings);
    expect(jeans).toEqual({ sku: 'JEANS', onHand: 10, atp: 8, unitsOut: 56, velocityPerDay: 2, daysOfCover: 4, need: 34, transfers: [], suggestedOrder: 34 });
  });

  it('suggests transfers from the nearest locations with stock above their own need, never more than needed, and orders the rest', () => {
    const plan = replenishmentPlan(
      'ST-PARIS',
      [
        row('ST-PARIS', 'CAP', 0, 28), // 1 a day: needs 21
        row('WH-ORLY', 'CAP', 30, 0), // 15.1 km, sells nothing: 30 spare
        row('ST-LYON', 'CAP', 50, 28), // 393.6 km, needs 21 itself: 29 spare
        row('ST-LILLE', 'CAP', 5, 28), // short itself: nothing spare
      ],
      locations,
      settings,
    );
    expect(plan).toEqual([expect.objectContaining({ sku: 'CAP', need: 21, transfers: [{ fromLocationId: 'WH-ORLY', quantity: 21, distanceKm: 15.1 }], suggestedOrder: 0 })]);

    const bigger = replenishmentPlan('ST-PARIS', [row('ST-PARIS', 'CAP', 0, 112), row('WH-ORLY', 'CAP', 30, 0), row('ST-LYON', 'CAP', 50, 28)], locations, settings);
    // 4 a day: needs 84; Orly gives its 30, Lyon its 29 spare, 25 left to order.
    expect(bigger[0].transfers).toEqual([
      { fromLocationId: 'WH-ORLY', quantity: 30, distanceKm: 15.1 },
      { fromLocationId: 'ST-LYON', quantity: 29, distanceKm: 393.6 },
    ]);
    expect(bigger[0].suggestedOrder).toBe(25);
  });

  it('keeps safety stock out of the cover, needs nothing for a SKU that does not sell, and lists the most urgent first', () => {
    const plan = replenishmentPlan(
      'ST-PARIS',
      [row('ST-PARIS', 'SLOW', 3, 0), row('ST-PARIS', 'FAST', 20, 140, 0, 10), row('ST-PARIS', 'STEADY', 40, 28), row('ST-LYON', 'OTHER', 9, 9)],
      locations,
      settings,
    );
    expect(plan.map(({ sku, daysOfCover, need }) => [sku, daysOfCover, need])).toEqual([
      ['FAST', 2, 95],
      ['STEADY', 40, 0],
      ['SLOW', null, 0],
    ]);
  });
});
