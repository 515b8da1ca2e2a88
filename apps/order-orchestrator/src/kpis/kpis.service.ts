import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { BUCKET_DISTANCES, BUCKET_FIGURES, DISTANCES, FIGURES } from './kpi-queries';

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

/** How long a bucket of `?bucket=` lasts. */
export const BUCKETS = { hour: 3_600_000, day: 86_400_000 } as const;
export type Bucket = keyof typeof BUCKETS;

export interface Kpis {
  from: string;
  to: string;
  total: KpiFigures;
  groups: ({ channel: string | null; deliveryMode: string | null } & KpiFigures)[];
  /** With `?bucket=`: the total figures of each bucket [from, to) counted from `from`, none left out (the last one may be cut by `to`). */
  buckets?: ({ from: string; to: string } & KpiFigures)[];
}

type Row = Record<string, unknown> & { channel: string | null; delivery_mode: string | null; total: boolean };

/** PRODUCT.md's promise to ops: the figures of the seeds' dashboards, from what the orchestrator recorded. */
@Injectable()
export class KpisService {
  constructor(private readonly em: EntityManager) {}

  async compute(from: Date, to: Date, bucket?: Bucket): Promise<Kpis> {
    const em = this.em.fork();
    const [figures, distances, buckets] = await Promise.all([
      em.execute<Row[]>(FIGURES, [from, to]),
      em.execute<Row[]>(DISTANCES, [from, to]),
      bucket ? this.buckets(em, from, to, bucket) : undefined,
    ]);
    const km = new Map(distances.map((row) => [keyOf(row), row.km as number | null]));
    const total = figures.find((row) => row.total);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      total: toFigures(total ?? NO_ORDERS, km.get('total') ?? null),
      groups: figures.filter((row) => !row.total).map((row) => ({ channel: row.channel, deliveryMode: row.delivery_mode, ...toFigures(row, km.get(keyOf(row)) ?? null) })),
      ...(buckets ? { buckets } : {}),
    };
  }

  private async buckets(em: EntityManager, from: Date, to: Date, bucket: Bucket): Promise<Kpis['buckets']> {
    const interval = `1 ${bucket}`;
    const [figures, distances] = await Promise.all([em.execute<Row[]>(BUCKET_FIGURES, [from, to, interval, from]), em.execute<Row[]>(BUCKET_DISTANCES, [from, to, interval, from])]);
    const startOf = (row: Row) => new Date(row.bucket as string | Date).getTime();
    const byStart = new Map(figures.map((row) => [startOf(row), row]));
    const km = new Map(distances.map((row) => [startOf(row), row.km as number | null]));
    const length = BUCKETS[bucket];
    const starts = Array.from({ length: Math.ceil((to.getTime() - from.getTime()) / length) }, (_, index) => from.getTime() + index * length);
    return starts.map((start) => ({
      from: new Date(start).toISOString(),
      to: new Date(Math.min(start + length, to.getTime())).toISOString(),
      ...toFigures(byStart.get(start) ?? NO_ORDERS, km.get(start) ?? null),
    }));
  }
}

/** A window or bucket without orders: counts of 0, rates with nothing to count. */
const NO_ORDERS: Row = { channel: null, delivery_mode: null, total: true, orders: 0, rejected: 0 };

function toFigures(row: Row, averageDistanceKm: number | null): KpiFigures {
  return {
    orders: row.orders as number,
    rejected: row.rejected as number,
    fillRate: rate(row.fill_rate),
    splitRate: rate(row.split_rate),
    shipmentsPerOrder: rate(row.shipments_per_order),
    averageDistanceKm: rate(averageDistanceKm),
    backorderRate: rate(row.backorder_rate),
    clickAndCollectShare: rate(row.click_and_collect_share),
    clickAndCollectSecondsToReady: rate(row.click_and_collect_seconds_to_ready),
    eReservationConversion: rate(row.e_reservation_conversion),
    cancellationRate: rate(row.cancellation_rate),
    returnRate: rate(row.return_rate),
    restockRate: rate(row.restock_rate),
  };
}

const keyOf = (row: Row) => (row.total ? 'total' : JSON.stringify([row.channel, row.delivery_mode]));
const rate = (value: unknown): number | null => (value === null || value === undefined ? null : Math.round(Number(value) * 10_000) / 10_000);
