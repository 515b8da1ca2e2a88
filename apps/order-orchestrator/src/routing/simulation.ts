import type { AllocationLine, DeliveryMode } from '@fil/contracts';
import { haversineKm } from '@fil/geo';
import { routeOrder, type NetworkLocation, type RoutingDecision } from './route-order';
import { replayRequest, type RoutingInputs } from './routing-inputs';
import { policyFor, type ChannelPolicy, type PolicyDocument } from './routing-policy';

/**
 * An order's first routing decision as recorded (RoutingRecord). Only the first is replayed:
 * re-routes and backorder retries answer what the first decision caused (a refusal, a
 * shortage), which another policy would not have caused the same way.
 */
export interface RecordedDecision {
  orderId: string;
  channel?: string;
  deliveryMode: DeliveryMode;
  outcome: string;
  allocations: { locationId: string; kind: string; lines: AllocationLine[] }[];
  backordered: AllocationLine[];
  /** `policy-v<n>` */
  policyVersion: string;
  inputs?: RoutingInputs;
}

/** One side of the comparison for a group of orders. */
export interface Figures {
  orders: number;
  /** Allocations per order: each a part sourced from one location (a parcel, a transfer, the pickup store's own pick). */
  shipmentsPerOrder: number;
  /** Orders with more than one allocation, over all orders. */
  splitRate: number;
  /** Km from the sourcing location to the destination, over the parts that travel (SHIP, TRANSFER); null when none does. */
  averageDistanceKm: number | null;
  /** The parts that travel priced with that side's own weights (baseCost of the location type + perKm × km); a pick at the pickup store costs nothing. */
  totalCost: number;
  /** Units allocated over units ordered (a rejected order allocates none). */
  fillRate: number;
  backorderedUnits: number;
}

export interface SimulationGroup {
  channel: string;
  deliveryMode: DeliveryMode;
  used: Figures;
  proposed: Figures;
}

export interface ChangedOrder {
  orderId: string;
  channel: string;
  deliveryMode: DeliveryMode;
  used: string;
  proposed: string;
}

export interface Simulation {
  replayed: number;
  /** Decisions that cannot be replayed, by reason. */
  skipped: Record<string, number>;
  /** Orders whose replay under the version used differs from what was recorded (the rules changed since): their `used` figures are the replay's. */
  replayDiffers: string[];
  groups: SimulationGroup[];
  total: { used: Figures; proposed: Figures };
  changed: ChangedOrder[];
}

type Outcome = { decision: RoutingDecision; ordered: AllocationLine[]; policy: ChannelPolicy; locations: Map<string, NetworkLocation>; destination?: { lat: number; lng: number } };

const NO_CHANNEL = '(none)';
const TRAVELS = ['SHIP', 'TRANSFER'];

/**
 * Replays each decision through the routing engine under the policy version it used and
 * under `proposed`, and compares the two per channel and delivery mode. No I/O: `versions`
 * holds the documents of the versions the decisions name.
 */
export function simulate(decisions: RecordedDecision[], versions: ReadonlyMap<number, PolicyDocument>, proposed: PolicyDocument): Simulation {
  const run = simulation(decisions, versions, proposed);
  let step = run.next();
  while (!step.done) step = run.next();
  return step.value;
}

/** `simulate` one order at a time: it pauses after each replay, so a server can let other work run between them. */
export function* simulation(decisions: RecordedDecision[], versions: ReadonlyMap<number, PolicyDocument>, proposed: PolicyDocument): Generator<void, Simulation> {
  const skipped: Record<string, number> = {};
  const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1);
  const pairs: { recorded: RecordedDecision; used: Outcome; proposed: Outcome }[] = [];
  for (const recorded of decisions) {
    const version = Number(/^policy-v(\d+)$/.exec(recorded.policyVersion)?.[1]);
    const document = versions.get(version);
    if (!recorded.inputs) skip('recorded before routing kept its inputs');
    else if (!document) skip(`policy version ${recorded.policyVersion} not found`);
    else pairs.push({ recorded, used: replay(recorded, document, version), proposed: replay(recorded, proposed, 0) });
    yield;
  }
  const groups = new Map<string, typeof pairs>();
  for (const pair of pairs) {
    const key = `${pair.recorded.channel ?? NO_CHANNEL}\u0000${pair.recorded.deliveryMode}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(pair);
  }
  return {
    replayed: pairs.length,
    skipped,
    replayDiffers: pairs.filter(({ recorded, used }) => describeSourcing(sourcingOf(used.decision), false) !== describeSourcing(recorded, false)).map(({ recorded }) => recorded.orderId),
    groups: [...groups]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, members]) => ({
        channel: members[0].recorded.channel ?? NO_CHANNEL,
        deliveryMode: members[0].recorded.deliveryMode,
        used: figures(members.map((pair) => pair.used)),
        proposed: figures(members.map((pair) => pair.proposed)),
      })),
    total: { used: figures(pairs.map((pair) => pair.used)), proposed: figures(pairs.map((pair) => pair.proposed)) },
    changed: pairs
      .map(({ recorded, used, proposed: next }) => ({
        orderId: recorded.orderId,
        channel: recorded.channel ?? NO_CHANNEL,
        deliveryMode: recorded.deliveryMode,
        used: describeSourcing(sourcingOf(used.decision)),
        proposed: describeSourcing(sourcingOf(next.decision)),
      }))
      .filter((order) => order.used !== order.proposed),
  };
}

function replay(recorded: RecordedDecision, document: PolicyDocument, version: number): Outcome {
  const inputs = recorded.inputs!;
  const policy = policyFor(document, recorded.channel, recorded.deliveryMode);
  const locations = new Map(inputs.locations.map((location) => [location.id, location]));
  const destination = recorded.deliveryMode === 'HOME_DELIVERY' ? inputs.shippingAddress : locations.get(inputs.pickupLocationId ?? '');
  return { decision: routeOrder(replayRequest(inputs, recorded.deliveryMode, policy, version)), ordered: inputs.lines, policy, locations, destination };
}

function figures(outcomes: Outcome[]): Figures {
  let [parts, split, travelling, km, cost, ordered, allocated, backordered] = [0, 0, 0, 0, 0, 0, 0, 0];
  for (const { decision, ordered: lines, policy, locations, destination } of outcomes) {
    const allocations = decision.outcome === 'ALLOCATE' ? decision.allocations : [];
    parts += allocations.length;
    if (allocations.length > 1) split += 1;
    for (const allocation of allocations) {
      allocated += units(allocation.lines);
      const location = locations.get(allocation.locationId);
      if (!TRAVELS.includes(allocation.kind) || !location || !destination) continue;
      const distance = haversineKm(location, destination);
      travelling += 1;
      km += distance;
      cost += policy.weights.baseCost[location.type] + policy.weights.perKm * distance;
    }
    ordered += units(lines);
    backordered += units(decision.outcome === 'ALLOCATE' ? decision.backordered : []);
  }
  const orders = outcomes.length;
  return {
    orders,
    shipmentsPerOrder: orders ? round(parts / orders) : 0,
    splitRate: orders ? round(split / orders) : 0,
    averageDistanceKm: travelling ? round(km / travelling) : null,
    totalCost: round(cost),
    fillRate: ordered ? round(allocated / ordered) : 0,
    backorderedUnits: backordered,
  };
}

/** What a decision sourced: a recorded one names no rejection reason. */
interface Sourcing {
  outcome: string;
  allocations: RecordedDecision['allocations'];
  backordered: AllocationLine[];
  reason?: string;
}

const sourcingOf = (decision: RoutingDecision): Sourcing =>
  decision.outcome === 'ALLOCATE' ? decision : { outcome: decision.outcome, allocations: [], backordered: [], reason: decision.reason };

/** `SHIP WH-1 (2 × A), ...; backordered 1 × B`, or the rejection: what a change is shown as. */
export function describeSourcing({ outcome, allocations, backordered, reason }: Sourcing, withReason = true): string {
  if (outcome !== 'ALLOCATE') return withReason && reason ? `REJECT ${reason}` : 'REJECT';
  const parts = allocations.map(({ kind, locationId, lines }) => `${kind} ${locationId} (${describeLines(lines)})`).sort();
  return parts.join(', ') + (backordered.length ? `; backordered ${describeLines(backordered)}` : '');
}

const describeLines = (lines: AllocationLine[]) =>
  [...lines]
    .sort((a, b) => (a.sku < b.sku ? -1 : 1))
    .map((line) => `${line.quantity} × ${line.sku}`)
    .join(', ');
const units = (lines: AllocationLine[]) => lines.reduce((sum, line) => sum + line.quantity, 0);
const round = (value: number) => Math.round(value * 1000) / 1000;
