import { ForbiddenException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { mayActAt, type Principal } from '@fil/auth';
import { LockMode } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { CancelFulfillmentDto, CreateFulfillment, FULFILLMENT_CANCEL_REFUSED, FULFILLMENT_EVENT_TYPES, FulfillmentCommandTypes, InventoryCommandTypes, Topics, type FulfillmentStatus, type ReportShortPickDto, type ReservationRefDto, type StockAdjustmentDto } from '@fil/contracts';
import { InvalidMessage, Outbox, parseMessage, type HandlerOptions, type IncomingMessage } from '@fil/messaging';
import { inTrace } from '@fil/observability';
import type { ListFulfillmentsQuery } from './dto/list-fulfillments.query';
import { createInBulk } from './bulk-create';
import { notReadyBecause, shortAtCounter } from './counter-goods';
import { Fulfillment, FulfillmentStepRefused, type PickedLine } from './fulfillment.entity';

export type FulfillmentStep = 'pick' | 'pack' | 'ship' | 'deliver' | 'receive' | 'ready' | 'collect';

/** Work still to do at the location: the pick list. */
const OPEN_STATUSES: FulfillmentStatus[] = ['CREATED', 'PICKED', 'PACKED', 'READY_FOR_PICKUP'];

/** A transfer's life at its destination store: on its way there, then received. */
const ARRIVING: FulfillmentStatus[] = ['IN_TRANSIT', 'RECEIVED'];

/** A transfer neither received at its store nor called off. */
const onItsWay = ({ status }: Fulfillment): boolean => !['RECEIVED', 'CANCELLED'].includes(status);
/** Transfers not received yet (nor called off), named with their status. */
const onTheirWay = (transfers: Fulfillment[]): string[] => transfers.filter(onItsWay).map((transfer) => `${transfer.id} (${transfer.status})`);

/** What staff and clients see of a fulfillment (PRODUCT.md). */
export type FulfillmentView = ReturnType<typeof toView>;

@Injectable()
export class FulfillmentsService {
  private readonly logger = new Logger(FulfillmentsService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly outbox: Outbox,
  ) {}

  /** A batch's leading CreateFulfillment commands are written together (bulk-create.ts), what follows them one by one. */
  readonly commandBatch: HandlerOptions = { handleBatch: (messages, em) => createInBulk(messages, em, (tx, fulfillment) => this.announce(tx, fulfillment)) };

  /** Commands from the orchestrator; one of another or no type is dead-lettered, so that it may be redriven once fulfillment knows it. */
  async handleCommand(message: IncomingMessage, em: EntityManager): Promise<void> {
    const expected = `expected ${Object.values(FulfillmentCommandTypes).join(' or ')}`;
    if (message.type === FulfillmentCommandTypes.create) await this.create(message, em);
    else if (message.type === FulfillmentCommandTypes.cancel) await this.cancel(message, em);
    else throw new InvalidMessage(message.type === undefined ? `ce_type header missing: ${expected}` : `unknown command type ${message.type}: ${expected}`);
  }

  /** Oldest first; staff see their own locations only (naming another one is a 403). */
  async list(query: ListFulfillmentsQuery, staff: Principal): Promise<FulfillmentView[]> {
    if (query.locationId && !mayActAt(staff, query.locationId)) throw new ForbiddenException("this token may not see that location's work");
    const statuses = query.open === 'true' ? OPEN_STATUSES : query.status?.split(',');
    const where = {
      ...(query.orderId ? { orderId: query.orderId } : {}),
      ...(statuses ? { status: { $in: statuses as FulfillmentStatus[] } } : {}),
      ...(query.locationId
        ? { $or: [{ locationId: query.locationId }, { destinationLocationId: query.locationId, status: { $in: ARRIVING } }] }
        : staff.role !== 'staff'
          ? {}
          : { $or: [{ locationId: { $in: staff.locations! } }, { destinationLocationId: { $in: staff.locations! } }] }),
    };
    const found = await this.em.fork().find(Fulfillment, where, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return found.map(toView);
  }

  /** Another location's fulfillment is answered as unknown: staff learn nothing of other locations. */
  async get(id: string, staff: Principal): Promise<FulfillmentView> {
    const fulfillment = await this.em.fork().findOne(Fulfillment, { id });
    if (!fulfillment || !mayActAt(staff, fulfillment.locationId, fulfillment.destinationLocationId)) throw notFound(id);
    return toView(fulfillment);
  }

  /**
   * Runs one staff step in the order's trace, in one transaction with its event.
   * The row is locked so that two clicks on the same step are applied one after
   * the other: the second sees the first's result and changes nothing.
   */
  async step(
    id: string,
    step: FulfillmentStep,
    staff: Principal,
    apply: (fulfillment: Fulfillment, em: EntityManager) => boolean | Promise<boolean>,
  ): Promise<FulfillmentView> {
    const traceparent = await this.traceparentOf(id);
    return inTrace(`fulfillment.${step}`, traceparent, { 'fil.fulfillment.id': id }, () =>
      this.em.fork().transactional(async (em) => {
        const fulfillment = await em.findOne(Fulfillment, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        // A transfer is received by the store it travels to; every other step, and a receive the kind refuses, is the location's own.
        const actsAt = step === 'receive' && fulfillment?.kind === 'TRANSFER' ? fulfillment.destinationLocationId : fulfillment?.locationId;
        if (!fulfillment || !mayActAt(staff, actsAt)) throw notFound(id);
        if (await apply(fulfillment, em)) await this.announce(em, fulfillment);
        return toView(fulfillment);
      }),
    );
  }

  /**
   * Picked, in full or short: units found missing are reported to inventory, in the same
   * transaction. At a counter only the store's own units are its stock: those its transfers
   * bring are not, so the missing units count against its own part first and no further.
   */
  async pick(id: string, staff: Principal, lines: PickedLine[]): Promise<FulfillmentView> {
    return this.step(id, 'pick', staff, async (fulfillment, em) => {
      if (!fulfillment.pick(lines)) return false;
      let missing = fulfillment.shortLines;
      if (fulfillment.kind === 'PICKUP') {
        const short = shortAtCounter(fulfillment, await this.transfersTo(em, fulfillment.orderId, fulfillment.locationId));
        missing = short.own;
        fulfillment.lostFromTransfers = short.lostFromTransfers;
      }
      if (missing.length && fulfillment.reservationId) {
        const report: ReportShortPickDto = {
          reservationId: fulfillment.reservationId,
          orderId: fulfillment.orderId,
          fulfillmentId: fulfillment.id,
          locationId: fulfillment.locationId,
          lines: missing,
        };
        await this.outbox.add(em, {
          topic: Topics.inventoryCommands,
          key: fulfillment.orderId,
          type: InventoryCommandTypes.shortPick,
          data: report,
          id: `${fulfillment.id}:${InventoryCommandTypes.shortPick}`,
        });
      }
      return true;
    });
  }

  /**
   * The hand-over is the moment of truth for the deadline: an accepted collect tells inventory
   * itself, in the same transaction, to consume the reservation, so the stock is right even if
   * the reservation expires before the command arrives or the order has moved on.
   */
  async collect(id: string, staff: Principal): Promise<FulfillmentView> {
    return this.step(id, 'collect', staff, async (fulfillment, em) => {
      // The customer is at the counter: one nobody marked ready is handed over when it could be, announced ready first.
      if (fulfillment.kind === 'PICKUP' && ['CREATED', 'PICKED'].includes(fulfillment.status)) {
        const transfers = await this.transfersTo(em, fulfillment.orderId, fulfillment.locationId);
        if (fulfillment.ready(onTheirWay(transfers), transfers, new Date(), 'collect')) await this.announce(em, fulfillment);
      }
      if (!fulfillment.collect()) return false;
      if (fulfillment.reservationId) {
        const ref: ReservationRefDto = { reservationId: fulfillment.reservationId, orderId: fulfillment.orderId };
        await this.outbox.add(em, { topic: Topics.inventoryCommands, key: fulfillment.orderId, type: InventoryCommandTypes.commit, data: ref, id: `${fulfillment.id}:${InventoryCommandTypes.commit}` });
      }
      return true;
    });
  }

  /** The counter is ready only when every transfer of the order to this store has been received, and brought what its pick lacked. */
  async ready(id: string, staff: Principal): Promise<FulfillmentView> {
    return this.step(id, 'ready', staff, async (counter, em) => {
      const transfers = await this.transfersTo(em, counter.orderId, counter.locationId);
      return counter.ready(onTheirWay(transfers), transfers);
    });
  }

  /**
   * A transfer arrived. For a counter called off with its order given up, its units go into the
   * store's stock. The last one to a counter with no part of the store's own (nothing for
   * its staff to gather) makes that counter ready once the transfers received bring every unit it
   * hands over: a part re-routed after a short pick has no transfer yet while its order is routed.
   */
  async receive(id: string, staff: Principal): Promise<FulfillmentView> {
    return this.step(id, 'receive', staff, async (transfer, em) => {
      if (!transfer.receive()) return false;
      // Announced here, so that the counter's readiness follows its last transfer's arrival.
      await this.announce(em, transfer);
      const counters = await this.countersOf(em, transfer.orderId, transfer.destinationLocationId);
      const calledOff = counters.some((counter) => counter.status === 'CANCELLED' && counter.transfersBackInStock);
      if (calledOff || (transfer.transfersBackInStock && !counters.some((counter) => counter.status !== 'CANCELLED'))) {
        await this.countInAtTheStore(em, [transfer], counters);
        return false;
      }
      const counter = counters.find(({ status, reservationId }) => ['CREATED', 'PICKED'].includes(status) && !reservationId);
      if (!counter) return false;
      const transfers = await this.transfersTo(em, counter.orderId, counter.locationId);
      if (!notReadyBecause(counter, onTheirWay(transfers), transfers) && counter.ready([], transfers)) await this.announce(em, counter);
      return false;
    });
  }

  /**
   * The counters a transfer brings goods to, locked before their status is read: a call-off or a
   * collect committing meanwhile is seen, and decides whether the transfer's units go into the store's stock.
   */
  private countersOf(em: EntityManager, orderId: string, storeId: string | undefined): Promise<Fulfillment[]> {
    return em.find(Fulfillment, { orderId, kind: 'PICKUP', locationId: storeId }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } });
  }

  // Statuses are read from the entities, not filtered in SQL: a transfer received in this transaction is not flushed yet.
  private transfersTo(em: EntityManager, orderId: string, storeId: string): Promise<Fulfillment[]> {
    return em.find(Fulfillment, { orderId, kind: 'TRANSFER', destinationLocationId: storeId }, { orderBy: { id: 'asc' } });
  }

  private async create(message: IncomingMessage, em: EntityManager): Promise<void> {
    const command = parseMessage(CreateFulfillment, message.value, 'CreateFulfillment');
    // The orchestrator may resend a command under a new message id: the fulfillmentId decides.
    if (await this.locked(em, command.fulfillmentId)) return;
    const fulfillment = new Fulfillment(command, message.traceparent);
    em.persist(fulfillment);
    await this.announce(em, fulfillment);
  }

  private async cancel(message: IncomingMessage, em: EntityManager): Promise<void> {
    const { fulfillmentId, reason, transfersBackInStock } = parseMessage(CancelFulfillmentDto, message.value, 'CancelFulfillment');
    const fulfillment = await this.locked(em, fulfillmentId);
    // Commands of one order share a partition, so an unknown id means its CreateFulfillment was never accepted.
    if (!fulfillment) throw new InvalidMessage(`cannot cancel fulfillment ${fulfillmentId}: it does not exist`);
    try {
      if (!fulfillment.cancel(reason)) return;
      await this.announce(em, fulfillment);
      if (transfersBackInStock && fulfillment.kind === 'PICKUP') {
        fulfillment.transfersBackInStock = true;
        const received = (await this.transfersTo(em, fulfillment.orderId, fulfillment.locationId)).filter(({ status }) => status === 'RECEIVED');
        await this.countInAtTheStore(em, received, await this.countersOf(em, fulfillment.orderId, fulfillment.locationId));
      }
    } catch (error) {
      if (!(error instanceof FulfillmentStepRefused)) throw error;
      if (transfersBackInStock && fulfillment.kind === 'TRANSFER' && !fulfillment.transfersBackInStock) {
        // It left before the call-off: its units go into the pickup store's stock, now if they are there, else when received.
        // An open counter's own call-off counts them in, or its collect handed them over: this one does not.
        fulfillment.transfersBackInStock = true;
        const counters = await this.countersOf(em, fulfillment.orderId, fulfillment.destinationLocationId);
        if (fulfillment.status === 'RECEIVED' && counters.every((counter) => counter.status === 'CANCELLED')) await this.countInAtTheStore(em, [fulfillment], counters);
      }
      // Too late (the goods left): a named answer, so the orchestrator keeps the stock committed, not released.
      this.logger.warn(error.message);
      await this.outbox.add(em, {
        topic: Topics.fulfillmentEvents,
        key: fulfillment.orderId,
        type: FULFILLMENT_CANCEL_REFUSED,
        data: { ...fulfillment.toEvent(), reason: error.message },
        id: `${fulfillment.id}:${FULFILLMENT_CANCEL_REFUSED}:${fulfillment.status}`,
      });
    }
  }

  /**
   * Transfers received for a counter called off: their units are at the store, out of any stock
   * (their origin's was taken out when they left), so they are counted in there, once per transfer
   * and SKU, but for those the counters' picks found missing.
   */
  private async countInAtTheStore(em: EntityManager, received: Fulfillment[], counters: Fulfillment[]): Promise<void> {
    const lost = (transfer: Fulfillment, sku: string) =>
      counters.flatMap((counter) => counter.lostFromTransfers).reduce((sum, line) => sum + (line.transferId === transfer.id && line.sku === sku ? line.missing : 0), 0);
    const adjustments = received.flatMap((transfer) =>
      transfer.lines
        .map(({ sku, picked }) => ({ sku, quantity: picked - lost(transfer, sku) }))
        .filter(({ quantity }) => quantity > 0)
        .map(({ sku, quantity }): StockAdjustmentDto => ({ adjustmentId: `transfer-back-${sku}:${transfer.id}`, locationId: transfer.destinationLocationId!, sku, mode: 'DELTA', quantity, reason: 'TRANSFER_NOT_COLLECTED' })),
    );
    for (const adjustment of adjustments) {
      await this.outbox.add(em, { topic: Topics.inventoryAdjustments, key: `${adjustment.locationId}:${adjustment.sku}`, type: 'StockAdjustment', data: adjustment, id: adjustment.adjustmentId });
    }
  }

  private locked(em: EntityManager, id: string): Promise<Fulfillment | null> {
    return em.findOne(Fulfillment, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  private announce(em: EntityManager, fulfillment: Fulfillment): Promise<void> {
    return this.outbox.add(em, {
      topic: Topics.fulfillmentEvents,
      key: fulfillment.orderId,
      type: FULFILLMENT_EVENT_TYPES[fulfillment.status],
      data: fulfillment.toEvent(),
      // One event per status reached: a replayed step cannot announce it twice.
      id: `${fulfillment.id}:${fulfillment.status}`,
    });
  }

  private async traceparentOf(id: string): Promise<string | undefined> {
    const found = await this.em.fork().findOne(Fulfillment, { id }, { fields: ['traceparent'] });
    if (!found) throw notFound(id);
    return found.traceparent ?? undefined;
  }
}

const notFound = (id: string) => new NotFoundException(`fulfillment ${id} not found`);

function toView(fulfillment: Fulfillment) {
  return {
    id: fulfillment.id,
    orderId: fulfillment.orderId,
    locationId: fulfillment.locationId,
    kind: fulfillment.kind,
    status: fulfillment.status,
    reservationId: fulfillment.reservationId ?? null,
    lines: fulfillment.lines,
    shortLines: fulfillment.shortLines,
    parcels: fulfillment.parcels,
    destinationLocationId: fulfillment.destinationLocationId ?? null,
    expiresAt: fulfillment.expiresAt?.toISOString() ?? null,
    carrier: fulfillment.carrier ?? null,
    trackingNumber: fulfillment.trackingNumber ?? null,
    history: fulfillment.history,
    createdAt: fulfillment.createdAt.toISOString(),
    updatedAt: fulfillment.updatedAt.toISOString(),
  };
}
