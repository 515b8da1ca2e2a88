import { createHash, randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { mayActForChannel, type Principal } from '@fil/auth';
import { EditOrderDto, EMPTY_EDIT, isEmptyEdit, priceOf, type AllocationLine, type OrderEdit } from '@fil/contracts';
import { canonicalJson, InvalidMessage, parseMessage, type IncomingMessage } from '@fil/messaging';
import { inTrace } from '@fil/observability';
import { loadOrderView, type OrderView } from '../orders/dto/order.view';
import { OrderEventsPublisher } from '../orders/order-events.publisher';
import { lockOrder } from '../orders/order-lock';
import { Order, type OrderAllocation } from '../orders/order.entity';
import { mergeBySku } from '../routing/route-order';
import { Allocator, unitsOf } from './allocator';
import { Compensation } from './compensation';
import { describe } from './describe';
import { editPlan } from './edit-plan';
import { SagaCommands } from './saga-commands';
import { Settlement } from './settlement';

/** Why an edit was not applied: `refused` for good (409, the DLQ), `busy` until inventory or fulfillment has answered (409, or the partition retries). */
type Refusal = { refused: string } | { busy: string };

/**
 * Changing an order before any part is picked (EditOrder, POST /orders/{id}/edit): its lines
 * (partial cancellation among them), its address or its pickup store. The parts the edit
 * touches are given back as a cancellation gives them (edit-plan.ts says which); what the
 * order still needs is routed once their stock is back: at once for a part no fulfillment
 * works on, after fulfillment confirms the call-off otherwise, so that units still on a
 * shelf are never promised twice. OrderEdited says what changed.
 */
@Injectable()
export class OrderEdits {
  constructor(
    private readonly orm: MikroORM,
    private readonly events: OrderEventsPublisher,
    private readonly allocator: Allocator,
    private readonly compensation: Compensation,
    private readonly commands: SagaCommands,
    private readonly settlement: Settlement,
  ) {}

  /** `fil.orders.commands.v1`, EditOrder: applied, refused with why (the DLQ), or retried while the order is busy. */
  async handleCommand(message: IncomingMessage, em: EntityManager): Promise<void> {
    const edit = parseMessage(EditOrderDto, message.value, 'EditOrder');
    if (isEmptyEdit(edit)) throw new InvalidMessage(EMPTY_EDIT);
    const order = await lockOrder(em, edit.orderId);
    if (!order) throw new InvalidMessage(`unknown order ${edit.orderId}`);
    // In the order's trace, as over HTTP: the channel's command is one step of the order's journey.
    const refusal = await inTrace('orchestrator.edit', order.traceparent ?? undefined, { 'fil.order.id': edit.orderId }, () => this.apply(em, order, edit));
    if (refusal && 'refused' in refusal) throw new InvalidMessage(refusal.refused);
    // Not a refusal: the partition is held and the edit tried again once the answer is in.
    if (refusal) throw new Error(refusal.busy);
    await em.flush();
  }

  /** `POST /orders/{id}/edit`, in the order's trace. */
  async requestedBy(caller: Principal, orderId: string, body: Omit<EditOrderDto, 'orderId' | 'editId'> & { editId?: string }): Promise<OrderView> {
    if (isEmptyEdit(body)) throw new BadRequestException([EMPTY_EDIT]);
    const found = await this.orm.em.fork().findOne(Order, { orderId }, { fields: ['traceparent', 'channel'] });
    if (!found || !mayActForChannel(caller, found.channel)) throw new NotFoundException(`order ${orderId} not found`);
    return inTrace('orchestrator.edit', found.traceparent ?? undefined, { 'fil.order.id': orderId }, () =>
      this.orm.em.fork().transactional(async (em) => {
        const order = (await lockOrder(em, orderId))!;
        const refusal = await this.apply(em, order, { ...body, orderId, editId: body.editId ?? randomUUID() });
        if (refusal) throw new ConflictException('refused' in refusal ? refusal.refused : refusal.busy);
        await em.flush();
        return loadOrderView(em, order);
      }),
    );
  }

  /**
   * Fulfillment confirmed calling off parts an edit gave back: the lines they carry pass to a part
   * still being called off, and once the last is released, they are routed.
   */
  async calledOff(em: EntityManager, order: Order, parts: OrderAllocation[]): Promise<void> {
    const carried = parts.flatMap((part) => part.rerouteOnRelease ?? []);
    for (const part of parts) order.updateAllocation(part.reservationId, { rerouteOnRelease: undefined });
    if (order.isSettled()) return;
    const waiting = order.allocations.find((part) => part.rerouteOnRelease && part.state === 'CANCELLING');
    if (waiting) return void order.updateAllocation(waiting.reservationId, { rerouteOnRelease: mergeBySku([...waiting.rerouteOnRelease!, ...carried]) });
    if (carried.length) await this.route(em, order, carried, parts, 'edited: the parts it gave back are released');
  }

  private async apply(em: EntityManager, order: Order, edit: EditOrderDto): Promise<Refusal | undefined> {
    if (order.edits.includes(edit.editId)) {
      const earlier = order.editDigests[edit.editId];
      // An edit applied before digests were kept cannot tell: the same edit, as it always was.
      return !earlier || earlier === digestOf(edit) ? undefined : { refused: `editId ${edit.editId} was already used for another edit of order ${order.orderId}` };
    }
    // RECEIVED: still being routed, not yet editable, soon.
    const routing = order.status === 'RECEIVED';
    const why = routing ? undefined : order.whyNotEditable();
    if (why) return { refused: why };
    const atHome = order.deliveryMode === 'HOME_DELIVERY';
    // Said, not ignored: the client believes it moved the order. Said at once: waiting for routing would not change it.
    if (atHome && edit.pickupLocationId) return { refused: `order ${order.orderId} is delivered to an address: it has no pickup store to change` };
    if (!atHome && edit.shippingAddress) return { refused: `order ${order.orderId} is ${order.deliveryMode}: it has no shipping address to change` };
    if (routing || order.awaitsInventory() || order.allocations.some((part) => part.rerouteOnRelease)) {
      return { busy: `order ${order.orderId} is being routed: edit it again once it is ${order.status === 'RESERVED' ? 'reserved' : 'allocated'}` };
    }
    const address = edit.shippingAddress ? { ...edit.shippingAddress } : undefined;
    const newAddress = !!address && canonicalJson(address) !== canonicalJson(order.shippingAddress ?? {});
    // Routing reads the coordinates only: a new street on the same spot moves nothing.
    const moved = (newAddress && (address!.lat !== order.shippingAddress?.lat || address!.lng !== order.shippingAddress?.lng)) || (!!edit.pickupLocationId && edit.pickupLocationId !== order.pickupLocationId);
    const lines = edit.lines?.map(({ lineId, sku, quantity, unitPrice }) => ({ lineId, sku, quantity, unitPrice: priceOf(unitPrice) })) ?? order.lines;
    const plan = editPlan(order, lines, moved);
    // The whole new basket: prices or line ids changed with the same units move no part, but are the order's now.
    const linesChanged = canonicalJson(lines) !== canonicalJson(order.lines);
    if (!moved && !newAddress && !linesChanged) return undefined;
    const restated = linesChanged && !plan.added.length && !plan.removed.length;

    const target = {
      ...order,
      shippingAddress: newAddress ? address : order.shippingAddress,
      pickupLocationId: edit.pickupLocationId ?? order.pickupLocationId,
    };
    // Checked on the view with the given-back stock counted: an edit the network cannot serve is refused before anything moves.
    if (plan.route.length) {
      const decision = await this.allocator.preview(em, target as Order, plan.route, `edit ${edit.editId}`, { released: unitsOf(plan.callOff) });
      // Units no location holds are backordered, as for a new order, where the policy backorders.
      const backordered = decision.outcome === 'REJECT' && decision.reason === 'NO_STOCK' && (await this.allocator.backorders(em, order));
      if (decision.outcome === 'REJECT' && !backordered) return { refused: `order ${order.orderId} cannot be edited: ${decision.reason}: ${decision.explanation.reason}` };
    }

    const change: OrderEdit = {
      editId: edit.editId,
      ...(edit.reason ? { reason: edit.reason } : {}),
      added: plan.added,
      removed: plan.removed,
      ...(newAddress ? { shippingAddress: target.shippingAddress } : {}),
      ...(moved && !atHome ? { pickupLocationId: target.pickupLocationId } : {}),
    };
    const cause = [
      `edited (${edit.editId})`,
      plan.added.length ? `added ${describe(plan.added)}` : '',
      plan.removed.length ? `cancelled ${describe(plan.removed)}` : '',
      restated ? 'lines restated (same units)' : '',
      change.shippingAddress ? 'new address' : '',
      change.pickupLocationId ? `pickup at ${change.pickupLocationId}` : '',
      edit.reason ?? '',
    ]
      .filter(Boolean)
      .join('; ');
    order.lines = lines;
    order.shippingAddress = target.shippingAddress;
    order.pickupLocationId = target.pickupLocationId;
    order.backordered = plan.backordered;
    // A counter replaced takes its store's part with it: that part waits for the counter's answer, as a cancellation's does (the goods may be in the customer's hands).
    for (const part of plan.callOff) await this.compensation.callOff(em, order, part, cause, plan.replaceCounter);
    if (plan.replaceCounter && order.counterFulfillmentId) {
      await this.commands.cancelFulfillment(em, order, order.counterFulfillmentId, cause);
      order.counterFulfillmentId = undefined;
      order.counterStatus = null;
    }
    await this.events.record(em, order, order.edited(edit.editId, digestOf(edit), cause), { edit: change });

    const calledOff = plan.callOff.map((part) => order.allocations.find((candidate) => candidate.reservationId === part.reservationId)!);
    const working = calledOff.filter((part) => part.state === 'CANCELLING');
    if (working.length && plan.route.length) {
      order.updateAllocation(working[0].reservationId, { rerouteOnRelease: plan.route });
      for (const part of working.slice(1)) order.updateAllocation(part.reservationId, { rerouteOnRelease: [] });
      return undefined;
    }
    if (plan.route.length) return void (await this.route(em, order, plan.route, calledOff, cause));
    if (order.status === 'PARTIALLY_ALLOCATED' && !order.backordered.length) await this.events.transition(em, order, 'ALLOCATED', `${cause}: nothing is backordered any more`);
    return undefined;
  }

  /** Routes what an edit left to serve, counting the stock of the parts it gave back, then settles. */
  private async route(em: EntityManager, order: Order, lines: AllocationLine[], released: OrderAllocation[], cause: string): Promise<void> {
    await this.allocator.allocate(em, order, mergeBySku(lines), cause, 'reroute', { released: unitsOf(released) });
    await this.settlement.settle(em, order);
  }
}

/** What an edit asks, whatever its field order: its editId's idempotency is on this. */
function digestOf({ lines, shippingAddress, pickupLocationId, reason }: EditOrderDto): string {
  return createHash('sha256').update(canonicalJson({ lines, shippingAddress, pickupLocationId, reason })).digest('hex');
}
