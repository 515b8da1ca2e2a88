import type { AllocationLine } from '@fil/contracts';
import { bestCover, SEARCH_BUDGET } from './cover-search';
import type { CoverOption, Requirements } from './cover-reduction';
import { compareHolders, scoreNetwork } from './routing-candidates';
import type { ScoredNetwork } from './scored-network';
import { explainCandidates, round } from './routing-explanation';
import { DEFAULT_WEIGHTS, type HomeDeliveryDecision, type RoutingLocation, type RoutingWeights, type StockHolders, type HoldingsAt, type CandidateScore } from './routing-types';

export { compareTieBreak } from './routing-candidates';
export { SEARCH_BUDGET } from './cover-search';
export * from './routing-types';

export const HOME_DELIVERY_POLICY_VERSION = 'home-delivery-v2';

type Option = CoverOption & { holder: number };

/** Bitmaps over the sets of lines a holder serves whole stay small up to this many lines. */
const BEST_PER_SET_LINES = 16;
/** Up to this many lines, each new best lowers the bar of every subset of its lines (at most 2^8 of them). */
const BAR_LINES = 8;
/** Every decision's best holder and bar per set of up to BAR_LINES lines: routing runs one decision at a time. */
const [SCRATCH_BEST, SCRATCH_BAR] = [new Int32Array(1 << BAR_LINES), new Float64Array(1 << BAR_LINES)];

/**
 * PRODUCT.md's home-delivery policy, with no I/O. Lines are merged by SKU. A line some
 * candidate holds whole is served whole by one location; a line none does is split over the
 * chosen locations, up to what all of them hold together (the rest is backordered). The set
 * of locations, with the fewest shipments, then the lowest total cost, then the tie-break,
 * is found by one exact search over both kinds of line (cover-search.ts).
 */
export function routeHomeDelivery(
  lines: AllocationLine[],
  destination: { lat: number; lng: number },
  locations: RoutingLocation[],
  atp: (locationId: string, sku: string) => number,
  weights: RoutingWeights = DEFAULT_WEIGHTS,
  excluded: ReadonlySet<string> = new Set(),
  holders?: StockHolders,
  holdingsAt?: HoldingsAt,
  searchBudget = SEARCH_BUDGET,
): HomeDeliveryDecision {
  const wanted = mergeLines(lines);
  const network = scoreNetwork(wanted, destination, locations, atp, holders, holdingsAt, weights, excluded);
  const { requirements, lineOf } = requirementsOf(wanted, network);
  const cover = bestCover(requirements, coverOptions(network, requirements, lineOf), searchBudget);
  const chosen = cover.chosen.map((option) => option.holder).sort((a, b) => compareHolders(network, a, b));
  const held = (k: number, index: number) => network.atp[chosen[k] * network.lines + index];

  const served: AllocationLine[][] = chosen.map(() => []);
  const backordered: AllocationLine[] = [];
  wanted.forEach(({ sku, quantity }, index) => {
    const r = lineOf.indexOf(index);
    let remaining = r < 0 ? 0 : requirements.targets[r];
    // A whole line goes to the first chosen location holding it; a split one to the largest holders first, for fewer parcels.
    const whole = r >= 0 && requirements.whole[r];
    const givers = whole ? [] : chosen.map((_, k) => k).sort((a, b) => held(b, index) - held(a, index));
    if (whole) for (let k = 0; k < chosen.length && !givers.length; k += 1) if (held(k, index) >= quantity) givers.push(k);
    for (const k of givers) {
      const take = Math.min(remaining, held(k, index));
      if (take > 0) served[k].push({ sku, quantity: take });
      remaining -= take;
    }
    const short = quantity - (r < 0 ? 0 : requirements.targets[r]) + remaining;
    if (short > 0) backordered.push({ sku, quantity: short });
  });
  // Only a fallback cover can hold a location left with nothing to give.
  const shipping = chosen.filter((_, k) => served[k].length);
  const shipments = chosen.flatMap((h, k) => (served[k].length ? [{ locationId: network.locations[h].id, lines: served[k], cost: round(network.price(h)) }] : []));

  const { candidates, summary } = explainCandidates(wanted, destination, network, shipping, cover.nodes);
  return {
    shipments,
    backordered,
    exact: cover.exact,
    explanation: { policy: HOME_DELIVERY_POLICY_VERSION, candidates, summary, reason: reasonFor(shipments, backordered, requirements, wanted, lineOf, cover.exact, candidates) },
  };
}

/**
 * One requirement per line anything can be sourced for: the whole quantity from one location
 * when some candidate holds it, else as many units as all candidates hold together (at most
 * the quantity), from as many as it takes.
 */
function requirementsOf(wanted: AllocationLine[], network: ScoredNetwork): { requirements: Requirements; lineOf: number[] } {
  const width = network.lines;
  // Typed: ATP figures are doubles, and a plain array changing kind under them sent this function back to the interpreter.
  const [total, most] = [new Float64Array(width), new Float64Array(width)];
  for (let i = 0; i < width; i += 1) {
    const rows = network.holderRows;
    for (let k = network.holdersFrom(i); k < network.holdersTo(i); k += 1) {
      const h = rows[k];
      if (!network.usable(h)) continue;
      const units = network.atp[h * width + i];
      total[i] += units;
      if (units > most[i]) most[i] = units;
    }
  }
  const requirements: Requirements = { targets: [], whole: [] };
  const lineOf: number[] = [];
  wanted.forEach(({ quantity }, index) => {
    if (!total[index]) return;
    requirements.targets.push(Math.min(quantity, total[index]));
    requirements.whole.push(most[index] >= quantity);
    lineOf.push(index);
  });
  return { requirements, lineOf };
}

/**
 * What each holder gives towards each requirement. When every line is held whole somewhere,
 * only the best holder of each set of lines is built: no other can be in the best cover
 * (cover-reduction.ts, first rule), and thousands of holders share a few dozen sets.
 */
function coverOptions(network: ScoredNetwork, { targets, whole }: Requirements, lineOf: number[]): Option[] {
  const option = (h: number): Option => {
    const units: number[] = [];
    for (let r = 0; r < targets.length; r += 1) {
      const held = network.atp[h * network.lines + lineOf[r]];
      units.push(whole[r] ? (held >= targets[r] ? targets[r] : 0) : Math.min(held, targets[r]));
    }
    return { holder: h, location: network.locations[h], cost: network.cost(h), units };
  };
  if (targets.length > BEST_PER_SET_LINES || !whole.every(Boolean)) {
    const options: Option[] = [];
    for (const h of network.eligible) {
      const built = option(h);
      if (built.units.some((units) => units > 0)) options.push(built);
    }
    return options;
  }
  const sets = 1 << targets.length;
  const small = targets.length <= BAR_LINES;
  const bestOf = (small ? SCRATCH_BEST : new Int32Array(sets)).fill(-1, 0, sets);
  // Per set of lines, the lowest cost of a best found for it or for a set holding it: a holder above it
  // is dominated (cover-reduction.ts, first rule), so its distance is never computed nor its option built.
  const bar = small ? SCRATCH_BAR.fill(Infinity, 0, sets) : undefined;
  const [width, stock] = [network.lines, network.atp];
  // Every line held by someone: each target is the line's quantity, and the network knows which it holds whole.
  const sameLines = lineOf.length === width;
  const { eligible } = network;
  for (let e = 0; e < eligible.length; e += 1) {
    const h = eligible[e];
    let lines = sameLines ? network.whole[h] : 0;
    if (!sameLines) for (let r = 0; r < targets.length; r += 1) if (stock[h * width + lineOf[r]] >= targets[r]) lines |= 1 << r;
    if (!lines) continue;
    const best = bestOf[lines];
    // A holder whose cost floor is above the bar (or the best so far) cannot beat it.
    if (bar ? network.costFloor(h) > bar[lines] || network.cost(h) > bar[lines] : best >= 0 && network.costFloor(h) > network.cost(best)) continue;
    if (best >= 0 && compareHolders(network, h, best) >= 0) continue;
    bestOf[lines] = h;
    if (!bar) continue;
    const cost = network.cost(h);
    for (let set = lines; set; set = (set - 1) & lines) if (cost < bar[set]) bar[set] = cost;
  }
  const options: Option[] = [];
  for (let set = 0; set < sets; set += 1) if (bestOf[set] >= 0) options.push(option(bestOf[set]));
  return options;
}

function reasonFor(
  shipments: HomeDeliveryDecision['shipments'],
  backordered: AllocationLine[],
  requirements: Requirements,
  wanted: AllocationLine[],
  lineOf: number[],
  exact: boolean,
  candidates: CandidateScore[],
): string {
  if (!shipments.length) {
    // The explanation lists the nearest holders each filter left out: they are why nothing ships.
    const leftOut = candidates.filter((candidate) => candidate.filteredOut).map((candidate) => `${candidate.locationId} (${candidate.filteredOut})`);
    return leftOut.length ? `no location that may ship holds any of the ordered SKUs; holders left out: ${leftOut.join(', ')}` : 'no candidate holds any of the ordered SKUs';
  }
  const split = lineOf.filter((_, r) => !requirements.whole[r]).map((index) => wanted[index].sku);
  return (
    `${shipments.length} shipment(s) from ${shipments.map((s) => s.locationId).join(', ')}: the fewest shipments, then the lowest cost ${round(shipments.reduce((sum, s) => sum + s.cost, 0))}` +
    (split.length ? `; split ${split.join(', ')} (no location holds the whole quantity)` : '') +
    (backordered.length ? `; backordered ${backordered.map((b) => `${b.quantity} × ${b.sku}`).join(', ')}` : '') +
    (exact ? '' : ' (fallback: the exact search ran out of budget, this cover may not be the best)')
  );
}

/** One line per SKU. Read only: lines whose SKUs are all different (as routeOrder hands them) come back as they are. */
export function mergeLines(lines: AllocationLine[]): AllocationLine[] {
  if (skusDiffer(lines)) return lines;
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}

/** Every line a different SKU, checked pairwise up to 16 lines (a map costs more there); false above. */
function skusDiffer(lines: AllocationLine[]): boolean {
  if (lines.length > 16) return false;
  for (let a = 0; a < lines.length; a += 1) for (let b = a + 1; b < lines.length; b += 1) if (lines[a].sku === lines[b].sku) return false;
  return true;
}
