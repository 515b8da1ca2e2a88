import { compareLocations } from './routing-candidates';
import type { RoutingLocation } from './routing-types';

/**
 * A location as the search sees it: what it gives towards each requirement. A line some
 * location holds whole gives its quantity or nothing (never split); a line nobody holds
 * whole gives what the location has, up to what can be sourced at all.
 */
export interface CoverOption {
  location: RoutingLocation;
  /** Millionths, so sums compare exactly. */
  cost: number;
  units: number[];
}

/** What the order needs: per requirement (SKU), the units to source and whether one location must give them all. */
export interface Requirements {
  targets: number[];
  whole: boolean[];
}

export const compareOptions = (a: CoverOption, b: CoverOption) => a.cost - b.cost || compareLocations(a.location, b.location);

/** Bitmaps of covered SKU sets above this many requirements cost more than they save. */
const DOMINANCE_BITMAP_REQUIREMENTS = 16;

/**
 * The options that can be in the best cover, cheapest first. Two rules, each keeping the optimum:
 * - An option that gives nothing to split lines is dropped when a better-ranked one serves
 *   the same lines whole or more: in a cover with both it is redundant, alone it can be swapped.
 * - Of options giving exactly the same units, only the `splitCopies` best are kept when they
 *   give to split lines: a cover of at most that many locations holding a worse copy leaves
 *   a better copy out, and swapping them makes it cheaper or better on the tie-break.
 */
export function usefulOptions({ whole }: Requirements, options: CoverOption[], splitCopies: number): CoverOption[] {
  const givesToSplit = (option: CoverOption) => option.units.some((units, r) => units > 0 && !whole[r]);
  const maskOf = (option: CoverOption) => option.units.reduce((bits, units, r) => (units > 0 && whole[r] ? bits | (1 << r) : bits), 0);
  const allWhole = whole.length <= 30 && whole.every(Boolean);
  const sameUnits = new Map<string | number, CoverOption[]>();
  for (const option of options) {
    const key = allWhole ? maskOf(option) : option.units.join(',');
    const copies = sameUnits.get(key);
    if (!copies) sameUnits.set(key, [option]);
    else keepBest(copies, option, givesToSplit(option) ? splitCopies : 1);
  }
  // A loop: Array.prototype.flat costs more than the grouping itself.
  const kept: CoverOption[] = [];
  for (const copies of sameUnits.values()) for (const option of copies) kept.push(option);
  kept.sort(compareOptions);
  if (whole.length > DOMINANCE_BITMAP_REQUIREMENTS) return kept;
  const servedByBetter = new Uint8Array(1 << whole.length);
  const markSubsets = (mask: number) => {
    if (servedByBetter[mask]) return;
    servedByBetter[mask] = 1;
    for (let rest = mask; rest; rest &= rest - 1) markSubsets(mask & ~(rest & -rest));
  };
  return kept.filter((option) => {
    const mask = maskOf(option);
    if (!givesToSplit(option) && servedByBetter[mask]) return false;
    markSubsets(mask);
    return true;
  });
}

/** The greedy cover: the option giving the largest share of what is still needed, then the cheapest. Not optimal; an upper bound and the fallback. */
export function greedyCover(targets: number[], options: CoverOption[]): CoverOption[] {
  const need = [...targets];
  const chosen: CoverOption[] = [];
  while (need.some((units) => units > 0)) {
    let pick: CoverOption | undefined;
    let pickShare = 0;
    for (const option of options) {
      if (chosen.includes(option)) continue;
      let share = 0;
      for (let r = 0; r < need.length; r += 1) if (need[r] > 0) share += Math.min(option.units[r], need[r]) / targets[r];
      if (share > pickShare + 1e-12 || (pick && Math.abs(share - pickShare) <= 1e-12 && compareOptions(option, pick) < 0)) [pick, pickShare] = [option, share];
    }
    if (!pick) throw new Error('unreachable: the targets never ask for more than the options hold');
    chosen.push(pick);
    for (let r = 0; r < need.length; r += 1) need[r] = Math.max(0, need[r] - pick.units[r]);
  }
  return chosen;
}

/** No cover has fewer locations: a split line needs at least as many as its largest holders take to reach its target. */
export function fewestLocations({ targets, whole }: Requirements, options: CoverOption[]): number {
  let fewest = targets.length ? 1 : 0;
  targets.forEach((target, r) => {
    if (whole[r]) return;
    const largest = options.map((option) => option.units[r]).sort((a, b) => b - a);
    let count = 0;
    for (let sum = 0; sum < target && count < largest.length; count += 1) sum += largest[count];
    fewest = Math.max(fewest, count);
  });
  return fewest;
}

/** Keeps `copies` the `limit` best, in order; a single copy costs one comparison. */
function keepBest(copies: CoverOption[], option: CoverOption, limit: number) {
  let at = copies.length;
  while (at > 0 && compareOptions(option, copies[at - 1]) < 0) at -= 1;
  if (at < limit) copies.splice(at, 0, option);
  if (copies.length > limit) copies.length = limit;
}

