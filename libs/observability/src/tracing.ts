import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOnSampler } from '@opentelemetry/sdk-trace';
import { startMetricsReader } from './metrics';
import { OTLP_TRACES_URL, TRACES_EXPORTER, TRACING, ZIPKIN_URL } from './observability-variables';

let sdk: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry SDK; must run before Nest, http and pg are loaded so
 * their instrumentation can patch them. Spans go to Zipkin (FIL_ZIPKIN_URL) or, with
 * FIL_TRACES_EXPORTER=otlp, to any OTLP endpoint over HTTP (FIL_OTLP_TRACES_URL).
 * `FIL_TRACING=off` keeps context propagation (traceparent still flows through
 * Kafka) but exports nothing.
 */
export function startTracing(serviceName: string): void {
  if (sdk) return;
  let exportSpans: boolean;
  let exporter: ZipkinExporter | OTLPTraceExporter;
  try {
    exportSpans = TRACING.read(process.env) === 'on';
    exporter = TRACES_EXPORTER.read(process.env) === 'otlp' ? new OTLPTraceExporter({ url: OTLP_TRACES_URL.read(process.env) }) : new ZipkinExporter({ url: ZIPKIN_URL.read(process.env) });
  } catch {
    // This runs before the service reads its configuration, which then refuses the bad value with the others.
    return;
  }
  // Without an exporter NodeSDK falls back to OTLP, which has no collector here.
  if (!exportSpans) process.env.OTEL_TRACES_EXPORTER = 'none';
  sdk = new NodeSDK({
    serviceName,
    traceExporter: exportSpans ? exporter : undefined,
    // Ops follow every order, whether or not its channel sampled its own trace; OTEL_TRACES_SAMPLER still decides when set.
    sampler: process.env.OTEL_TRACES_SAMPLER ? undefined : new AlwaysOnSampler(),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === '/health' || req.url === '/health/live' }),
      // A span per query costs each transaction more than its SQL does when nothing exports it (`npm run bench:transaction`).
      ...(exportSpans ? [new PgInstrumentation({ requireParentSpan: true })] : []),
    ],
    metricReaders: [startMetricsReader()],
    logRecordProcessors: [],
  });
  sdk.start();
}

export async function stopTracing(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}
