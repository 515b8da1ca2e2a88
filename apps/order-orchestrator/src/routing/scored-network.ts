import type { AllocationLine } from '@fil/contracts';
import { haversineKm, latitudeGapKm } from '@fil/geo';
import type { FilterReason, RoutingLocation, RoutingWeights } from './routing-types';

export const COST_SCALE = 1_000_000;

const NO_ROWS = new Int32Array(0);

// Read once: through the library's re-exports, every call would go through a getter.
const greatCircleKm = haversineKm;
const meridianGapKm = latitudeGapKm;

/** A location left out that holds some of the order: listed in the explanation, never used. */
export interface FilteredHolder {
  location: RoutingLocation;
  reason: FilterReason;
  /** Its position in the network. */
  at: number;
}

/**
 * Typed columns for the rows of one decision, written again by the next one (routing runs
 * one decision at a time, and reads a network within its decision): thousands of rows cost
 * no allocation, and no array grows row by row (measured: about twice as fast as plain
 * arrays pushed to). Also, per network position, the row this decision gave it.
 */
export class RowColumns {
  atp = new Float64Array(0);
  km = new Float64Array(0);
  costs = new Float64Array(0);
  floors = new Float64Array(0);
  /** Bit `i`: the row holds line `i`'s whole quantity. */
  whole = new Int32Array(0);
  eligible = new Int32Array(0);
  /** Line `i`'s holders are rows `byLine[i × size + k]`, k below `heldBy[i]`. */
  byLine = new Int32Array(0);
  heldBy = new Int32Array(0);
  /** 1: the row is one routing may use. */
  usable = new Uint8Array(0);
  locations: RoutingLocation[] = [];
  size = 0;
  private seenIn = new Uint32Array(0);
  private rowAt = new Int32Array(0);
  private decision = 0;

  /** A new decision over a network of `size` locations and `width` lines. */
  begin(size: number, width: number) {
    if (this.km.length < size) {
      [this.km, this.costs, this.floors] = [new Float64Array(size), new Float64Array(size), new Float64Array(size)];
      [this.whole, this.eligible, this.rowAt, this.usable] = [new Int32Array(size), new Int32Array(size), new Int32Array(size), new Uint8Array(size)];
      [this.seenIn, this.decision] = [new Uint32Array(size), 0];
    }
    if (this.atp.length < size * width) [this.atp, this.byLine] = [new Float64Array(size * width), new Int32Array(size * width)];
    if (this.heldBy.length < width) this.heldBy = new Int32Array(width);
    this.heldBy.fill(0, 0, width);
    this.size = size;
    if (this.decision === 0xffffffff) {
      // The stamps wrap after 2^32 decisions: they start again from zero.
      this.seenIn.fill(0);
      this.decision = 0;
    }
    this.decision += 1;
  }

  /** The row this decision gave the location at position `at`, or -1. */
  rowOf(at: number): number {
    return this.seenIn[at] === this.decision ? this.rowAt[at] : -1;
  }

  giveRow(at: number, row: number) {
    this.seenIn[at] = this.decision;
    this.rowAt[at] = row;
  }
}

/**
 * The holders of the order, column by column. Each location holding any line has a row `h`:
 * its ATP of line `i` is `atp[h × lines + i]`; `eligible` lists the rows of ship locations
 * routing may use. A row's distance and cost are computed when first asked: the search and
 * the explanation need few of them, and `costFloor` (from latitudes alone) tells which rows
 * can be skipped. Its columns are the next decision's too: it is read within its decision.
 */
export class ScoredNetwork {
  readonly filtered: FilteredHolder[] = [];
  readonly lines: number;
  readonly atp: Float64Array;
  readonly whole: Int32Array;
  readonly locations: RoutingLocation[];
  private rows = 0;
  private eligibleRows = 0;
  private readonly quantities: number[];
  /** Costs rise with distance: a floor on distance is a floor on cost. */
  private readonly floorsHold: boolean;
  private readonly storeCost: number;
  private readonly warehouseCost: number;

  constructor(
    ordered: AllocationLine[],
    private readonly columns: RowColumns,
    capacity: number,
    readonly counts: { locations: number; eligible: number } & Record<FilterReason, number>,
    private readonly destination: { lat: number; lng: number },
    private readonly weights: RoutingWeights,
  ) {
    this.lines = ordered.length;
    this.quantities = ordered.map((line) => line.quantity);
    columns.begin(capacity, this.lines);
    [this.atp, this.whole, this.locations] = [columns.atp, columns.whole, columns.locations];
    this.floorsHold = weights.perKm >= 0;
    [this.storeCost, this.warehouseCost] = [weights.baseCost.STORE, weights.baseCost.WAREHOUSE];
  }

  /** The rows routing may use, once every row is in (`done`). */
  eligible = NO_ROWS;

  done(): this {
    const eligible = (this.eligible = this.columns.eligible.subarray(0, this.eligibleRows));
    // In one loop once every row is in, with the weights at hand: rows left out never need a floor.
    const { floors, locations } = this.columns;
    const [toLat, perKm] = [this.destination.lat, this.weights.perKm];
    for (let e = 0; e < eligible.length; e += 1) {
      const h = eligible[e];
      const { type, lat } = locations[h];
      // priceAt over the latitude gap, less one millionth for the cost's rounding (never more than half of one), so that
      // a floor never exceeds its cost; not rounded itself, as Math.round was a sixth of building the network.
      floors[h] = this.floorsHold ? (this.baseCostOf(type) + perKm * meridianGapKm(lat, toLat)) * COST_SCALE - 1 : -Infinity;
    }
    return this;
  }

  /** A row for `location`, holding nothing yet; routing may use it unless `eligible` is false. */
  addRow(location: RoutingLocation, eligible: boolean): number {
    const { columns } = this;
    const h = this.rows++;
    columns.locations[h] = location;
    // A loop: TypedArray fill costs more than it saves on a few lines.
    for (let i = h * this.lines; i < (h + 1) * this.lines; i += 1) columns.atp[i] = 0;
    columns.km[h] = Number.NaN;
    columns.whole[h] = 0;
    columns.usable[h] = eligible ? 1 : 0;
    if (eligible) columns.eligible[this.eligibleRows++] = h;
    return h;
  }

  /** Row `h` holds `units` (above zero) of line `i`; the last figure given wins. */
  hold(h: number, i: number, units: number) {
    const { columns } = this;
    if (this.atp[h * this.lines + i] === 0) columns.byLine[i * columns.size + columns.heldBy[i]++] = h;
    this.atp[h * this.lines + i] = units;
    if (units >= this.quantities[i]) this.whole[h] |= 1 << i;
    else this.whole[h] &= ~(1 << i);
  }

  distanceKm(h: number): number {
    this.score(h);
    return this.columns.km[h];
  }

  /** baseCost + perKm × km, as reported. */
  price(h: number): number {
    return this.priceAt(this.locations[h], this.distanceKm(h));
  }

  /** The price in millionths, so that sums compare exactly and equal costs go to the tie-break. */
  cost(h: number): number {
    this.score(h);
    return this.columns.costs[h];
  }

  /** Line `i`'s holders, in the order they were given, are rows `holderRows[k]` for `k` from `holdersFrom(i)` below `holdersTo(i)` (no view allocated per line). */
  get holderRows(): Int32Array {
    return this.columns.byLine;
  }

  holdersFrom(i: number): number {
    return i * this.columns.size;
  }

  holdersTo(i: number): number {
    return i * this.columns.size + this.columns.heldBy[i];
  }

  /** Routing may use row `h`. */
  usable(h: number): boolean {
    return this.columns.usable[h] === 1;
  }

  /** Never above `cost(h)`, and known without a distance. */
  costFloor(h: number): number {
    return this.columns.floors[h];
  }

  private score(h: number) {
    const { km, costs } = this.columns;
    if (!Number.isNaN(km[h])) return;
    const location = this.locations[h];
    km[h] = greatCircleKm(location, this.destination);
    costs[h] = Math.round(this.priceAt(location, km[h]) * COST_SCALE);
  }

  private priceAt({ type }: RoutingLocation, km: number): number {
    return this.baseCostOf(type) + this.weights.perKm * km;
  }

  /** Compared, not looked up by key: a keyed look-up per row was a tenth of building the network. */
  private baseCostOf(type: RoutingLocation['type']): number {
    return type === 'STORE' ? this.storeCost : type === 'WAREHOUSE' ? this.warehouseCost : this.weights.baseCost[type];
  }
}
