// The SQL behind GET /kpis, with the figures it computes named in kpis.service.ts.
const GROUPING = `grouping sets ((channel, delivery_mode), ())`;

// Each order's facts once: its first routing decision, the statuses it reached, its returns.
const ORDERS_IN_WINDOW = `
  with o as (
    select c.order_id, c.channel, c.delivery_mode, c.status, c.lines, d.record as first, c.returned, c.restocked, c.shipping_address, c.pickup_location_id, c.created_at
    from customer_order c left join routing_decision d on d.order_id = c.order_id and d.seq = 0
    where c.created_at >= ? and c.created_at < ?
  )`;

const FACTS = `${ORDERS_IN_WINDOW},
  facts as (
    select o.channel, o.delivery_mode, o.created_at, o.status = 'REJECTED' as rejected,
      -- A rejected submission keeps the lines it could read, whose quantities may be fractions or huge: numeric, not int.
      (select coalesce(sum((l ->> 'quantity')::numeric), 0)::float8 from jsonb_array_elements(o.lines) l) as ordered,
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
  )`;

const FIGURES_OF_FACTS = `
    count(*)::int as orders,
    (count(*) filter (where rejected))::int as rejected,
    (sum(allocated) filter (where not rejected))::float8 / nullif(sum(ordered) filter (where not rejected), 0) as fill_rate,
    (count(*) filter (where shipments > 1))::float8 / nullif(count(*) filter (where shipments > 0), 0) as split_rate,
    (avg(shipments) filter (where shipments > 0))::float8 as shipments_per_order,
    (count(*) filter (where backordered))::float8 / nullif(count(*) filter (where not rejected), 0) as backorder_rate,
    (count(*) filter (where delivery_mode = 'CLICK_AND_COLLECT'))::float8 / nullif(count(*), 0) as click_and_collect_share,
    percentile_cont(0.5) within group (order by seconds_to_ready) filter (where delivery_mode = 'CLICK_AND_COLLECT') as click_and_collect_seconds_to_ready,
    (count(*) filter (where delivery_mode = 'E_RESERVATION' and collected))::float8
      / nullif(count(*) filter (where delivery_mode = 'E_RESERVATION' and (collected or expired)), 0) as e_reservation_conversion,
    (count(*) filter (where cancelled))::float8 / nullif(count(*), 0) as cancellation_rate,
    (count(*) filter (where completed and returned_units > 0))::float8 / nullif(count(*) filter (where completed), 0) as return_rate,
    sum(restocked_units)::float8 / nullif(sum(returned_units), 0) as restock_rate`;

/** The figures per channel and delivery mode, and in total (the row where `total`). Parameters: from, to. */
export const FIGURES = `${FACTS}
  select channel, delivery_mode, grouping(channel, delivery_mode) = 3 as total, ${FIGURES_OF_FACTS}
  from facts group by ${GROUPING}`;

/** The total figures per bucket of creation time, buckets counted from `from`. Parameters: from, to, bucket interval, from. */
export const BUCKET_FIGURES = `${FACTS}
  select date_bin(?::interval, created_at, ?::timestamptz) as bucket, ${FIGURES_OF_FACTS}
  from facts group by 1`;

// Great-circle kilometres with routing's mean Earth radius (libs/geo); a pickup at the store itself travels nowhere.
const AVERAGE_KM = `avg(2 * 6371.0088 * asin(sqrt(power(sin(radians(d.lat - l.lat) / 2), 2) + cos(radians(l.lat)) * cos(radians(d.lat)) * power(sin(radians(d.lng - l.lng) / 2), 2))))::float8 as km`;
const LEGS = `
  from o
  cross join lateral jsonb_array_elements(coalesce(o.first -> 'allocations', '[]')) a
  join location_view l on l.id = a ->> 'locationId'
  left join location_view p on p.id = o.pickup_location_id
  cross join lateral (select coalesce((o.shipping_address ->> 'lat')::float8, p.lat) as lat, coalesce((o.shipping_address ->> 'lng')::float8, p.lng) as lng) d
  where a ->> 'kind' <> 'PICKUP' and d.lat is not null and d.lng is not null`;

/** Average kilometres per channel and delivery mode, and in total. Parameters: from, to. */
export const DISTANCES = `${ORDERS_IN_WINDOW}
  select o.channel, o.delivery_mode, grouping(o.channel, o.delivery_mode) = 3 as total, ${AVERAGE_KM} ${LEGS}
  group by grouping sets ((o.channel, o.delivery_mode), ())`;

/** Average kilometres per bucket. Parameters: from, to, bucket interval, from. */
export const BUCKET_DISTANCES = `${ORDERS_IN_WINDOW}
  select date_bin(?::interval, o.created_at, ?::timestamptz) as bucket, ${AVERAGE_KM} ${LEGS}
  group by 1`;
