import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { Topics, type StockLevel } from '@fil/contracts';
import { Outbox } from '@fil/messaging';
import { Location } from '../locations/location.entity';
import { SetStockDto } from './dto/set-stock.dto';
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

  /** Locks the row, or returns null when the SKU was never stocked there. */
  lock(em: EntityManager, locationId: string, sku: string): Promise<Stock | null> {
    return em.findOne(Stock, { locationId, sku }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  /** Locks the row, creating it empty first; `on conflict` lets two creators race without failing. */
  async lockOrCreate(em: EntityManager, locationId: string, sku: string): Promise<Stock> {
    await em.execute('insert into stock (location_id, sku) values (?, ?) on conflict do nothing', [locationId, sku]);
    return (await this.lock(em, locationId, sku))!;
  }

  /** Publishes the current figures of each row (compacted topic: the latest per key wins). */
  async publishLevels(em: EntityManager, stocks: Stock[]): Promise<void> {
    await em.flush();
    await this.outbox.add(
      em,
      ...stocks.map((stock) => ({
        topic: Topics.stockLevels,
        key: `${stock.locationId}:${stock.sku}`,
        type: STOCK_LEVEL_CHANGED,
        data: stock.toLevel(),
      })),
    );
  }

  /** PUT /locations/{id}/stock/{sku}: a person states the count and safety stock. */
  setCount(locationId: string, sku: string, body: SetStockDto): Promise<StockLevel> {
    return this.em.fork().transactional(async (em) => {
      if (!(await em.findOne(Location, locationId))) throw new NotFoundException(`location ${locationId} not found`);
      const stock = await this.lockOrCreate(em, locationId, sku);
      try {
        stock.setCount(body.onHand, body.safetyStock ?? stock.safetyStock);
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
