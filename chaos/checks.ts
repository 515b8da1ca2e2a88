import { Topics } from '@fil/contracts';
import { http } from '@fil/testing';
import type { World } from './chaos-world';
import type { TrackedOrder } from './journey';
import { EXPECTED, SKUS, STOCK } from './mixed-orders';
import type { Phase } from './phase';
import { readOnly } from './service-databases';

/** States an order rests in; anything else after the load stopped is an order still on its way: lost. */
const RESTING = ['DELIVERED', 'COLLECTED', 'CANCELLED', 'RETURNED', 'PARTIALLY_RETURNED', 'REJECTED', 'EXPIRED', 'NEEDS_ATTENTION'];
/** Ends in which the order's goods left their location: its reservations are consumed. */
const CONSUMED = ['DELIVERED', 'COLLECTED', 'RETURNED', 'PARTIALLY_RETURNED'];
/** Where each kind of fulfillment ends when the order is done. */
const DONE: Record<string, string> = { SHIP: 'DELIVERED', TRANSFER: 'RECEIVED', PICKUP: 'COLLECTED' };
/** Fulfillment states in which the goods have left the location. */
const LEFT: Record<string, string[]> = { SHIP: ['SHIPPED', 'DELIVERED'], TRANSFER: ['IN_TRANSIT', 'RECEIVED'], PICKUP: ['COLLECTED'] };

interface Findings {
  failures: string[];
  doubles: string[];
}

interface Reservation {
  id: string;
  order_id: string;
  location_id: string;
  status: string;
  lines: { sku: string; quantity: number }[];
}

/**
 * What the suite checks after each fault, from outside: over HTTP and Kafka, and with
 * read-only SQL only for inventory's reservations (no API shows them). Every check
 * covers the whole run so far, so that a replay that doubles an old order's effect is
 * seen; a finding is reported in the first phase that shows it.
 */
export class Checker {
  private readonly reported = new Set<string>();
  /** Where each checked order ended, by GET /orders/{id}. */
  private readonly ends = new Map<string, string>();
  private sentTwiceBefore = 0;

  /** `settleMs`: how long the cross-service figures may take to agree after the last order ended. */
  constructor(
    private readonly world: World,
    private readonly settleMs: number,
  ) {}

  async check(phase: Phase): Promise<{ answered: number; lost: number }> {
    const findings: Findings = { failures: [], doubles: [] };
    const lost = await this.checkOrders(phase, findings);
    this.checkAnswers(findings);
    // Commits, releases and restocks may still be on their way when the last order ends.
    let crossChecks: Findings = { failures: [], doubles: [] };
    for (const deadline = Date.now() + this.settleMs; ; await new Promise((done) => setTimeout(done, 1_000))) {
      crossChecks = await this.crossCheck();
      if ((!crossChecks.failures.length && !crossChecks.doubles.length) || Date.now() > deadline) break;
    }
    findings.failures.push(...crossChecks.failures, ...this.checkDeadLetters());
    findings.doubles.push(...crossChecks.doubles);
    phase.failures.push(...findings.failures.filter((finding) => this.firstTime(finding)));
    phase.doubles.push(...findings.doubles.filter((finding) => this.firstTime(finding)));
    const sentTwice = [...this.world.ledger.duplicates().values()].reduce((sum, count) => sum + count, 0);
    phase.sentTwice = sentTwice - this.sentTwiceBefore;
    this.sentTwiceBefore = sentTwice;
    return { answered: phase.orders.filter((order) => order.answeredAt).length, lost };
  }

  /** Each order of the phase ended as its plan says; each earlier order is still where it ended. */
  private async checkOrders(phase: Phase, findings: Findings): Promise<number> {
    let lost = 0;
    for (const order of phase.orders) {
      const expected = order.soldOut ? EXPECTED[order.plan].soldOut : EXPECTED[order.plan].end;
      const { status, body } = await http('GET', `${this.world.system.url('order-orchestrator')}/orders/${order.orderId}`);
      const state: string | undefined = status === 200 ? body.status : undefined;
      const why = order.error ? `: ${order.error}` : '';
      if (!order.sentAt) findings.failures.push(`${order.orderId} (${order.plan}) could not be submitted${why}`);
      else if (!state || !RESTING.includes(state)) {
        lost += 1;
        findings.failures.push(`${order.orderId} (${order.plan}) lost: ${state ? `still ${state}` : `unknown to the orchestrator (${status})`}${why}`);
      } else if (state !== expected) findings.failures.push(`${order.orderId} (${order.plan}) ended ${state}, expected ${expected}${why}`);
      else if (this.lastPublished(order.orderId) !== state) findings.failures.push(`${order.orderId}: GET says ${state}, the last event says ${this.lastPublished(order.orderId)}`);
      if (state) this.ends.set(order.orderId, state);
    }
    for (const order of this.world.orders) {
      const end = this.ends.get(order.orderId);
      if (end && order.phase !== phase.fault && this.lastPublished(order.orderId) !== end) {
        findings.failures.push(`${order.orderId} ended ${end} in "${order.phase}", then moved to ${this.lastPublished(order.orderId)}`);
      }
    }
    return lost;
  }

  /**
   * Each order of the run was decided once: one event leaving RECEIVED, by event id and content; the
   * same event sent again is no second answer, nor is a wait in NEEDS_ATTENTION for a silent service.
   */
  private checkAnswers(findings: Findings): void {
    for (const { orderId } of this.world.orders) {
      const decided = (m: { value?: { previousStatus?: string; status?: string } }) => m.value?.previousStatus === 'RECEIVED' && m.value.status !== 'NEEDS_ATTENTION';
      const answers = new Set(this.world.ledger.of(Topics.ordersEvents, orderId).filter(decided).map((m) => `${m.headers.ce_id} ${m.value.status}`));
      if (answers.size > 1) findings.doubles.push(`${orderId} answered ${answers.size} times: ${[...answers].join(', ')}`);
    }
  }

  /** Fulfillments, reservations and stock agree with each other and with how each order ended. */
  private async crossCheck(): Promise<Findings> {
    const findings: Findings = { failures: [], doubles: [] };
    const orders = new Map(this.world.orders.filter((order) => this.ends.has(order.orderId)).map((order) => [order.orderId, order]));
    const shipped = this.checkFulfillments(orders, await this.fulfillments(), findings);
    const reservations = await readOnly<Reservation>('inventory', 'select id, order_id, location_id, status, lines from reservation');
    const committed = this.checkReservations(orders, reservations, findings);
    for (const key of new Set([...committed.keys(), ...shipped.keys()])) {
      if ((committed.get(key) ?? 0) !== (shipped.get(key) ?? 0)) {
        findings.failures.push(`${key}: inventory committed ${committed.get(key) ?? 0} unit(s), fulfillment shows ${shipped.get(key) ?? 0} gone`);
      }
    }
    await this.checkStock(reservations, committed, findings);
    this.checkRefunds(orders, findings);
    return findings;
  }

  private async fulfillments(): Promise<any[]> {
    const { status, body } = await http('GET', `${this.world.system.url('fulfillment')}/fulfillments`);
    if (status !== 200) throw new Error(`GET /fulfillments answered ${status}`);
    return body;
  }

  /** No reservation served by two live fulfillments, none left open; returns the units gone per `location|sku`. */
  private checkFulfillments(orders: Map<string, TrackedOrder>, fulfillments: any[], findings: Findings): Map<string, number> {
    const gone = new Map<string, number>();
    const live = fulfillments.filter((f) => orders.has(f.orderId) && f.status !== 'CANCELLED');
    const byWork = groupBy(live, (f) => (f.kind === 'PICKUP' ? `counter of ${f.orderId}` : `reservation ${f.reservationId}`));
    for (const [work, twins] of byWork) {
      if (twins.length > 1) findings.doubles.push(`${work} has ${twins.length} live fulfillments: ${twins.map((f) => `${f.id} ${f.status}`).join(', ')}`);
    }
    for (const f of live) {
      const end = this.ends.get(f.orderId)!;
      if (end === 'CANCELLED') findings.failures.push(`fulfillment ${f.id} of cancelled order ${f.orderId} is ${f.status}`);
      else if (f.status !== DONE[f.kind]) findings.failures.push(`fulfillment ${f.id} (${f.kind}) of ${f.orderId}, which ended ${end}, is ${f.status}`);
      if (!LEFT[f.kind].includes(f.status)) continue;
      // The counter hands over the transferred units too; only the store's own units leave its stock.
      const transferred = f.kind === 'PICKUP' ? sumBySku(live.filter((t) => t.orderId === f.orderId && t.kind === 'TRANSFER').flatMap((t) => t.lines)) : new Map();
      for (const { sku, quantity } of f.lines) add(gone, `${f.locationId}|${sku}`, quantity - (transferred.get(sku) ?? 0));
    }
    return gone;
  }

  /** Nothing held once every order ended; each order consumed exactly its lines, or nothing. Returns units committed per `location|sku`. */
  private checkReservations(orders: Map<string, TrackedOrder>, reservations: Reservation[], findings: Findings): Map<string, number> {
    const committed = new Map<string, number>();
    const byOrder = groupBy(reservations.filter((r) => orders.has(r.order_id)), (r) => r.order_id);
    for (const [orderId, order] of orders) {
      const end = this.ends.get(orderId)!;
      const mine = byOrder.get(orderId) ?? [];
      for (const r of mine.filter((r) => r.status === 'HELD')) findings.failures.push(`reservation ${r.id} of ${orderId} is still HELD, though the order ended ${end}`);
      const took = sumBySku(mine.filter((r) => r.status === 'COMMITTED').flatMap((r) => r.lines));
      const ordered = CONSUMED.includes(end) ? sumBySku(order.order.lines) : new Map<string, number>();
      for (const sku of new Set([...took.keys(), ...ordered.keys()])) {
        const [units, wanted] = [took.get(sku) ?? 0, ordered.get(sku) ?? 0];
        if (units > wanted) findings.doubles.push(`${orderId} (${end}): ${units} × ${sku} committed in inventory for ${wanted} ordered`);
        if (units < wanted) findings.failures.push(`${orderId} (${end}): only ${units} of ${wanted} × ${sku} committed in inventory`);
      }
    }
    for (const r of reservations.filter((r) => r.status === 'COMMITTED')) for (const { sku, quantity } of r.lines) add(committed, `${r.location_id}|${sku}`, quantity);
    return committed;
  }

  /** No oversell: held + committed ≤ seeded + restocked. GET /stock agrees with the reservations: reserved = held, on hand = seeded + restocked − committed. */
  private async checkStock(reservations: Reservation[], committed: Map<string, number>, findings: Findings): Promise<void> {
    const held = new Map<string, number>();
    for (const r of reservations.filter((r) => r.status === 'HELD')) for (const { sku, quantity } of r.lines) add(held, `${r.location_id}|${sku}`, quantity);
    const seeded = new Map(STOCK.map(([location, sku, onHand]) => [`${location}|${sku}`, onHand]));
    for (const sku of SKUS) {
      const { status, body } = await http('GET', `${this.world.system.url('inventory')}/stock/${sku}`);
      if (status !== 200) throw new Error(`GET /stock/${sku} answered ${status}`);
      for (const row of body as { locationId: string; onHand: number; reserved: number }[]) {
        const key = `${row.locationId}|${sku}`;
        const stocked = (seeded.get(key) ?? 0) + (this.world.restocked.get(key) ?? 0);
        const sold = (held.get(key) ?? 0) + (committed.get(key) ?? 0);
        if (sold > stocked) findings.failures.push(`${key}: oversold, ${sold} unit(s) held or committed of ${stocked} seeded and returned`);
        const onHand = stocked - (committed.get(key) ?? 0);
        if (row.onHand !== onHand) findings.failures.push(`${key}: on hand ${row.onHand}, expected ${onHand} (seeded + returned − committed)`);
        if (row.reserved !== (held.get(key) ?? 0)) findings.failures.push(`${key}: reserved ${row.reserved}, but held reservations add up to ${held.get(key) ?? 0}`);
      }
    }
  }

  /** One refund per return, of the right amount; a refund sent twice under the same refundId is only a duplicate. */
  private checkRefunds(orders: Map<string, TrackedOrder>, findings: Findings): void {
    const refunds = groupBy(this.world.ledger.all(Topics.refunds), (m) => m.key ?? '');
    for (const order of orders.values()) {
      if (!order.returnId || !CONSUMED.includes(this.ends.get(order.orderId)!)) continue;
      const ids = new Map((refunds.get(order.returnId) ?? []).map((m) => [m.value.refundId, m.value]));
      if (ids.size > 1) findings.doubles.push(`return ${order.returnId} refunded ${ids.size} times: ${[...ids.keys()].join(', ')}`);
      if (!ids.size) findings.failures.push(`return ${order.returnId} of ${order.orderId} has no refund`);
      const returnedAll = order.plan === 'deliver-return-all';
      const { lines } = order.order;
      const amount = returnedAll ? lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0) : lines[0].unitPrice;
      for (const refund of ids.values()) if (Math.abs(refund.amount - amount) > 1e-9) findings.failures.push(`return ${order.returnId}: refund of ${refund.amount}, expected ${amount}`);
    }
  }

  /** The DLQ holds exactly the unreadable messages the suite sent: no valid message was dead-lettered. */
  private checkDeadLetters(): string[] {
    const dead = [...new Map(this.world.ledger.all(Topics.dlq).map((m) => [m.headers.ce_id, m])).values()];
    return [
      ...dead.filter((m) => !this.world.garbage.has(m.key ?? '')).map((m) => `the DLQ holds a valid message: ${m.value?.originalTopic} key ${m.key} (${m.value?.reason})`),
      ...[...this.world.garbage].filter((key) => !dead.some((m) => m.key === key)).map((key) => `unreadable message ${key} is not in the DLQ`),
    ];
  }

  private lastPublished(orderId: string): string | undefined {
    return this.world.ledger.of(Topics.ordersEvents, orderId).at(-1)?.value?.status;
  }

  private firstTime(finding: string): boolean {
    if (this.reported.has(finding)) return false;
    this.reported.add(finding);
    return true;
  }
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function sumBySku(lines: { sku: string; quantity: number }[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const { sku, quantity } of lines) add(sums, sku, quantity);
  return sums;
}

function add(map: Map<string, number>, key: string, amount: number): void {
  map.set(key, (map.get(key) ?? 0) + amount);
}
