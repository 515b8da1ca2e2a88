import type { EntityManager } from '@mikro-orm/postgresql';
import { InventoryCommandTypes } from '@fil/contracts';
import type { IncomingMessage } from '@fil/messaging';
import { executeBound } from '@fil/persistence';

/**
 * Locks every stock row a batch of reservation commands will touch, in one
 * global order (location, then SKU), before any command runs. Two batches
 * handled at once (two partitions, or two inventory instances) then queue on
 * the first row they share instead of deadlocking halfway, which would throw
 * both batches back to the slow one-by-one path.
 */
export async function lockStockOfBatch(messages: IncomingMessage[], em: EntityManager): Promise<void> {
  const rows = new Set<string>();
  const reservationIds: string[] = [];
  for (const { type, value } of messages) {
    const command = value as { reservationId?: unknown; locationId?: unknown; lines?: unknown };
    if (type === InventoryCommandTypes.reserve && typeof command.locationId === 'string' && Array.isArray(command.lines)) {
      for (const line of command.lines as { sku?: unknown }[]) {
        if (typeof line?.sku === 'string') rows.add(JSON.stringify([command.locationId, line.sku]));
      }
    } else if (typeof command?.reservationId === 'string') {
      reservationIds.push(command.reservationId);
    }
  }
  await lockStockRows(em, rows, reservationIds);
}

/**
 * Locks the stock rows of the reservations in the same global order: the expiry sweep takes
 * them before the reservation, as a batch does, so the two never wait on each other in a cycle.
 */
export function lockStockOfReservations(em: EntityManager, reservationIds: string[]): Promise<void> {
  return lockStockRows(em, new Set(), reservationIds);
}

/** `rows` holds JSON `[locationId, sku]` pairs; the rows of `reservationIds` are added to them. */
async function lockStockRows(em: EntityManager, rows: Set<string>, reservationIds: string[]): Promise<void> {
  if (reservationIds.length) {
    const held = await executeBound<{ location_id: string; sku: string }>(
      em,
      `select r.location_id, line->>'sku' as sku
         from reservation r, jsonb_array_elements(r.lines) line
        where r.id in (select jsonb_array_elements_text(?::jsonb))`,
      [JSON.stringify(reservationIds)],
    );
    for (const row of held) rows.add(JSON.stringify([row.location_id, row.sku]));
  }
  if (!rows.size) return;
  await executeBound(
    em,
    `select 1 from stock
      where (location_id, sku) in (select value->>0, value->>1 from jsonb_array_elements(?::jsonb))
      order by location_id, sku
        for update`,
    [JSON.stringify([...rows].map((row) => JSON.parse(row)))],
  );
}
