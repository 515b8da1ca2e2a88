import { Controller, Get, NotFoundException, Req, Res } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Access } from '@fil/auth';
import { metricsReader } from '@fil/observability';

/**
 * The service's metrics in Prometheus's text format, for ops and admin: consumer lag, messages
 * handled and dead-lettered, outbox backlog, HTTP requests, and each service's own. Prometheus
 * scrapes it with an ops bearer token (docs/security.md).
 */
@ApiTags('metrics')
@Controller('metrics')
export class MetricsController {
  @Get()
  @Access('admin', 'ops')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Metrics in Prometheus text format (consumer lag, messages, outbox, HTTP, the service’s own)' })
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  @ApiNotFoundResponse({ description: 'Metrics are not collected: the OpenTelemetry SDK has not started' })
  metrics(@Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    const reader = metricsReader();
    if (!reader) throw new NotFoundException('metrics are collected once the OpenTelemetry SDK has started (startTracing)');
    reader.getMetricsRequestHandler(request, response);
  }
}
