import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { Observable } from 'rxjs';

/**
 * Names the route a request matched (`/orders/:id`) to the HTTP instrumentation, which then
 * names the server span `GET /orders/:id` and labels `http_server_request_duration` with
 * `http_route`: latency per route instead of per method.
 */
export class HttpRouteInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const route = execution.getType() === 'http' ? (execution.switchToHttp().getRequest<{ route?: { path?: string } }>().route?.path) : undefined;
    const rpc = getRPCMetadata(context.active());
    if (route && rpc?.type === RPCType.HTTP) rpc.route = route;
    return next.handle();
  }
}
