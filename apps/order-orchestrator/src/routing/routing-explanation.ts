import type { AllocationLine } from '@fil/contracts';
import { haversineKm } from '@fil/geo';
import { keepBest } from './cover-reduction';
import { compareHolders } from './routing-candidates';
import type { FilteredHolder, ScoredNetwork } from './scored-network';
import type { CandidateScore, CandidateSummary, FilterReason } from './routing-types';

/** Per SKU, the cheapest holders listed beside the chosen ones. */
export const LISTED_PER_SKU = 3;
/** Per filter, the nearest holders listed (every excluded one is, as the saga put it there). */
export const LISTED_FILTERED_PER_REASON = 3;

/**
 * The candidate list stays a few rows whatever the network: the chosen locations, the
 * cheapest few holders of each SKU, the nearest few left out; the summary counts the rest.
 */
export function explainCandidates(
  lines: AllocationLine[],
  destination: { lat: number; lng: number },
  network: ScoredNetwork,
  chosen: number[],
  searchNodes: number,
): { candidates: CandidateScore[]; summary: CandidateSummary } {
  const listed = [...chosen];
  const others: number[] = [];
  for (const best of cheapestPerLine(network, LISTED_PER_SKU)) for (const h of best) if (!listed.includes(h) && !others.includes(h)) others.push(h);
  others.sort((a, b) => compareHolders(network, a, b));
  const candidates: CandidateScore[] = [];
  for (const h of listed.sort((a, b) => compareHolders(network, a, b))) candidates.push(score(lines, network, h, true));
  for (const h of others) candidates.push(score(lines, network, h, false));
  listFiltered(candidates, network.filtered, destination);
  const { counts } = network;
  // Field by field: a rest spread of the counts cost more than the rest of the summary.
  const filteredOut = { NO_SHIP_CAPABILITY: counts.NO_SHIP_CAPABILITY, AT_DAILY_CAPACITY: counts.AT_DAILY_CAPACITY, EXCLUDED_FOR_ORDER: counts.EXCLUDED_FOR_ORDER };
  return {
    candidates,
    summary: { locations: counts.locations, eligible: counts.eligible, holders: network.eligible.length, filteredOut, listed: candidates.length, searchNodes },
  };
}

function score(lines: AllocationLine[], network: ScoredNetwork, h: number, isChosen: boolean): CandidateScore {
  const covers: string[] = [];
  let partly: AllocationLine[] | undefined;
  for (let i = 0; i < lines.length; i += 1) {
    const { sku, quantity } = lines[i];
    const units = network.atp[h * network.lines + i];
    if (units >= quantity) covers.push(sku);
    else if (units > 0) (partly ??= []).push({ sku, quantity: units });
  }
  const candidate: CandidateScore = { locationId: network.locations[h].id, distanceKm: round(network.distanceKm(h)), cost: round(network.price(h)), covers };
  if (partly) candidate.partly = partly;
  if (isChosen) candidate.chosen = true;
  return candidate;
}

/** Per filter, in the order the network met them, its nearest holders (every excluded one) onto `candidates`. */
function listFiltered(candidates: CandidateScore[], filtered: FilteredHolder[], destination: { lat: number; lng: number }): void {
  const km = filtered.map((holder) => haversineKm(holder.location, destination));
  const nearer = (a: number, b: number) => km[a] - km[b] || (filtered[a].location.id < filtered[b].location.id ? -1 : 1);
  // Filters in the order of their first holder in the network (three at most).
  const firsts: FilteredHolder[] = [];
  for (const holder of filtered) {
    const known = firsts.findIndex(({ reason }) => reason === holder.reason);
    if (known < 0) firsts.push(holder);
    else if (holder.at < firsts[known].at) firsts[known] = holder;
  }
  const reasons = firsts.sort((a, b) => a.at - b.at).map(({ reason }) => reason);
  for (const reason of reasons) {
    let nearest: number[] = [];
    if (reason === 'EXCLUDED_FOR_ORDER') {
      for (let k = 0; k < filtered.length; k += 1) if (filtered[k].reason === reason) nearest.push(k);
      nearest = nearest.sort(nearer);
    } else {
      // The nearest few, kept in order as they come: a group can be hundreds at capacity, of which three are listed.
      for (let k = 0; k < filtered.length; k += 1) if (filtered[k].reason === reason) keepBest(nearest, k, LISTED_FILTERED_PER_REASON, nearer);
    }
    for (const k of nearest) candidates.push({ locationId: filtered[k].location.id, filteredOut: reason });
  }
}

/** A store with `reserve` as an e-reservation weighs it: its distance from the pickup store and what it holds whole. */
export interface ReserveStore {
  location: { id: string; lat: number; lng: number };
  distanceKm: number;
  covers: string[];
  excluded: boolean;
}

/**
 * An e-reservation's candidates, bounded as home delivery's: the pickup store (chosen when it
 * holds every line), then the nearest few stores that hold every line, those excluded for the
 * order named as such. No cost: nothing is shipped. The summary counts the other stores.
 */
export function explainReserveStores(stores: ReserveStore[], pickupId: string, lines: number, chosen: boolean, locations: number): { candidates: CandidateScore[]; summary: CandidateSummary } {
  const whole = (store: ReserveStore) => store.covers.length === lines;
  const nearest = stores
    .filter((store) => store.location.id !== pickupId && whole(store))
    .sort((a, b) => a.distanceKm - b.distanceKm || (a.location.id < b.location.id ? -1 : 1))
    .slice(0, LISTED_PER_SKU + LISTED_FILTERED_PER_REASON);
  const pickup = stores.filter((store) => store.location.id === pickupId);
  const candidates = [...pickup, ...nearest].map((store): CandidateScore => {
    if (store.excluded) return { locationId: store.location.id, filteredOut: 'EXCLUDED_FOR_ORDER' };
    return { locationId: store.location.id, distanceKm: round(store.distanceKm), covers: store.covers, ...(chosen && store.location.id === pickupId ? { chosen: true as const } : {}) };
  });
  const excluded = stores.filter((store) => store.excluded).length;
  const eligible = stores.length - excluded;
  return {
    candidates,
    summary: {
      locations,
      eligible,
      holders: stores.filter((store) => !store.excluded && whole(store)).length,
      filteredOut: { NO_SHIP_CAPABILITY: 0, AT_DAILY_CAPACITY: 0, EXCLUDED_FOR_ORDER: excluded },
      listed: candidates.length,
      searchNodes: 0,
    },
  };
}

/** Per line, the `count` best holders, from its own holders and without sorting them all. */
function cheapestPerLine(network: ScoredNetwork, count: number): number[][] {
  const best: number[][] = [];
  const cheaper = (a: number, b: number) => compareHolders(network, a, b);
  for (let i = 0; i < network.lines; i += 1) {
    const list: number[] = [];
    // The cost of the last listed holder once the list is full: a holder whose floor is above it cannot enter.
    let bar = Infinity;
    const rows = network.holderRows;
    for (let k = network.holdersFrom(i); k < network.holdersTo(i); k += 1) {
      const h = rows[k];
      // Compared by cost first: the tie-break is for equal costs only.
      if (!network.usable(h) || network.costFloor(h) > bar || network.cost(h) > bar) continue;
      keepBest(list, h, count, cheaper);
      if (list.length === count) bar = network.cost(list[count - 1]);
    }
    best.push(list);
  }
  return best;
}

export const round = (value: number) => Math.round(value * 1000) / 1000;
