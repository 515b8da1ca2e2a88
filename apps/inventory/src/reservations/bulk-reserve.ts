import type { EntityManager } from '@mikro-orm/postgresql';
import { SpanKind } from '@opentelemetry/api';
import {
  InventoryCommandTypes,
  InventoryEventTypes,
  ReserveStockDto,
  Topics,
  validateAs,
  type ReservationOutcome,
  type ShortLine,
  type StockLevel,
} from '@fil/contracts';
import type { IncomingMessage, OutgoingMessage } from '@fil/messaging';
import { currentTraceparent, inTrace } from '@fil/observability';
import { executeBound } from '@fil/persistence';
import { STOCK_LEVEL_CHANGED } from '../stock/stock.service';
import { stockAlert } from '../stock/stock-alerts';
import { availableToPromise } from '../stock/stock.entity';
import { holdDeadline, quantitiesBySku } from './reservation.entity';

interface StockRow {
  location_id: string;
  sku: string;
  on_hand: number;
  reserved: number;
  safety_stock: number;
  reorder_point: number | null;
  low: boolean;
}

interface ReservationRow {
  id: string;
  order_id: string;
  location_id: string;
  lines: { sku: string; quantity: number }[];
  status: 'HELD' | 'REFUSED';
  reason: string | null;
  short_lines: ShortLine[] | null;
  expires_at: string | null;
  traceparent: string | null;
}

/**
 * The hot path of a batch of `ReserveStock` commands in a handful of statements:
 * read the (already locked) stock rows once, decide every command in arrival order
 * in memory with the same all-or-nothing rule as one at a time, then write the
 * reservations, the new figures, the answers and one stock level per changed row
 * in bulk. The coalesced UPDATE is what lets one hot SKU take thousands of
 * reservations a second. It takes the batch's leading run of new, valid
 * ReserveStock commands; from the first message it cannot take (another type, an
 * invalid one, a reservation id already known or repeated) on, the rest is
 * returned for the per-message handler, so arrival order is kept.
 */
export async function reserveInBulk(
  messages: IncomingMessage[],
  em: EntityManager,
  publish: (em: EntityManager, messages: OutgoingMessage[]) => Promise<void>,
): Promise<IncomingMessage[]> {
  const commands: { message: IncomingMessage; command: ReserveStockDto }[] = [];
  const ids = new Set<string>();
  for (const message of messages) {
    const checked = message.type === InventoryCommandTypes.reserve ? validateAs(ReserveStockDto, message.value) : undefined;
    if (!checked?.ok || ids.has(checked.value.reservationId)) break;
    ids.add(checked.value.reservationId);
    commands.push({ message, command: checked.value });
  }
  if (!commands.length) return messages;

  const known = new Set(
    (await executeBound<{ id: string }>(em, 'select id from reservation where id in (select jsonb_array_elements_text(?::jsonb))', [JSON.stringify([...ids])])).map(
      (row) => row.id,
    ),
  );
  const firstKnown = commands.findIndex(({ command }) => known.has(command.reservationId));
  const fresh = firstKnown < 0 ? commands : commands.slice(0, firstKnown);
  const left = messages.slice(fresh.length);
  const locations = new Set(
    (
      await executeBound<{ id: string }>(em, 'select id from location where id in (select jsonb_array_elements_text(?::jsonb))', [
        JSON.stringify([...new Set(fresh.map(({ command }) => command.locationId))]),
      ])
    ).map((row) => row.id),
  );
  const pairs = fresh.flatMap(({ command }) => command.lines.map((line) => [command.locationId, line.sku]));
  const stock = new Map(
    (
      await executeBound<StockRow>(
        em,
        `select location_id, sku, on_hand, reserved, safety_stock, reorder_point, low from stock
          where (location_id, sku) in (select value->>0, value->>1 from jsonb_array_elements(?::jsonb))
          for update`,
        [JSON.stringify(pairs)],
      )
    ).map((row) => [`${row.location_id}:${row.sku}`, row]),
  );

  const reservations: ReservationRow[] = [];
  const outgoing: OutgoingMessage[] = [];
  const changed = new Map<string, { row: StockRow; traceparent?: string }>();
  for (const { message, command } of fresh) {
    await inTrace(
      `consume ${message.topic} ${message.type}`,
      message.traceparent,
      { 'messaging.system': 'kafka', 'messaging.destination.name': message.topic, 'messaging.message.id': message.id, 'fil.batch.size': fresh.length },
      async () => {
        const wanted = quantitiesBySku(command.lines);
        const shortLines: ShortLine[] = [];
        for (const [sku, quantity] of wanted) {
          const row = stock.get(`${command.locationId}:${sku}`);
          const atp = row ? availableToPromise(row.on_hand, row.reserved, row.safety_stock) : 0;
          if (quantity > atp) shortLines.push({ sku, requested: quantity, atp });
        }
        const reason = !locations.has(command.locationId) ? 'UNKNOWN_LOCATION' : shortLines.length ? 'INSUFFICIENT_STOCK' : null;
        const traceparent = currentTraceparent();
        if (!reason) {
          for (const [sku, quantity] of wanted) {
            const row = stock.get(`${command.locationId}:${sku}`)!;
            row.reserved += quantity;
            changed.set(`${command.locationId}:${sku}`, { row, traceparent });
          }
        }
        const lines = command.lines.map(({ sku, quantity }) => ({ sku, quantity }));
        reservations.push({
          id: command.reservationId,
          order_id: command.orderId,
          location_id: command.locationId,
          lines,
          status: reason ? 'REFUSED' : 'HELD',
          reason,
          short_lines: reason ? (reason === 'UNKNOWN_LOCATION' ? [] : shortLines) : null,
          expires_at: reason ? null : (holdDeadline(command)?.toISOString() ?? null),
          traceparent: traceparent ?? null,
        });
        const data: ReservationOutcome = { reservationId: command.reservationId, orderId: command.orderId, locationId: command.locationId, lines };
        const type = reason ? InventoryEventTypes.refused : InventoryEventTypes.reserved;
        outgoing.push({
          topic: Topics.inventoryEvents,
          key: command.orderId,
          type,
          data: reason ? { ...data, reason, shortLines: reason === 'UNKNOWN_LOCATION' ? [] : shortLines } : data,
          id: `${command.reservationId}:${type}`,
          traceparent,
        });
      },
      SpanKind.CONSUMER,
    );
  }

  if (reservations.length) {
    await executeBound(
      em,
      `insert into reservation (id, order_id, location_id, lines, status, reason, short_lines, expires_at, traceparent)
       select id, order_id, location_id, lines, status, reason, short_lines, expires_at, traceparent
         from jsonb_to_recordset(?::jsonb)
           as r(id text, order_id text, location_id text, lines jsonb, status text, reason text, short_lines jsonb, expires_at timestamptz, traceparent text)`,
      [JSON.stringify(reservations)],
    );
  }
  if (changed.size) {
    for (const { row, traceparent } of changed.values()) {
      const { low, message } = stockAlert(
        { locationId: row.location_id, sku: row.sku, onHand: row.on_hand, reserved: row.reserved, safetyStock: row.safety_stock, reorderPoint: row.reorder_point, low: row.low },
        traceparent,
      );
      row.low = low;
      if (message) outgoing.push(message);
    }
    const rows = [...changed.values()].map(({ row }) => row);
    await executeBound(
      em,
      `update stock s set reserved = v.reserved, low = v.low, updated_at = now()
         from jsonb_to_recordset(?::jsonb) as v(location_id text, sku text, reserved int, low boolean)
        where s.location_id = v.location_id and s.sku = v.sku`,
      [JSON.stringify(rows.map(({ location_id, sku, reserved, low }) => ({ location_id, sku, reserved, low })))],
    );
    for (const { row, traceparent } of changed.values()) {
      const level: StockLevel = {
        locationId: row.location_id,
        sku: row.sku,
        onHand: row.on_hand,
        reserved: row.reserved,
        safetyStock: row.safety_stock,
        atp: availableToPromise(row.on_hand, row.reserved, row.safety_stock),
      };
      outgoing.push({ topic: Topics.stockLevels, key: `${row.location_id}:${row.sku}`, type: STOCK_LEVEL_CHANGED, data: level, traceparent });
    }
  }
  await publish(em, outgoing);
  return left;
}
