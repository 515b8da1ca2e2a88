import { haversineKm } from '@fil/geo';
import { availableToPromise } from '../stock/stock.entity';

/** One SKU at one location: its figures, and the units that left it over the window. */
export interface StockMovement {
  locationId: string;
  sku: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  /** Committed reservations (orders served) plus point-of-sale decreases. */
  unitsOut: number;
}

export interface PlanSettings {
  windowDays: number;
  leadTimeDays: number;
  /** The cover an order or a transfer should leave once it arrives. */
  coverDays: number;
}

export interface SuggestedTransfer {
  fromLocationId: string;
  quantity: number;
  distanceKm: number;
}

export interface SkuReplenishment {
  sku: string;
  onHand: number;
  atp: number;
  unitsOut: number;
  velocityPerDay: number;
  /** ATP over velocity; null when nothing sells. */
  daysOfCover: number | null;
  /** Units to reach leadTimeDays + coverDays of sales: to transfer or to order. */
  need: number;
  /** From the nearest locations whose ATP exceeds their own need, nearest first. */
  transfers: SuggestedTransfer[];
  /** What the transfers leave to order from the supplier. */
  suggestedOrder: number;
}

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

function figures(movement: StockMovement, settings: PlanSettings) {
  const atp = availableToPromise(movement.onHand, movement.reserved, movement.safetyStock);
  const velocityPerDay = movement.unitsOut / settings.windowDays;
  const target = Math.ceil(velocityPerDay * (settings.leadTimeDays + settings.coverDays));
  return { atp, velocityPerDay, target };
}

/**
 * For each SKU stocked or sold at `locationId`, most urgent first (fewest days of cover): its
 * velocity over the window, its cover, what it needs to last the lead time and the cover after,
 * and where that can come from. A SKU runs short when its cover is under the lead time plus the
 * cover wanted; other locations give what they hold above their own target, nearest first, and
 * never more than `need`.
 */
export function replenishmentPlan(locationId: string, movements: StockMovement[], locations: Map<string, { lat: number; lng: number }>, settings: PlanSettings): SkuReplenishment[] {
  const here = locations.get(locationId);
  const bySku = new Map<string, StockMovement[]>();
  for (const movement of movements) bySku.set(movement.sku, [...(bySku.get(movement.sku) ?? []), movement]);
  const plan: SkuReplenishment[] = [];
  for (const [sku, rows] of bySku) {
    const own = rows.find((row) => row.locationId === locationId);
    if (!own) continue;
    const { atp, velocityPerDay, target } = figures(own, settings);
    const need = Math.max(0, target - atp);
    const donors = rows
      .filter((row) => row.locationId !== locationId && locations.has(row.locationId))
      .map((row) => {
        const donor = figures(row, settings);
        return { fromLocationId: row.locationId, spare: donor.atp - donor.target, distanceKm: here ? round(haversineKm(here, locations.get(row.locationId)!), 1) : 0 };
      })
      .filter(({ spare }) => spare > 0)
      .sort((a, b) => a.distanceKm - b.distanceKm || a.fromLocationId.localeCompare(b.fromLocationId));
    const transfers: SuggestedTransfer[] = [];
    let left = need;
    for (const { fromLocationId, spare, distanceKm } of donors) {
      if (left === 0) break;
      const quantity = Math.min(spare, left);
      transfers.push({ fromLocationId, quantity, distanceKm });
      left -= quantity;
    }
    plan.push({
      sku,
      onHand: own.onHand,
      atp,
      unitsOut: own.unitsOut,
      velocityPerDay: round(velocityPerDay, 3),
      daysOfCover: velocityPerDay > 0 ? round(atp / velocityPerDay, 1) : null,
      need,
      transfers,
      suggestedOrder: left,
    });
  }
  return plan.sort((a, b) => (a.daysOfCover ?? Infinity) - (b.daysOfCover ?? Infinity) || a.sku.localeCompare(b.sku));
}
