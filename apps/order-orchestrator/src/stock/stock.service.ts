import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { validateAs } from '@fil/contracts';
import { InvalidMessage, type IncomingMessage } from '@fil/messaging';
import { StockLevelDto } from './dto/stock-level.dto';
import { StockView } from './stock-view.entity';

@Injectable()
export class StockService {
  constructor(private readonly em: EntityManager) {}

  /** Keeps the stock view at inventory's latest figures; a redelivered level writes the same row again. */
  async handleLevel(message: IncomingMessage, em: EntityManager): Promise<void> {
    const checked = validateAs(StockLevelDto, message.value);
    if (!checked.ok) throw new InvalidMessage(`invalid stock level: ${checked.errors.join('; ')}`);
    const { locationId, sku, onHand, reserved, safetyStock, atp } = checked.value;
    await em.execute(
      `insert into stock_view (location_id, sku, on_hand, reserved, safety_stock, atp, updated_at)
       values (?, ?, ?, ?, ?, ?, now())
       on conflict (location_id, sku) do update set
         on_hand = excluded.on_hand, reserved = excluded.reserved, safety_stock = excluded.safety_stock,
         atp = excluded.atp, updated_at = excluded.updated_at`,
      [locationId, sku, onHand, reserved, safetyStock, atp],
      'run',
    );
  }

  /** What routing needs: every location in the view, and its rows for the ordered SKUs. */
  async forRouting(em: EntityManager, skus: string[]): Promise<{ locations: string[]; rows: StockView[] }> {
    const locations = await em.execute<{ location_id: string }[]>('select distinct location_id from stock_view');
    const rows = await em.find(StockView, { sku: { $in: skus } });
    return { locations: locations.map((row) => row.location_id), rows };
  }

  /** GET /availability: the view's rows for some SKUs, by location. */
  async availability(skus: string[]): Promise<StockView[]> {
    return this.em.fork().find(StockView, { sku: { $in: skus } }, { orderBy: { sku: 'asc', locationId: 'asc' } });
  }
}
