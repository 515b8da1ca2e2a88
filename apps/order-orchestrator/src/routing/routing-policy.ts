import type { DeliveryMode } from '@fil/contracts';
import { DEFAULT_WEIGHTS, type RoutingWeights } from './home-delivery-router';

/** What routing applies to one order: the cost weights, the cap on parcels, what waits or is refused, and where not to source. */
export interface ChannelPolicy {
  weights: RoutingWeights;
  shortage: 'BACKORDER' | 'REJECT';
  /** Home delivery: at most this many shipments per decision; null = no cap. */
  maxShipments: number | null;
  excludedLocations: string[];
}

export const SHORTAGE_POLICIES = ['BACKORDER', 'REJECT'] as const;

export const DEFAULT_POLICY: ChannelPolicy = { weights: DEFAULT_WEIGHTS, shortage: 'BACKORDER', maxShipments: null, excludedLocations: [] };

/** A level of the document: each field it sets replaces the one below (lists too); weights field by field. */
export interface PolicyOverride {
  weights?: { baseCost?: Partial<RoutingWeights['baseCost']>; perKm?: number };
  shortage?: ChannelPolicy['shortage'];
  maxShipments?: number | null;
  excludedLocations?: string[];
}

export type ModeOverrides = Partial<Record<DeliveryMode, PolicyOverride>>;

/**
 * The routing policy as ops write it, stored as one version. An order's policy is, lowest
 * first: DEFAULT_POLICY < `defaults` < `modes[mode]` < its channel < that channel's `modes[mode]`.
 */
export interface PolicyDocument {
  defaults?: PolicyOverride;
  modes?: ModeOverrides;
  channels?: (PolicyOverride & { channel: string; modes?: ModeOverrides })[];
}

/** A stored version of the document; decisions record `version`. */
export interface PolicyVersion {
  version: number;
  document: PolicyDocument;
}

/** The policy of an order of `channel` in `mode` under `document`. */
export function policyFor(document: PolicyDocument, channel: string | undefined, mode: DeliveryMode | undefined): ChannelPolicy {
  const own = document.channels?.find((candidate) => candidate.channel === channel);
  const levels = [document.defaults, mode && document.modes?.[mode], own, mode && own?.modes?.[mode]];
  return levels.reduce<ChannelPolicy>((policy, level) => (level ? applied(policy, level) : policy), DEFAULT_POLICY);
}

function applied(below: ChannelPolicy, level: PolicyOverride): ChannelPolicy {
  return {
    weights: {
      perKm: level.weights?.perKm ?? below.weights.perKm,
      baseCost: { ...below.weights.baseCost, ...level.weights?.baseCost },
    },
    shortage: level.shortage ?? below.shortage,
    maxShipments: level.maxShipments !== undefined ? level.maxShipments : below.maxShipments,
    excludedLocations: level.excludedLocations ?? below.excludedLocations,
  };
}

/**
 * FIL_ROUTING_POLICIES (JSON keyed by channel, `{"marketplace": {"shortage": "REJECT"}}`) as
 * a document: what seeds version 1 when none is stored yet.
 */
export function documentFromChannelPolicies(byChannel: Record<string, PolicyOverride>): PolicyDocument {
  return { channels: Object.entries(byChannel).map(([channel, policy]) => ({ channel, ...policy })) };
}
