import type { AllocationLine } from '@fil/contracts';
import { haversineKm } from '@fil/geo';
import type { RoutingLocation, RoutingWeights } from './routing-types';

/**
 * The specs' reference for PRODUCT.md's home-delivery objective, read straight from it and
 * sharing nothing with the engine's search: every subset of the candidates is tried. A set
 * can serve the order when each line some candidate holds whole is held whole by one of
 * its members, and each other line gets from its members together as many units as all
 * candidates hold (at most the quantity). Best: fewest members, then lowest cost (in
 * millionths, as the engine compares), then priorities, then ids.
 */
export function bruteForceRouting(
  lines: AllocationLine[],
  destination: { lat: number; lng: number },
  candidates: RoutingLocation[],
  atp: (locationId: string, sku: string) => number,
  weights: RoutingWeights,
): { set: RoutingLocation[]; cost: number; sourced: Map<string, number> } {
  const sourced = new Map(lines.map(({ sku, quantity }) => [sku, Math.min(quantity, candidates.reduce((sum, l) => sum + atp(l.id, sku), 0))]));
  const heldWhole = (sku: string, quantity: number) => candidates.some((l) => atp(l.id, sku) >= quantity);
  const serves = (set: RoutingLocation[]) =>
    lines.every(({ sku, quantity }) =>
      heldWhole(sku, quantity) ? set.some((l) => atp(l.id, sku) >= quantity) : set.reduce((sum, l) => sum + atp(l.id, sku), 0) >= sourced.get(sku)!,
    );
  const costOf = (l: RoutingLocation) => Math.round((weights.baseCost[l.type] + weights.perKm * haversineKm(l, destination)) * 1_000_000);
  let best: { set: RoutingLocation[]; cost: number } | undefined;
  for (let mask = 0; mask < 1 << candidates.length; mask += 1) {
    const set = candidates.filter((_, i) => mask & (1 << i));
    if (!serves(set)) continue;
    const cost = set.reduce((sum, l) => sum + costOf(l), 0);
    const better = !best || set.length < best.set.length || (set.length === best.set.length && (cost < best.cost || (cost === best.cost && ranksFirst(set, best.set))));
    if (better) best = { set, cost };
  }
  return { ...best!, sourced };
}

/** Sets of equal size and cost: the one whose best member (lower priority number, none last, then id) comes first, and so on. */
function ranksFirst(a: RoutingLocation[], b: RoutingLocation[]): boolean {
  const order = (x: RoutingLocation, y: RoutingLocation) => (x.priority ?? Infinity) - (y.priority ?? Infinity) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  const [sa, sb] = [[...a].sort(order), [...b].sort(order)];
  const differing = sa.findIndex((l, i) => order(l, sb[i]) !== 0);
  return differing >= 0 && order(sa[differing], sb[differing]) < 0;
}
