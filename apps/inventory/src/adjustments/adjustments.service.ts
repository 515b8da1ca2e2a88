import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InventoryEventTypes, MAX_STOCK_UNITS, StockAdjustmentDto, Topics, type StockShortage } from '@fil/contracts';
import { InvalidMessage, Outbox, parseMessage, type IncomingMessage } from '@fil/messaging';
import type { Stock } from '../stock/stock.entity';
import { Location } from '../locations/location.entity';
import { StockService } from '../stock/stock.service';
import { Adjustment } from './adjustment.entity';

/** At most 500 entries of bounded ids (200 + 100 characters) keep a StockShortage far under the 512 KiB message bound. */
const RESERVATIONS_PER_SHORTAGE = 500;

@Injectable()
export class AdjustmentsService {
  constructor(
    private readonly stock: StockService,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Applies a POS/WMS count (SET) or movement (DELTA) once per adjustmentId. The
   * message id dedupe is not enough: a sender may resend the same adjustment as a
   * new message.
   */
  apply(message: IncomingMessage, em: EntityManager): Promise<void> {
    return this.record(em, parseMessage(StockAdjustmentDto, message.value));
  }

  /**
   * Applies a change of on-hand once per adjustmentId, and names the reservations it leaves
   * short. The same id with other content is not a resend but a sender's mistake: refused (DLQ).
   */
  async record(em: EntityManager, adjustment: StockAdjustmentDto): Promise<void> {
    const applied = await em.findOne(Adjustment, adjustment.adjustmentId);
    if (applied && !applied.sameAs(adjustment)) {
      throw new InvalidMessage(`adjustmentId ${adjustment.adjustmentId} was already applied as ${applied.describe()}; this one, ${new Adjustment(adjustment, 0, 0, false).describe()}, is not applied`);
    }
    if (applied) return;
    if (!(await em.findOne(Location, adjustment.locationId))) {
      throw new InvalidMessage(`unknown location ${adjustment.locationId}`);
    }
    const stock = await this.stock.lockOrCreate(em, adjustment.locationId, adjustment.sku);
    const before = stock.onHand;
    // Each quantity is bounded by the contract; a run of movements could still pass the bound.
    if (adjustment.mode === 'DELTA' && before + adjustment.quantity > MAX_STOCK_UNITS) {
      const key = `${adjustment.locationId}:${adjustment.sku}`;
      throw new InvalidMessage(`quantity: DELTA ${adjustment.quantity} would take onHand of ${key} to ${before + adjustment.quantity}, above ${MAX_STOCK_UNITS}`);
    }
    const { clamped } = stock.adjust(adjustment.mode, adjustment.quantity);
    em.persist(new Adjustment(adjustment, before, stock.onHand, clamped));
    await this.stock.publishLevels(em, [stock]);
    await this.reportShortage(em, adjustment.adjustmentId, stock, before);
  }

  /** When fewer units are on hand than before and than reserved: names the reservations the shelf can no longer honour, newest first, until the shortfall is covered. */
  async reportShortage(em: EntityManager, adjustmentId: string, stock: Stock, onHandBefore: number): Promise<void> {
    if (stock.onHand >= onHandBefore || stock.onHand >= stock.reserved) return;
    const shortBy = stock.reserved - stock.onHand;
    const held = await em.execute<{ id: string; order_id: string; quantity: number }[]>(
      `select r.id, r.order_id, sum((line->>'quantity')::int)::int as quantity
         from reservation r, jsonb_array_elements(r.lines) line
        where r.location_id = ? and r.status = 'HELD' and line->>'sku' = ?
        group by r.id, r.order_id, r.created_at
        order by r.created_at desc, r.id desc`,
      [stock.locationId, stock.sku],
    );
    const reservations: StockShortage['reservations'] = [];
    let covered = 0;
    for (const row of held) {
      if (covered >= shortBy) break;
      reservations.push({ reservationId: row.id, orderId: row.order_id, quantity: row.quantity });
      covered += row.quantity;
    }
    const figures = { locationId: stock.locationId, sku: stock.sku, onHand: stock.onHand, reserved: stock.reserved, shortBy, adjustmentId };
    // Thousands of short reservations would not fit one message, and the count would be refused with it.
    for (let from = 0, part = 0; from < reservations.length; from += RESERVATIONS_PER_SHORTAGE, part += 1) {
      const shortage: StockShortage = { ...figures, reservations: reservations.slice(from, from + RESERVATIONS_PER_SHORTAGE) };
      await this.outbox.add(em, {
        topic: Topics.inventoryEvents,
        key: `${stock.locationId}:${stock.sku}`,
        type: InventoryEventTypes.shortage,
        data: shortage,
        id: part ? `shortage:${adjustmentId}:${part + 1}` : `shortage:${adjustmentId}`,
      });
    }
  }
}
