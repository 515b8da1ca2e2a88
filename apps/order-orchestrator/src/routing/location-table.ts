import { RowColumns } from './scored-network';
import type { RoutingLocation } from './routing-types';

/**
 * What routing keeps with a network's array of locations (a WeakMap on it), so that callers
 * routing many orders on one array (a batch, the bench) do not pay for it per decision: the
 * index of locations by id, which joins each holder to its location with one look-up, and
 * the columns the decision's rows are written to. The index is checked against the array
 * at the first look-up of each decision (same objects, same ids, position by position) and
 * rebuilt on any change.
 */
export class LocationTable {
  private static readonly tables = new WeakMap<readonly RoutingLocation[], LocationTable>();

  readonly columns = new RowColumns();
  private readonly index = new Map<string, number>();
  private readonly indexed: RoutingLocation[] = [];
  private readonly ids: string[] = [];
  /** Per location, the decision that last gave it a row, and that row. */
  private readonly seenIn: Uint32Array;
  private readonly rows: Int32Array;
  private decision = 0;
  private checkedIn = -1;

  private constructor(private readonly locations: readonly RoutingLocation[]) {
    this.seenIn = new Uint32Array(locations.length);
    this.rows = new Int32Array(locations.length);
  }

  /** The table of `locations`, ready for a new decision. */
  static of(locations: readonly RoutingLocation[]): LocationTable {
    let table = LocationTable.tables.get(locations);
    if (!table || table.rows.length !== locations.length) LocationTable.tables.set(locations, (table = new LocationTable(locations)));
    if (table.decision === 0xffffffff) {
      // The stamps wrap after 2^32 decisions: they start again from zero.
      table.seenIn.fill(0);
      [table.decision, table.checkedIn] = [0, -1];
    }
    table.decision += 1;
    return table;
  }

  /** The position of location `id` in the array, or -1 when the network has none. */
  find(id: string): number {
    if (this.checkedIn !== this.decision) {
      if (!this.matches()) this.build();
      this.checkedIn = this.decision;
    }
    return this.index.get(id) ?? -1;
  }

  /** The row this decision gave the location at `at`, or -1. */
  rowOf(at: number): number {
    return this.seenIn[at] === this.decision ? this.rows[at] : -1;
  }

  giveRow(at: number, row: number) {
    this.seenIn[at] = this.decision;
    this.rows[at] = row;
  }

  private matches(): boolean {
    const { locations, indexed, ids } = this;
    if (indexed.length !== locations.length) return false;
    for (let at = 0; at < locations.length; at += 1) if (locations[at] !== indexed[at] || locations[at].id !== ids[at]) return false;
    return true;
  }

  /** Of two locations with one id, the first is found (ids are unique in a real network). */
  private build() {
    this.index.clear();
    this.locations.forEach((location, at) => {
      this.indexed[at] = location;
      this.ids[at] = location.id;
      if (!this.index.has(location.id)) this.index.set(location.id, at);
    });
  }
}
