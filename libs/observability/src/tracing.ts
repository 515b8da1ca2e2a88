import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { startMetricsReader } from './metrics';
import { TRACING, ZIPKIN_URL } from './observability-variables';

let sdk: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry SDK; must run before Nest, http and pg are loaded so
 * their instrumentation can patch them. Spans go to Zipkin (FIL_ZIPKIN_URL).
 * `FIL_TRACING=off` keeps context propagation (traceparent still flows through
 * Kafka) but exports nothing.
 */
export function startTracing(serviceName: string): void {
  if (sdk) return;
  let exportSpans: boolean;
  let zipkinUrl: string;
  try {
    exportSpans = TRACING.read(process.env) === 'on';
    zipkinUrl = ZIPKIN_URL.read(process.env);
  } catch {
    // This runs before the service reads its configuration, which then refuses the bad value with the others.
    return;
  }
  // Without an exporter NodeSDK falls back to OTLP, which has no collector here.
  if (!exportSpans) process.env.OTEL_TRACES_EXPORTER = 'none';
  sdk = new NodeSDK({
    serviceName,
    traceExporter: exportSpans
      ? new ZipkinExporter({ url: zipkinUrl })
      : undefined,
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === '/health' || req.url === '/health/live' }),
      new PgInstrumentation({ requireParentSpan: true }),
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
