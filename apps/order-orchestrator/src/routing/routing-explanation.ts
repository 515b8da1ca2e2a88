import type { AllocationLine } from '@fil/contracts';
import { haversineKm } from '@fil/geo';
import { candidateAt, compareHolders, type Candidate } from './routing-candidates';
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
  const listed = new Set(chosen);
  for (const best of cheapestPerLine(network, LISTED_PER_SKU)) for (const h of best) listed.add(h);
  const eligible = [...listed].sort((a, b) => Number(chosen.includes(b)) - Number(chosen.includes(a)) || compareHolders(network, a, b));
  const filtered = listedFiltered(network.filtered, destination);
  const candidates = [...eligible.map((h) => score(lines, candidateAt(network, h), chosen.includes(h))), ...filtered];
  const { locations, eligible: eligibleCount, ...filteredOut } = network.counts;
  return {
    candidates,
    summary: { locations, eligible: eligibleCount, holders: network.eligible.length, filteredOut, listed: candidates.length, searchNodes },
  };
}

function score(lines: AllocationLine[], candidate: Candidate, isChosen: boolean): CandidateScore {
  const partly = lines.flatMap(({ sku, quantity }, i) => (candidate.atp[i] > 0 && candidate.atp[i] < quantity ? [{ sku, quantity: candidate.atp[i] }] : []));
  return {
    locationId: candidate.location.id,
    distanceKm: round(candidate.distanceKm),
    cost: round(candidate.price),
    covers: lines.filter(({ quantity }, i) => candidate.atp[i] >= quantity).map(({ sku }) => sku),
    ...(partly.length ? { partly } : {}),
    ...(isChosen ? { chosen: true as const } : {}),
  };
}

function listedFiltered(filtered: FilteredHolder[], destination: { lat: number; lng: number }): CandidateScore[] {
  const byReason = new Map<FilterReason, { holder: FilteredHolder; distanceKm: number }[]>();
  for (const holder of filtered) {
    const list = byReason.get(holder.reason) ?? [];
    byReason.set(holder.reason, list);
    list.push({ holder, distanceKm: haversineKm(holder.location, destination) });
  }
  return [...byReason].flatMap(([reason, list]) =>
    list
      .sort((a, b) => a.distanceKm - b.distanceKm || (a.holder.location.id < b.holder.location.id ? -1 : 1))
      .slice(0, reason === 'EXCLUDED_FOR_ORDER' ? list.length : LISTED_FILTERED_PER_REASON)
      .map(({ holder }) => ({ locationId: holder.location.id, filteredOut: reason })),
  );
}

/** Per line, the `count` best holders, in one pass over the holders and without sorting them all. */
function cheapestPerLine(network: ScoredNetwork, count: number): number[][] {
  const width = network.lines;
  const best: number[][] = [];
  // The cost of each line's last listed holder once its list is full: a holder whose floor is above it cannot enter.
  const bar: number[] = [];
  for (let i = 0; i < width; i += 1) [best[i], bar[i]] = [[], Infinity];
  // The highest bar: a holder whose floor is above it enters no list, whatever it holds.
  let highest = Infinity;
  const { eligible, atp } = network;
  for (let e = 0; e < eligible.length; e += 1) {
    const h = eligible[e];
    const floor = network.costFloor(h);
    if (floor > highest) continue;
    for (let i = 0; i < width; i += 1) {
      if (atp[h * width + i] <= 0 || floor > bar[i]) continue;
      const list = best[i];
      if (list.length === count) {
        const cost = network.cost(h);
        if (cost > bar[i] || (cost === bar[i] && compareHolders(network, h, list[count - 1]) >= 0)) continue;
      }
      let at = list.length;
      while (at > 0 && compareHolders(network, h, list[at - 1]) < 0) at -= 1;
      list.splice(at, 0, h);
      if (list.length > count) list.pop();
      if (list.length === count) {
        bar[i] = network.cost(list[count - 1]);
        highest = Math.max(...bar);
      }
    }
  }
  return best;
}

export const round = (value: number) => Math.round(value * 1000) / 1000;
