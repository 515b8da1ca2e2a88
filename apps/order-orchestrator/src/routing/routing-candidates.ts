import type { AllocationLine } from '@fil/contracts';
import { haversineKm } from '@fil/geo';
import type { RoutingLocation, RoutingWeights, FilterReason, StockHolders } from './routing-types';

/** A ship location that holds some of the order, scored once. */
export interface Candidate {
  location: RoutingLocation;
  distanceKm: number;
  /** baseCost + perKm × km, as reported. */
  price: number;
  /** The same in millionths, so that sums compare exactly and equal costs go to the tie-break. */
  cost: number;
  /** ATP of each ordered SKU, in the order of the merged lines. */
  atp: number[];
}

/** A location left out that holds some of the order: listed in the explanation, never used. */
export interface FilteredHolder {
  location: RoutingLocation;
  reason: FilterReason;
}

export interface ScoredNetwork {
  candidates: Candidate[];
  filtered: FilteredHolder[];
  /** Every location given, by what became of it. */
  counts: { locations: number; eligible: number } & Record<FilterReason, number>;
}

export const COST_SCALE = 1_000_000;

export function filterReason(location: RoutingLocation, excluded: ReadonlySet<string>): FilterReason | undefined {
  if (excluded.has(location.id)) return 'EXCLUDED_FOR_ORDER';
  if (!location.ship) return 'NO_SHIP_CAPABILITY';
  if (!location.underCapacity) return 'AT_DAILY_CAPACITY';
  return undefined;
}

/**
 * Scores the locations that hold any of `lines`. With `holders` only those are read (the
 * rest of the network costs one map look-up each); without, ATP is asked of every location.
 */
export function scoreNetwork(
  lines: AllocationLine[],
  destination: { lat: number; lng: number },
  locations: RoutingLocation[],
  atp: (locationId: string, sku: string) => number,
  holders: StockHolders | undefined,
  weights: RoutingWeights,
  excluded: ReadonlySet<string>,
): ScoredNetwork {
  const held = holders ? stockBySku(lines, holders) : undefined;
  const counts = { locations: locations.length, eligible: 0, NO_SHIP_CAPABILITY: 0, AT_DAILY_CAPACITY: 0, EXCLUDED_FOR_ORDER: 0 };
  const candidates: Candidate[] = [];
  const filtered: FilteredHolder[] = [];
  for (const location of locations) {
    const reason = filterReason(location, excluded);
    if (reason) counts[reason] += 1;
    else counts.eligible += 1;
    const stock = held ? held.get(location.id) : lines.map(({ sku }) => Math.max(0, atp(location.id, sku)));
    if (!stock || !stock.some((units) => units > 0)) continue;
    if (reason) {
      filtered.push({ location, reason });
      continue;
    }
    const distanceKm = haversineKm(location, destination);
    const price = weights.baseCost[location.type] + weights.perKm * distanceKm;
    candidates.push({ location, distanceKm, price, cost: Math.round(price * COST_SCALE), atp: stock });
  }
  return { candidates, filtered, counts };
}

/** Location id → ATP per line, from the holders index. */
function stockBySku(lines: AllocationLine[], holders: StockHolders): Map<string, number[]> {
  const byLocation = new Map<string, number[]>();
  lines.forEach(({ sku }, index) => {
    for (const [locationId, units] of holders(sku)) {
      if (units <= 0) continue;
      let stock = byLocation.get(locationId);
      if (!stock) byLocation.set(locationId, (stock = new Array<number>(lines.length).fill(0)));
      stock[index] = units;
    }
  });
  return byLocation;
}

/** Lower cost first, then lower priority number (none last), then location id: the contract's order for one location. */
export function compareCandidates(a: Candidate, b: Candidate): number {
  return a.cost - b.cost || compareLocations(a.location, b.location);
}

export function compareLocations(a: RoutingLocation, b: RoutingLocation): number {
  const byPriority = (a.priority ?? Number.MAX_SAFE_INTEGER) - (b.priority ?? Number.MAX_SAFE_INTEGER);
  return byPriority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Total order on location sets of equal size and cost: lower priorities, then lower ids, compared best first. */
export function compareTieBreak(a: RoutingLocation[], b: RoutingLocation[]): number {
  const [ka, kb] = [[...a].sort(compareLocations), [...b].sort(compareLocations)];
  for (let i = 0; i < Math.min(ka.length, kb.length); i += 1) {
    const order = compareLocations(ka[i], kb[i]);
    if (order) return order;
  }
  return ka.length - kb.length;
}
