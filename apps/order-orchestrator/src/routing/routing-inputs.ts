import type { AllocationLine, DeliveryMode } from '@fil/contracts';
import { mergeBySku, type NetworkLocation, type RoutingRequest } from './route-order';
import type { ChannelPolicy } from './routing-policy';

/**
 * What a routing decision saw, kept with it so that it can be replayed under another policy.
 * Bounded by the order, not the network: only the locations holding an ordered SKU (ATP > 0)
 * and the pickup store. Routing never sources from anywhere else, so the replay chooses as
 * the live path did; only the explanation's network counts (summary) are smaller.
 */
export interface RoutingInputs {
  lines: AllocationLine[];
  shippingAddress?: { lat: number; lng: number };
  pickupLocationId?: string;
  /** The order's own exclusions (refusals, shortages); the policy's are applied at replay. */
  excluded: string[];
  /** ATP > 0 by SKU, then by location. */
  atp: Record<string, Record<string, number>>;
  locations: NetworkLocation[];
}

/** The inputs of `request` worth keeping: see RoutingInputs. */
export function recordInputs(request: RoutingRequest): RoutingInputs {
  const lines = mergeBySku(request.lines);
  const atp: RoutingInputs['atp'] = {};
  const involved = new Set<string>(request.pickupLocationId ? [request.pickupLocationId] : []);
  for (const { sku } of lines) {
    const held = request.holders ? request.holders(sku) : request.locations.map((location) => [location.id, request.atp(location.id, sku)] as const);
    for (const [locationId, units] of held) {
      if (units <= 0) continue;
      (atp[sku] ??= {})[locationId] = units;
      involved.add(locationId);
    }
  }
  const { lat, lng } = request.shippingAddress ?? {};
  return {
    lines,
    ...(lat !== undefined && lng !== undefined ? { shippingAddress: { lat, lng } } : {}),
    ...(request.pickupLocationId ? { pickupLocationId: request.pickupLocationId } : {}),
    excluded: [...(request.excluded ?? [])],
    atp,
    locations: request.locations.filter((location) => involved.has(location.id)),
  };
}

/** The request that `inputs` were recorded from, under `policy` (version `policyVersion`). */
export function replayRequest(inputs: RoutingInputs, deliveryMode: DeliveryMode, policy: ChannelPolicy, policyVersion: number): RoutingRequest {
  const atp = (locationId: string, sku: string) => inputs.atp[sku]?.[locationId] ?? 0;
  return {
    deliveryMode,
    lines: inputs.lines,
    shippingAddress: inputs.shippingAddress,
    pickupLocationId: inputs.pickupLocationId,
    locations: inputs.locations,
    atp,
    holders: (sku) => Object.entries(inputs.atp[sku] ?? {}),
    policy,
    policyVersion,
    excluded: new Set(inputs.excluded),
  };
}
