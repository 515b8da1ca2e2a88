import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { haversineKm } from '@fil/geo';
import { parseMessage, type IncomingMessage } from '@fil/messaging';
import { executeBound } from '@fil/persistence';
import type { NetworkLocation } from '../routing/route-order';
import type { Holdings, HoldingsAt, StockHolders } from '../routing/routing-types';
import { LocationRecordDto } from './dto/location-record.dto';
import { LocationView } from './location-view.entity';
import { StockView } from './stock-view.entity';

/** What routing reads: the network with today's capacity, and ATP per location and SKU. */
export interface RoutingNetwork {
  locations: NetworkLocation[];
  atp: (locationId: string, sku: string) => number;
  /** The same figures by SKU, so that routing reads only the locations holding the ordered SKUs. */
  holders: StockHolders;
  /** The same by position in `locations`, so that routing joins nothing by id. */
  holdingsAt: HoldingsAt;
}

/** ATP by SKU, then by location. */
type AtpBySku = Map<string, Map<string, number>>;

/** Figures newer than the view, which win over it. */
export interface FresherStock {
  /** ATP by `stockKey`: a refusal's for its location, or inventory's availability report. */
  atp?: Map<string, number>;
  /** `atp` is inventory's report, listing every location that holds the SKUs: the view is not read at all. */
  complete?: boolean;
  /** Units promised by reservations the view cannot have seen yet (a batch of backorder retries): taken off. */
  promised?: Map<string, number>;
  /** Units of reservations given back in this transaction, ahead of what it routes (an edit): added back. */
  released?: Map<string, number>;
}

type LocationRow = Omit<NetworkLocation, 'underCapacity'> & { daily_capacity: number | null; started: number | null };

/** What a batch's transaction read once, and the fulfillments it started, not yet written. */
interface BatchStock {
  /** Read at the batch's first routing decision: a batch that routes nothing (answers, fulfillment events) reads nothing. */
  read?: Promise<{ locations: LocationRow[]; atp: AtpBySku }>;
  skus: Set<string>;
  started: Map<string, number>;
  /** The view's holdings by position, per SKU, built at a batch's first decision on it. */
  holdings: Map<string, Holdings>;
}

@Injectable()
export class StockService {
  private readonly batches = new WeakMap<EntityManager, BatchStock>();

  constructor(private readonly em: EntityManager) {}

  /** Keeps the location view at inventory's latest profile; the topic is compacted, so a replay writes the same rows. */
  async handleLocation(message: IncomingMessage, em: EntityManager): Promise<void> {
    const record = parseMessage(LocationRecordDto, message.value, 'location');
    const { id, name, type, lat, lng, ship, pickup, reserve, dailyCapacity, priority, processingHours, cutOffHour, opensAt, closesAt } = record;
    await em.execute(
      `insert into location_view (id, name, type, lat, lng, ship, pickup, reserve, daily_capacity, priority, processing_hours, cut_off_hour, opens_at, closes_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
       on conflict (id) do update set
         name = excluded.name, type = excluded.type, lat = excluded.lat, lng = excluded.lng, ship = excluded.ship,
         pickup = excluded.pickup, reserve = excluded.reserve, daily_capacity = excluded.daily_capacity,
         priority = excluded.priority, processing_hours = excluded.processing_hours, cut_off_hour = excluded.cut_off_hour,
         opens_at = excluded.opens_at, closes_at = excluded.closes_at, updated_at = excluded.updated_at`,
      [id, name, type, lat, lng, ship, pickup, reserve, dailyCapacity ?? null, priority ?? null, processingHours ?? null, cutOffHour ?? null, opensAt ?? null, closesAt ?? null],
      'run',
    );
  }

  /**
   * A batch's SKUs: its first `network` reads the network and the view's figures for all of
   * them, once; `network` and `countStarted` then work from memory in this transaction, and
   * `finishBatch` writes the fulfillments started. The view only changes in other transactions
   * (stock levels), so a batch routes on what each of its messages would have read.
   */
  startBatch(em: EntityManager, skus: string[]): void {
    this.batches.set(em, { skus: new Set(skus), started: new Map(), holdings: new Map() });
  }

  /** Writes the fulfillments a batch started, in one statement (in location order, so that two batches never deadlock on it). */
  async finishBatch(em: EntityManager): Promise<void> {
    const started = [...(this.batches.get(em)?.started ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.batches.delete(em);
    if (!started.length) return;
    await executeBound(
      em,
      `insert into location_load (location_id, day, started)
         select location_id, (now() at time zone 'utc')::date, started from jsonb_to_recordset(?::jsonb) as t(location_id text, started int)
       on conflict (location_id, day) do update set started = greatest(0, location_load.started + excluded.started)`,
      [JSON.stringify(started.map(([location_id, count]) => ({ location_id, started: count })))],
    );
  }

  /**
   * The network for the ordered SKUs: every known location, under capacity when it has
   * started fewer fulfillments today (UTC) than its daily capacity, and the view's ATP,
   * corrected by `fresher` figures.
   */
  async network(em: EntityManager, skus: string[], fresher: FresherStock = {}): Promise<RoutingNetwork> {
    const batch = this.batches.get(em);
    const read = batch && (await (batch.read ??= this.readBatch(em, [...batch.skus])));
    const rows = read?.locations ?? (await this.locationRows(em));
    const covered = read && skus.every((sku) => batch.skus.has(sku));
    const view: AtpBySku = fresher.complete ? new Map() : covered ? read.atp : await this.viewAtp(em, skus);
    const corrected: AtpBySku = new Map();
    for (const [key, units] of fresher.promised ?? []) setAtp(corrected, key, (atpIn(view, key) ?? 0) - units);
    for (const [key, value] of fresher.atp ?? []) setAtp(corrected, key, value);
    for (const [key, units] of fresher.released ?? []) setAtp(corrected, key, (atpIn(corrected, key) ?? atpIn(view, key) ?? 0) + units);
    const atp = (locationId: string, sku: string) => Math.max(0, corrected.get(sku)?.get(locationId) ?? view.get(sku)?.get(locationId) ?? 0);
    const holders: StockHolders = function* (sku) {
      const fresherOfSku = corrected.get(sku);
      for (const locationId of fresherOfSku?.keys() ?? []) yield [locationId, atp(locationId, sku)] as const;
      for (const locationId of view.get(sku)?.keys() ?? []) if (!fresherOfSku?.has(locationId)) yield [locationId, atp(locationId, sku)] as const;
    };
    const positions = positionsOf(rows);
    const holdingsOf = (sku: string) => holdingsByPosition(holders(sku), positions);
    // A batch's view is the same for all its decisions: a SKU without fresher figures is placed once.
    const kept = batch && view === read?.atp ? batch.holdings : undefined;
    return {
      locations: rows.map(({ daily_capacity, started, ...location }) => ({
        ...location,
        underCapacity: daily_capacity === null || (started ?? 0) + (batch?.started.get(location.id) ?? 0) < daily_capacity,
      })),
      atp,
      holders,
      holdingsAt: (sku) => {
        if (!kept || corrected.has(sku)) return holdingsOf(sku);
        return kept.get(sku) ?? kept.set(sku, holdingsOf(sku)).get(sku);
      },
    };
  }

  /**
   * Work routed to the location counts against today's capacity from the moment it is routed, so
   * that orders routed together, before any of their fulfillments starts, cannot overrun it;
   * `fulfillments` -1 gives back work inventory refused to reserve, which will never start.
   */
  async countStarted(em: EntityManager, locationId: string, fulfillments = 1): Promise<void> {
    const batch = this.batches.get(em);
    if (batch) {
      batch.started.set(locationId, (batch.started.get(locationId) ?? 0) + fulfillments);
      return;
    }
    await em.execute(
      `insert into location_load (location_id, day, started) values (?, (now() at time zone 'utc')::date, greatest(0, ?))
       on conflict (location_id, day) do update set started = greatest(0, location_load.started + ?)`,
      [locationId, fulfillments, fulfillments],
      'run',
    );
  }

  private async readBatch(em: EntityManager, skus: string[]): Promise<{ locations: LocationRow[]; atp: AtpBySku }> {
    return { locations: await this.locationRows(em), atp: await this.viewAtp(em, skus) };
  }

  private locationRows(em: EntityManager): Promise<LocationRow[]> {
    return em.execute<LocationRow[]>(
      `select l.id, l.type, l.lat, l.lng, l.ship, l.pickup, l.reserve, l.priority, l.daily_capacity, d.started
         from location_view l left join location_load d on d.location_id = l.id and d.day = (now() at time zone 'utc')::date`,
    );
  }

  private async viewAtp(em: EntityManager, skus: string[]): Promise<AtpBySku> {
    const rows = skus.length ? await em.find(StockView, { sku: { $in: skus } }, { fields: ['locationId', 'sku', 'atp'] }) : [];
    const bySku: AtpBySku = new Map();
    for (const { locationId, sku, atp } of rows) setAtp(bySku, stockKey(locationId, sku), atp);
    return bySku;
  }

  /**
   * GET /availability: the view's rows for some SKUs, by SKU then location. Near a point, by
   * distance (a location whose profile is not known yet last, and outside any radius). `limit` counts locations: the nearest, or the first by id.
   */
  async availability(skus: string[], near: { point?: { lat: number; lng: number }; radiusKm?: number; limit?: number } = {}) {
    const em = this.em.fork();
    const rows = await em.find(StockView, { sku: { $in: skus } }, { orderBy: { sku: 'asc', locationId: 'asc' } });
    const { point, radiusKm, limit } = near;
    if (!point) return ofFirstLocations(rows, rows.map(({ locationId }) => locationId).sort(), limit);
    const places = await em.find(LocationView, { id: { $in: [...new Set(rows.map((row) => row.locationId))] } }, { fields: ['id', 'lat', 'lng'] });
    // Ranked and filtered on the exact distance, shown rounded.
    const distances = new Map(places.map((place) => [place.id, haversineKm(point, place)]));
    const exactKm = (locationId: string) => distances.get(locationId) ?? Infinity;
    const ranked = rows
      .filter(({ locationId }) => radiusKm === undefined || exactKm(locationId) <= radiusKm)
      .sort((a, b) => exactKm(a.locationId) - exactKm(b.locationId) || a.locationId.localeCompare(b.locationId) || a.sku.localeCompare(b.sku))
      .map(({ locationId, sku, onHand, reserved, safetyStock, atp, updatedAt }) => ({ locationId, sku, onHand, reserved, safetyStock, atp, updatedAt, distanceKm: distances.has(locationId) ? Math.round(exactKm(locationId) * 10) / 10 : null }));
    return ofFirstLocations(ranked, ranked.map(({ locationId }) => locationId), limit);
  }
}

/** The rows of the first `limit` locations of `ranking` (every row without a limit). */
function ofFirstLocations<Row extends { locationId: string }>(rows: Row[], ranking: string[], limit?: number): Row[] {
  if (!limit) return rows;
  const kept = new Set([...new Set(ranking)].slice(0, limit));
  return rows.filter(({ locationId }) => kept.has(locationId));
}

/** Each location's position in `rows`, computed once per array read (a batch reads one). */
const positionsByRows = new WeakMap<LocationRow[], Map<string, number>>();
function positionsOf(rows: LocationRow[]): Map<string, number> {
  let positions = positionsByRows.get(rows);
  if (!positions) positionsByRows.set(rows, (positions = new Map(rows.map(({ id }, at) => [id, at]))));
  return positions;
}

function holdingsByPosition(held: Iterable<readonly [string, number]>, positions: Map<string, number>): Holdings {
  const [at, atp]: number[][] = [[], []];
  for (const [locationId, units] of held) {
    const position = positions.get(locationId);
    if (position === undefined) continue;
    at.push(position);
    atp.push(units);
  }
  return { at, atp };
}

export const stockKey = (locationId: string, sku: string) => `${locationId}\u0000${sku}`;

// Ids never hold control characters (IsId), so the key splits back unambiguously.
const keyParts = (key: string) => key.split('\u0000') as [locationId: string, sku: string];

function setAtp(bySku: AtpBySku, key: string, atp: number): void {
  const [locationId, sku] = keyParts(key);
  (bySku.get(sku) ?? bySku.set(sku, new Map()).get(sku)!).set(locationId, atp);
}

function atpIn(bySku: AtpBySku, key: string): number | undefined {
  const [locationId, sku] = keyParts(key);
  return bySku.get(sku)?.get(locationId);
}
