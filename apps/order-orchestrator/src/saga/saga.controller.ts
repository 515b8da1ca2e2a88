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
import { lockOrder } from '../orders/order-lock';
import type { Order } from '../orders/order.entity';
import { applyStockLevels, readStockLevel } from '../stock/stock-levels';
import { OrderAttention } from './attention';
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
    private readonly attention: OrderAttention,
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
    for (const rise of await applyStockLevels(em, levels)) await backordersDueFor(em, rise);
  }

  private async onInventoryEvent(message: IncomingMessage, em: EntityManager): Promise<void> {
    if (message.type === InventoryEventTypes.shortage) return this.shortages.stockShortage(em, parseMessage(StockShortage, message.value, 'stock shortage'));
    if (message.type === InventoryEventTypes.availability) {
      const report = parseMessage(AvailabilityReport, message.value, 'availability report');
      const answers = (order: Order) => order.givenUp().checks.some((check) => check.requestId === report.requestId);
      return this.answer(em, report.orderId, answers, `inventory answered ${report.requestId}`, () => this.reservations.availabilityReported(em, report));
    }
    const step = this.reservationStep(message.type);
    if (!step) return;
    const answer = outcome(message);
    const answers = (order: Order) => order.givenUp().parts.some((part) => part.reservationId === answer.reservationId && ['RESERVING', 'RELEASING'].includes(part.state));
    await this.answer(em, answer.orderId, answers, `inventory answered ${message.type} for ${answer.reservationId}`, () => step(em, answer));
  }

  private reservationStep(type: string | undefined): ((em: EntityManager, answer: ReservationOutcome) => Promise<void>) | undefined {
    switch (type) {
      case InventoryEventTypes.reserved:
        return (em, answer) => this.reservations.stockReserved(em, answer);
      case InventoryEventTypes.refused:
        return (em, answer) => this.reservations.stockReservationRefused(em, answer);
      case InventoryEventTypes.released:
        return (em, answer) => this.reservations.reservationSettled(em, answer, 'RELEASED');
      case InventoryEventTypes.committed:
        return (em, answer) => this.reservations.reservationSettled(em, answer, 'COMMITTED');
      case InventoryEventTypes.expired:
        return (em, answer) => this.reservations.reservationExpired(em, answer);
    }
  }

  private async onFulfillmentEvent(message: IncomingMessage, em: EntityManager): Promise<void> {
    if (!message.type || !FULFILLMENT_TYPES.has(message.type)) return;
    const event = parseMessage(FulfillmentEvent, message.value, 'fulfillment event');
    const refusal = message.type === FULFILLMENT_CANCEL_REFUSED ? (event.reason ?? 'cancel refused') : undefined;
    const answers = (order: Order) => order.gaveUpCreating(event.fulfillmentId) || order.givenUp().parts.some((part) => part.fulfillmentId === event.fulfillmentId);
    await this.answer(em, event.orderId, answers, `fulfillment answered ${message.type} for ${event.fulfillmentId}`, () => this.fulfillment.fulfillmentProgressed(em, event, refusal));
  }

  /** The answer's step; an answer to a step the saga had given up on may then take its order out of NEEDS_ATTENTION (attention.ts). */
  private async answer(em: EntityManager, orderId: string, answers: (order: Order) => boolean, what: string, step: () => Promise<void>): Promise<void> {
    const order = await lockOrder(em, orderId);
    const late = !!order?.attentionOnSilence && answers(order);
    await step();
    if (late) await this.attention.answeredAfterSilence(em, order!, what);
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
