import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { InventoryEventTypes, Topics, type AvailabilityReport, type CheckAvailabilityDto, type StockLevel } from '@fil/contracts';
import { haversineKm } from '@fil/geo';
import { Outbox } from '@fil/messaging';
import { Location } from '../locations/location.entity';
import { AvailabilityQuery } from './dto/availability.query';
import { SetStockDto } from './dto/set-stock.dto';
import { stockAlert } from './stock-alerts';
import { Stock, StockRuleViolation } from './stock.entity';

export const STOCK_LEVEL_CHANGED = 'StockLevelChanged';

/**
 * Stock rows are only ever changed under a row lock (SELECT ... FOR UPDATE) taken
 * inside the transaction that also writes the outbox, so concurrent reservations,
 * commits, adjustments and counts serialise per row and ATP cannot be oversold.
 */
@Injectable()
export class StockService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: Outbox,
  ) {}

  /** Per location, the ATP of each SKU asked for; nearest first (within the radius) when a point is given. */
  async availability(query: AvailabilityQuery, point?: { lat: number; lng: number }) {
    const em = this.em.fork();
    const [locations, stocks] = await Promise.all([em.find(Location, {}), em.find(Stock, { sku: { $in: query.skus } })]);
    const wanted = query.skus.map((sku, i) => [sku, query.quantities?.[i] ?? 1] as const);
    // Ranked and filtered on the exact distance, shown rounded.
    const exactKm = (location: Location) => (point ? haversineKm(point, location) : 0);
    return locations
      .filter((location) => query.radiusKm === undefined || exactKm(location) <= query.radiusKm)
      .sort((a, b) => exactKm(a) - exactKm(b) || a.id.localeCompare(b.id))
      .map((location) => {
        const lines = wanted.map(([sku]) => ({ sku, atp: stocks.find((s) => s.locationId === location.id && s.sku === sku)?.atp ?? 0 }));
        return {
          locationId: location.id,
          name: location.name,
          type: location.type,
          distanceKm: point ? Math.round(exactKm(location) * 10) / 10 : undefined,
          capabilities: { ship: location.ship, pickup: location.pickup, reserve: location.reserve },
          lines,
          coversAll: wanted.every(([, quantity], i) => lines[i].atp >= quantity),
        };
      })
      .filter((row) => row.lines.some((line) => line.atp > 0))
      .slice(0, query.limit);
  }

  /**
   * CheckAvailability: the ATP of each SKU asked at every location that has any, as this
   * transaction reads it, so the orchestrator decides on figures newer than its order.
   */
  async reportAvailability(question: CheckAvailabilityDto, em: EntityManager): Promise<void> {
    const stocks = await em.find(Stock, { sku: { $in: question.skus } }, { orderBy: { locationId: 'asc', sku: 'asc' } });
    const report: AvailabilityReport = {
      requestId: question.requestId,
      orderId: question.orderId,
      levels: stocks.filter((stock) => stock.atp > 0).map(({ locationId, sku, atp }) => ({ locationId, sku, atp })),
    };
    await this.outbox.add(em, { topic: Topics.inventoryEvents, key: question.orderId, type: InventoryEventTypes.availability, data: report });
  }

  /** Locks the row, or returns null when the SKU was never stocked there. */
  lock(em: EntityManager, locationId: string, sku: string): Promise<Stock | null> {
    return em.findOne(Stock, { locationId, sku }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  /** Locks the row, creating it empty first; `on conflict` lets two creators race without failing. */
  async lockOrCreate(em: EntityManager, locationId: string, sku: string): Promise<Stock> {
    await em.execute('insert into stock (location_id, sku) values (?, ?) on conflict do nothing', [locationId, sku]);
    return (await this.lock(em, locationId, sku))!;
  }

  /** Publishes the current figures of each row (compacted topic: the latest per key wins), and a stock alert where ATP crossed the reorder point. */
  async publishLevels(em: EntityManager, stocks: Stock[]): Promise<void> {
    const alerts = stocks.flatMap((stock) => {
      const { low, message } = stockAlert(stock);
      stock.low = low;
      return message ?? [];
    });
    await em.flush();
    await this.outbox.add(
      em,
      ...stocks.map((stock) => ({
        topic: Topics.stockLevels,
        key: `${stock.locationId}:${stock.sku}`,
        type: STOCK_LEVEL_CHANGED,
        data: stock.toLevel(),
      })),
      ...alerts,
    );
  }

  /** PUT /locations/{id}/stock/{sku}: a person states the count and safety stock. */
  setCount(locationId: string, sku: string, body: SetStockDto): Promise<StockLevel> {
    return this.em.fork().transactional(async (em) => {
      if (!(await em.findOne(Location, locationId))) throw new NotFoundException(`location ${locationId} not found`);
      const stock = await this.lockOrCreate(em, locationId, sku);
      try {
        stock.setCount(body.onHand ?? stock.onHand, body.safetyStock ?? stock.safetyStock);
      } catch (error) {
        if (error instanceof StockRuleViolation) throw new ConflictException(error.message);
        throw error;
      }
      await this.publishLevels(em, [stock]);
      return stock.toLevel();
    });
  }

  async levelsOf(sku: string): Promise<StockLevel[]> {
    const stocks = await this.em.fork().find(Stock, { sku }, { orderBy: { locationId: 'asc' } });
    return stocks.map((stock) => stock.toLevel());
  }
}
