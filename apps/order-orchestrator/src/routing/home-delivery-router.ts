import type { AllocationLine } from '@fil/contracts';
import { haversineKm } from '@fil/geo';

export const HOME_DELIVERY_POLICY_VERSION = 'home-delivery-v1';

/** What routing needs to know of a location. */
export interface RoutingLocation {
  id: string;
  type: 'WAREHOUSE' | 'STORE';
  lat: number;
  lng: number;
  ship: boolean;
  /** Lower first on ties; none ranks after every number. */
  priority?: number | null;
  /** False once the location has started its daily capacity of fulfillments. */
  underCapacity: boolean;
}

export interface RoutingWeights {
  baseCost: { WAREHOUSE: number; STORE: number };
  perKm: number;
}

export const DEFAULT_WEIGHTS: RoutingWeights = { baseCost: { WAREHOUSE: 4, STORE: 6 }, perKm: 0.01 };

export interface Shipment {
  locationId: string;
  lines: AllocationLine[];
  cost: number;
}

export type FilterReason = 'NO_SHIP_CAPABILITY' | 'AT_DAILY_CAPACITY' | 'EXCLUDED_FOR_ORDER';

export interface CandidateScore {
  locationId: string;
  /** Why it was left out, when it was. */
  filteredOut?: FilterReason;
  distanceKm?: number;
  cost?: number;
  /** The SKUs it can serve whole. */
  covers?: string[];
}

export interface HomeDeliveryDecision {
  shipments: Shipment[];
  backordered: AllocationLine[];
  /** False when the order was beyond the exact search's limits and the greedy fallback chose. */
  exact: boolean;
  explanation: { policy: string; candidates: CandidateScore[]; reason: string };
}

/**
 * The exact search is guaranteed for orders up to 10 distinct SKUs over 200 candidates
 * holding one of them whole. Beyond, it still runs, but gives up after this many search
 * nodes and keeps the greedy cover (most SKUs served per location, then cheapest).
 */
export const EXACT_LIMITS = { skus: 10, candidates: 200, nodesBeyond: 200_000 };

interface Candidate {
  location: RoutingLocation;
  cost: number;
  covers: Set<string>;
}

/** Total order on location sets of equal size and cost: lower priorities, then lower ids. */
export function compareTieBreak(a: RoutingLocation[], b: RoutingLocation[]): number {
  const key = (set: RoutingLocation[]) =>
    set.map((l) => [l.priority ?? Number.MAX_SAFE_INTEGER, l.id] as const).sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < Math.min(ka.length, kb.length); i += 1) {
    if (ka[i][0] !== kb[i][0]) return ka[i][0] - kb[i][0];
    if (ka[i][1] !== kb[i][1]) return ka[i][1] < kb[i][1] ? -1 : 1;
  }
  return ka.length - kb.length;
}

const EPSILON = 1e-9;

/**
 * PRODUCT.md's home-delivery policy, with no I/O. Lines are merged by SKU. A SKU that
 * some candidate holds whole is served whole: the engine finds the set of locations that
 * serves all of them with, in this order, the fewest shipments, the lowest total cost
 * (Σ baseCost(type) + perKm × distance), then the tie-break (priority, then id). That set
 * is found exactly by branch and bound (branch on the coverers of the first unserved SKU,
 * cut on cost), size by size, so the first size with a cover is the minimum. A SKU no
 * candidate holds whole is split afterwards: first from the chosen locations (cheapest
 * first), then from new ones holding the most (then cheapest); what remains is backordered.
 */
export function routeHomeDelivery(
  lines: AllocationLine[],
  destination: { lat: number; lng: number },
  locations: RoutingLocation[],
  atp: (locationId: string, sku: string) => number,
  weights: RoutingWeights = DEFAULT_WEIGHTS,
  excluded: ReadonlySet<string> = new Set(),
): HomeDeliveryDecision {
  const wanted = new Map<string, number>();
  for (const { sku, quantity } of lines) wanted.set(sku, (wanted.get(sku) ?? 0) + quantity);

  const scores: CandidateScore[] = [];
  const candidates: Candidate[] = [];
  for (const location of [...locations].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (excluded.has(location.id)) scores.push({ locationId: location.id, filteredOut: 'EXCLUDED_FOR_ORDER' });
    else if (!location.ship) scores.push({ locationId: location.id, filteredOut: 'NO_SHIP_CAPABILITY' });
    else if (!location.underCapacity) scores.push({ locationId: location.id, filteredOut: 'AT_DAILY_CAPACITY' });
    else {
      const distanceKm = haversineKm(location, destination);
      const cost = weights.baseCost[location.type] + weights.perKm * distanceKm;
      const covers = new Set([...wanted].filter(([sku, quantity]) => atp(location.id, sku) >= quantity).map(([sku]) => sku));
      candidates.push({ location, cost, covers });
      scores.push({ locationId: location.id, distanceKm: round(distanceKm), cost: round(cost), covers: [...covers] });
    }
  }

  const whole = [...wanted.keys()].filter((sku) => candidates.some((c) => c.covers.has(sku)));
  const { set: chosen, exact } = cheapestCover(whole, candidates);

  const shipments = new Map<string, { candidate: Candidate; lines: Map<string, number> }>();
  const ship = (candidate: Candidate, sku: string, quantity: number) => {
    if (!shipments.has(candidate.location.id)) shipments.set(candidate.location.id, { candidate, lines: new Map() });
    const entry = shipments.get(candidate.location.id)!;
    entry.lines.set(sku, (entry.lines.get(sku) ?? 0) + quantity);
  };
  const byCost = [...chosen].sort((a, b) => a.cost - b.cost || compareTieBreak([a.location], [b.location]));
  for (const sku of whole) ship(byCost.find((c) => c.covers.has(sku))!, sku, wanted.get(sku)!);

  const backordered: AllocationLine[] = [];
  for (const [sku, quantity] of wanted) {
    if (whole.includes(sku)) continue;
    let remaining = quantity;
    const others = candidates
      .filter((c) => !chosen.includes(c))
      .sort((a, b) => atp(b.location.id, sku) - atp(a.location.id, sku) || a.cost - b.cost || compareTieBreak([a.location], [b.location]));
    for (const candidate of [...byCost, ...others]) {
      const take = Math.min(remaining, atp(candidate.location.id, sku));
      if (take <= 0) continue;
      ship(candidate, sku, take);
      remaining -= take;
      if (!remaining) break;
    }
    if (remaining) backordered.push({ sku, quantity: remaining });
  }

  const result = [...shipments.values()]
    .sort((a, b) => a.candidate.cost - b.candidate.cost || compareTieBreak([a.candidate.location], [b.candidate.location]))
    .map(({ candidate, lines: served }) => ({
      locationId: candidate.location.id,
      lines: [...served].map(([sku, quantity]) => ({ sku, quantity })),
      cost: round(candidate.cost),
    }));
  const reason = !result.length
    ? 'no candidate holds any of the ordered SKUs'
    : `${result.length} shipment(s) from ${result.map((s) => s.locationId).join(', ')}: the fewest shipments, then the lowest cost ${round(result.reduce((sum, s) => sum + s.cost, 0))}` +
      (backordered.length ? `; backordered ${backordered.map((b) => `${b.quantity} × ${b.sku}`).join(', ')}` : '');
  return {
    shipments: result,
    backordered,
    exact,
    explanation: { policy: HOME_DELIVERY_POLICY_VERSION, candidates: scores, reason: exact ? reason : `${reason} (greedy fallback: beyond the exact search's limits)` },
  };
}

/**
 * The exact minimum (size, cost, tie-break) set of candidates serving every SKU whole.
 * Candidates dominated by another (covering no more, costing no less, ranking after it)
 * can never improve a cover, so the search skips them; it branches on the coverers of the
 * first unserved SKU, cheapest first, and cuts on cost.
 */
function cheapestCover(skus: string[], all: Candidate[]): { set: Candidate[]; exact: boolean } {
  if (!skus.length) return { set: [], exact: true };
  const useful = all.filter((c) => skus.some((sku) => c.covers.has(sku)));
  // Of candidates serving the same SKUs only the best can be in a best cover: one pass
  // keeps it, so the pairwise dominance test below runs on distinct cover sets only.
  const bestPerCover = new Map<string, Candidate>();
  for (const candidate of useful) {
    const key = skus.filter((sku) => candidate.covers.has(sku)).join('\u0000');
    const kept = bestPerCover.get(key);
    if (!kept || candidate.cost < kept.cost - EPSILON || (candidate.cost <= kept.cost + EPSILON && compareTieBreak([candidate.location], [kept.location]) < 0)) {
      bestPerCover.set(key, candidate);
    }
  }
  const distinct = [...bestPerCover.values()];
  const candidates = distinct
    .filter((a) => !distinct.some((b) => b !== a && dominates(b, a, skus)))
    .sort((a, b) => a.cost - b.cost || compareTieBreak([a.location], [b.location]));
  const bounded = skus.length > EXACT_LIMITS.skus || useful.length > EXACT_LIMITS.candidates;
  const greedy = bounded ? greedyCover(skus, candidates) : undefined;
  let nodes = 0;
  for (let size = 1; size <= skus.length; size += 1) {
    let best: { set: Candidate[]; cost: number } | undefined;
    let gaveUp = false;
    const search = (set: Candidate[], cost: number) => {
      if (gaveUp || (best && cost > best.cost + EPSILON)) return;
      if (bounded && (nodes += 1) > EXACT_LIMITS.nodesBeyond) {
        gaveUp = true;
        return;
      }
      const unserved = skus.find((sku) => !set.some((c) => c.covers.has(sku)));
      if (!unserved) {
        if (!best || cost < best.cost - EPSILON || compareTieBreak(set.map((c) => c.location), best.set.map((c) => c.location)) < 0) {
          best = { set: [...set], cost };
        }
        return;
      }
      if (set.length === size) return;
      for (const candidate of candidates) {
        if (candidate.covers.has(unserved) && !set.includes(candidate)) search([...set, candidate], cost + candidate.cost);
      }
    };
    search([], 0);
    if (gaveUp) return { set: greedy!, exact: false };
    if (best) return { set: best.set, exact: true };
  }
  throw new Error('unreachable: every SKU given has a coverer');
}

/** `a` is at least as good as `b` in any cover: it serves every SKU `b` serves, for no more, and wins the tie-break. */
function dominates(a: Candidate, b: Candidate, skus: string[]): boolean {
  if (!skus.every((sku) => !b.covers.has(sku) || a.covers.has(sku))) return false;
  if (a.cost < b.cost - EPSILON) return true;
  return a.cost <= b.cost && compareTieBreak([a.location], [b.location]) < 0;
}

/** Most unserved SKUs first, then cheapest: not optimal, but linear, for orders beyond the exact limits. */
function greedyCover(skus: string[], candidates: Candidate[]): Candidate[] {
  const unserved = new Set(skus);
  const set: Candidate[] = [];
  while (unserved.size) {
    let pick: Candidate | undefined;
    let served = 0;
    for (const candidate of candidates) {
      const count = [...unserved].filter((sku) => candidate.covers.has(sku)).length;
      if (count > served) [pick, served] = [candidate, count];
    }
    set.push(pick!);
    for (const sku of skus) if (pick!.covers.has(sku)) unserved.delete(sku);
  }
  return set;
}

const round = (value: number) => Math.round(value * 1000) / 1000;
