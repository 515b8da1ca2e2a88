import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';

/** One group's figures; a rate is null when nothing in the window could give it a value. */
export interface KpiFigures {
  orders: number;
  rejected: number;
  /** Units the first routing decision allocated, over units ordered (rejected orders left out). */
  fillRate: number | null;
  /** Orders served from more than one location, over orders allocated anything. */
  splitRate: number | null;
  /** Locations per allocated order (first decision). */
  shipmentsPerOrder: number | null;
  /** Kilometres from each shipping or transferring location to the address or pickup store. */
  averageDistanceKm: number | null;
  /** Orders whose first decision backordered something, over orders not rejected. */
  backorderRate: number | null;
  clickAndCollectShare: number | null;
  /** Median seconds from receipt to READY_FOR_PICKUP, click & collect orders that got there. */
  clickAndCollectSecondsToReady: number | null;
  /** E-reservations collected, over those collected or expired. */
  eReservationConversion: number | null;
  cancellationRate: number | null;
  /** Delivered or collected orders with a return, over delivered or collected orders. */
  returnRate: number | null;
  /** Returned units put back in stock (inspected RESELLABLE), over returned units. */
  restockRate: number | null;
}

export interface Kpis {
  from: string;
  to: string;
  total: KpiFigures;
  groups: ({ channel: string | null; deliveryMode: string | null } & KpiFigures)[];
}

const GROUPING = `grouping sets ((channel, delivery_mode), ())`;

// Each order's facts once: its first routing decision, the statuses it reached, its returns.
const ORDERS_IN_WINDOW = `
  with o as (
    select order_id, channel, delivery_mode, status, lines, routing -> 0 as first, returned, restocked, shipping_address, pickup_location_id, created_at
    from customer_order where created_at >= ? and created_at < ?
  )`;

const FIGURES = `${ORDERS_IN_WINDOW},
  facts as (
    select o.channel, o.delivery_mode, o.status = 'REJECTED' as rejected,
      (select coalesce(sum((l ->> 'quantity')::int), 0) from jsonb_array_elements(o.lines) l) as ordered,
      (select coalesce(sum((line ->> 'quantity')::int), 0)
         from jsonb_array_elements(coalesce(o.first -> 'allocations', '[]')) a, jsonb_array_elements(a -> 'lines') line) as allocated,
      (select count(distinct a ->> 'locationId') from jsonb_array_elements(coalesce(o.first -> 'allocations', '[]')) a) as shipments,
      jsonb_array_length(coalesce(o.first -> 'backordered', '[]')) > 0 as backordered,
      (select coalesce(sum(value::int), 0) from jsonb_each_text(o.returned)) as returned_units,
      (select coalesce(sum(value::int), 0) from jsonb_each_text(o.restocked)) as restocked_units,
      reached.*
    from o cross join lateral (
      select coalesce(bool_or(t.to_status = 'CANCELLED'), false) as cancelled,
             coalesce(bool_or(t.to_status in ('DELIVERED', 'COLLECTED')), false) as completed,
             coalesce(bool_or(t.to_status = 'COLLECTED'), false) as collected,
             coalesce(bool_or(t.to_status = 'EXPIRED'), false) as expired,
             extract(epoch from min(t.at) filter (where t.to_status = 'READY_FOR_PICKUP') - o.created_at)::float8 as seconds_to_ready
      from order_transition t where t.order_id = o.order_id
    ) reached
  )
  select channel, delivery_mode, grouping(channel, delivery_mode) = 3 as total,
    count(*)::int as orders,
    (count(*) filter (where rejected))::int as rejected,
    sum(allocated)::float8 / nullif(sum(ordered) filter (where not rejected), 0) as fill_rate,
    (count(*) filter (where shipments > 1))::float8 / nullif(count(*) filter (where shipments > 0), 0) as split_rate,
    (avg(shipments) filter (where shipments > 0))::float8 as shipments_per_order,
    (count(*) filter (where backordered))::float8 / nullif(count(*) filter (where not rejected), 0) as backorder_rate,
    (count(*) filter (where delivery_mode = 'CLICK_AND_COLLECT'))::float8 / count(*) as click_and_collect_share,
    percentile_cont(0.5) within group (order by seconds_to_ready) filter (where delivery_mode = 'CLICK_AND_COLLECT') as click_and_collect_seconds_to_ready,
    (count(*) filter (where delivery_mode = 'E_RESERVATION' and collected))::float8
      / nullif(count(*) filter (where delivery_mode = 'E_RESERVATION' and (collected or expired)), 0) as e_reservation_conversion,
    (count(*) filter (where cancelled))::float8 / count(*) as cancellation_rate,
    (count(*) filter (where completed and returned_units > 0))::float8 / nullif(count(*) filter (where completed), 0) as return_rate,
    sum(restocked_units)::float8 / nullif(sum(returned_units), 0) as restock_rate
  from facts group by ${GROUPING}`;

// Great-circle kilometres with routing's mean Earth radius (libs/geo); a pickup at the store itself travels nowhere.
const DISTANCES = `${ORDERS_IN_WINDOW}
  select o.channel, o.delivery_mode, grouping(o.channel, o.delivery_mode) = 3 as total,
    avg(2 * 6371.0088 * asin(sqrt(power(sin(radians(d.lat - l.lat) / 2), 2) + cos(radians(l.lat)) * cos(radians(d.lat)) * power(sin(radians(d.lng - l.lng) / 2), 2))))::float8 as km
  from o
  cross join lateral jsonb_array_elements(coalesce(o.first -> 'allocations', '[]')) a
  join location_view l on l.id = a ->> 'locationId'
  left join location_view p on p.id = o.pickup_location_id
  cross join lateral (select coalesce((o.shipping_address ->> 'lat')::float8, p.lat) as lat, coalesce((o.shipping_address ->> 'lng')::float8, p.lng) as lng) d
  where a ->> 'kind' <> 'PICKUP' and d.lat is not null and d.lng is not null
  group by grouping sets ((o.channel, o.delivery_mode), ())`;

type Row = Record<string, unknown> & { channel: string | null; delivery_mode: string | null; total: boolean };

/** PRODUCT.md's promise to ops: the figures of the seeds' dashboards, from what the orchestrator recorded. */
@Injectable()
export class KpisService {
  constructor(private readonly em: EntityManager) {}

  async compute(from: Date, to: Date): Promise<Kpis> {
    const em = this.em.fork();
    const [figures, distances] = await Promise.all([em.execute<Row[]>(FIGURES, [from, to]), em.execute<Row[]>(DISTANCES, [from, to])]);
    const km = new Map(distances.map((row) => [keyOf(row), row.km as number | null]));
    const toFigures = (row: Row): KpiFigures => ({
      orders: row.orders as number,
      rejected: row.rejected as number,
      fillRate: rate(row.fill_rate),
      splitRate: rate(row.split_rate),
      shipmentsPerOrder: rate(row.shipments_per_order),
      averageDistanceKm: rate(km.get(keyOf(row)) ?? null),
      backorderRate: rate(row.backorder_rate),
      clickAndCollectShare: rate(row.click_and_collect_share),
      clickAndCollectSecondsToReady: rate(row.click_and_collect_seconds_to_ready),
      eReservationConversion: rate(row.e_reservation_conversion),
      cancellationRate: rate(row.cancellation_rate),
      returnRate: rate(row.return_rate),
      restockRate: rate(row.restock_rate),
    });
    const total = figures.find((row) => row.total);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      total: total ? toFigures(total) : toFigures({ channel: null, delivery_mode: null, total: true, orders: 0, rejected: 0 }),
      groups: figures.filter((row) => !row.total).map((row) => ({ channel: row.channel, deliveryMode: row.delivery_mode, ...toFigures(row) })),
    };
  }
}

const keyOf = (row: Row) => (row.total ? 'total' : JSON.stringify([row.channel, row.delivery_mode]));
const rate = (value: unknown): number | null => (value === null || value === undefined ? null : Math.round(Number(value) * 10_000) / 10_000);
