import { metrics, type Meter } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';

let reader: PrometheusExporter | undefined;

/**
 * A new metric reader for the SDK (one per start: a reader binds to one provider), served
 * by each service's own `/metrics` in Prometheus's text format: no second port to open, and
 * the route sits behind a role like every other.
 */
export function startMetricsReader(): PrometheusExporter {
  reader = new PrometheusExporter({ preventServerStart: true });
  return reader;
}

/** The reader `/metrics` serves; none before the SDK starts (a unit test). */
export const metricsReader = (): PrometheusExporter | undefined => reader;

/** Fil's instruments; until the SDK starts, they record nothing. */
export const filMeter = (): Meter => metrics.getMeter('fil');
