import type { AllocationLine } from '@fil/contracts';
import { haversineKm, latitudeGapKm } from '@fil/geo';
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
 * A row's distance and cost are computed when first asked: the search and the explanation
 * need few of them, and `costFloor` (from latitudes alone) tells which rows can be skipped.
 */
export class ScoredNetwork {
  readonly eligible: number[] = [];
  readonly filtered: FilteredHolder[] = [];
  readonly locations: RoutingLocation[];
  /** NaN until the row is scored. */
  private readonly km: Float64Array;
  private readonly costs: Float64Array;
  private readonly floors: Float64Array;
  /** Costs rise with distance: a floor on distance is a floor on cost. */
  private readonly floorsHold: boolean;

  constructor(
    readonly lines: number,
    readonly atp: number[],
    rows: number,
    readonly counts: { locations: number; eligible: number } & Record<FilterReason, number>,
    private readonly destination: { lat: number; lng: number },
    private readonly weights: RoutingWeights,
  ) {
    this.locations = new Array<RoutingLocation>(rows);
    this.km = new Float64Array(rows).fill(Number.NaN);
    this.costs = new Float64Array(rows);
    this.floors = new Float64Array(rows);
    this.floorsHold = weights.perKm >= 0;
  }

  admit(h: number, location: RoutingLocation) {
    this.eligible.push(h);
    this.locations[h] = location;
    this.floors[h] = this.floorsHold ? Math.round(this.priceAt(location, latitudeGapKm(location.lat, this.destination.lat)) * COST_SCALE) : -Infinity;
  }

  distanceKm(h: number): number {
    this.score(h);
    return this.km[h];
  }

  /** baseCost + perKm × km, as reported. */
  price(h: number): number {
    return this.priceAt(this.locations[h], this.distanceKm(h));
  }

  /** The price in millionths, so that sums compare exactly and equal costs go to the tie-break. */
  cost(h: number): number {
    this.score(h);
    return this.costs[h];
  }

  /** Never above `cost(h)`, and known without a distance. */
  costFloor(h: number): number {
    return this.floors[h];
  }

  private score(h: number) {
    if (!Number.isNaN(this.km[h])) return;
    const location = this.locations[h];
    this.km[h] = haversineKm(location, this.destination);
    this.costs[h] = Math.round(this.priceAt(location, this.km[h]) * COST_SCALE);
  }

  private priceAt(location: RoutingLocation, km: number): number {
    return this.weights.baseCost[location.type] + this.weights.perKm * km;
  }
}

export const COST_SCALE = 1_000_000;

/**
 * Finds the locations that hold any of `lines`, eligible or filtered out, unscored. With
 * `holders` only those are read (the rest of the network costs one map look-up each);
 * without, ATP is asked of every location.
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
  const rows = holders ? holderRows(lines, holders) : { of: undefined, atp: [] as number[] };
  const counts = { locations: all.length, eligible: 0, NO_SHIP_CAPABILITY: 0, AT_DAILY_CAPACITY: 0, EXCLUDED_FOR_ORDER: 0 };
  const network = new ScoredNetwork(width, rows.atp, rows.of?.size ?? all.length, counts, destination, weights);
  const screen = excluded.size > 0;
  let asked = 0;
  for (const location of all) {
    const reason = screen && excluded.has(location.id) ? 'EXCLUDED_FOR_ORDER' : !location.ship ? 'NO_SHIP_CAPABILITY' : !location.underCapacity ? 'AT_DAILY_CAPACITY' : undefined;
    if (reason) counts[reason] += 1;
    else counts.eligible += 1;
    let h = rows.of ? rows.of.get(location.id) : undefined;
    if (h === undefined) {
      if (rows.of || !askAtp(rows.atp, location, lines, atp)) continue;
      h = asked++;
    }
    if (reason) network.filtered.push({ location, reason });
    else network.admit(h, location);
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

/** Without an index: appends the location's row if it holds any line. */
function askAtp(rows: number[], location: RoutingLocation, lines: AllocationLine[], atp: (locationId: string, sku: string) => number): boolean {
  const units = lines.map(({ sku }) => Math.max(0, atp(location.id, sku)));
  if (!units.some((n) => n > 0)) return false;
  rows.push(...units);
  return true;
}

export function candidateAt(network: ScoredNetwork, h: number): Candidate {
  const atp = network.atp.slice(h * network.lines, (h + 1) * network.lines);
  return { location: network.locations[h], distanceKm: network.distanceKm(h), price: network.price(h), cost: network.cost(h), atp };
}

/** Lower cost first, then lower priority number (none last), then location id: the contract's order for one location. */
export function compareHolders(network: ScoredNetwork, a: number, b: number): number {
  return network.cost(a) - network.cost(b) || compareLocations(network.locations[a], network.locations[b]);
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
