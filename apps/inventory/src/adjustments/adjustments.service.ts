import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { StockAdjustmentDto } from '@fil/contracts';
import { InvalidMessage, type IncomingMessage } from '@fil/messaging';
import { Location } from '../locations/location.entity';
import { parseMessage } from '../parse-message';
import { StockService } from '../stock/stock.service';
import { Adjustment } from './adjustment.entity';

@Injectable()
export class AdjustmentsService {
  constructor(private readonly stock: StockService) {}

  /**
   * Applies a POS/WMS count (SET) or movement (DELTA) once per adjustmentId. The
   * message id dedupe is not enough: a sender may resend the same adjustment as a
   * new message.
   */
  async apply(message: IncomingMessage, em: EntityManager): Promise<void> {
    const adjustment = parseMessage(StockAdjustmentDto, message.value);
    if (await em.findOne(Adjustment, adjustment.adjustmentId)) return;
    if (!(await em.findOne(Location, adjustment.locationId))) {
      throw new InvalidMessage(`unknown location ${adjustment.locationId}`);
    }
    const stock = await this.stock.lockOrCreate(em, adjustment.locationId, adjustment.sku);
    const before = stock.onHand;
    const { clamped } = stock.adjust(adjustment.mode, adjustment.quantity);
    em.persist(new Adjustment(adjustment, before, stock.onHand, clamped));
    await this.stock.publishLevels(em, [stock]);
  }
}
