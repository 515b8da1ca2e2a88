import fc from 'fast-check';
import { bruteForceRouting } from './brute-force-routing';
import { DEFAULT_WEIGHTS, routeHomeDelivery, type RoutingLocation } from './home-delivery-router';

const PARIS = { lat: 48.8566, lng: 2.3522 };
const location = (id: string, over: Partial<RoutingLocation> = {}): RoutingLocation => ({
  id,
  type: 'WAREHOUSE',
  lat: 48.8566,
  lng: 2.3522,
  ship: true,
  priority: null,
  underCapacity: true,
  ...over,
});
const stockOf = (table: Record<string, Record<string, number>>) => (locationId: string, sku: string) => table[locationId]?.[sku] ?? 0;

describe('routeHomeDelivery', () => {
  it('ships the whole order from one location rather than two cheaper ones', () => {
    const decision = routeHomeDelivery(
      [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1 }],
      PARIS,
      [location('near-a'), location('near-b'), location('far-both', { lat: 43.3, lng: 5.37 })],
      stockOf({ 'near-a': { A: 5 }, 'near-b': { B: 5 }, 'far-both': { A: 1, B: 1 } }),
    );
    expect(decision.shipments.map((s) => s.locationId)).toEqual(['far-both']);
    expect(decision.backordered).toEqual([]);
  });

  it('prefers the cheaper of two single-shipment options: a warehouse over a store at the same place', () => {
    const decision = routeHomeDelivery(
      [{ sku: 'A', quantity: 2 }],
      PARIS,
      [location('store', { type: 'STORE' }), location('warehouse')],
      stockOf({ store: { A: 9 }, warehouse: { A: 9 } }),
    );
    expect(decision.shipments).toEqual([{ locationId: 'warehouse', lines: [{ sku: 'A', quantity: 2 }], cost: 4 }]);
  });

  it('leaves out locations that cannot ship or are at capacity, and says why', () => {
    const decision = routeHomeDelivery(
      [{ sku: 'A', quantity: 1 }],
      PARIS,
      [location('no-ship', { ship: false }), location('full', { underCapacity: false }), location('ok', { lat: 45.76, lng: 4.84 })],
      stockOf({ 'no-ship': { A: 9 }, full: { A: 9 }, ok: { A: 9 } }),
    );
    expect(decision.shipments.map((s) => s.locationId)).toEqual(['ok']);
    expect(decision.explanation.candidates).toEqual(
      expect.arrayContaining([
        { locationId: 'no-ship', filteredOut: 'NO_SHIP_CAPABILITY' },
        { locationId: 'full', filteredOut: 'AT_DAILY_CAPACITY' },
      ]),
    );
  });

  it('says which holders were left out, and why, when they are the only ones', () => {
    const decision = routeHomeDelivery([{ sku: 'A', quantity: 1 }], PARIS, [location('full', { underCapacity: false }), location('no-ship', { ship: false })], stockOf({ full: { A: 9 }, 'no-ship': { A: 9 } }));
    expect(decision.shipments).toEqual([]);
    expect(decision.explanation.reason).toBe('no location that may ship holds any of the ordered SKUs; holders left out: full (AT_DAILY_CAPACITY), no-ship (NO_SHIP_CAPABILITY)');
    expect(routeHomeDelivery([{ sku: 'A', quantity: 1 }], PARIS, [location('empty')], stockOf({})).explanation.reason).toBe('no candidate holds any of the ordered SKUs');
  });

  it('splits a line only when no location holds it whole, and backorders what nobody holds', () => {
    const decision = routeHomeDelivery(
      [{ sku: 'A', quantity: 5 }, { sku: 'B', quantity: 1 }, { sku: 'Z', quantity: 1 }],
      PARIS,
      [location('w1'), location('w2', { lat: 45.76, lng: 4.84 })],
      stockOf({ w1: { A: 3, B: 1 }, w2: { A: 1 } }),
    );
    expect(decision.shipments).toEqual([
      { locationId: 'w1', lines: [{ sku: 'A', quantity: 3 }, { sku: 'B', quantity: 1 }], cost: 4 },
      expect.objectContaining({ locationId: 'w2', lines: [{ sku: 'A', quantity: 1 }] }),
    ]);
    expect(decision.backordered).toEqual([{ sku: 'A', quantity: 1 }, { sku: 'Z', quantity: 1 }]);
  });

  it('breaks exact ties by priority, then by location id', () => {
    const route = (locations: RoutingLocation[]) =>
      routeHomeDelivery([{ sku: 'A', quantity: 1 }], PARIS, locations, () => 1).shipments[0].locationId;
    expect(route([location('b', { priority: 1 }), location('a', { priority: 2 })])).toBe('b');
    expect(route([location('b'), location('a')])).toBe('a');
  });
});

/** Small networks where most lines exceed most locations' ATP, and some locations sit at the same place (equal costs). */
const network = fc
  .record({
    locations: fc.array(
      fc.record({
        type: fc.constantFrom('WAREHOUSE' as const, 'STORE' as const),
        lat: fc.oneof(fc.constantFrom(45, 46.5), fc.double({ min: 42, max: 51, noNaN: true })),
        lng: fc.oneof(fc.constant(4), fc.double({ min: -4, max: 8, noNaN: true })),
        ship: fc.integer({ min: 0, max: 5 }).map((n) => n > 0),
        priority: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }),
        underCapacity: fc.integer({ min: 0, max: 5 }).map((n) => n > 0),
        stock: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
      }),
      { minLength: 1, maxLength: 8 },
    ),
    quantities: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 }),
  })
  .map(({ locations, quantities }) => ({
    locations: locations.map(({ stock, ...l }, i) => ({ ...l, id: `L${i}`, stock })),
    lines: quantities.map((quantity, i) => ({ sku: `S${i}`, quantity })),
  }));

describe('routeHomeDelivery on costs equal but for rounding', () => {
  it('breaks the tie by priority whichever candidate comes first (fast-check seed 512760837)', () => {
    const stores = [location('L0', { type: 'STORE', lat: 42.00000000000001, lng: 0, priority: null }), location('L1', { type: 'STORE', lat: 42, lng: 0, priority: 1 })];
    const decision = routeHomeDelivery([{ sku: 'S0', quantity: 1 }], PARIS, stores, stockOf({ L0: { S0: 1 }, L1: { S0: 1 } }));
    expect(decision.shipments.map((s) => s.locationId)).toEqual(['L1']);
  });
});

describe('routeHomeDelivery at the documented size', () => {
  it('serves a 10-line order over 200 candidate locations with the fewest shipments a greedy cover would not beat', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const skus = Array.from({ length: 10 }, (_, i) => `S${i}`);
    const locations = Array.from({ length: 200 }, (_, i) => location(`L${String(i).padStart(3, '0')}`, { lat: 43 + random() * 7, lng: -1 + random() * 8 }));
    const table: Record<string, Record<string, number>> = {};
    for (const l of locations) table[l.id] = Object.fromEntries(skus.map((sku) => [sku, random() < 0.25 ? 2 : 0]));
    const decision = routeHomeDelivery(skus.map((sku) => ({ sku, quantity: 1 })), PARIS, locations, stockOf(table));
    expect(decision.backordered).toEqual([]);
    // Greedy set cover: never fewer shipments than the exact optimum.
    const uncovered = new Set(skus);
    let greedy = 0;
    while (uncovered.size) {
      const pick = locations.reduce((a, b) => ([...uncovered].filter((s) => table[b.id][s]).length > [...uncovered].filter((s) => table[a.id][s]).length ? b : a));
      for (const sku of skus) if (table[pick.id][sku]) uncovered.delete(sku);
      greedy += 1;
    }
    expect(decision.shipments.length).toBeLessThanOrEqual(greedy);
  });
});

describe('routeHomeDelivery against a brute-force reference', () => {
  it('chooses the best set of locations, splits included, and sources every unit it can, on 10,000 random networks where lines are often split', () => {
    fc.assert(
      fc.property(network, ({ locations, lines }) => {
        const atp = (id: string, sku: string) => locations.find((l) => l.id === id)!.stock[Number(sku.slice(1))];
        const decision = routeHomeDelivery(lines, PARIS, locations, atp);
        const candidates = locations.filter((l) => l.ship && l.underCapacity);
        const reference = bruteForceRouting(lines, PARIS, candidates, atp, DEFAULT_WEIGHTS);

        expect(decision.exact).toBe(true);
        expect(decision.shipments.map((s) => s.locationId).sort()).toEqual(reference.set.map((l) => l.id).sort());
        // The SKU index, listing holders in another order, reads fewer locations and must decide the same, explanation included.
        const holders = (sku: string) => locations.map((l) => [l.id, atp(l.id, sku)] as const).reverse();
        expect(routeHomeDelivery(lines, PARIS, locations, atp, DEFAULT_WEIGHTS, new Set(), holders)).toEqual(decision);
        // The same holdings by position (as the stock view hands them) must too.
        const reversed = locations.map((_, at) => locations.length - 1 - at);
        const holdingsAt = (sku: string) => ({ at: reversed, atp: reversed.map((at) => atp(locations[at].id, sku)) });
        expect(routeHomeDelivery(lines, PARIS, locations, atp, DEFAULT_WEIGHTS, new Set(), undefined, holdingsAt)).toEqual(decision);
        for (const { sku, quantity } of lines) {
          const parts = decision.shipments.flatMap((s) => s.lines).filter((l) => l.sku === sku);
          const served = parts.reduce((sum, l) => sum + l.quantity, 0);
          expect(served).toBe(reference.sourced.get(sku));
          expect(decision.backordered.find((b) => b.sku === sku)?.quantity ?? 0).toBe(quantity - served);
          if (candidates.some((l) => atp(l.id, sku) >= quantity)) expect(parts).toEqual([{ sku, quantity }]);
        }
        for (const shipment of decision.shipments) {
          expect(shipment.lines.length).toBeGreaterThan(0);
          for (const line of shipment.lines) expect(line.quantity).toBeLessThanOrEqual(atp(shipment.locationId, line.sku));
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('routeHomeDelivery past the search budget', () => {
  it('still ships every line it can, and says the cover may not be the best', () => {
    const decision = routeHomeDelivery(
      [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 1 }],
      PARIS,
      [location('w1'), location('w2', { lat: 45.76, lng: 4.84 })],
      stockOf({ w1: { A: 1, B: 1 }, w2: { A: 1 } }),
      DEFAULT_WEIGHTS,
      new Set(),
      undefined,
      undefined,
      0,
    );
    expect(decision.exact).toBe(false);
    expect(decision.explanation.reason).toContain('fallback');
    expect(decision.shipments.flatMap((s) => s.lines).filter((l) => l.sku === 'A').reduce((sum, l) => sum + l.quantity, 0)).toBe(2);
    expect(decision.backordered).toEqual([]);
  });
});

describe('routeHomeDelivery on one array of locations across decisions', () => {
  it('decides as on a fresh copy after the array changed in place (a location replaced, an id changed, one gone)', () => {
    const stock = stockOf({ near: { A: 2 }, far: { A: 2 } });
    const holders = (sku: string) => ['near', 'far'].map((id) => [id, stock(id, sku)] as const);
    const route = (locations: RoutingLocation[]) => routeHomeDelivery([{ sku: 'A', quantity: 2 }], PARIS, locations, stock, DEFAULT_WEIGHTS, new Set(), holders);
    const shipFrom = (locations: RoutingLocation[]) => route(locations).shipments.map((s) => s.locationId);
    const network = [location('near'), location('far', { lat: 43.3, lng: 5.37 })];
    expect(shipFrom(network)).toEqual(['near']);
    // 'other' holds nothing: the first position no longer holds near's stock.
    network[0] = location('other', { lat: 45.76, lng: 4.84 });
    expect(shipFrom(network)).toEqual(['far']);
    expect(route(network)).toEqual(route([...network]));
    network[0].id = 'near';
    expect(shipFrom(network)).toEqual(['near']);
    network.pop();
    network[0].underCapacity = false;
    expect(shipFrom(network)).toEqual([]);
    expect(route(network)).toEqual(route([...network]));
  });
});
