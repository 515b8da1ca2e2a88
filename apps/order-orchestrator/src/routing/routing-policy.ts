import { DEFAULT_WEIGHTS, type RoutingWeights } from './home-delivery-router';

/** What a channel may tune: the cost weights, and whether an order that cannot be served whole waits or is refused. */
export interface ChannelPolicy {
  weights: RoutingWeights;
  shortage: 'BACKORDER' | 'REJECT';
}

export const DEFAULT_POLICY: ChannelPolicy = { weights: DEFAULT_WEIGHTS, shortage: 'BACKORDER' };

/** Per-channel overrides, e.g. `{"marketplace": {"shortage": "REJECT"}, "store": {"weights": {"perKm": 0.05}}}`. */
export type ChannelPolicies = Record<string, { weights?: Partial<Omit<RoutingWeights, 'baseCost'>> & { baseCost?: Partial<RoutingWeights['baseCost']> }; shortage?: ChannelPolicy['shortage'] }>;

/** The policy of `channel`: the defaults with its overrides, if any. */
export function policyFor(channel: string | undefined, overrides: ChannelPolicies): ChannelPolicy {
  const own = channel === undefined ? undefined : overrides[channel];
  if (!own) return DEFAULT_POLICY;
  return {
    shortage: own.shortage ?? DEFAULT_POLICY.shortage,
    weights: {
      perKm: own.weights?.perKm ?? DEFAULT_WEIGHTS.perKm,
      baseCost: { ...DEFAULT_WEIGHTS.baseCost, ...own.weights?.baseCost },
    },
  };
}

/**
 * Reads FIL_ROUTING_POLICIES (JSON, see ChannelPolicies). A malformed value stops the
 * service at start-up rather than routing with weights nobody chose.
 */
export function channelPoliciesFromEnv(raw = process.env.FIL_ROUTING_POLICIES): ChannelPolicies {
  if (!raw) return {};
  const parsed: unknown = JSON.parse(raw);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('FIL_ROUTING_POLICIES must be a JSON object keyed by channel');
  for (const [channel, policy] of Object.entries(parsed as Record<string, any>)) {
    if (policy?.shortage !== undefined && !['BACKORDER', 'REJECT'].includes(policy.shortage)) {
      throw new Error(`FIL_ROUTING_POLICIES.${channel}.shortage must be BACKORDER or REJECT`);
    }
    const numbers = [policy?.weights?.perKm, policy?.weights?.baseCost?.WAREHOUSE, policy?.weights?.baseCost?.STORE];
    if (numbers.some((n) => n !== undefined && !(typeof n === 'number' && n >= 0))) {
      throw new Error(`FIL_ROUTING_POLICIES.${channel}.weights must be non-negative numbers`);
    }
  }
  return parsed as ChannelPolicies;
}
