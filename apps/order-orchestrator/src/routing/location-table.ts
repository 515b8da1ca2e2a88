import type { RoutingLocation } from './routing-types';

/** Locations by id: their positions in the network's array. */
export interface LocationIndex {
  /** The position of location `id`, or -1 when the network has none. */
  find(id: string): number;
}

/**
 * The index of a network's locations by id, kept with the array (a WeakMap on it) once the
 * array is routed on a second time, so that callers routing many orders on one array (a
 * batch, the bench) build it once. An array routed on once (the orchestrator builds one per
 * decision) gets an index for that decision alone and leaves nothing behind. A kept index is
 * checked against the array at the first look-up of each decision (same objects, same ids,
 * position by position) and rebuilt on any change.
 */
export class LocationTable implements LocationIndex {
  /** `null`: the array was routed on once. */
  private static readonly tables = new WeakMap<readonly RoutingLocation[], LocationTable | null>();

  private readonly index = new Map<string, number>();
  private readonly indexed: RoutingLocation[] = [];
  private readonly ids: string[] = [];
  private checked = false;

  private constructor(private readonly locations: readonly RoutingLocation[]) {}

  /** The index of `locations` for a new decision, built at its first look-up. */
  static of(locations: readonly RoutingLocation[]): LocationIndex {
    const kept = LocationTable.tables.get(locations);
    if (kept === undefined) {
      LocationTable.tables.set(locations, null);
      return new LocationTable(locations);
    }
    const table = kept ?? new LocationTable(locations);
    if (!kept) LocationTable.tables.set(locations, table);
    table.checked = false;
    return table;
  }

  find(id: string): number {
    if (!this.checked) {
      if (!this.matches()) this.build();
      this.checked = true;
    }
    return this.index.get(id) ?? -1;
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
    this.indexed.length = this.ids.length = this.locations.length;
    this.locations.forEach((location, at) => {
      this.indexed[at] = location;
      this.ids[at] = location.id;
      if (!this.index.has(location.id)) this.index.set(location.id, at);
    });
  }
}
