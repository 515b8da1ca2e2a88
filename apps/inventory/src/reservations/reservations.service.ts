import { Injectable, Logger } from '@nestjs/common';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CheckAvailabilityDto, InventoryCommandTypes, ReportShortPickDto, ReservationRefDto, ReserveStockDto, Topics, type ShortLine } from '@fil/contracts';
import { InvalidMessage, Outbox, parseMessage, type IncomingMessage } from '@fil/messaging';
import { currentTraceparent, inTrace } from '@fil/observability';
import { Adjustment } from '../adjustments/adjustment.entity';
import { AdjustmentsService } from '../adjustments/adjustments.service';
import { Location } from '../locations/location.entity';
import { Stock } from '../stock/stock.entity';
import { StockService } from '../stock/stock.service';
import { lockStockOfReservations } from './batch-locks';
import { COLLECTED_AFTER_EXPIRY, holdDeadline, quantitiesBySku, Reservation } from './reservation.entity';

/**
 * Reserve, release and commit. The consumer runs several commands in one
 * transaction, so a refusal is an answer, never an exception: throwing would
 * roll back the other commands of the batch.
 */
@Injectable()
export class ReservationsService {
  private readonly logger = new Logger(ReservationsService.name);

  constructor(
    private readonly stock: StockService,
    private readonly outbox: Outbox,
    private readonly adjustments: AdjustmentsService,
  ) {}

  handleCommand(message: IncomingMessage, em: EntityManager): Promise<void> {
    switch (message.type) {
      case InventoryCommandTypes.reserve:
        return this.reserve(parseMessage(ReserveStockDto, message.value), em);
      case InventoryCommandTypes.release:
        return this.release(parseMessage(ReservationRefDto, message.value), em);
      case InventoryCommandTypes.commit:
        return this.commit(parseMessage(ReservationRefDto, message.value), em);
      case InventoryCommandTypes.shortPick:
        return this.shortPicked(parseMessage(ReportShortPickDto, message.value), em);
      case InventoryCommandTypes.checkAvailability:
        return this.stock.reportAvailability(parseMessage(CheckAvailabilityDto, message.value), em);
      case undefined:
        // This topic carries several commands: without ce_type there is no telling which.
        throw new InvalidMessage(`ce_type header missing: expected one of ${Object.values(InventoryCommandTypes).join(', ')}`);
      default:
        // Not lost: dead-lettered, it may be redriven once inventory knows the command.
        throw new InvalidMessage(`unknown command type ${message.type}: expected one of ${Object.values(InventoryCommandTypes).join(', ')}`);
    }
  }

  /** Holds every line at the location, or nothing; a known reservationId gets its current outcome again. */
  async reserve(command: ReserveStockDto, em: EntityManager): Promise<void> {
    let reservation = await em.findOne(Reservation, command.reservationId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!reservation) {
      reservation = (await em.findOne(Location, command.locationId))
        ? await this.hold(command, em)
        : Reservation.refused(command, 'UNKNOWN_LOCATION', []);
      em.persist(reservation);
      await em.flush();
    }
    await this.answer(reservation, em);
  }

  async release(ref: ReservationRefDto, em: EntityManager): Promise<void> {
    const reservation = await this.find(ref, em);
    if (reservation.release()) {
      const stocks = await this.lockHeld(reservation, em);
      for (const [stock, quantity] of stocks) stock.release(quantity);
      await this.stock.publishLevels(em, stocks.map(([stock]) => stock));
    }
    await this.answer(reservation, em);
  }

  async commit(ref: ReservationRefDto, em: EntityManager): Promise<void> {
    const reservation = await this.find(ref, em);
    const effect = reservation.commit();
    if (effect === 'CONSUME') {
      const stocks = await this.lockHeld(reservation, em);
      for (const [stock, quantity] of stocks) {
        const uncounted = stock.consume(quantity);
        // The goods left all the same: the count was short, or units went missing after the pick. Someone should count again.
        if (uncounted) this.logger.warn(`${quantity} units of reservation ${reservation.id} left ${stock.locationId}:${stock.sku}, ${uncounted} more than its on-hand (a count since found fewer): on-hand floored at 0; count it again`);
      }
      await this.stock.publishLevels(em, stocks.map(([stock]) => stock));
    } else if (effect === 'TAKE_AGAIN') {
      await this.takeAgain(reservation, em);
    }
    await this.answer(reservation, em);
  }

  /**
   * The expiry gave the units back before the commit of a collect arrived: they left the store
   * all the same, so on-hand drops by them, recorded as an adjustment that names the
   * reservations now short (StockShortage) if the units were promised again meanwhile.
   */
  private async takeAgain(reservation: Reservation, em: EntityManager): Promise<void> {
    for (const [sku, quantity] of reservation.quantitiesBySku()) {
      await this.adjustments.record(em, {
        adjustmentId: `${reservation.id}:${sku}:${COLLECTED_AFTER_EXPIRY}`,
        locationId: reservation.locationId,
        sku,
        mode: 'DELTA',
        quantity: -quantity,
        reason: `COLLECTED_AFTER_EXPIRY (${reservation.id})`,
      });
    }
  }

  /**
   * Staff could not pick some units (not there, or damaged): they leave the location's
   * on-hand and, while the reservation holds them, the reservation too, so ATP is right
   * and the rest of the reservation can still be committed. Each line is an adjustment
   * whose id makes a repeated report change nothing.
   */
  async shortPicked(report: ReportShortPickDto, em: EntityManager): Promise<void> {
    // Each line's adjustment id names its SKU: a second line of one SKU would be skipped as a repeat.
    const twice = report.lines.find(({ sku }, index) => report.lines.findIndex((line) => line.sku === sku) !== index);
    if (twice) throw new InvalidMessage(`lines: ${twice.sku} is listed twice: one line per SKU`);
    const reservation = await this.find(report, em);
    if (reservation.locationId !== report.locationId) {
      throw new InvalidMessage(`reservation ${reservation.id} is at ${reservation.locationId}, not ${report.locationId}`);
    }
    const changed: { stock: Stock; before: number; adjustmentId: string }[] = [];
    for (const { sku, missing, reason } of [...report.lines].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0))) {
      const adjustmentId = `${report.fulfillmentId}:${sku}:short`;
      if (await em.findOne(Adjustment, adjustmentId)) continue;
      const stock = await this.stock.lockOrCreate(em, report.locationId, sku);
      const before = stock.onHand;
      const held = reservation.status === 'HELD' ? reservation.removeUnits(sku, missing) : 0;
      if (held) stock.release(held);
      const { clamped } = stock.adjust('DELTA', -missing);
      em.persist(
        new Adjustment({ adjustmentId, locationId: report.locationId, sku, mode: 'DELTA', quantity: -missing, reason: `SHORT_PICK:${reason} (${report.fulfillmentId})` }, before, stock.onHand, clamped),
      );
      changed.push({ stock, before, adjustmentId });
    }
    if (changed.length) await this.stock.publishLevels(em, changed.map(({ stock }) => stock));
    // A reservation that no longer held the units (released, expired) leaves others short of them.
    for (const { stock, before, adjustmentId } of changed) await this.adjustments.reportShortage(em, adjustmentId, stock, before);
  }

  private async hold(command: ReserveStockDto, em: EntityManager): Promise<Reservation> {
    const wanted: [Stock | null, number][] = [];
    const shortLines: ShortLine[] = [];
    for (const [sku, quantity] of quantitiesBySku(command.lines)) {
      // Locked in SKU order: two reservations on the same SKUs never wait on each other in a cycle.
      const stock = await this.stock.lock(em, command.locationId, sku);
      const atp = stock?.atp ?? 0;
      if (quantity > atp) shortLines.push({ sku, requested: quantity, atp });
      wanted.push([stock, quantity]);
    }
    if (shortLines.length) return Reservation.refused(command, 'INSUFFICIENT_STOCK', shortLines);
    for (const [stock, quantity] of wanted) stock!.reserve(quantity);
    await this.stock.publishLevels(em, wanted.map(([stock]) => stock!));
    return Reservation.held(command, holdDeadline(command), currentTraceparent());
  }

  /**
   * Releases one reservation still HELD `graceMs` past its deadline; false when it is not (or
   * another instance has it). Stock rows are locked first, in a batch's order, then the
   * reservation with SKIP LOCKED: a command batch holding it is left alone.
   */
  async expireIfDue(id: string, graceMs: number, em: EntityManager): Promise<boolean> {
    await lockStockOfReservations(em, [id]);
    const [locked] = await em.execute<{ id: string }[]>('select id from reservation where id = ? for update skip locked', [id]);
    const reservation = locked && (await em.findOneOrFail(Reservation, id));
    if (!reservation || !reservation.expire(new Date(), graceMs)) return false;
    // In the trace of the command that made it: the expiry and what it publishes join the order's journey.
    await inTrace('inventory.reservation.expire', reservation.traceparent ?? undefined, { 'fil.order.id': reservation.orderId, 'fil.reservation.id': reservation.id }, async () => {
      const stocks = await this.lockHeld(reservation, em);
      for (const [stock, quantity] of stocks) stock.release(quantity);
      await this.stock.publishLevels(em, stocks.map(([stock]) => stock));
      await this.answer(reservation, em);
    });
    return true;
  }

  private async lockHeld(reservation: Reservation, em: EntityManager): Promise<[Stock, number][]> {
    const stocks: [Stock, number][] = [];
    for (const [sku, quantity] of reservation.quantitiesBySku()) {
      const stock = await this.stock.lock(em, reservation.locationId, sku);
      // Stock rows are never deleted, so a held reservation always finds its rows.
      if (!stock) throw new Error(`stock row ${reservation.locationId}:${sku} of reservation ${reservation.id} is missing`);
      stocks.push([stock, quantity]);
    }
    return stocks;
  }

  private async find(ref: { reservationId: string; orderId: string }, em: EntityManager): Promise<Reservation> {
    const reservation = await em.findOne(Reservation, ref.reservationId, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!reservation) throw new InvalidMessage(`unknown reservation ${ref.reservationId}`);
    if (reservation.orderId !== ref.orderId) {
      throw new InvalidMessage(`reservation ${ref.reservationId} belongs to order ${reservation.orderId}, not ${ref.orderId}`);
    }
    return reservation;
  }

  /** The id is derived from the outcome, so an answer repeated for a redelivered command is deduped downstream. */
  private async answer(reservation: Reservation, em: EntityManager): Promise<void> {
    await em.flush();
    const { type, data } = reservation.outcome();
    await this.outbox.add(em, { topic: Topics.inventoryEvents, key: reservation.orderId, type, data, id: `${reservation.id}:${type}` });
  }
}
