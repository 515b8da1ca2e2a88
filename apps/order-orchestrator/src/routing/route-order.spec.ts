import fc from 'fast-check';
import { haversineKm } from '@fil/geo';
import { bruteForceRouting } from './brute-force-routing';
import { routeOrder, ROUTING_RULES_VERSION, type NetworkLocation, type RoutingRequest } from './route-order';
import { DEFAULT_POLICY, policyFor } from './routing-policy';

const at = (id: string, lat: number, lng: number, over: Partial<NetworkLocation> = {}): NetworkLocation => ({
  id,
  type: 'STORE',
  lat,
  lng,
  ship: true,
  pickup: true,
  reserve: true,
  priority: null,
  underCapacity: true,
  ...over,
});
const network = [
  at('WH', 48.9, 2.3, { type: 'WAREHOUSE', pickup: false, reserve: false }),
  at('ST-LYON', 45.76, 4.84),
  at('ST-VILLEURBANNE', 45.77, 4.88),
  at('ST-GRENOBLE', 45.19, 5.72),
  at('ST-MARSEILLE', 43.3, 5.37),
  at('ST-NOPICK', 45.75, 4.85, { pickup: false, reserve: false }),
];
const table: Record<string, Record<string, number>> = {
  WH: { A: 50, B: 50 },
  'ST-LYON': { A: 1 },
  'ST-VILLEURBANNE': { A: 3, B: 2 },
  'ST-GRENOBLE': { A: 5, B: 5 },
  'ST-MARSEILLE': { A: 5, B: 5 },
};
const request = (over: Partial<RoutingRequest>): RoutingRequest => ({
  deliveryMode: 'HOME_DELIVERY',
  lines: [{ sku: 'A', quantity: 2 }],
  locations: network,
  atp: (id, sku) => table[id]?.[sku] ?? 0,
  policy: DEFAULT_POLICY,
  policyVersion: 1,
  ...over,
});

describe('routeOrder: click & collect', () => {
  it('picks what the pickup store holds and transfers the rest from the cheapest ship location', () => {
    const decision = routeOrder(request({ deliveryMode: 'CLICK_AND_COLLECT', pickupLocationId: 'ST-LYON', lines: [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }] }));
    expect(decision.outcome).toBe('ALLOCATE');
    if (decision.outcome !== 'ALLOCATE') return;
    expect(decision.allocations).toEqual([
      { locationId: 'ST-LYON', kind: 'PICKUP', lines: [{ sku: 'A', quantity: 1 }] },
      // Villeurbanne holds both and is 3 km away: one transfer, cheaper than the Paris warehouse.
      { locationId: 'ST-VILLEURBANNE', kind: 'TRANSFER', lines: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }] },
    ]);
    expect(decision.explanation).toMatchObject({ policyVersion: 'policy-v1', rulesVersion: ROUTING_RULES_VERSION });
  });

  it('sources a line no location holds whole from the two stores that serve the whole order, not the cheapest warehouse and two more', () => {
    const near = (id: string, over: Partial<NetworkLocation>) => at(id, 45.76, 4.84, over);
    const locations = [near('PICKUP', { ship: false }), near('WH-NEAR', { type: 'WAREHOUSE' }), near('ST-1', {}), near('ST-2', {})];
    const stock: Record<string, Record<string, number>> = { 'WH-NEAR': { A: 5, B: 5 }, 'ST-1': { A: 1, B: 1, C: 1 }, 'ST-2': { C: 1 } };
    const lines = [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }, { sku: 'C', quantity: 2 }];
    const decision = routeOrder({ deliveryMode: 'CLICK_AND_COLLECT', pickupLocationId: 'PICKUP', lines, locations, atp: (id, sku) => stock[id]?.[sku] ?? 0, policy: DEFAULT_POLICY, policyVersion: 1 });
    expect(decision).toMatchObject({
      outcome: 'ALLOCATE',
      backordered: [],
      allocations: [
        { locationId: 'ST-1', kind: 'TRANSFER', lines: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }, { sku: 'C', quantity: 1 }] },
        { locationId: 'ST-2', kind: 'TRANSFER', lines: [{ sku: 'C', quantity: 1 }] },
      ],
    });
    expect(decision.explanation).toMatchObject({ exact: true, reason: expect.stringMatching(/split C/) });
  });

  it('serves the whole order at the counter when the store holds it', () => {
    const decision = routeOrder(request({ deliveryMode: 'CLICK_AND_COLLECT', pickupLocationId: 'ST-GRENOBLE' }));
    expect(decision.outcome === 'ALLOCATE' && decision.allocations).toEqual([{ locationId: 'ST-GRENOBLE', kind: 'PICKUP', lines: [{ sku: 'A', quantity: 2 }] }]);
  });

  it('refuses an unknown pickup location and one without a counter', () => {
    expect(routeOrder(request({ deliveryMode: 'CLICK_AND_COLLECT', pickupLocationId: 'NOWHERE' }))).toMatchObject({ outcome: 'REJECT', reason: 'UNKNOWN_PICKUP_LOCATION' });
    expect(routeOrder(request({ deliveryMode: 'CLICK_AND_COLLECT', pickupLocationId: 'ST-NOPICK' }))).toMatchObject({ outcome: 'REJECT', reason: 'PICKUP_NOT_OFFERED' });
  });
});

describe('routeOrder: e-reservation', () => {
  it('reserves every line in the pickup store', () => {
    const decision = routeOrder(request({ deliveryMode: 'E_RESERVATION', pickupLocationId: 'ST-GRENOBLE', lines: [{ sku: 'B', quantity: 3 }] }));
    expect(decision.outcome === 'ALLOCATE' && decision.allocations).toEqual([{ locationId: 'ST-GRENOBLE', kind: 'PICKUP', lines: [{ sku: 'B', quantity: 3 }] }]);
  });

  it('rejects with NOT_AVAILABLE_IN_STORE and the nearest stores with reserve that hold every line, at most three', () => {
    const decision = routeOrder(request({ deliveryMode: 'E_RESERVATION', pickupLocationId: 'ST-LYON', lines: [{ sku: 'A', quantity: 2 }] }));
    expect(decision).toMatchObject({ outcome: 'REJECT', reason: 'NOT_AVAILABLE_IN_STORE' });
    if (decision.outcome !== 'REJECT') return;
    // Nearest first; the warehouse (no reserve) and the store without the capability never appear.
    expect(decision.alternatives!.map((a) => a.locationId)).toEqual(['ST-VILLEURBANNE', 'ST-GRENOBLE', 'ST-MARSEILLE']);
  });

  it('rejects a store without reserve with NOT_AVAILABLE_IN_STORE too, as PRODUCT.md says, naming the nearest stores that could, even when it holds the stock', () => {
    const withStock = (locationId: string, sku: string) => (locationId === 'ST-NOPICK' ? 9 : (table[locationId]?.[sku] ?? 0));
    const decision = routeOrder(request({ deliveryMode: 'E_RESERVATION', pickupLocationId: 'ST-NOPICK', lines: [{ sku: 'A', quantity: 2 }], atp: withStock }));
    expect(decision).toMatchObject({ outcome: 'REJECT', reason: 'NOT_AVAILABLE_IN_STORE' });
    if (decision.outcome !== 'REJECT') return;
    expect(decision.alternatives!.map((a) => a.locationId)).toEqual(['ST-VILLEURBANNE', 'ST-GRENOBLE', 'ST-MARSEILLE']);
    expect(decision.explanation.reason).toMatch(/^ST-NOPICK does not offer e-reservation; nearest stores that could: ST-VILLEURBANNE/);
  });

  it('names as alternatives no store the channel policy excludes, nor one the order was already refused at', () => {
    const policy = policyFor({ channels: [{ channel: 'app', modes: { E_RESERVATION: { excludedLocations: ['ST-VILLEURBANNE'] } } }] }, 'app', 'E_RESERVATION');
    const decision = routeOrder(request({ deliveryMode: 'E_RESERVATION', pickupLocationId: 'ST-LYON', policy, excluded: new Set(['ST-MARSEILLE']) }));
    expect(decision).toMatchObject({ outcome: 'REJECT', reason: 'NOT_AVAILABLE_IN_STORE' });
    expect(decision.outcome === 'REJECT' && decision.alternatives!.map((a) => a.locationId)).toEqual(['ST-GRENOBLE']);
  });

  it('explains with a bounded list, the pickup store first and chosen, and a summary of the stores left out', () => {
    const stores = Array.from({ length: 40 }, (_, i) => at(`ST-${String(i).padStart(2, '0')}`, 45 + i / 100, 4.8));
    const atp = (id: string) => (id === 'ST-39' ? 0 : 1);
    const decision = routeOrder(request({ deliveryMode: 'E_RESERVATION', pickupLocationId: 'ST-20', lines: [{ sku: 'A', quantity: 1 }], locations: stores, atp, excluded: new Set(['ST-21']) }));
    expect(decision.outcome).toBe('ALLOCATE');
    const { candidates, summary } = decision.explanation;
    expect(candidates[0]).toEqual({ locationId: 'ST-20', distanceKm: 0, covers: ['A'], chosen: true });
    expect(candidates.map((candidate) => candidate.locationId)).toEqual(['ST-20', 'ST-21', 'ST-19', 'ST-22', 'ST-18', 'ST-23', 'ST-17']);
    expect(candidates[1]).toEqual({ locationId: 'ST-21', filteredOut: 'EXCLUDED_FOR_ORDER' });
    expect(summary).toEqual({ locations: 40, eligible: 39, holders: 38, filteredOut: { NO_SHIP_CAPABILITY: 0, AT_DAILY_CAPACITY: 0, EXCLUDED_FOR_ORDER: 1 }, listed: 7, searchNodes: 0 });
  });

  it('names the nearest stores by their exact distance: two stores the same to the metre are not a tie broken by id', () => {
    // North of the pickup store by 0.5, 0.6, 1.0002 and 1.0004 km: ST-B is nearer than ST-A.
    const north = (id: string, km: number) => at(id, 45 + km / 111.195, 4);
    const locations = [at('ST-P', 45, 4), north('ST-C', 0.5), north('ST-D', 0.6), north('ST-B', 1.0002), north('ST-A', 1.0004)];
    const decision = routeOrder(request({ deliveryMode: 'E_RESERVATION', pickupLocationId: 'ST-P', locations, atp: (id) => (id === 'ST-P' ? 0 : 2) }));
    expect(decision.outcome === 'REJECT' && decision.alternatives!.map((a) => a.locationId)).toEqual(['ST-C', 'ST-D', 'ST-B']);
  });

  it('rejects an unknown pickup store as one without reserve, NOT_AVAILABLE_IN_STORE, with no alternatives since it has no position', () => {
    const decision = routeOrder(request({ deliveryMode: 'E_RESERVATION', pickupLocationId: 'ST-NOWHERE', lines: [{ sku: 'A', quantity: 1 }] }));
    expect(decision).toMatchObject({ outcome: 'REJECT', reason: 'NOT_AVAILABLE_IN_STORE', alternatives: [] });
    expect(decision.explanation.reason).toMatch(/^pickup location ST-NOWHERE is not a known location/);
  });
});

describe('routeOrder: policy', () => {
  it('backorders what nobody holds by default, and rejects it under a REJECT channel policy', () => {
    const lines = [{ sku: 'A', quantity: 1 }, { sku: 'ZZZ', quantity: 1 }];
    const address = { lat: 45.76, lng: 4.84 };
    expect(routeOrder(request({ lines, shippingAddress: address }))).toMatchObject({ outcome: 'ALLOCATE', backordered: [{ sku: 'ZZZ', quantity: 1 }] });
    const strict = policyFor({ channels: [{ channel: 'marketplace', shortage: 'REJECT' }] }, 'marketplace', 'HOME_DELIVERY');
    expect(routeOrder(request({ lines, shippingAddress: address, policy: strict }))).toMatchObject({ outcome: 'REJECT', reason: 'INSUFFICIENT_STOCK' });
  });

  it('rejects with NO_STOCK when nothing can be sourced', () => {
    expect(routeOrder(request({ lines: [{ sku: 'ZZZ', quantity: 1 }], shippingAddress: { lat: 45, lng: 5 } }))).toMatchObject({ outcome: 'REJECT', reason: 'NO_STOCK' });
  });

  it("applies a channel's weights: with dearer store shipments the far warehouse wins over the nearby store", () => {
    const lyon = { lat: 45.76, lng: 4.84 };
    const document = { channels: [{ channel: 'marketplace', weights: { baseCost: { STORE: 10 } } }] };
    const route = (channel: string) => routeOrder(request({ lines: [{ sku: 'B', quantity: 1 }], shippingAddress: lyon, policy: policyFor(document, channel, 'HOME_DELIVERY') }));
    // Defaults: the store 3 km away costs 6.03, the Paris warehouse 390 km away 7.9.
    expect(route('web')).toMatchObject({ allocations: [{ locationId: 'ST-VILLEURBANNE' }] });
    expect(route('marketplace')).toMatchObject({ allocations: [{ locationId: 'WH' }] });
  });

  it('never uses a location excluded for the order, and says so', () => {
    const paris = { lat: 48.9, lng: 2.3 };
    expect(routeOrder(request({ shippingAddress: paris }))).toMatchObject({ outcome: 'ALLOCATE', allocations: [{ locationId: 'WH' }] });
    const decision = routeOrder(request({ shippingAddress: paris, excluded: new Set(['WH']) }));
    // The nearest other location that holds both units, instead of the warehouse next door.
    expect(decision).toMatchObject({ outcome: 'ALLOCATE', allocations: [{ locationId: 'ST-VILLEURBANNE', lines: [{ sku: 'A', quantity: 2 }] }] });
    expect(decision.explanation.candidates).toContainEqual({ locationId: 'WH', filteredOut: 'EXCLUDED_FOR_ORDER' });
  });

  it('never uses a location the policy excludes, and still honours the order\'s own exclusions', () => {
    const paris = { lat: 48.9, lng: 2.3 };
    const policy = { ...DEFAULT_POLICY, excludedLocations: ['WH'] };
    expect(routeOrder(request({ shippingAddress: paris, policy }))).toMatchObject({ outcome: 'ALLOCATE', allocations: [{ locationId: 'ST-VILLEURBANNE' }] });
    const both = routeOrder(request({ shippingAddress: paris, policy, excluded: new Set(['ST-VILLEURBANNE']) }));
    expect(both).toMatchObject({ outcome: 'ALLOCATE', allocations: [{ locationId: 'ST-GRENOBLE' }] });
  });

  it('keeps the shipments serving the most units under the policy cap and backorders the rest, or rejects when the policy says so', () => {
    // No location holds 60 A: the whole order needs the warehouse and a store.
    const lines = [{ sku: 'A', quantity: 52 }];
    const uncapped = routeOrder(request({ lines, shippingAddress: { lat: 45.76, lng: 4.84 } }));
    expect(uncapped).toMatchObject({ outcome: 'ALLOCATE', backordered: [] });
    expect(uncapped.outcome === 'ALLOCATE' ? uncapped.allocations.length : 0).toBe(2);
    const capped = routeOrder(request({ lines, shippingAddress: { lat: 45.76, lng: 4.84 }, policy: { ...DEFAULT_POLICY, maxShipments: 1 } }));
    expect(capped).toMatchObject({ outcome: 'ALLOCATE', allocations: [{ locationId: 'WH', lines: [{ sku: 'A', quantity: 50 }] }], backordered: [{ sku: 'A', quantity: 2 }] });
    expect(capped.explanation.reason).toMatch(/the policy allows 1 shipment\(s\)/);
    expect(capped.explanation.candidates.filter((candidate) => candidate.chosen).map((candidate) => candidate.locationId)).toEqual(['WH']);
    const strict = routeOrder(request({ lines, shippingAddress: { lat: 45.76, lng: 4.84 }, policy: { ...DEFAULT_POLICY, maxShipments: 1, shortage: 'REJECT' } }));
    expect(strict).toMatchObject({ outcome: 'REJECT', reason: 'INSUFFICIENT_STOCK' });
  });
});

describe('routeOrder: click & collect on random networks', () => {
  it('picks counter stock first and transfers the rest as the brute-force reference would, splits included, never above ATP, only from ship locations', () => {
    const arbitrary = fc.record({
      stock: fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 }), { minLength: 6, maxLength: 6 }),
      ship: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
      quantities: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 }),
      pickup: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(arbitrary, ({ stock, ship, quantities, pickup }) => {
        const locations = network.map((l, i) => ({ ...l, ship: ship[i], pickup: true }));
        const atp = (id: string, sku: string) => stock[locations.findIndex((l) => l.id === id)][Number(sku.slice(1))];
        const lines = quantities.map((quantity, i) => ({ sku: `S${i}`, quantity }));
        const store = locations[pickup];
        const decision = routeOrder({ deliveryMode: 'CLICK_AND_COLLECT', lines, pickupLocationId: store.id, locations, atp, policy: DEFAULT_POLICY, policyVersion: 1 });
        if (decision.outcome === 'REJECT') {
          expect(decision.reason).toBe('NO_STOCK');
          for (const line of lines) for (const l of locations) if (l.id === store.id || l.ship) expect(atp(l.id, line.sku)).toBe(0);
          return;
        }
        for (const { sku, quantity } of lines) {
          const sourced = decision.allocations.flatMap((a) => a.lines).filter((l) => l.sku === sku).reduce((sum, l) => sum + l.quantity, 0);
          const back = decision.backordered.find((b) => b.sku === sku)?.quantity ?? 0;
          expect(sourced + back).toBe(quantity);
          const local = decision.allocations.find((a) => a.kind === 'PICKUP')?.lines.find((l) => l.sku === sku)?.quantity ?? 0;
          expect(local).toBe(Math.min(quantity, atp(store.id, sku)));
        }
        for (const allocation of decision.allocations) {
          const location = locations.find((l) => l.id === allocation.locationId)!;
          expect(allocation.kind === 'PICKUP' ? location.id === store.id : location.ship && location.id !== store.id).toBe(true);
          for (const line of allocation.lines) expect(line.quantity).toBeLessThanOrEqual(atp(location.id, line.sku));
        }
        const rest = lines.map(({ sku, quantity }) => ({ sku, quantity: quantity - Math.min(quantity, atp(store.id, sku)) })).filter((l) => l.quantity > 0);
        const sources = locations.filter((l) => l.ship && l.id !== store.id);
        const reference = bruteForceRouting(rest, store, sources, atp, DEFAULT_POLICY.weights);
        const transfers = decision.allocations.filter((a) => a.kind === 'TRANSFER');
        expect(transfers.map((a) => a.locationId).sort()).toEqual(reference.set.map((l) => l.id).sort());
        expect(decision.explanation.exact).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('routeOrder: e-reservation on random networks', () => {
  it('reserves at the store when it offers reserve and holds every line, and otherwise names the three nearest stores that could, as a brute force over every location finds them', () => {
    const location = fc.record({
      type: fc.constantFrom('STORE', 'STORE', 'WAREHOUSE'),
      reserve: fc.boolean(),
      // A coarse grid: equal distances are frequent, so the tie-break by id is exercised.
      lat: fc.integer({ min: 0, max: 3 }),
      lng: fc.integer({ min: 0, max: 3 }),
      stock: fc.array(fc.integer({ min: -1, max: 3 }), { minLength: 3, maxLength: 3 }),
    });
    const arbitrary = fc.record({
      locations: fc.array(location, { minLength: 2, maxLength: 9 }),
      quantities: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 }),
      pickup: fc.nat(),
    });
    const km = (a: { lat: number; lng: number }, b: { lat: number; lng: number }) => Math.round(haversineKm(a, b) * 1000) / 1000;
    fc.assert(
      fc.property(arbitrary, ({ locations: drawn, quantities, pickup }) => {
        const locations = drawn.map((l, i) => at(`L${i}`, 45 + l.lat / 10, 4 + l.lng / 10, { type: l.type as NetworkLocation['type'], reserve: l.reserve }));
        const stores = locations.filter((l) => l.type === 'STORE');
        fc.pre(stores.length > 0);
        const store = stores[pickup % stores.length];
        const atp = (id: string, sku: string) => drawn[Number(id.slice(1))].stock[Number(sku.slice(1))];
        const lines = quantities.map((quantity, i) => ({ sku: `S${i}`, quantity }));
        const holdsAll = (l: NetworkLocation) => lines.every(({ sku, quantity }) => atp(l.id, sku) >= quantity);
        const decision = routeOrder({ deliveryMode: 'E_RESERVATION', lines, pickupLocationId: store.id, locations, atp, policy: DEFAULT_POLICY, policyVersion: 1 });

        if (store.reserve && holdsAll(store)) {
          expect(decision).toMatchObject({ outcome: 'ALLOCATE', allocations: [{ locationId: store.id, kind: 'PICKUP', lines }], backordered: [] });
          return;
        }
        const reference = locations
          .filter((l) => l.id !== store.id && l.type === 'STORE' && l.reserve && holdsAll(l))
          .sort((a, b) => haversineKm(a, store) - haversineKm(b, store) || (a.id < b.id ? -1 : 1))
          .slice(0, 3)
          .map((l) => ({ locationId: l.id, distanceKm: km(l, store) }));
        expect(decision).toMatchObject({ outcome: 'REJECT', reason: 'NOT_AVAILABLE_IN_STORE' });
        expect(decision.outcome === 'REJECT' && decision.alternatives).toEqual(reference);
      }),
      { numRuns: 10_000 },
    );
  });
});
