import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { ObservableGauge } from '@opentelemetry/api';
import { filMeter } from '@fil/observability';
import { KpiSnapshot } from './kpi-snapshot';
import { KpisService, type KpiFigures } from './kpis.service';

/** GET /kpis's main figures as gauges by channel and delivery mode, from a snapshot refreshed at most once a minute. */
@Injectable()
export class KpiMetrics implements OnModuleInit {
  constructor(private readonly kpis: KpisService) {}

  onModuleInit() {
    const snapshot = new KpiSnapshot((from, to) => this.kpis.compute(from, to));
    const meter = filMeter();
    // The subset of GET /kpis a dashboard plots; the rest stays on the endpoint.
    const gauges = {
      orders: meter.createObservableGauge('fil.kpi.orders', { description: 'Orders created in the last 24 hours' }),
      fillRate: meter.createObservableGauge('fil.kpi.fill_rate', { description: 'Units the first routing decision allocated over units ordered, last 24 hours' }),
      splitRate: meter.createObservableGauge('fil.kpi.split_rate', { description: 'Orders served from more than one location over orders allocated anything, last 24 hours' }),
      shipmentsPerOrder: meter.createObservableGauge('fil.kpi.shipments_per_order', { description: 'Locations per allocated order, last 24 hours' }),
      backorderRate: meter.createObservableGauge('fil.kpi.backorder_rate', { description: 'Orders whose first decision backordered something over orders not rejected, last 24 hours' }),
      cancellationRate: meter.createObservableGauge('fil.kpi.cancellation_rate', { description: 'Cancelled orders over orders, last 24 hours' }),
    } satisfies Partial<Record<keyof KpiFigures, ObservableGauge>>;
    const figures = Object.entries(gauges) as [keyof typeof gauges, ObservableGauge][];
    meter.addBatchObservableCallback(
      (result) => {
        for (const group of snapshot.current()) {
          const labels = { channel: group.channel ?? 'none', delivery_mode: group.deliveryMode ?? 'none' };
          for (const [figure, gauge] of figures) {
            const value = group[figure];
            if (value !== null) result.observe(gauge, value, labels);
          }
        }
      },
      Object.values(gauges),
    );
  }
}
