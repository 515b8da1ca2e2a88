import { allocationKind, routeNaively } from './naive-router';

const stock = [
  { locationId: 'WH-B', sku: 'A', atp: 5 },
  { locationId: 'WH-B', sku: 'B', atp: 1 },
  { locationId: 'WH-A', sku: 'A', atp: 3 },
  { locationId: 'WH-A', sku: 'B', atp: 3 },
  { locationId: 'ST-1', sku: 'A', atp: 100 },
];

describe('routeNaively', () => {
  it('chooses the qualifying location with the largest total ATP for the ordered SKUs', () => {
    const decision = routeNaively([{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }], [], stock);
    // ST-1 has the most ATP of A but none of B; WH-A and WH-B both total 6, and WH-A is the smaller id.
    expect(decision.locationId).toBe('WH-A');
    expect(decision.lines).toEqual([{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }]);
    expect(decision.explanation).toMatchObject({ policy: 'naive-single-location-v0', chosen: 'WH-A' });
    expect(decision.explanation.reason).toMatch(/WH-A covers every line.*\(6\)/);
  });

  it('prefers more total ATP over a smaller location id', () => {
    const decision = routeNaively([{ sku: 'A', quantity: 1 }], [], stock);
    expect(decision.locationId).toBe('ST-1');
  });

  it('explains every candidate, including why a location does not qualify', () => {
    const decision = routeNaively([{ sku: 'A', quantity: 4 }, { sku: 'B', quantity: 1 }], ['ST-EMPTY'], stock);
    expect(decision.locationId).toBe('WH-B');
    expect(decision.explanation.candidates).toEqual([
      {
        locationId: 'ST-1',
        qualifies: false,
        covered: [{ sku: 'A', atp: 100, needed: 4 }, { sku: 'B', atp: 0, needed: 1 }],
        reason: 'short of B (ATP 0, needed 1)',
      },
      {
        locationId: 'ST-EMPTY',
        qualifies: false,
        covered: [{ sku: 'A', atp: 0, needed: 4 }, { sku: 'B', atp: 0, needed: 1 }],
        reason: 'short of A (ATP 0, needed 4), B (ATP 0, needed 1)',
      },
      {
        locationId: 'WH-A',
        qualifies: false,
        covered: [{ sku: 'A', atp: 3, needed: 4 }, { sku: 'B', atp: 3, needed: 1 }],
        reason: 'short of A (ATP 3, needed 4)',
      },
      {
        locationId: 'WH-B',
        qualifies: true,
        covered: [{ sku: 'A', atp: 5, needed: 4 }, { sku: 'B', atp: 1, needed: 1 }],
        reason: 'ATP covers every line',
      },
    ]);
  });

  it('adds up lines of the same SKU before checking ATP', () => {
    const decision = routeNaively([{ sku: 'B', quantity: 1 }, { sku: 'B', quantity: 2 }], [], stock);
    expect(decision.lines).toEqual([{ sku: 'B', quantity: 3 }]);
    expect(decision.locationId).toBe('WH-A');
  });

  it('chooses nothing, and says so, when no single location covers every line', () => {
    const decision = routeNaively([{ sku: 'A', quantity: 6 }, { sku: 'B', quantity: 2 }], [], stock);
    expect(decision.locationId).toBeUndefined();
    expect(decision.explanation.chosen).toBeNull();
    expect(decision.explanation.reason).toBe('no single location has ATP for every line');
    expect(routeNaively([{ sku: 'A', quantity: 1 }], [], []).explanation.reason).toBe('no location in the stock view');
  });
});

describe('allocationKind', () => {
  it('ships home deliveries, picks at the pickup store, transfers from anywhere else', () => {
    expect(allocationKind('HOME_DELIVERY', undefined, 'WH-A')).toBe('SHIP');
    expect(allocationKind('CLICK_AND_COLLECT', 'ST-1', 'ST-1')).toBe('PICKUP');
    expect(allocationKind('CLICK_AND_COLLECT', 'ST-1', 'WH-A')).toBe('TRANSFER');
    expect(allocationKind('E_RESERVATION', 'ST-1', 'ST-1')).toBe('PICKUP');
  });
});
