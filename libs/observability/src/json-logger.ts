import type { LoggerService } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { setting } from '@fil/config';
import { describeError, isDatabaseError } from './describe-error';
import { LOG_LEVEL, type LOG_LEVELS } from './observability-variables';

type Level = (typeof LOG_LEVELS)[number];
const RANK: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3, verbose: 4 };

/** Structured JSON lines on stdout, each carrying the active trace and span ids. */
export class JsonLogger implements LoggerService {
  constructor(private readonly service: string) {}

  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('verbose', message, rest);
  }

  /** `FIL_LOG_LEVEL` sets the lowest level written. */
  private write(level: Level, message: unknown, rest: unknown[]) {
    const threshold = RANK[setting(LOG_LEVEL)];
    if (RANK[level] > threshold) return;
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const active = trace.getActiveSpan()?.spanContext();
    // Without an SDK exporting, spans are non-recording with all-zero ids: leave them out.
    const span = active && isSpanContextValid(active) ? active : undefined;
    const line: Record<string, unknown> = {
      time: new Date().toISOString(),
      level,
      service: this.service,
      context,
      msg: message instanceof Error ? describeError(message) : message,
      trace_id: span?.traceId,
      span_id: span?.spanId,
    };
    if (message instanceof Error && !isDatabaseError(message)) line.stack = message.stack;
    else if (rest.length && typeof rest[0] === 'string' && level === 'error') line.stack = rest[0];
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}
