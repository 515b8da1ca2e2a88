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
/** Every reduction's bitmap, cleared as far as it reaches: routing runs one decision at a time. */
const SERVED_BY_BETTER = new Uint8Array(1 << DOMINANCE_BITMAP_REQUIREMENTS);

/**
 * The options that can be in the best cover, cheapest first. Two rules, each keeping the optimum:
 * - An option that gives nothing to split lines is dropped when a better-ranked one serves
 *   the same lines whole or more: in a cover with both it is redundant, alone it can be swapped.
 * - Of options giving exactly the same units, only the `splitCopies` best are kept when they
 *   give to split lines: a cover of at most that many locations holding a worse copy leaves
 *   a better copy out, and swapping them makes it cheaper or better on the tie-break.
 */
export function usefulOptions({ whole }: Requirements, options: CoverOption[], splitCopies: number): CoverOption[] {
  const width = whole.length;
  let allWhole = width <= 30;
  for (let r = 0; r < width && allWhole; r += 1) allWhole = whole[r];
  const masks = options.map((option) => maskOf(option, whole));
  // Up to 16 whole lines, copies are grouped in an array indexed by their mask.
  const byMask = allWhole && width <= DOMINANCE_BITMAP_REQUIREMENTS ? new Array<CoverOption | undefined>(1 << width) : undefined;
  const sameUnits = byMask ? undefined : new Map<string | number, CoverOption[]>();
  for (let o = 0; o < options.length; o += 1) {
    const option = options[o];
    if (byMask) {
      const kept = byMask[masks[o]];
      if (!kept || compareOptions(option, kept) < 0) byMask[masks[o]] = option;
      continue;
    }
    const key = allWhole ? masks[o] : option.units.join(',');
    const copies = sameUnits!.get(key);
    if (!copies) sameUnits!.set(key, [option]);
    else keepBest(copies, option, givesToSplit(option, whole) ? splitCopies : 1, compareOptions);
  }
  // Loops: Array.prototype.flat costs more than the grouping itself.
  const kept: CoverOption[] = [];
  if (byMask) for (const option of byMask) option && kept.push(option);
  else for (const copies of sameUnits!.values()) for (const option of copies) kept.push(option);
  sortOptions(kept);
  if (width > DOMINANCE_BITMAP_REQUIREMENTS) return kept;
  const servedByBetter = SERVED_BY_BETTER.fill(0, 0, 1 << width);
  const markSubsets = (mask: number) => {
    if (servedByBetter[mask]) return;
    servedByBetter[mask] = 1;
    for (let rest = mask; rest; rest &= rest - 1) markSubsets(mask & ~(rest & -rest));
  };
  const useful: CoverOption[] = [];
  for (const option of kept) {
    const mask = maskOf(option, whole);
    if (!givesToSplit(option, whole) && servedByBetter[mask]) continue;
    markSubsets(mask);
    useful.push(option);
  }
  return useful;
}

/** Cheapest first (compareOptions). A few dozen by insertion: there a sort calling back costs more. */
function sortOptions(options: CoverOption[]): void {
  if (options.length > 64) {
    options.sort(compareOptions);
    return;
  }
  for (let i = 1; i < options.length; i += 1) {
    const option = options[i];
    let at = i;
    for (; at > 0 && compareOptions(option, options[at - 1]) < 0; at -= 1) options[at] = options[at - 1];
    options[at] = option;
  }
}

function givesToSplit({ units }: CoverOption, whole: boolean[]): boolean {
  for (let r = 0; r < units.length; r += 1) if (units[r] > 0 && !whole[r]) return true;
  return false;
}

/** The lines the option serves whole, as bits. */
function maskOf({ units }: CoverOption, whole: boolean[]): number {
  let bits = 0;
  for (let r = 0; r < units.length; r += 1) if (units[r] > 0 && whole[r]) bits |= 1 << r;
  return bits;
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

/**
 * Adds `item` to `list`, kept in `compare` order and at most `limit` (at least 1) long: what falls
 * past the limit is dropped, and an item no better than a full list's last costs one comparison.
 * By hand: splice allocates the array of what it removes.
 */
export function keepBest<T>(list: T[], item: T, limit: number, compare: (a: T, b: T) => number): void {
  if (list.length >= limit && compare(item, list[limit - 1]) >= 0) return;
  let at = Math.min(list.length, limit - 1);
  for (; at > 0 && compare(item, list[at - 1]) < 0; at -= 1) list[at] = list[at - 1];
  list[at] = item;
}

