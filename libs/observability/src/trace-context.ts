import { context, propagation, ROOT_CONTEXT, SpanKind, trace, type Context, type Link, type Span } from '@opentelemetry/api';

const tracer = () => trace.getTracer('fil');

/** The W3C traceparent of the active span, to store beside work that continues later. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

export function contextFromTraceparent(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent?.split('-')[1];
}

/**
 * Runs `work` in a span that continues the trace of `traceparent` (an order's
 * journey), linked to whatever span is active now (an HTTP request, a batch).
 * This is how staff HTTP steps join the order's one trace.
 */
export async function inTrace<T>(
  name: string,
  traceparent: string | undefined,
  attributes: Record<string, string | number | boolean | undefined>,
  work: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  const active = trace.getSpanContext(context.active());
  const links: Link[] = active && traceparent ? [{ context: active }] : [];
  const parent = traceparent ? contextFromTraceparent(traceparent) : context.active();
  return tracer().startActiveSpan(name, { kind, links, attributes: defined(attributes) }, parent, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: 2, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

function defined(attributes: Record<string, string | number | boolean | undefined>) {
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined)) as Record<
    string,
    string | number | boolean
  >;
}
