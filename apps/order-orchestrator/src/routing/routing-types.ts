import type { AllocationLine } from '@fil/contracts';

/** What routing needs to know of a location. */
export interface RoutingLocation {
  id: string;
  type: 'WAREHOUSE' | 'STORE';
  lat: number;
  lng: number;
  ship: boolean;
  /** Lower first on ties; none ranks after every number. */
  priority?: number | null;
  /** False once the location has started its daily capacity of fulfillments. */
  underCapacity: boolean;
}

export interface RoutingWeights {
  baseCost: { WAREHOUSE: number; STORE: number };
  perKm: number;
}

export const DEFAULT_WEIGHTS: RoutingWeights = { baseCost: { WAREHOUSE: 4, STORE: 6 }, perKm: 0.01 };

/**
 * Every location with ATP of `sku`, with that ATP (the figures `atp` gives). Optional: with
 * it routing reads only the holders of the ordered SKUs instead of asking every location.
 */
export type StockHolders = (sku: string) => Iterable<readonly [locationId: string, atp: number]>;

/** The holders of one SKU as positions in the network's array of locations, with their ATP: two parallel arrays. */
export interface Holdings {
  at: ArrayLike<number>;
  atp: ArrayLike<number>;
}

/**
 * The same figures as `StockHolders`, by position in the array routing is given: a caller that
 * keeps its locations in one order (the stock view) hands them so, and no decision joins ids.
 */
export type HoldingsAt = (sku: string) => Holdings | undefined;

export type FilterReason = 'NO_SHIP_CAPABILITY' | 'AT_DAILY_CAPACITY' | 'EXCLUDED_FOR_ORDER';

export interface CandidateScore {
  locationId: string;
  /** Why it was left out, when it was. */
  filteredOut?: FilterReason;
  distanceKm?: number;
  cost?: number;
  /** The SKUs it can serve whole. */
  covers?: string[];
  /** What it holds of the lines it cannot serve whole. */
  partly?: AllocationLine[];
  /** It ships part of the order. */
  chosen?: true;
}

/** What the candidate list leaves out: it names the chosen locations, the cheapest few per SKU and the nearest few left out. */
export interface CandidateSummary {
  locations: number;
  /** Locations the mode may use, not filtered out: ship locations under capacity, or stores with reserve for an e-reservation. */
  eligible: number;
  /** Of those, the ones holding some of the order. */
  holders: number;
  filteredOut: Record<FilterReason, number>;
  listed: number;
  /** Search nodes visited: the effort behind `exact`. */
  searchNodes: number;
}

export interface Shipment {
  locationId: string;
  lines: AllocationLine[];
  cost: number;
}

export interface HomeDeliveryDecision {
  shipments: Shipment[];
  backordered: AllocationLine[];
  /** False when the search ran out of budget and the greedy fallback chose (see SEARCH_BUDGET). */
  exact: boolean;
  explanation: { policy: string; candidates: CandidateScore[]; summary?: CandidateSummary; reason: string };
}
