import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

/** A stand-in OTLP endpoint: keeps the JSON bodies POSTed to /v1/traces. */
let server: Server;
const received: any[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (request.method === 'POST' && request.url === '/v1/traces') received.push(JSON.parse(body));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  // The exporter keeps its connection alive: close would wait for it.
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('traces to an OTLP endpoint', () => {
  it('sends the spans, named and with the service, as OTLP JSON over HTTP when FIL_TRACES_EXPORTER=otlp', async () => {
    // In a process of its own, as a service: the OTLP exporter loads its HTTP agent with a dynamic import Jest cannot run.
    const script = `
      const { startTracing, stopTracing } = require('./libs/observability/src');
      startTracing('otlp-test-service');
      require('@opentelemetry/api').trace.getTracer('fil-test').startActiveSpan('fil.test.span', (span) => span.end());
      stopTracing(); // flushes what the batch processor holds
    `;
    const env = { ...process.env, FIL_TRACING: 'on', FIL_TRACES_EXPORTER: 'otlp', FIL_OTLP_TRACES_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces` };
    await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', '-e', script], { env, cwd: resolve(__dirname, '../../..') });
    const spans = received.flatMap((body) => body.resourceSpans ?? []);
    const serviceNames = spans.flatMap((resource: any) => resource.resource.attributes.filter((a: any) => a.key === 'service.name').map((a: any) => a.value.stringValue));
    const names = spans.flatMap((resource: any) => resource.scopeSpans.flatMap((scope: any) => scope.spans.map((s: any) => s.name)));
    expect(serviceNames).toContain('otlp-test-service');
    expect(names).toContain('fil.test.span');
  });

  it("records a step of an order whose channel did not sample its own trace (flags 00), in the channel's trace: ops follow every order", async () => {
    const traceId = '5bf92f3577b34da6a3ce929d0e0e4736';
    const script = `
      const { startTracing, stopTracing, inTrace } = require('./libs/observability/src');
      startTracing('unsampled-test-service');
      inTrace('fil.unsampled.step', '00-${traceId}-00f067aa0ba902b7-00', {}, async () => undefined).then(() => stopTracing());
    `;
    const env = { ...process.env, FIL_TRACING: 'on', FIL_TRACES_EXPORTER: 'otlp', FIL_OTLP_TRACES_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces` };
    await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', '-e', script], { env, cwd: resolve(__dirname, '../../..') });
    const spans = received.flatMap((body) => body.resourceSpans ?? []).flatMap((resource: any) => resource.scopeSpans.flatMap((scope: any) => scope.spans));
    expect(spans.filter((span: any) => span.name === 'fil.unsampled.step').map((span: any) => span.traceId)).toEqual([traceId]);
  });
});
