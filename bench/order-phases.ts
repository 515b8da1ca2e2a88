import { randomBytes } from 'node:crypto';
import { FIL_SERVICES, Topics } from '@fil/contracts';
import { physicalTopic } from '@fil/messaging';
import type { KafkaProbe } from '@fil/testing';
import { percentile, sleep } from './measure';
import type { BenchOrder } from './order-load';
import type { OrderTracker } from './order-tracker';

export interface BurstResult {
  orders: number;
  answered: number;
  /** Orders answered per second, from the first submission to the last first answer. */
  perSecond: number;
  /** First answers other than the one expected (a backorder, a rejection...), by status. */
  unexpected: Record<string, number>;
  lost: string[];
  /** Of those the phase gave up on, how many were answered by the end of the run. */
  late?: number;
  cancels: number;
  cancelsLost: string[];
}

export interface SteadyResult {
  rate: number;
  seconds: number;
  sent: number;
  /** How long sending took: above `seconds` when the sender could not keep the rate. */
  sendSeconds: number;
  p50?: number;
  p95?: number;
  p99?: number;
  unexpected: Record<string, number>;
  lost: string[];
  late?: number;
  /** When each order was due, for the per-hop figures. */
  dueAt: Map<string, number>;
}

/** The phases of the orders benchmark, on running services: bursts, a steady offered load, a search for the highest rate. */
export class OrderPhases {
  private readonly toCancel = new Map<string, BenchOrder>();

  constructor(
    private readonly probe: KafkaProbe,
    private readonly tracker: OrderTracker,
    /** No progress for this long and the missing orders count as lost. */
    private readonly stallMs: number,
  ) {
    // As a channel would: the cancellation goes out once the order's first answer is known.
    tracker.onAnswer((orderId, answer) => {
      const order = this.toCancel.get(orderId);
      if (!order) return;
      this.toCancel.delete(orderId);
      if (answer.status !== order.expected) return;
      const headers = { ce_specversion: '1.0', ce_id: `cancel-${orderId}`, ce_type: 'CancelOrder', ce_source: '/bench/channel' };
      this.probe.send(Topics.ordersCommands, orderId, { orderId, reason: 'bench: cancelled after allocation' }, headers).catch((error: Error) => console.error(`CancelOrder ${orderId}: ${error.message}`));
    });
  }

  /** Submits every order at once (batches of 500) and waits for their answers, and for the cancellations asked for. */
  async burst(prefix: string, make: (orderId: string, n: number) => BenchOrder, count: number): Promise<BurstResult> {
    const orders = Array.from({ length: count }, (_, n) => make(`${prefix}-${randomBytes(6).toString('hex')}`, n));
    for (const order of orders) if (order.cancel) this.toCancel.set(order.orderId, order);
    const started = Date.now();
    for (let sent = 0; sent < count; sent += 500) {
      await this.probe.sendMany(Topics.ordersSubmitted, orders.slice(sent, sent + 500).map(({ orderId, value }) => ({ key: orderId, value: JSON.stringify(value) })));
    }
    const ids = orders.map(({ orderId }) => orderId);
    const lost = await this.tracker.settle(ids, (answer) => answer !== undefined, this.stallMs);
    const answers = ids.map((id) => this.tracker.answer(id)).filter((answer) => answer !== undefined);
    const last = answers.reduce((latest, { at }) => Math.max(latest, at), 0);
    const cancelled = orders.filter((order) => order.cancel && this.tracker.answer(order.orderId)?.status === order.expected).map(({ orderId }) => orderId);
    const cancelsLost = await this.tracker.settle(cancelled, (answer) => answer?.cancelledAt !== undefined, this.stallMs);
    return {
      orders: count,
      answered: answers.length,
      perSecond: answers.length / ((last - started) / 1000),
      unexpected: this.unexpected(orders),
      lost,
      cancels: cancelled.length,
      cancelsLost,
    };
  }

  /** `rate` orders/s for `seconds`, each timed from when it was due, so a sender that falls behind does not hide the wait. */
  async steady(prefix: string, make: (orderId: string, n: number) => BenchOrder, rate: number, seconds: number): Promise<SteadyResult> {
    const total = Math.round(rate * seconds);
    const orders: BenchOrder[] = [];
    const dueAt = new Map<string, number>();
    const started = Date.now();
    while (orders.length < total) {
      const batch: BenchOrder[] = [];
      for (let due = started + (orders.length * 1000) / rate; orders.length < total && due <= Date.now(); due = started + (orders.length * 1000) / rate) {
        const order = make(`${prefix}-${randomBytes(6).toString('hex')}`, orders.length);
        dueAt.set(order.orderId, due);
        orders.push(order);
        batch.push(order);
      }
      if (batch.length) await this.probe.sendMany(Topics.ordersSubmitted, batch.map(({ orderId, value }) => ({ key: orderId, value: JSON.stringify(value) })));
      await sleep(Math.max(1, started + (orders.length * 1000) / rate - Date.now()));
    }
    const sendSeconds = (Date.now() - started) / 1000;
    const ids = [...dueAt.keys()];
    const lost = await this.tracker.settle(ids, (answer) => answer !== undefined, this.stallMs);
    const latencies = ids.flatMap((id) => {
      const answer = this.tracker.answer(id);
      return answer ? [Math.round(answer.at - dueAt.get(id)!)] : [];
    });
    latencies.sort((a, b) => a - b);
    return { rate, seconds, sent: total, sendSeconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), unexpected: this.unexpected(orders), lost, dueAt };
  }

  /**
   * The highest steady rate whose p99 stays under `p99Ms` with nothing lost: doubling from
   * `from` (or halving) until a rate passes and one fails, then bisecting, `steps` tries in all.
   */
  async searchRate(make: (orderId: string, n: number) => BenchOrder, options: { from: number; seconds: number; steps: number; p99Ms: number; between: () => Promise<void> }) {
    const tried: SteadyResult[] = [];
    let passed: number | undefined;
    let failed: number | undefined;
    let rate = options.from;
    for (let step = 0; step < options.steps && rate >= 1; step += 1) {
      await options.between();
      const result = await this.steady(`R${Math.round(rate)}`, make, Math.round(rate), options.seconds);
      tried.push(result);
      const ok = result.lost.length === 0 && result.p99 !== undefined && result.p99 < options.p99Ms;
      if (ok) passed = Math.max(passed ?? 0, result.rate);
      else failed = Math.min(failed ?? Infinity, result.rate);
      rate = passed !== undefined && failed !== undefined ? (passed + failed) / 2 : ok ? rate * 2 : rate / 2;
      if (passed !== undefined && failed !== undefined && failed - passed <= Math.max(1, passed * 0.1)) break;
    }
    return { best: passed, tried };
  }

  /**
   * Waits until every service's consumer group has read each topic of the run to its end and no
   * topic grew for `quietMs`: the previous phase's follow-ups (fulfillments, stock levels) are
   * done. Topic growth alone is not enough: a service can work through a backlog for minutes
   * without publishing anything.
   */
  async waitQuiet(quietMs = 3_000, timeoutMs = 900_000): Promise<void> {
    const admin = this.probe.kafka.admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(process.env.FIL_TOPIC_PREFIX ?? '\0'));
      const groups = FIL_SERVICES.map((service) => physicalTopic(`fil.${service}`));
      const deadline = Date.now() + timeoutMs;
      let last = -1;
      let since = Date.now();
      while (Date.now() < deadline) {
        const ends = new Map<string, number>();
        for (const topic of topics) for (const { partition, high } of await admin.fetchTopicOffsets(topic)) ends.set(`${topic}:${partition}`, Number(high));
        let lag = 0;
        for (const groupId of groups) {
          for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics })) {
            // A topic the group has never committed on is one it does not read.
            if (partitions.every(({ offset }) => offset === '-1')) continue;
            for (const { partition, offset } of partitions) lag += ends.get(`${topic}:${partition}`)! - Math.max(0, Number(offset));
          }
        }
        const total = [...ends.values()].reduce((sum, high) => sum + high, 0);
        if (lag > 0 || total !== last) [last, since] = [lag > 0 ? -1 : total, Date.now()];
        else if (Date.now() - since >= quietMs) return;
        await sleep(500);
      }
      throw new Error(`the system was still busy after ${timeoutMs / 1000} s`);
    } finally {
      await admin.disconnect();
    }
  }

  private unexpected(orders: BenchOrder[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { orderId, expected } of orders) {
      const status = this.tracker.answer(orderId)?.status;
      if (status !== undefined && status !== expected) counts[status] = (counts[status] ?? 0) + 1;
    }
    return counts;
  }
}

/** The median of each hop of the steady load, from the message timestamps (all set on this machine). */
export function hopMedians(probe: KafkaProbe, dueAt: Map<string, number>, tracker: OrderTracker): { hop: string; p50?: number }[] {
  const firstAt = (topic: string, type: string) => {
    const at = new Map<string, number>();
    for (const m of probe.messages(topic, (m) => dueAt.has(m.key!) && m.headers.ce_type === type)) if (!at.has(m.key!)) at.set(m.key!, m.timestamp);
    return at;
  };
  const reserveAt = firstAt(Topics.inventoryCommands, 'ReserveStock');
  const reservedAt = firstAt(Topics.inventoryEvents, 'StockReserved');
  const median = (from: (id: string) => number | undefined, to: (id: string) => number | undefined) =>
    percentile(
      [...dueAt.keys()].flatMap((id) => (from(id) !== undefined && to(id) !== undefined ? [Math.round(to(id)! - from(id)!)] : [])).sort((a, b) => a - b),
      50,
    );
  return [
    { hop: 'submitted → ReserveStock sent (orchestrator: intake, routing)', p50: median((id) => dueAt.get(id), (id) => reserveAt.get(id)) },
    { hop: 'ReserveStock → StockReserved sent (inventory)', p50: median((id) => reserveAt.get(id), (id) => reservedAt.get(id)) },
    { hop: 'StockReserved → OrderAllocated sent (orchestrator: saga)', p50: median((id) => reservedAt.get(id), (id) => tracker.answer(id)?.at) },
  ];
}
