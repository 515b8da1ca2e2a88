import type { EntityManager } from '@mikro-orm/postgresql';
import type { StockLevel } from '@fil/contracts';
import { parseMessage, type IncomingMessage } from '@fil/messaging';
import { executeBound } from '@fil/persistence';
import { StockLevelDto } from './dto/stock-level.dto';

export const readStockLevel = (message: IncomingMessage): StockLevel => parseMessage(StockLevelDto, message.value, 'stock level');

/**
 * Keeps the stock view at inventory's latest figures, a batch of levels in one statement (a
 * redelivered level writes the same row again). Returns where a SKU's ATP rose (stock arrived,
 * a hold was given back): backorders may now be served there.
 */
export async function applyStockLevels(em: EntityManager, levels: StockLevel[]): Promise<StockRise[]> {
  const byRow = new Map<string, StockLevel[]>();
  for (const level of levels) {
    const sequence = byRow.get(rowKey(level));
    if (sequence) sequence.push(level);
    else byRow.set(rowKey(level), [level]);
  }
  // One row written once, with its last figures (as one message at a time would leave it), in key order so that batches never deadlock.
  const rows = [...byRow.keys()].sort().map((key) => byRow.get(key)!.at(-1)!);
  // The CTE reads the rows as they were: every part of the statement sees the snapshot before the upsert.
  const before = await executeBound<{ location_id: string; sku: string; atp: number }>(
    em,
    `with incoming as (
       select * from jsonb_to_recordset(?::jsonb) as t("locationId" text, sku text, "onHand" int, reserved int, "safetyStock" int, atp int)
     ), previous as (
       select s.location_id, s.sku, s.atp from stock_view s join incoming i on s.location_id = i."locationId" and s.sku = i.sku
     ), written as (
       insert into stock_view (location_id, sku, on_hand, reserved, safety_stock, atp, updated_at)
       select "locationId", sku, "onHand", reserved, "safetyStock", atp, now() from incoming
       on conflict (location_id, sku) do update set
         on_hand = excluded.on_hand, reserved = excluded.reserved, safety_stock = excluded.safety_stock,
         atp = excluded.atp, updated_at = excluded.updated_at
     )
     select location_id, sku, atp from previous`,
    [JSON.stringify(rows.map(({ locationId, sku, onHand, reserved, safetyStock, atp }) => ({ locationId, sku, onHand, reserved, safetyStock, atp })))],
  );
  const previous = new Map(before.map((row) => [rowKey({ locationId: row.location_id, sku: row.sku }), row.atp]));
  const rises: StockRise[] = [];
  for (const [key, sequence] of byRow) {
    const atp = previous.get(key) ?? 0;
    if (sequence.some((level, index) => level.atp > (index ? sequence[index - 1].atp : atp))) rises.push({ locationId: sequence[0].locationId, sku: sequence[0].sku });
  }
  return rises;
}

export interface StockRise {
  locationId: string;
  sku: string;
}

const rowKey = ({ locationId, sku }: { locationId: string; sku: string }) => JSON.stringify([locationId, sku]);
