import { oneOf, url } from '@fil/config';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'verbose'] as const;
export const LOG_LEVEL = oneOf('FIL_LOG_LEVEL', LOG_LEVELS, 'info', 'The lowest level of log line written (SQL and migration lines need info).');
export const TRACING = oneOf('FIL_TRACING', ['on', 'off'], 'on', 'off exports no spans and makes none for database queries; trace context still travels with every message.');
export const TRACES_EXPORTER = oneOf('FIL_TRACES_EXPORTER', ['zipkin', 'otlp'], 'zipkin', 'Where spans go: Zipkin (FIL_ZIPKIN_URL) or any OTLP endpoint over HTTP (FIL_OTLP_TRACES_URL).');
export const ZIPKIN_URL = url('FIL_ZIPKIN_URL', ['http:', 'https:'], 'http://127.0.0.1:9411/api/v2/spans', 'Where spans are sent (Zipkin v2 JSON) with FIL_TRACES_EXPORTER=zipkin.');
export const OTLP_TRACES_URL = url('FIL_OTLP_TRACES_URL', ['http:', 'https:'], 'http://127.0.0.1:4318/v1/traces', 'Where spans are sent (OTLP over HTTP, JSON) with FIL_TRACES_EXPORTER=otlp: a collector, Jaeger, Tempo...');

export const observabilityVariables = [LOG_LEVEL, TRACING, TRACES_EXPORTER, ZIPKIN_URL, OTLP_TRACES_URL];
