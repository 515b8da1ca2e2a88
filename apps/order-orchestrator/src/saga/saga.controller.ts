import { Controller, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  AvailabilityReport,
  FULFILLMENT_CANCEL_REFUSED,
  FULFILLMENT_EVENT_TYPES,
  FulfillmentEvent,
  InventoryEventTypes,
  Refund,
  ReservationOutcome,
  StockShortage,
  Topics,
  type StockLevel,
} from '@fil/contracts';
import { InvalidMessage, MessageConsumer, parseMessage, type IncomingMessage } from '@fil/messaging';
import { applyStockLevels, readStockLevel } from '../stock/stock-levels';
import { backordersDueFor } from './backorder-due';
import { FulfillmentProgress } from './fulfillment-progress';
import { OrderBatches } from './order-batches';
import { Refunds } from './refunds';
import { ReservationAnswers } from './reservation-answers';
import { Shortages } from './shortages';

const outcome = (message: IncomingMessage) => parseMessage(ReservationOutcome, message.value, 'reservation outcome');

/** Every fulfillment status, and the refusal of a call-off that came too late. */
const FULFILLMENT_TYPES = new Set([...Object.values(FULFILLMENT_EVENT_TYPES), FULFILLMENT_CANCEL_REFUSED]);

/** Kafka entry points for the answers that drive the saga (order-saga.ts lists its steps); types the saga does not wait for are ignored. */
@Controller()
export class SagaController implements OnModuleInit {
  constructor(
    private readonly consumer: MessageConsumer,
    private readonly reservations: ReservationAnswers,
    private readonly shortages: Shortages,
    private readonly fulfillment: FulfillmentProgress,
    private readonly refunds: Refunds,
    private readonly batches: OrderBatches,
  ) {}

  onModuleInit() {
    this.consumer.on(Topics.inventoryEvents, (message, em) => this.onInventoryEvent(message, em), this.batches.options);
    this.consumer.on(Topics.fulfillmentEvents, (message, em) => this.onFulfillmentEvent(message, em), this.batches.options);
    this.consumer.on(Topics.refunds, (message, em) => this.refunds.refunded(em, parseMessage(Refund, message.value, 'refund')), this.batches.options);
    this.consumer.on(Topics.stockLevels, (message, em) => this.stockChanged(em, [readStockLevel(message)]), {
      // An unreadable level is left to the handler above, which sends it to the DLQ with the reason.
      handleBatch: async (messages, em) => {
        const read = messages.map((message) => ({ message, level: readableLevel(message) }));
        await this.stockChanged(em, read.flatMap(({ level }) => level ?? []));
        return read.filter(({ level }) => !level).map(({ message }) => message);
      },
    });
  }

  /** Levels applied to the view; each SKU that rose somewhere may serve the orders waiting for it. */
  private async stockChanged(em: EntityManager, levels: StockLevel[]): Promise<void> {
    for (const sku of await applyStockLevels(em, levels)) await backordersDueFor(em, sku);
  }

  private async onInventoryEvent(message: IncomingMessage, em: EntityManager): Promise<void> {
    switch (message.type) {
      case InventoryEventTypes.reserved:
        return this.reservations.stockReserved(em, outcome(message));
      case InventoryEventTypes.refused:
        return this.reservations.stockReservationRefused(em, outcome(message));
      case InventoryEventTypes.released:
        return this.reservations.reservationSettled(em, outcome(message), 'RELEASED');
      case InventoryEventTypes.committed:
        return this.reservations.reservationSettled(em, outcome(message), 'COMMITTED');
      case InventoryEventTypes.expired:
        return this.reservations.reservationExpired(em, outcome(message));
      case InventoryEventTypes.shortage:
        return this.shortages.stockShortage(em, parseMessage(StockShortage, message.value, 'stock shortage'));
      case InventoryEventTypes.availability:
        return this.reservations.availabilityReported(em, parseMessage(AvailabilityReport, message.value, 'availability report'));
    }
  }

  private async onFulfillmentEvent(message: IncomingMessage, em: EntityManager): Promise<void> {
    if (!message.type || !FULFILLMENT_TYPES.has(message.type)) return;
    const event = parseMessage(FulfillmentEvent, message.value, 'fulfillment event');
    await this.fulfillment.fulfillmentProgressed(em, event, message.type === FULFILLMENT_CANCEL_REFUSED ? (event.reason ?? 'cancel refused') : undefined);
  }
}

function readableLevel(message: IncomingMessage): StockLevel | undefined {
  try {
    return readStockLevel(message);
  } catch (error) {
    if (error instanceof InvalidMessage) return undefined;
    throw error;
  }
}
