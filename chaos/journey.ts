import { Topics } from '@fil/contracts';
import { http, waitFor, type KafkaProbe, type ProbedMessage, type ServiceName } from '@fil/testing';
import type { Ledger } from './ledger';
import { EXPECTED, RETURNS_LOCATION, type Plan, type SubmittedOrder } from './mixed-orders';

/** One order of the load, as the suite saw it from outside. */
export interface TrackedOrder {
  orderId: string;
  phase: string;
  plan: Plan;
  order: SubmittedOrder;
  /** When Kafka acknowledged the submission. */
  sentAt?: number;
  /** When its first decision (anything after RECEIVED) was appended to the events topic. */
  answeredAt?: number;
  endedAt?: number;
  /** Answered that its stock ran out, as its plan allows: it ended there. */
  soldOut?: boolean;
  returnId?: string;
  /** What went wrong on the way, in words. */
  error?: string;
}

/** What a journey needs of the run: where the services are, Kafka in and out, and where to note its steps. */
export interface JourneyContext {
  probe: KafkaProbe;
  ledger: Ledger;
  url: (service: ServiceName) => string;
  /** Units put back on sale by returns, per `locationId|sku`. */
  restocked: Map<string, number>;
  deadline: number;
  /** Each step that got through, with when it was first tried: the phase's time to recover comes from these. */
  stepDone: (startedAt: number, doneAt: number) => void;
}

const CHANNEL = '/chaos/channel';

/**
 * Drives one order the way a channel and the staff would: submits it, waits for its
 * answer, then cancels it, or picks, packs, ships and delivers it (and returns part or
 * all of it), or hands it over at the counter after its transfer arrived. Every call is
 * retried while a service, the broker or the database is down, until the deadline;
 * staff steps are idempotent, so a retried step whose answer was lost does no harm.
 */
export async function runJourney(tracked: TrackedOrder, context: JourneyContext): Promise<void> {
  const steps = new Steps(context);
  const { orderId, plan } = tracked;
  await steps.send(Topics.ordersSubmitted, orderId, tracked.order, { ce_id: orderId, ce_type: 'OrderSubmitted' });
  tracked.sentAt = Date.now();
  // NEEDS_ATTENTION while a service is silent is no answer: the saga takes the order back once it speaks.
  const answer = await steps.awaitStatus(orderId, (status) => status !== 'RECEIVED' && status !== 'NEEDS_ATTENTION', 'its answer');
  tracked.answeredAt = answer.timestamp;
  const expected = EXPECTED[plan];
  if (expected.soldOut && answer.value.status === expected.soldOut) {
    tracked.soldOut = true;
    tracked.endedAt = Date.now();
    return;
  }
  if (answer.value.status !== expected.answer) {
    throw new Error(`answered ${answer.value.status}${answer.value.reason ? ` (${answer.value.reason})` : ''}, expected ${expected.answer}`);
  }
  const allocations: { kind: string }[] = answer.value.allocations ?? [];

  if (plan === 'cancel' || plan === 'reserve-cancel') {
    await steps.send(Topics.ordersCommands, orderId, { orderId, reason: 'chaos: customer changed their mind' }, { ce_id: `cancel-${orderId}`, ce_type: 'CancelOrder' });
  } else if (plan === 'reserve-collect' || plan === 'reserve-hot') {
    const [counter] = await steps.fulfillments(orderId, 1);
    await steps.staff(counter, ['ready', 'collect']);
  } else if (plan === 'collect-with-transfer') {
    const work = await steps.fulfillments(orderId, allocations.filter((a) => a.kind === 'TRANSFER').length + 1);
    for (const transfer of work.filter((f) => f.kind === 'TRANSFER')) await steps.staff(transfer, ['pick', 'pack', 'ship', 'receive']);
    await steps.staff(work.find((f) => f.kind === 'PICKUP'), ['pick', 'ready', 'collect']);
  } else {
    const parcels = await steps.fulfillments(orderId, allocations.length);
    for (const parcel of parcels) await steps.staff(parcel, ['pick', 'pack', 'ship']);
    for (const parcel of parcels) await steps.staff(parcel, ['deliver']);
    if (plan !== 'deliver') {
      await steps.awaitStatus(orderId, (status) => status === 'DELIVERED', 'DELIVERED');
      tracked.returnId = `RET-${orderId}`;
      const lines = plan === 'deliver-return-all' ? tracked.order.lines : [{ ...tracked.order.lines[0], quantity: 1 }];
      await steps.giveBack(tracked.returnId, orderId, lines);
    }
  }
  await steps.awaitStatus(orderId, (status) => status === expected.end, expected.end);
  tracked.endedAt = Date.now();
}

/** The calls of one journey, each retried until it gets through or the deadline passes. */
class Steps {
  constructor(private readonly context: JourneyContext) {}

  async send(topic: string, key: string, value: unknown, headers: { ce_id: string; ce_type: string }): Promise<void> {
    await this.retry(`send to ${topic}`, async () => {
      await this.context.probe.send(topic, key, value, { ce_specversion: '1.0', ce_source: CHANNEL, ...headers });
      return true;
    });
  }

  async awaitStatus(orderId: string, matches: (status: string) => boolean, what: string): Promise<ProbedMessage> {
    const startedAt = Date.now();
    const found = await this.until(() => this.context.ledger.of(Topics.ordersEvents, orderId).find((m) => matches(m.value?.status)), `${orderId} to reach ${what}`);
    this.context.stepDone(startedAt, Date.now());
    return found;
  }

  /** The order's fulfillments once `count` of them were created, as their CREATED events describe them. */
  async fulfillments(orderId: string, count: number): Promise<any[]> {
    const startedAt = Date.now();
    const created = () => [...new Map(this.context.ledger.of(Topics.fulfillmentEvents, orderId).filter((m) => m.value?.status === 'CREATED').map((m) => [m.value.fulfillmentId, m.value])).values()];
    await this.until(() => created().length >= count, `${count} fulfillment(s) for ${orderId}`);
    this.context.stepDone(startedAt, Date.now());
    return created();
  }

  /** Staff steps on one fulfillment, in order. */
  async staff(fulfillment: any, names: string[]): Promise<void> {
    const bodies: Record<string, unknown> = {
      pick: { lines: fulfillment.lines.map(({ sku, quantity }: any) => ({ sku, quantity })) },
      pack: { parcels: [{ weightKg: 1 }] },
      ship: { carrier: 'Chaos Post', trackingNumber: `T-${fulfillment.fulfillmentId}` },
    };
    for (const name of names) {
      await this.call('fulfillment', 'POST', `/fulfillments/${fulfillment.fulfillmentId}/${name}`, bodies[name] ?? {});
    }
  }

  /** A return requested and received in the warehouse as resellable; done when its refund is published. */
  async giveBack(returnId: string, orderId: string, lines: { sku: string; quantity: number }[]): Promise<void> {
    // Returns learns of the delivery from the events topic: until then it does not know the order (404) or refuses it (422).
    await this.call('returns', 'POST', '/returns', { returnId, orderId, lines: lines.map(({ sku, quantity }) => ({ sku, quantity, reason: 'chaos' })) }, [404, 422]);
    const receipt = { locationId: RETURNS_LOCATION, lines: lines.map(({ sku, quantity }) => ({ sku, quantity, condition: 'RESELLABLE' })) };
    await this.call('returns', 'POST', `/returns/${returnId}/receive`, receipt);
    for (const { sku, quantity } of lines) {
      const key = `${RETURNS_LOCATION}|${sku}`;
      this.context.restocked.set(key, (this.context.restocked.get(key) ?? 0) + quantity);
    }
    const startedAt = Date.now();
    await this.until(() => this.context.ledger.of(Topics.refunds, returnId).length, `the refund of ${returnId}`);
    this.context.stepDone(startedAt, Date.now());
  }

  private async call(service: ServiceName, method: string, path: string, body: unknown, alsoRetried: number[] = []): Promise<any> {
    return this.retry(`${method} ${path}`, async () => {
      const answer = await http(method, `${this.context.url(service)}${path}`, body, undefined, 15_000);
      if (answer.status < 300) return answer.body ?? true;
      const transient = answer.status >= 500 || answer.status === 429 || alsoRetried.includes(answer.status);
      const why = `${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
      if (!transient) throw new Refused(`${method} ${path} answered ${why}`);
      throw new Error(why);
    });
  }

  /** Runs `attempt` until it returns; a refusal ends the journey at once, anything else is retried. */
  private async retry<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    const startedAt = Date.now();
    for (;;) {
      try {
        const result = await attempt();
        this.context.stepDone(startedAt, Date.now());
        return result;
      } catch (error) {
        if (error instanceof Refused) throw error;
        if (Date.now() > this.context.deadline) throw new Error(`${what} still failing at the deadline: ${(error as Error).message}`);
      }
      await new Promise((done) => setTimeout(done, 300));
    }
  }

  /** Waits for what the probe reads from Kafka, until the deadline. */
  private until<T>(condition: () => T | undefined | false | 0, what: string): Promise<T> {
    return waitFor(condition, { timeoutMs: Math.max(0, this.context.deadline - Date.now()), what });
  }
}

class Refused extends Error {}
