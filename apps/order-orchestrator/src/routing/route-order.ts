import type { AllocationKind, AllocationLine, DeliveryMode } from '@fil/contracts';
import { haversineKm } from '@fil/geo';
import { mergeLines, routeHomeDelivery, type CandidateScore, type CandidateSummary, type HoldingsAt, type HomeDeliveryDecision, type RoutingLocation, type RoutingWeights, type Shipment, type StockHolders } from './home-delivery-router';
import { explainReserveStores, round, type ReserveStore } from './routing-explanation';
import type { ChannelPolicy } from './routing-policy';

/** The rules of this code, stored with every decision beside the policy version: a change of rules gets a new one. */
export const ROUTING_RULES_VERSION = 'fil-routing-v1';

/** A location as routing sees it: what home delivery needs, and the counter capabilities. */
export interface NetworkLocation extends RoutingLocation {
  pickup: boolean;
  reserve: boolean;
}

export interface RoutingRequest {
  deliveryMode: DeliveryMode;
  /** What is to be sourced: the whole order, or the part being re-routed. */
  lines: AllocationLine[];
  shippingAddress?: { lat: number; lng: number };
  pickupLocationId?: string;
  locations: NetworkLocation[];
  atp: (locationId: string, sku: string) => number;
  /** The same figures indexed by SKU: routing then reads only the holders of the ordered SKUs. */
  holders?: StockHolders;
  /** The same figures by position in `locations`: no look-up by id at all (used before `holders`). */
  holdingsAt?: HoldingsAt;
  policy: ChannelPolicy;
  /** The stored version `policy` was read from. */
  policyVersion: number;
  /** Locations that may not serve this order any more (they refused it or came up short). */
  excluded?: ReadonlySet<string>;
}

export interface PlannedAllocation {
  locationId: string;
  kind: AllocationKind;
  lines: AllocationLine[];
}

export type RejectionReason = 'NO_STOCK' | 'INSUFFICIENT_STOCK' | 'UNKNOWN_PICKUP_LOCATION' | 'PICKUP_NOT_OFFERED' | 'NOT_AVAILABLE_IN_STORE';

export interface RoutingExplanation {
  /** `policy-v<n>`: the stored routing policy version the decision used. */
  policyVersion: string;
  rulesVersion: string;
  deliveryMode: DeliveryMode;
  channelPolicy: ChannelPolicy;
  /** A bounded list: see `summary` for what it leaves out. */
  candidates: CandidateScore[];
  summary?: CandidateSummary;
  /** False when the search ran out of budget and a fallback chose (see SEARCH_BUDGET). */
  exact: boolean;
  reason: string;
}

export type RoutingDecision =
  | { outcome: 'ALLOCATE'; allocations: PlannedAllocation[]; backordered: AllocationLine[]; explanation: RoutingExplanation }
  | {
      outcome: 'REJECT';
      reason: RejectionReason;
      /** E-reservation: up to three nearest stores with `reserve` that could serve every line. */
      alternatives?: { locationId: string; distanceKm: number }[];
      explanation: RoutingExplanation;
    };

/** PRODUCT.md's routing policy for the three delivery modes, with no I/O. */
export function routeOrder(routing: RoutingRequest): RoutingDecision {
  const lines = mergeBySku(routing.lines);
  const excludedByPolicy = routing.policy.excludedLocations;
  const request = excludedByPolicy.length ? { ...routing, excluded: new Set([...(routing.excluded ?? []), ...excludedByPolicy]) } : routing;
  switch (request.deliveryMode) {
    case 'HOME_DELIVERY':
      return routeFromNetwork(request, lines, request.shippingAddress!, 'SHIP', []);
    case 'CLICK_AND_COLLECT':
      return routeClickAndCollect(request, lines);
    case 'E_RESERVATION':
      return routeEReservation(request, lines);
  }
}

/**
 * The pickup store picks what its own ATP covers (whole or in part); the rest comes
 * from `ship` locations as transfers, chosen as for home delivery with the store as
 * the address.
 */
function routeClickAndCollect(request: RoutingRequest, lines: AllocationLine[]): RoutingDecision {
  const store = request.locations.find((location) => location.id === request.pickupLocationId);
  const refused = refusePickup(request, store);
  if (refused) return refused;
  const local: AllocationLine[] = [];
  const rest: AllocationLine[] = [];
  const excluded = request.excluded?.has(store!.id);
  for (const { sku, quantity } of lines) {
    const here = excluded ? 0 : Math.min(quantity, Math.max(0, request.atp(store!.id, sku)));
    if (here) local.push({ sku, quantity: here });
    if (quantity - here) rest.push({ sku, quantity: quantity - here });
  }
  const pickup: PlannedAllocation[] = local.length ? [{ locationId: store!.id, kind: 'PICKUP', lines: local }] : [];
  // Positions change with the store left out: the others are joined by id.
  const others = { ...request, locations: request.locations.filter((location) => location.id !== store!.id), holdingsAt: undefined };
  return routeFromNetwork(others, rest, store!, 'TRANSFER', pickup);
}

/** Every line from the pickup store's ATP, or a rejection naming the nearest stores that could. */
function routeEReservation(request: RoutingRequest, lines: AllocationLine[]): RoutingDecision {
  const store = request.locations.find((location) => location.id === request.pickupLocationId);
  // PRODUCT.md: a store without `reserve`, even one unknown, is refused like one short of stock,
  // NOT_AVAILABLE_IN_STORE with the nearest that could (none for an unknown store: it has no position).
  if (!store) {
    const why = `pickup location ${request.pickupLocationId} is not a known location: no position to find the nearest stores from`;
    return { outcome: 'REJECT', reason: 'NOT_AVAILABLE_IN_STORE', alternatives: [], explanation: explain(request, [], true, why) };
  }
  const servesAll = (location: NetworkLocation) => lines.every(({ sku, quantity }) => request.atp(location.id, sku) >= quantity);
  const stores: ReserveStore[] = request.locations
    .filter((location) => location.reserve && location.type === 'STORE')
    .map((location) => ({
      location,
      distanceKm: haversineKm(location, store!),
      covers: lines.filter(({ sku, quantity }) => request.atp(location.id, sku) >= quantity).map(({ sku }) => sku),
      excluded: !!request.excluded?.has(location.id),
    }));
  const reserved = store.reserve && servesAll(store) && !request.excluded?.has(store.id);
  const { candidates, summary } = explainReserveStores(stores, store.id, lines.length, reserved, request.locations.length);
  if (reserved) {
    return {
      outcome: 'ALLOCATE',
      allocations: [{ locationId: store!.id, kind: 'PICKUP', lines }],
      backordered: [],
      explanation: explain(request, candidates, true, `${store!.id} holds every line: reserved there`, summary),
    };
  }
  const alternatives = stores
    .filter(({ location, covers, excluded }) => location.id !== store!.id && !excluded && covers.length === lines.length)
    // Ranked on the exact distance, rounded once chosen: two stores a metre apart are not a tie.
    .sort((a, b) => a.distanceKm - b.distanceKm || (a.location.id < b.location.id ? -1 : 1))
    .slice(0, 3)
    .map(({ location, distanceKm }) => ({ locationId: location.id, distanceKm: round(distanceKm) }));
  const short = lines.filter(({ sku, quantity }) => request.atp(store!.id, sku) < quantity).map(({ sku }) => sku);
  return {
    outcome: 'REJECT',
    reason: 'NOT_AVAILABLE_IN_STORE',
    alternatives,
    explanation: explain(
      request,
      candidates,
      true,
      `${store!.id} ${store!.reserve ? `cannot hold every line (short of ${short.join(', ') || 'nothing, but it was excluded'})` : 'does not offer e-reservation'}; ` +
        (alternatives.length ? `nearest stores that could: ${alternatives.map((a) => a.locationId).join(', ')}` : 'no store with reserve holds every line'),
      summary,
    ),
  };
}

/** Click & collect needs a known store with a counter (`pickup`). */
function refusePickup(request: RoutingRequest, store: NetworkLocation | undefined): RoutingDecision | undefined {
  if (!store) {
    return { outcome: 'REJECT', reason: 'UNKNOWN_PICKUP_LOCATION', explanation: explain(request, [], true, `pickup location ${request.pickupLocationId} is not a known location`) };
  }
  if (!store.pickup) return { outcome: 'REJECT', reason: 'PICKUP_NOT_OFFERED', explanation: explain(request, [], true, `${store.id} does not offer click & collect`) };
  return undefined;
}

/** Home delivery's objective from the `ship` network to `destination`, after any allocations already planned. */
function routeFromNetwork(
  request: RoutingRequest,
  lines: AllocationLine[],
  destination: { lat: number; lng: number },
  kind: AllocationKind,
  planned: PlannedAllocation[],
): RoutingDecision {
  // The cap is on parcels to the customer; transfers to a pickup store are not capped.
  const cap = kind === 'SHIP' ? request.policy.maxShipments : null;
  const decision = lines.length
    ? capShipments(routeHomeDelivery(lines, destination, request.locations, request.atp, request.policy.weights as RoutingWeights, request.excluded, request.holders, request.holdingsAt), cap)
    : { shipments: [], backordered: [], exact: true, explanation: { candidates: [], summary: undefined, reason: 'the pickup store holds every line' } };
  const allocations = [...planned, ...decision.shipments.map(({ locationId, lines: served }) => ({ locationId, kind, lines: served }))];
  const pickedHere = planned.length ? `${planned[0].locationId} picks ${describe(planned[0].lines)}; ` : '';
  const reason = pickedHere + decision.explanation.reason;
  const explanation = explain(request, decision.explanation.candidates, decision.exact, reason, decision.explanation.summary);
  if (!allocations.length) return { outcome: 'REJECT', reason: 'NO_STOCK', explanation };
  if (decision.backordered.length && request.policy.shortage === 'REJECT') {
    return {
      outcome: 'REJECT',
      reason: 'INSUFFICIENT_STOCK',
      explanation: { ...explanation, reason: `${reason}; channel policy rejects orders that cannot be served whole` },
    };
  }
  return { outcome: 'ALLOCATE', allocations, backordered: decision.backordered, explanation };
}

/**
 * Home delivery above the policy's cap: the shipments serving the most units (then the
 * cheapest) are kept and the others' lines join the shortage. Greedy, not the best set of
 * that size: the search minimises shipments for the whole order, it does not maximise
 * what a fixed number of them can serve.
 */
function capShipments(decision: HomeDeliveryDecision, cap: number | null): HomeDeliveryDecision {
  if (cap === null || decision.shipments.length <= cap) return decision;
  const units = (shipment: Shipment) => shipment.lines.reduce((sum, line) => sum + line.quantity, 0);
  const ranked = [...decision.shipments].sort((a, b) => units(b) - units(a) || a.cost - b.cost);
  const kept = new Set(ranked.slice(0, cap));
  const dropped = ranked.slice(cap);
  const droppedIds = new Set(dropped.map((shipment) => shipment.locationId));
  return {
    ...decision,
    shipments: decision.shipments.filter((shipment) => kept.has(shipment)),
    backordered: mergeBySku([...decision.backordered, ...dropped.flatMap((shipment) => shipment.lines)]),
    explanation: {
      ...decision.explanation,
      candidates: decision.explanation.candidates.map(({ chosen, ...candidate }) => (chosen && !droppedIds.has(candidate.locationId) ? { ...candidate, chosen } : candidate)),
      reason: `${decision.explanation.reason}; the policy allows ${cap} shipment(s): ${[...droppedIds].join(', ')} left out, short of ${describe(dropped.flatMap((shipment) => shipment.lines))}`,
    },
  };
}

function explain(request: RoutingRequest, candidates: CandidateScore[], exact: boolean, reason: string, summary?: CandidateSummary): RoutingExplanation {
  return { policyVersion: `policy-v${request.policyVersion}`, rulesVersion: ROUTING_RULES_VERSION, deliveryMode: request.deliveryMode, channelPolicy: request.policy, candidates, ...(summary ? { summary } : {}), exact, reason };
}

/** One line per SKU, new objects the caller may keep. */
export function mergeBySku(lines: AllocationLine[]): AllocationLine[] {
  const merged = mergeLines(lines);
  return merged === lines ? lines.map(({ sku, quantity }) => ({ sku, quantity })) : merged;
}

const describe = (lines: AllocationLine[]) => lines.map((line) => `${line.quantity} × ${line.sku}`).join(', ');
