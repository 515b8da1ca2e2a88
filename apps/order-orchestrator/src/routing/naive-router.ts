import type { AllocationKind, AllocationLine, DeliveryMode } from '@fil/contracts';

export const NAIVE_POLICY = 'naive-single-location-v0';

/** One row of the stock view, as much of it as routing needs. */
export interface StockRow {
  locationId: string;
  sku: string;
  atp: number;
}

export interface CandidateExplanation {
  locationId: string;
  qualifies: boolean;
  covered: { sku: string; atp: number; needed: number }[];
  reason: string;
}

/** Recorded with the order so customer service can read why it went where it went. */
export interface RoutingExplanation {
  policy: typeof NAIVE_POLICY;
  candidates: CandidateExplanation[];
  chosen: string | null;
  reason: string;
}

export interface RoutingDecision {
  /** The location that serves the whole order, or undefined when none can. */
  locationId?: string;
  /** The ordered quantities per SKU, what the location must hold. */
  lines: AllocationLine[];
  explanation: RoutingExplanation;
}

/**
 * Walking-skeleton routing: the whole order from one location. A location
 * qualifies when its ATP covers every SKU; among those, the one with the most
 * ATP for the ordered SKUs wins (then the smallest id, so the choice is stable).
 * `locations` are every location known to the stock view; `stock` its rows.
 */
export function routeNaively(orderLines: AllocationLine[], locations: string[], stock: StockRow[]): RoutingDecision {
  const lines = mergeBySku(orderLines);
  const atpAt = new Map(stock.map((row) => [`${row.locationId}\u0000${row.sku}`, row.atp]));
  const candidates = [...new Set([...locations, ...stock.map((row) => row.locationId)])].sort().map((locationId) => {
    const covered = lines.map(({ sku, quantity }) => ({ sku, atp: atpAt.get(`${locationId}\u0000${sku}`) ?? 0, needed: quantity }));
    const short = covered.filter((line) => line.atp < line.needed);
    const reason = short.length
      ? `short of ${short.map((line) => `${line.sku} (ATP ${line.atp}, needed ${line.needed})`).join(', ')}`
      : 'ATP covers every line';
    return { locationId, qualifies: !short.length, covered, reason, totalAtp: covered.reduce((sum, line) => sum + line.atp, 0) };
  });

  // Candidates are sorted by id, so the first of the largest total is also the smallest id.
  const winner = candidates.filter((candidate) => candidate.qualifies).reduce<(typeof candidates)[number] | undefined>(
    (best, candidate) => (!best || candidate.totalAtp > best.totalAtp ? candidate : best),
    undefined,
  );
  const explanation: RoutingExplanation = {
    policy: NAIVE_POLICY,
    candidates: candidates.map(({ totalAtp: _total, ...candidate }) => candidate),
    chosen: winner?.locationId ?? null,
    reason: winner
      ? `${winner.locationId} covers every line, with the largest total ATP (${winner.totalAtp}) for the ordered SKUs`
      : candidates.length
        ? 'no single location has ATP for every line'
        : 'no location in the stock view',
  };
  return { locationId: winner?.locationId, lines, explanation };
}

/** Home delivery ships; otherwise the pickup store picks its own stock and any other location transfers to it. */
export function allocationKind(deliveryMode: DeliveryMode | undefined, pickupLocationId: string | undefined, locationId: string): AllocationKind {
  if (deliveryMode === 'HOME_DELIVERY') return 'SHIP';
  return locationId === pickupLocationId ? 'PICKUP' : 'TRANSFER';
}

function mergeBySku(lines: AllocationLine[]): AllocationLine[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku].map(([sku, quantity]) => ({ sku, quantity }));
}
