import { compareTieBreak } from './routing-candidates';
import { fewestLocations, greedyCover, usefulOptions, type CoverOption, type Requirements } from './cover-reduction';

/**
 * Search nodes after which the search stops: it keeps the best cover found at the size it
 * was exploring (the fewest shipments, as every smaller size was ruled out) or else the
 * greedy cover, and says `exact: false`. Every test and benchmark order so far finished far
 * below it; bench/routing-gap.bench.ts measures how far the fallback lands from the optimum.
 */
export const SEARCH_BUDGET = 200_000;

export interface Cover<T> {
  chosen: T[];
  exact: boolean;
  nodes: number;
}

/**
 * The cover with the fewest options, then the lowest total cost, then the tie-break:
 * sizes are tried from a lower bound up, so the first size with a cover is the fewest.
 */
export function bestCover<T extends CoverOption>(requirements: Requirements, options: T[], budget = SEARCH_BUDGET): Cover<T> {
  if (!requirements.targets.length) return { chosen: [], exact: true, nodes: 0 };
  const greedy = requirements.whole.every(Boolean) ? undefined : (greedyCover(requirements.targets, options) as T[]);
  // Without split lines no two copies can both be needed; with them, no cover is larger than the greedy one.
  const useful = usefulOptions(requirements, options, greedy?.length ?? 1) as T[];
  const most = greedy?.length ?? Math.min(requirements.targets.length, useful.length);
  const search = new CoverSearch(requirements.targets, useful, budget);
  for (let size = fewestLocations(requirements, useful); size <= most; size += 1) {
    const found = search.run(size);
    if (search.gaveUp) return { chosen: found ?? greedy ?? (greedyCover(requirements.targets, useful) as T[]), exact: false, nodes: search.nodes };
    if (found) return { chosen: found, exact: true, nodes: search.nodes };
  }
  throw new Error('unreachable: the targets never ask for more than the options hold');
}

const FREE = 0;
const TAKEN = 1;
const BARRED = 2;

/**
 * Branch and bound over covers of one size. Each node branches on the unmet requirement
 * with the fewest options left, over those options cheapest first; an option tried is
 * barred from its later siblings, so no set is visited twice. Cuts: cost above the best,
 * and any requirement the options still free cannot meet.
 */
class CoverSearch<T extends CoverOption> {
  nodes = 0;
  gaveUp = false;
  // Plain arrays: a few entries each, cheaper to allocate per decision than typed arrays.
  private readonly need: number[];
  private readonly available: number[];
  private readonly freeOptions: number[];
  private readonly state: number[];
  private readonly holders: number[][];
  /** What every option gives, and how many give, per requirement: where each size starts. */
  private readonly given: number[];
  private readonly givers: number[];
  private readonly chosen: number[] = [];
  private cost = 0;
  private best: number[] | undefined;
  private bestCost = Infinity;

  constructor(
    private readonly targets: number[],
    private readonly options: T[],
    private readonly budget: number,
  ) {
    const requirements = targets.length;
    [this.need, this.available, this.freeOptions] = [new Array<number>(requirements).fill(0), new Array<number>(requirements).fill(0), new Array<number>(requirements).fill(0)];
    this.state = new Array<number>(options.length).fill(FREE);
    this.holders = targets.map(() => []);
    [this.given, this.givers] = [new Array<number>(requirements).fill(0), new Array<number>(requirements).fill(0)];
    for (let i = 0; i < options.length; i += 1) {
      const { units } = options[i];
      for (let r = 0; r < requirements; r += 1) {
        if (units[r] <= 0) continue;
        this.holders[r].push(i);
        this.given[r] += units[r];
        this.givers[r] += 1;
      }
    }
  }

  run(size: number): T[] | undefined {
    for (let r = 0; r < this.targets.length; r += 1) {
      this.need[r] = this.targets[r];
      this.available[r] = this.given[r];
      this.freeOptions[r] = this.givers[r];
    }
    this.best = undefined;
    this.bestCost = Infinity;
    this.extend(size);
    return (this.best as number[] | undefined)?.map((i) => this.options[i]);
  }

  private extend(slots: number): void {
    if ((this.nodes += 1) > this.budget) this.gaveUp = true;
    if (this.gaveUp) return;
    let branch = -1;
    for (let r = 0; r < this.need.length; r += 1) {
      if (this.need[r] <= 0) continue;
      if (this.available[r] < this.need[r]) return;
      if (branch < 0 || this.freeOptions[r] < this.freeOptions[branch]) branch = r;
    }
    if (branch < 0) return this.record();
    if (slots === 0) return;
    if (slots === 1) return this.closeWithOne(branch);
    const barred: number[] = [];
    for (const i of this.holders[branch]) {
      if (this.state[i] !== FREE) continue;
      if (this.cost + this.options[i].cost > this.bestCost) break;
      this.take(i, 1);
      this.extend(slots - 1);
      this.take(i, -1);
      if (this.gaveUp) break;
      this.bar(i, 1);
      barred.push(i);
      if (this.available[branch] < this.need[branch]) break;
    }
    for (const i of barred) this.bar(i, -1);
  }

  /** The last location: the first free option meeting every need is the best for this prefix, as they come cheapest first. */
  private closeWithOne(branch: number) {
    for (const i of this.holders[branch]) {
      if (this.state[i] !== FREE) continue;
      if (this.cost + this.options[i].cost > this.bestCost) return;
      const units = this.options[i].units;
      let meets = true;
      for (let r = 0; r < units.length && meets; r += 1) meets = units[r] >= this.need[r];
      if (!meets) continue;
      this.take(i, 1);
      this.record();
      this.take(i, -1);
      return;
    }
  }

  private record() {
    const better =
      this.cost < this.bestCost ||
      (this.cost === this.bestCost &&
        compareTieBreak(
        this.chosen.map((i) => this.options[i].location),
          this.best!.map((i) => this.options[i].location),
        ) < 0);
    if (better) [this.best, this.bestCost] = [[...this.chosen], this.cost];
  }

  private take(i: number, sign: 1 | -1) {
    const option = this.options[i];
    this.state[i] = sign > 0 ? TAKEN : FREE;
    this.count(option, -sign);
    for (let r = 0; r < option.units.length; r += 1) this.need[r] -= sign * option.units[r];
    this.cost += sign * option.cost;
    if (sign > 0) this.chosen.push(i);
    else this.chosen.pop();
  }

  private bar(i: number, sign: 1 | -1) {
    this.state[i] = sign > 0 ? BARRED : FREE;
    this.count(this.options[i], -sign);
  }

  /** Adds (or takes off) what a free option could still give. */
  private count(option: CoverOption, sign: number) {
    for (let r = 0; r < option.units.length; r += 1) {
      if (option.units[r] <= 0) continue;
      this.available[r] += sign * option.units[r];
      this.freeOptions[r] += sign;
    }
  }
}
