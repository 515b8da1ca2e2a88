import type { AllocationLine } from '@fil/contracts';
import { haversineKm } from '@fil/geo';
import type { RoutingLocation, RoutingWeights, FilterReason, StockHolders } from './routing-types';

/** A ship location that holds some of the order, scored. */
export interface Candidate {
  location: RoutingLocation;
  distanceKm: number;
  /** baseCost + perKm × km, as reported. */
  price: number;
  /** The same in millionths, so that sums compare exactly and equal costs go to the tie-break. */
  cost: number;
  /** ATP of each ordered line. */
  atp: number[];
}

/** A location left out that holds some of the order: listed in the explanation, never used. */
export interface FilteredHolder {
  location: RoutingLocation;
  reason: FilterReason;
}

/**
 * The holders of the order, column by column so that thousands of them cost no allocation
 * each. Each location holding any line has a row `h`: its ATP of line `i` is
 * `atp[h × lines + i]`; `eligible` lists the rows of ship locations routing may use.
 */
export interface ScoredNetwork {
  lines: number;
  atp: number[];
  eligible: number[];
  locations: RoutingLocation[];
  distanceKm: number[];
  price: number[];
  cost: number[];
  filtered: FilteredHolder[];
  /** Every location given, by what became of it. */
  counts: { locations: number; eligible: number } & Record<FilterReason, number>;
}

export const COST_SCALE = 1_000_000;

/**
 * Scores the locations that hold any of `lines`. With `holders` only those are read (the
 * rest of the network costs one map look-up each); without, ATP is asked of every location.
 */
export function scoreNetwork(
  lines: AllocationLine[],
  destination: { lat: number; lng: number },
  all: RoutingLocation[],
  atp: (locationId: string, sku: string) => number,
  holders: StockHolders | undefined,
  weights: RoutingWeights,
  excluded: ReadonlySet<string>,
): ScoredNetwork {
  const width = lines.length;
  const rows = holders ? holderRows(lines, holders) : undefined;
  const counts = { locations: all.length, eligible: 0, NO_SHIP_CAPABILITY: 0, AT_DAILY_CAPACITY: 0, EXCLUDED_FOR_ORDER: 0 };
  // Rows are filled out of order: columns made dense up front stay fast arrays.
  const column = <T>(fill: T): T[] => new Array<T>(rows?.of.size ?? 0).fill(fill);
  const network: ScoredNetwork = {
    lines: width,
    atp: rows?.atp ?? [],
    eligible: [],
    locations: column<RoutingLocation>(all[0]),
    distanceKm: column(0),
    price: column(0),
    cost: column(0),
    filtered: [],
    counts,
  };
  const screen = excluded.size > 0;
  for (const location of all) {
    const reason = screen && excluded.has(location.id) ? 'EXCLUDED_FOR_ORDER' : !location.ship ? 'NO_SHIP_CAPABILITY' : !location.underCapacity ? 'AT_DAILY_CAPACITY' : undefined;
    if (reason) counts[reason] += 1;
    else counts.eligible += 1;
    let h = rows ? rows.of.get(location.id) : undefined;
    if (h === undefined) {
      if (rows) continue;
      h = askAtp(network, location, lines, atp);
      if (h === undefined) continue;
    }
    if (reason) {
      network.filtered.push({ location, reason });
      continue;
    }
    const distanceKm = haversineKm(location, destination);
    const price = weights.baseCost[location.type] + weights.perKm * distanceKm;
    network.eligible.push(h);
    network.locations[h] = location;
    network.distanceKm[h] = distanceKm;
    network.price[h] = price;
    network.cost[h] = Math.round(price * COST_SCALE);
  }
  return network;
}

/** A row for a location holding any line, from the holders index. */
function holderRows(lines: AllocationLine[], holders: StockHolders): { of: Map<string, number>; atp: number[] } {
  const of = new Map<string, number>();
  const atp: number[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    for (const holding of holders(lines[i].sku)) {
      if (holding[1] <= 0) continue;
      let h = of.get(holding[0]);
      if (h === undefined) {
        of.set(holding[0], (h = of.size));
        for (let j = 0; j < lines.length; j += 1) atp.push(0);
      }
      atp[h * lines.length + i] = holding[1];
    }
  }
  return { of, atp };
}

/** Without an index: the location's row if it holds any line. */
function askAtp(network: ScoredNetwork, location: RoutingLocation, lines: AllocationLine[], atp: (locationId: string, sku: string) => number): number | undefined {
  const units = lines.map(({ sku }) => Math.max(0, atp(location.id, sku)));
  if (!units.some((n) => n > 0)) return undefined;
  network.atp.push(...units);
  return network.atp.length / lines.length - 1;
}

export function candidateAt(network: ScoredNetwork, h: number): Candidate {
  const atp = network.atp.slice(h * network.lines, (h + 1) * network.lines);
  return { location: network.locations[h], distanceKm: network.distanceKm[h], price: network.price[h], cost: network.cost[h], atp };
}

/** Lower cost first, then lower priority number (none last), then location id: the contract's order for one location. */
export function compareHolders(network: ScoredNetwork, a: number, b: number): number {
  return network.cost[a] - network.cost[b] || compareLocations(network.locations[a], network.locations[b]);
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
