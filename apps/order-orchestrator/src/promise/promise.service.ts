import { BadRequestException, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { setting } from '@fil/config';
import type { AllocationLine, DeliveryMode } from '@fil/contracts';
import { haversineKm } from '@fil/geo';
import { mergeBySku, routeOrder, type NetworkLocation, type RoutingDecision } from '../routing/route-order';
import { RoutingPolicies } from '../routing/routing-policies.service';
import { policyFor } from '../routing/routing-policy';
import { LocationView } from '../stock/location-view.entity';
import { StockService } from '../stock/stock.service';
import type { ClickAndCollectPromise, EReservationPromise, HomeDeliveryPromise, PromiseView } from './dto/promise.view';
import { dateOf, deliveryDay, nextOpen, readyAtCounter, type PromiseProfile, type PromiseSettings } from './promise-dates';
import { PROMISE_CUTOFF_HOUR, PROMISE_PROCESSING_HOURS, PROMISE_TRANSIT_BANDS } from './promise-variables';

export interface PromiseRequest {
  lines: AllocationLine[];
  address?: { lat: number; lng: number };
  storeId?: string;
  channel?: string;
}

const NEAR_STORES = 5;

/**
 * What each delivery mode can do for a basket now, decided by the engine and the policy a real
 * order would meet (routeOrder on the same view), with dates from the locations' profiles: so a
 * promise and the order placed right after it agree, unless the stock moved in between.
 */
@Injectable()
export class PromiseService {
  constructor(
    private readonly em: EntityManager,
    private readonly stock: StockService,
    private readonly policies: RoutingPolicies,
  ) {}

  async promise({ lines: asked, address, storeId, channel }: PromiseRequest): Promise<PromiseView> {
    if (!address && !storeId) throw new BadRequestException('give an address (lat and lng) or a storeId');
    const em = this.em.fork();
    const lines = mergeBySku(asked);
    const [network, { version, document }] = await Promise.all([this.stock.network(em, lines.map(({ sku }) => sku)), this.policies.current(em)]);
    // Read after the network, so that every location it routes on has its profile (locations come, never go).
    const profiles = await em.find(LocationView, {});
    const profileOf = new Map<string, PromiseProfile>(profiles.map((profile) => [profile.id, profile]));
    const settings: PromiseSettings = { processingHours: setting(PROMISE_PROCESSING_HOURS), cutOffHour: setting(PROMISE_CUTOFF_HOUR), transitBands: setting(PROMISE_TRANSIT_BANDS) };
    const now = new Date();
    const route = (deliveryMode: DeliveryMode) =>
      routeOrder({ deliveryMode, lines, shippingAddress: address, pickupLocationId: storeId, locations: network.locations, atp: network.atp, holders: network.holders, holdingsAt: network.holdingsAt, policy: policyFor(document, channel, deliveryMode), policyVersion: version });
    const store = storeId ? network.locations.find((location) => location.id === storeId) : undefined;

    return {
      at: now.toISOString(),
      policyVersion: `policy-v${version}`,
      lines,
      homeDelivery: address ? homeDelivery(route('HOME_DELIVERY'), address, profileOf, now, settings) : null,
      clickAndCollect: storeId ? clickAndCollect(storeId, route('CLICK_AND_COLLECT'), profileOf, now, settings) : null,
      eReservation: {
        stores: nearStores(network.locations, network.atp, lines, address ?? store, new Set(policyFor(document, channel, 'E_RESERVATION').excludedLocations), profileOf, now),
        ...(storeId ? { atStore: atStore(storeId, route('E_RESERVATION')) } : {}),
      },
    };
  }
}

const reasonOf = (decision: RoutingDecision) => (decision.outcome === 'REJECT' ? decision.reason : decision.backordered.length ? 'PARTIAL' : undefined);

function homeDelivery(decision: RoutingDecision, address: { lat: number; lng: number }, profileOf: Map<string, PromiseProfile>, now: Date, settings: PromiseSettings): HomeDeliveryPromise {
  if (decision.outcome === 'REJECT') return { available: false, reason: decision.reason, shipments: [], backordered: [], estimatedDelivery: null };
  const shipments = decision.allocations.map(({ locationId, kind, lines }) => ({ locationId, kind, lines, estimatedDelivery: dateOf(deliveryDay(profileOf.get(locationId)!, address, now, settings)) }));
  const last = shipments.map(({ estimatedDelivery }) => estimatedDelivery).sort().at(-1) ?? null;
  return { available: !decision.backordered.length && shipments.length > 0, reason: reasonOf(decision), shipments, backordered: decision.backordered, estimatedDelivery: last };
}

function clickAndCollect(storeId: string, decision: RoutingDecision, profileOf: Map<string, PromiseProfile>, now: Date, settings: PromiseSettings): ClickAndCollectPromise {
  if (decision.outcome === 'REJECT') return { storeId, available: false, reason: decision.reason, parts: [], readyAt: null };
  const parts = decision.allocations.map(({ locationId, kind, lines }) => ({ locationId, kind, lines }));
  const ready = readyAtCounter(profileOf.get(storeId)!, parts.map(({ locationId }) => profileOf.get(locationId)!), now, settings);
  return { storeId, available: !decision.backordered.length && parts.length > 0, reason: reasonOf(decision), parts, readyAt: parts.length ? ready.toISOString() : null };
}

function atStore(storeId: string, decision: RoutingDecision): EReservationPromise['atStore'] {
  return decision.outcome === 'ALLOCATE' ? { storeId, available: true } : { storeId, available: false, reason: decision.reason };
}

/** The stores with e-reservation that hold every line, nearest the customer first; a reservation is held at once, ready when the store is open. */
function nearStores(
  locations: NetworkLocation[],
  atp: (locationId: string, sku: string) => number,
  lines: AllocationLine[],
  point: { lat: number; lng: number } | undefined,
  excluded: Set<string>,
  profileOf: Map<string, PromiseProfile>,
  now: Date,
): EReservationPromise['stores'] {
  if (!point) return [];
  return locations
    .filter((location) => location.reserve && location.type === 'STORE' && !excluded.has(location.id) && lines.every(({ sku, quantity }) => atp(location.id, sku) >= quantity))
    .map((location) => ({ location, exactKm: haversineKm(point, location) }))
    // Ranked on the exact distance, rounded once chosen, as the order's alternatives are.
    .sort((a, b) => a.exactKm - b.exactKm || (a.location.id < b.location.id ? -1 : 1))
    .slice(0, NEAR_STORES)
    .map(({ location, exactKm }) => ({ locationId: location.id, distanceKm: Math.round(exactKm * 10) / 10, readyAt: nextOpen(profileOf.get(location.id)!, now).toISOString() }));
}
