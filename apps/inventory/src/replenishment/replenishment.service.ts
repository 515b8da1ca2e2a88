import { Injectable, NotFoundException } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Location } from '../locations/location.entity';
import { COLLECTED_AFTER_EXPIRY } from '../reservations/reservation.entity';
import type { ReplenishmentQuery } from './dto/replenishment.query';
import type { ReplenishmentView } from './dto/replenishment.view';
import { replenishmentPlan, type StockMovement } from './replenishment-plan';

const DAY_MS = 86_400_000;

/**
 * Units out per SKU and location since `since`, for the SKUs stocked at `locationId`, at every
 * location that stocks them: committed reservations (orders served, by the time they were
 * committed) and DELTA adjustments that lowered the count (point-of-sale sales, breakage).
 * A SET is a count, not a movement: it is left out; so is the adjustment taking again units
 * collected after their reservation expired, which counts them as committed.
 */
const MOVEMENTS = `
  with out as (
    select r.location_id, line->>'sku' as sku, (line->>'quantity')::int as units
      from reservation r cross join jsonb_array_elements(r.lines) as line
     where r.status = 'COMMITTED' and r.updated_at >= ?
    union all
    select location_id, sku, on_hand_before - on_hand_after
      from adjustment
     where mode = 'DELTA' and on_hand_after < on_hand_before and applied_at >= ? and adjustment_id not like ?
  )
  select s.location_id, s.sku, s.on_hand, s.reserved, s.safety_stock, coalesce(sum(out.units), 0)::int as units_out
    from stock s left join out on out.location_id = s.location_id and out.sku = s.sku
   where s.sku in (select sku from stock where location_id = ?)
   group by s.location_id, s.sku, s.on_hand, s.reserved, s.safety_stock`;

interface MovementRow {
  location_id: string;
  sku: string;
  on_hand: number;
  reserved: number;
  safety_stock: number;
  units_out: number;
}

/** Replenishment and rebalancing suggestions from the recorded movements. */
@Injectable()
export class ReplenishmentService {
  constructor(private readonly em: EntityManager) {}

  async plan(query: ReplenishmentQuery): Promise<ReplenishmentView> {
    const em = this.em.fork();
    if (!(await em.findOne(Location, query.locationId))) throw new NotFoundException(`location ${query.locationId} not found`);
    const since = new Date(Date.now() - query.windowDays * DAY_MS);
    const [rows, locations] = await Promise.all([em.execute<MovementRow[]>(MOVEMENTS, [since, since, `%:${COLLECTED_AFTER_EXPIRY}`, query.locationId]), em.find(Location, {})]);
    const movements: StockMovement[] = rows.map((row) => ({
      locationId: row.location_id,
      sku: row.sku,
      onHand: row.on_hand,
      reserved: row.reserved,
      safetyStock: row.safety_stock,
      unitsOut: row.units_out,
    }));
    const { locationId, windowDays, leadTimeDays, coverDays } = query;
    const points = new Map(locations.map((location) => [location.id, { lat: location.lat, lng: location.lng }]));
    return { locationId, windowDays, leadTimeDays, coverDays, since: since.toISOString(), skus: replenishmentPlan(locationId, movements, points, { windowDays, leadTimeDays, coverDays }) };
  }
}
