import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import type { AllocationLine, OrderResumption } from '@fil/contracts';
import type { Principal } from '@fil/auth';
import { inTrace } from '@fil/observability';
import { loadOrderView, type OrderView } from '../orders/dto/order.view';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import { lockOrder } from '../orders/order-lock';
import { Order, OrderTransitionRefused, type OrderAllocation } from '../orders/order.entity';
import { mergeBySku } from '../routing/route-order';
import { Allocator, unitsOf } from './allocator';
import { describe } from './describe';
import { FulfillmentProgress } from './fulfillment-progress';
import { ReservationAnswers } from './reservation-answers';
import { SagaCommands } from './saga-commands';
import { Settlement } from './settlement';

/** An action that does not apply to the order as it stands: a 409 with this reason. */
type Refusal = string;

const where = (part: OrderAllocation) => `${part.reservationId} at ${part.locationId}`;

/**
 * What a person does about an order in NEEDS_ATTENTION, besides cancelling it (cancellation.ts).
 * Both actions hand what the saga gave up on back to it and return the order to the status it
 * had (Order.resume), announced as OrderResumed. Not later, on the answer: NEEDS_ATTENTION is
 * settled, so an answer there would only be booked; back in its status, the answer drives the
 * order on as it normally would, and a step still unanswered after FIL_SAGA_MAX_ATTEMPTS brings
 * it back to NEEDS_ATTENTION. A second request finds the order out of NEEDS_ATTENTION: refused,
 * nothing sent twice.
 */
@Injectable()
export class OrderAttention {
  constructor(
    private readonly orm: MikroORM,
    private readonly commands: SagaCommands,
    private readonly events: OrderEventsPublisher,
    private readonly allocator: Allocator,
    private readonly settlement: Settlement,
    private readonly reservations: ReservationAnswers,
    private readonly fulfillment: FulfillmentProgress,
  ) {}

  /** `POST /orders/{id}/attention/retry`. */
  retryBy(caller: Principal, orderId: string): Promise<OrderView> {
    return this.act(orderId, 'orchestrator.attention.retry', (em, order) => this.retry(em, order, caller.sub));
  }

  /** `POST /orders/{id}/attention/resolve`. */
  resolveBy(caller: Principal, orderId: string, reason: string): Promise<OrderView> {
    return this.act(orderId, 'orchestrator.attention.resolve', (em, order) => this.resolve(em, order, caller.sub, reason));
  }

  /** `POST /orders/{id}/attention/release`. */
  releaseBy(caller: Principal, orderId: string, reason: string): Promise<OrderView> {
    return this.act(orderId, 'orchestrator.attention.release', (em, order) => this.release(em, order, caller.sub, reason));
  }

  /** Every command the order gave up waiting for, sent again with fresh attempts and deadline; the order back where it was. */
  async retry(em: EntityManager, order: Order, by: string): Promise<Refusal | undefined> {
    const refused = notWaiting(order, 'retry');
    if (refused) return refused;
    const sent = await this.sendAgain(em, order, `sent again by ${by}`);
    if (!sent.length) return `order ${order.orderId} gave up waiting for no answer: nothing to retry (release its stock or cancel it)`;
    await this.resume(em, order, `retried by ${by}: sent again ${sent.join(', ')}`, { action: 'RETRY', by });
    await this.catchUp(em, order, []);
  }

  /**
   * A person confirmed the goods did not leave: the stock still held for parts the order no
   * longer wants is released, never what left with its goods (committed by the saga).
   */
  async release(em: EntityManager, order: Order, by: string, reason: string): Promise<Refusal | undefined> {
    const refused = notWaiting(order, 'release');
    if (refused) return refused;
    const { held, gone } = order.unwantedHolds();
    const left = gone.map((part) => `${where(part)} left with its goods (${part.fulfillmentStatus}): never released`).join('; ');
    if (!held.length) return `order ${order.orderId} holds no stock it no longer wants${left ? `: ${left}` : ''}`;
    for (const part of held) await this.commands.release(em, order, nextRound(order, part), `released by ${by}: ${reason}`);
    const sent = await this.sendAgain(em, order, `sent again by ${by}`);
    const lines = this.takeEditLines(order);
    const cause = `stock released by ${by} (${reason}): ${held.map(where).join(', ')}${left ? `; ${left}` : ''}${sent.length ? `; sent again ${sent.join(', ')}` : ''}${editGoesOn(lines)}`;
    await this.resume(em, order, cause, { action: 'RELEASE', by, reason });
    // The edit waited for these parts' stock: given back now, it may serve what the edit still wants.
    await this.route(em, order, lines, `edit goes on after the release by ${by}`, unitsOf(held));
    await this.catchUp(em, order, lines);
  }

  /**
   * A person did what the order's step into NEEDS_ATTENTION asked (recovered a parcel, settled a
   * sale at the till): nothing is sent or released, the order goes back to its earlier status,
   * and an edit that waited on a part whose goods left goes on: what it still wanted is routed.
   * Not while something was given up or unwanted stock is held: retry or release first.
   */
  async resolve(em: EntityManager, order: Order, by: string, reason: string): Promise<Refusal | undefined> {
    const refused = notWaiting(order, 'resolve');
    if (refused) return refused;
    const { parts, checks } = order.givenUp();
    if (parts.length || checks.length) return `order ${order.orderId} gave up waiting for an answer: retry it first`;
    if (order.unwantedHolds().held.length) return `order ${order.orderId} holds stock it no longer wants: release it first`;
    const lines = this.takeEditLines(order);
    await this.resume(em, order, `resolved by ${by} (${reason})${editGoesOn(lines)}`, { action: 'RESOLVE', by, reason });
    await this.route(em, order, lines, `edit resumed by ${by}`);
    await this.catchUp(em, order, lines);
  }

  /**
   * A step the saga gave up waiting for was answered after all (`answer` says which): its
   * service is back. An order that waited for a person only for that silence is taken back as a
   * person's retry would take it: what else was given up sent again, the order back in its
   * status; not while goods left that it no longer wanted, or it holds stock nothing releases.
   */
  async answeredAfterSilence(em: EntityManager, order: Order, answer: string): Promise<void> {
    if (order.status !== 'NEEDS_ATTENTION' || !order.attentionOnSilence) return;
    const { held, gone } = order.unwantedHolds();
    if (gone.length || held.some((part) => part.state !== 'CANCELLING')) return;
    const sent = await this.sendAgain(em, order, `sent again once ${answer}`);
    const cause = `${answer} after the saga gave up waiting: taken back without a person${sent.length ? `; sent again ${sent.join(', ')}` : ''}`;
    await this.resume(em, order, cause, { action: 'RETRY', by: 'order-orchestrator', reason: answer });
    await this.catchUp(em, order, []);
  }

  /**
   * What fulfillment reported while the order waited (delivered, collected) drives it on, unless
   * an edit goes on: the parts it had called off are no longer the order's to follow.
   */
  private async catchUp(em: EntityManager, order: Order, editLines: AllocationLine[]): Promise<void> {
    if (!editLines.length && !order.isSettled()) await this.fulfillment.catchUp(em, order);
  }

  /** What an edit waits to route once the parts it called off are given back, taken off those parts. */
  private takeEditLines(order: Order): AllocationLine[] {
    const lines = mergeBySku(order.allocations.flatMap((part) => part.rerouteOnRelease ?? []));
    for (const part of order.allocations.filter((candidate) => candidate.rerouteOnRelease)) order.updateAllocation(part.reservationId, { rerouteOnRelease: undefined });
    return lines;
  }

  private async route(em: EntityManager, order: Order, lines: AllocationLine[], why: string, released?: Map<string, number>): Promise<void> {
    if (!lines.length || order.isSettled()) return;
    await this.allocator.allocate(em, order, lines, why, 'reroute', { released });
    await this.settlement.settle(em, order);
  }

  /**
   * Sends again each command given up (attempts from 1, a new deadline, message ids of a new
   * round so no consumer takes them for the old ones); says what was sent.
   */
  async sendAgain(em: EntityManager, order: Order, reason: string): Promise<string[]> {
    const { parts, checks } = order.givenUp();
    for (const part of parts) {
      const again = nextRound(order, part);
      if (again.state === 'RESERVING') await this.commands.reserve(em, order, again);
      else if (again.state === 'RELEASING') await this.commands.release(em, order, again, reason);
      else if (again.state === 'HELD') await this.commands.createFulfillment(em, order, again);
      else {
        order.updateAllocation(again.reservationId, { attempts: 1, deadline: this.commands.deadline() });
        await this.commands.cancelFulfillment(em, order, again.fulfillmentId!, reason, 1, again.round);
      }
    }
    for (const check of checks) {
      order.updateCheck(check.requestId, { round: (check.round ?? 0) + 1 });
      await this.commands.checkAvailability(em, order, order.availabilityChecks.find((candidate) => candidate.requestId === check.requestId)!);
    }
    const named: Record<string, (part: OrderAllocation) => string> = {
      RESERVING: (part) => `the reservation ${where(part)}`,
      RELEASING: (part) => `the release of ${where(part)}`,
      HELD: (part) => `the creation of ${part.fulfillmentId} at ${part.locationId}`,
      CANCELLING: (part) => `the call-off of ${part.fulfillmentId} at ${part.locationId}`,
    };
    return [...parts.map((part) => named[part.state](part)), ...checks.map((check) => `the availability check of ${describe(check.lines)}`)];
  }

  private async resume(em: EntityManager, order: Order, cause: string, resumed: OrderResumption): Promise<void> {
    await this.events.record(em, order, order.resume(cause), { resumed });
    // What inventory answered while the order waited (reservation-answers.ts) drives it on now: held parts start their fulfillment, lost ones are routed again.
    await this.reservations.actOnResume(em, order);
  }

  /** The order locked, in its trace; 404 when unknown, 409 with the reason when the action does not apply. */
  private async act(orderId: string, span: string, action: (em: EntityManager, order: Order) => Promise<Refusal | undefined>): Promise<OrderView> {
    const found = await this.orm.em.fork().findOne(Order, { orderId }, { fields: ['traceparent'] });
    if (!found) throw new NotFoundException(`order ${orderId} not found`);
    return inTrace(span, found.traceparent ?? undefined, { 'fil.order.id': orderId }, () =>
      this.orm.em.fork().transactional(async (em) => {
        const order = (await lockOrder(em, orderId))!;
        let refused: Refusal | undefined;
        try {
          refused = await action(em, order);
        } catch (error) {
          if (error instanceof OrderTransitionRefused) refused = error.message;
          else throw error;
        }
        if (refused) throw new ConflictException(refused);
        await em.flush();
        return loadOrderView(em, order);
      }),
    );
  }
}

function notWaiting(order: Order, action: string): Refusal | undefined {
  return order.status === 'NEEDS_ATTENTION' ? undefined : `order ${order.orderId} is ${order.status}, not NEEDS_ATTENTION: nothing to ${action}`;
}

/** The part marked for a new round of sends. */
function nextRound(order: Order, part: OrderAllocation): OrderAllocation {
  return order.updateAllocation(part.reservationId, { round: (part.round ?? 0) + 1 })!;
}

const editGoesOn = (lines: AllocationLine[]) => (lines.length ? `; the edit goes on: ${describe(lines)} routed` : '');
