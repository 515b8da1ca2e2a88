import type { AllocationLine, DeliveryMode } from '@fil/contracts';
import { haversineKm } from '@fil/geo';
import { routeOrder, type NetworkLocation } from './route-order';
import { recordInputs } from './routing-inputs';
import { policyFor, type PolicyDocument } from './routing-policy';
import { simulate, type RecordedDecision } from './simulation';
import { simulationMarkdown } from './simulation-report';

const LYON = { lat: 45.764, lng: 4.8357 };
const site = (id: string, type: 'WAREHOUSE' | 'STORE', lat: number, lng: number): NetworkLocation => ({
  id,
  type,
  lat,
  lng,
  ship: true,
  pickup: type === 'STORE',
  reserve: type === 'STORE',
  priority: null,
  underCapacity: true,
});
const WH = site('WH-LYON', 'WAREHOUSE', 45.76, 4.84);
const ST = site('ST-LYON', 'STORE', 45.76, 4.83);
const PARIS = site('WH-PARIS', 'WAREHOUSE', 48.85, 2.35);
/** Nobody holds anything here: it must not be recorded. */
const IDLE = site('WH-IDLE', 'WAREHOUSE', 43.3, 5.37);
const NETWORK = [WH, ST, PARIS, IDLE];
const STOCK: Record<string, number> = { 'WH-LYON:A': 5, 'ST-LYON:A': 5, 'WH-PARIS:B': 5, 'WH-LYON:C': 2 };

const USED: PolicyDocument = {};
const STORES_CHEAP: PolicyDocument = { defaults: { weights: { baseCost: { STORE: 1 } } }, channels: [{ channel: 'marketplace', shortage: 'REJECT' }] };

/** A first decision as the live path records it: routed under version 1 on NETWORK and STOCK. */
function recorded(orderId: string, channel: string, deliveryMode: DeliveryMode, lines: AllocationLine[], where: { pickupLocationId?: string } = {}): RecordedDecision {
  const request = {
    deliveryMode,
    lines,
    shippingAddress: deliveryMode === 'HOME_DELIVERY' ? { ...LYON, city: 'Lyon' } : undefined,
    pickupLocationId: where.pickupLocationId,
    locations: NETWORK,
    atp: (locationId: string, sku: string) => STOCK[`${locationId}:${sku}`] ?? 0,
    policy: policyFor(USED, channel, deliveryMode),
    policyVersion: 1,
    excluded: new Set<string>(),
  };
  const decision = routeOrder(request);
  return {
    orderId,
    channel,
    deliveryMode,
    outcome: decision.outcome,
    allocations: decision.outcome === 'ALLOCATE' ? decision.allocations : [],
    backordered: decision.outcome === 'ALLOCATE' ? decision.backordered : [],
    policyVersion: decision.explanation.policyVersion,
    inputs: recordInputs(request),
  };
}

const one = (sku: string, quantity = 1) => ({ sku, quantity });
const cost = (base: number, location: NetworkLocation, to: { lat: number; lng: number }) => base + 0.01 * haversineKm(location, to);
const near = (value: number) => expect.closeTo(value, 2);

describe('recordInputs', () => {
  it('keeps the holders of the ordered SKUs with their ATP, the pickup store, and nothing else of the network', () => {
    const inputs = recorded('O-CC', 'web', 'CLICK_AND_COLLECT', [one('B')], { pickupLocationId: 'ST-LYON' }).inputs!;
    expect(inputs.atp).toEqual({ B: { 'WH-PARIS': 5 } });
    expect(inputs.locations.map((location) => location.id).sort()).toEqual(['ST-LYON', 'WH-PARIS']);
    expect(inputs).toMatchObject({ pickupLocationId: 'ST-LYON', excluded: [], lines: [one('B')] });
  });

  it('keeps only the coordinates of the shipping address', () => {
    expect(recorded('O-HD', 'web', 'HOME_DELIVERY', [one('A')]).inputs!.shippingAddress).toEqual(LYON);
  });
});

describe('simulate: recorded first decisions replayed under the version used and under a proposed policy', () => {
  const decisions = [
    recorded('O-1', 'web', 'HOME_DELIVERY', [one('A')]),
    recorded('O-2', 'web', 'HOME_DELIVERY', [one('A'), one('B')]),
    recorded('O-3', 'marketplace', 'HOME_DELIVERY', [one('C', 3)]),
    recorded('O-4', 'web', 'CLICK_AND_COLLECT', [one('A')], { pickupLocationId: 'ST-LYON' }),
    { ...recorded('O-old', 'web', 'HOME_DELIVERY', [one('A')]), inputs: undefined },
    { ...recorded('O-lost', 'web', 'HOME_DELIVERY', [one('A')]), policyVersion: 'policy-v9' },
  ];
  const result = simulate(decisions, new Map([[1, USED]]), STORES_CHEAP);

  it('replays only decisions with their inputs and a known version, and says why it skipped the others', () => {
    expect(result.replayed).toBe(4);
    expect(result.skipped).toEqual({ 'recorded before routing kept its inputs': 1, 'policy version policy-v9 not found': 1 });
    expect(result.replayDiffers).toEqual([]);
  });

  it('lists the orders whose decision changes, before and after', () => {
    expect(result.changed).toEqual([
      { orderId: 'O-1', channel: 'web', deliveryMode: 'HOME_DELIVERY', used: 'SHIP WH-LYON (1 × A)', proposed: 'SHIP ST-LYON (1 × A)' },
      { orderId: 'O-2', channel: 'web', deliveryMode: 'HOME_DELIVERY', used: 'SHIP WH-LYON (1 × A), SHIP WH-PARIS (1 × B)', proposed: 'SHIP ST-LYON (1 × A), SHIP WH-PARIS (1 × B)' },
      { orderId: 'O-3', channel: 'marketplace', deliveryMode: 'HOME_DELIVERY', used: 'SHIP WH-LYON (2 × C); backordered 1 × C', proposed: 'REJECT INSUFFICIENT_STOCK' },
    ]);
  });

  it('computes the figures per channel and delivery mode, each side priced with its own weights', () => {
    const [marketplace, webCollect, webHome] = result.groups;
    expect([marketplace, webCollect, webHome].map((g) => `${g.channel} ${g.deliveryMode}`)).toEqual(['marketplace HOME_DELIVERY', 'web CLICK_AND_COLLECT', 'web HOME_DELIVERY']);
    // O-1 from the warehouse, O-2 split between the warehouse and Paris.
    expect(webHome.used).toEqual({
      orders: 2,
      shipmentsPerOrder: 1.5,
      splitRate: 0.5,
      averageDistanceKm: near((2 * haversineKm(WH, LYON) + haversineKm(PARIS, LYON)) / 3),
      totalCost: near(2 * cost(4, WH, LYON) + cost(4, PARIS, LYON)),
      fillRate: 1,
      backorderedUnits: 0,
    });
    // A moves to the store in both; Paris alone holds B.
    expect(webHome.proposed).toMatchObject({ shipmentsPerOrder: 1.5, totalCost: near(2 * cost(1, ST, LYON) + cost(4, PARIS, LYON)) });
    expect(marketplace.used).toMatchObject({ orders: 1, fillRate: near(2 / 3), backorderedUnits: 1, totalCost: near(cost(4, WH, LYON)) });
    expect(marketplace.proposed).toMatchObject({ orders: 1, shipmentsPerOrder: 0, fillRate: 0, backorderedUnits: 0, totalCost: 0, averageDistanceKm: null });
    // The store picks its own stock: nothing travels, nothing to price.
    expect(webCollect.used).toEqual({ orders: 1, shipmentsPerOrder: 1, splitRate: 0, averageDistanceKm: null, totalCost: 0, fillRate: 1, backorderedUnits: 0 });
    expect(result.total.used).toMatchObject({ orders: 4, backorderedUnits: 1, fillRate: near(6 / 7) });
  });

  it('names the orders whose replay under the version used differs from what was recorded', () => {
    const tampered = { ...decisions[0], allocations: [{ locationId: 'ST-LYON', kind: 'SHIP', lines: [one('A')] }] };
    expect(simulate([tampered], new Map([[1, USED]]), USED)).toMatchObject({ replayDiffers: ['O-1'], changed: [] });
  });

  it('prints the used and proposed figures side by side, and the changed orders', () => {
    const printed = simulationMarkdown(result);
    expect(printed).toContain('## Routing simulation: 4 order(s) replayed');
    expect(printed).toContain('| web | HOME_DELIVERY | used | 2 | 1.50 | 50.0% |');
    expect(printed).toContain('| marketplace | HOME_DELIVERY | proposed | 1 | 0.00 | 0.0% | – | 0.00 | 0.0% | 0 |');
    expect(printed).toContain('| O-1 | web | HOME_DELIVERY | SHIP WH-LYON (1 × A) | SHIP ST-LYON (1 × A) |');
  });
});
