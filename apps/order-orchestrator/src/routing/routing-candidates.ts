import type { AllocationLine } from '@fil/contracts';
import { LocationTable, type LocationIndex } from './location-table';
import { RowColumns, ScoredNetwork } from './scored-network';
import type { HoldingsAt, RoutingLocation, RoutingWeights, FilterReason, StockHolders } from './routing-types';

/**
 * Finds the locations that hold any of `lines`, eligible or filtered out, unscored. With
 * `holdingsAt` only those are read, by position; with `holders`, joined to the network by a
 * table of ids kept across decisions; without either, ATP is asked of every location.
 */
export function scoreNetwork(
  lines: AllocationLine[],
  destination: { lat: number; lng: number },
  all: RoutingLocation[],
  atp: (locationId: string, sku: string) => number,
  holders: StockHolders | undefined,
  holdingsAt: HoldingsAt | undefined,
  weights: RoutingWeights,
  excluded: ReadonlySet<string>,
): ScoredNetwork {
  const table = holdingsAt || !holders ? undefined : LocationTable.of(all);
  const network = new ScoredNetwork(lines, COLUMNS, all.length, countNetwork(all, excluded, table), destination, weights);
  const { filtered } = network;
  // Asked once: a Set's size is a call.
  const screened = excluded.size > 0 ? excluded : NOTHING;
  const addRow = (location: RoutingLocation, at: number) => {
    const reason = filterOf(location, screened);
    if (reason) filtered.push({ location, reason, at });
    return network.addRow(location, !reason);
  };
  if (holdingsAt) {
    for (let i = 0; i < lines.length; i += 1) {
      const held = holdingsAt(lines[i].sku);
      if (!held) continue;
      const { at: positions, atp: units } = held;
      for (let k = 0; k < positions.length; k += 1) {
        const at = positions[k];
        const n = units[k];
        if (n <= 0 || !(at >= 0 && at < all.length)) continue;
        let h = COLUMNS.rowOf(at);
        if (h < 0) COLUMNS.giveRow(at, (h = addRow(all[at], at)));
        network.hold(h, i, n);
      }
    }
  } else if (table) {
    for (let i = 0; i < lines.length; i += 1) {
      for (const holding of holders!(lines[i].sku)) {
        const units = holding[1];
        if (units <= 0) continue;
        const at = table.find(holding[0]);
        if (at < 0) continue;
        let h = COLUMNS.rowOf(at);
        if (h < 0) COLUMNS.giveRow(at, (h = addRow(all[at], at)));
        network.hold(h, i, units);
      }
    }
  } else {
    all.forEach((location, at) => {
      const units = lines.map(({ sku }) => Math.max(0, atp(location.id, sku)));
      if (!units.some((n) => n > 0)) return;
      const h = addRow(location, at);
      units.forEach((n, i) => n > 0 && network.hold(h, i, n));
    });
  }
  return network.done();
}

const filterOf = (location: RoutingLocation, excluded: ReadonlySet<string>): FilterReason | undefined =>
  excluded !== NOTHING && excluded.has(location.id) ? 'EXCLUDED_FOR_ORDER' : !location.ship ? 'NO_SHIP_CAPABILITY' : !location.underCapacity ? 'AT_DAILY_CAPACITY' : undefined;

/** The whole network's counts by filter; with a table, excluded locations are found by id rather than every location looked up in `excluded`. */
function countNetwork(all: RoutingLocation[], excluded: ReadonlySet<string>, table: LocationIndex | undefined): ScoredNetwork['counts'] {
  const counts = { locations: all.length, eligible: 0, NO_SHIP_CAPABILITY: 0, AT_DAILY_CAPACITY: 0, EXCLUDED_FOR_ORDER: 0 };
  const byId = table && excluded.size > 0;
  const screened = byId || excluded.size === 0 ? NOTHING : excluded;
  for (const location of all) {
    const reason = filterOf(location, screened);
    if (reason) counts[reason] += 1;
    else counts.eligible += 1;
  }
  if (!byId) return counts;
  for (const id of excluded) {
    const at = table.find(id);
    if (at < 0) continue;
    const reason = filterOf(all[at], NOTHING);
    if (reason) counts[reason] -= 1;
    else counts.eligible -= 1;
    counts.EXCLUDED_FOR_ORDER += 1;
  }
  return counts;
}

const NOTHING: ReadonlySet<string> = new Set();

/** Every decision's rows: routing runs one decision at a time. */
const COLUMNS = new RowColumns();

/** Lower cost first, then lower priority number (none last), then location id: the contract's order for one location. */
export function compareHolders(network: ScoredNetwork, a: number, b: number): number {
  return network.cost(a) - network.cost(b) || compareLocations(network.locations[a], network.locations[b]);
}

export function compareLocations(a: RoutingLocation, b: RoutingLocation): number {
  const byPriority = (a.priority ?? Number.MAX_SAFE_INTEGER) - (b.priority ?? Number.MAX_SAFE_INTEGER);
  return byPriority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Total order on location sets of equal size and cost: lower priorities, then lower ids, compared best first. */
export function compareTieBreak(a: RoutingLocation[], b: RoutingLocation[]): number {
  const [ka, kb] = [[...a].sort(compareLocations), [...b].sort(compareLocations)];
  for (let i = 0; i < Math.min(ka.length, kb.length); i += 1) {
    const order = compareLocations(ka[i], kb[i]);
    if (order) return order;
  }
  return ka.length - kb.length;
}
