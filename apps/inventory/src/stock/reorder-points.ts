import { Injectable, NotFoundException } from '@nestjs/common';
import { setting } from '@fil/config';
import { EntityManager } from '@mikro-orm/postgresql';
import { Location } from '../locations/location.entity';
import type { ReorderPointView } from './dto/reorder-point.view';
import { REORDER_POINT_DEFAULT } from './stock-alerts';
import { Stock } from './stock.entity';
import { StockService } from './stock.service';

/** Reorder points set by people, and the SKUs whose ATP is at or below theirs. */
@Injectable()
export class ReorderPoints {
  constructor(
    private readonly em: EntityManager,
    private readonly stock: StockService,
  ) {}

  /** A new point may itself cross the current ATP: the alert leaves with the change, under the row's lock. */
  set(locationId: string, sku: string, reorderPoint: number | null): Promise<ReorderPointView> {
    return this.em.fork().transactional(async (em) => {
      if (!(await em.findOne(Location, locationId))) throw new NotFoundException(`location ${locationId} not found`);
      const stock = await this.stock.lockOrCreate(em, locationId, sku);
      stock.reorderPoint = reorderPoint;
      await this.stock.publishLevels(em, [stock]);
      return view(stock);
    });
  }

  /** The SKUs last announced StockLow, at one location or everywhere. */
  async low(locationId?: string): Promise<ReorderPointView[]> {
    const stocks = await this.em.fork().find(Stock, { low: true, ...(locationId ? { locationId } : {}) }, { orderBy: { locationId: 'asc', sku: 'asc' } });
    return stocks.map(view);
  }
}

const view = (stock: Stock): ReorderPointView => ({
  locationId: stock.locationId,
  sku: stock.sku,
  reorderPoint: stock.reorderPoint,
  effectiveReorderPoint: stock.reorderPoint ?? setting(REORDER_POINT_DEFAULT),
  atp: stock.atp,
  low: stock.low,
});
