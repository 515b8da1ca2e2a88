import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { ObservableGauge } from '@opentelemetry/api';
import { filMeter } from '@fil/observability';
import { KpiSnapshot } from './kpi-snapshot';
import { KpisService, type KpiFigures } from './kpis.service';

/** The subset of GET /kpis a dashboard plots; the rest stays on the endpoint. */
const GAUGES: { figure: keyof KpiFigures; name: string; description: string }[] = [
  { figure: 'orders', name: 'fil.kpi.orders', description: 'Orders created in the last 24 hours' },
  { figure: 'fillRate', name: 'fil.kpi.fill_rate', description: 'Units the first routing decision allocated over units ordered, last 24 hours' },
  { figure: 'splitRate', name: 'fil.kpi.split_rate', description: 'Orders served from more than one location over orders allocated anything, last 24 hours' },
  { figure: 'shipmentsPerOrder', name: 'fil.kpi.shipments_per_order', description: 'Locations per allocated order, last 24 hours' },
  { figure: 'backorderRate', name: 'fil.kpi.backorder_rate', description: 'Orders whose first decision backordered something over orders not rejected, last 24 hours' },
  { figure: 'cancellationRate', name: 'fil.kpi.cancellation_rate', description: 'Cancelled orders over orders, last 24 hours' },
];

/** GET /kpis's main figures as gauges by channel and delivery mode, from a snapshot refreshed at most once a minute. */
@Injectable()
export class KpiMetrics implements OnModuleInit {
  constructor(private readonly kpis: KpisService) {}

  onModuleInit() {
    const snapshot = new KpiSnapshot((from, to) => this.kpis.compute(from, to));
    const meter = filMeter();
    const gauges: [keyof KpiFigures, ObservableGauge][] = GAUGES.map(({ figure, name, description }) => [figure, meter.createObservableGauge(name, { description })]);
    meter.addBatchObservableCallback(
      (result) => {
        for (const group of snapshot.current()) {
          const labels = { channel: group.channel ?? 'none', delivery_mode: group.deliveryMode ?? 'none' };
          for (const [figure, gauge] of gauges) {
            const value = group[figure];
            if (value !== null) result.observe(gauge, value, labels);
          }
        }
      },
      gauges.map(([, gauge]) => gauge),
    );
  }
}
