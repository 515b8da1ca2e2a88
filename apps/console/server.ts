// The web console: serves the built files (apps/console/dist) and forwards /api/<service>/… to
// the services' public HTTP APIs, so the browser talks to one origin and no service opens CORS.
// The bearer token passes through untouched; the service's status and body come back as they are.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

const DIST = resolve(process.env.CONSOLE_DIST ?? join(__dirname, 'dist'));
const PORT = Number(process.env.CONSOLE_PORT ?? 3004);
const HOST = process.env.FIL_HTTP_HOST ?? '127.0.0.1';
if (!Number.isInteger(PORT) || PORT < 1 || PORT > 65535) {
  console.error(`CONSOLE_PORT must be a port number (1-65535), not "${process.env.CONSOLE_PORT}"`);
  process.exit(1);
}

/** The trace UI's page of one trace; `{traceId}` is replaced by the order's. Served to the page in /config.json. */
const TRACE_URL = process.env.CONSOLE_TRACE_URL || 'http://localhost:9411/zipkin/traces/{traceId}';
if (!/^https?:\/\/[^\s]+$/.test(TRACE_URL) || !TRACE_URL.includes('{traceId}')) {
  console.error(`CONSOLE_TRACE_URL must be an http(s) URL with {traceId} in it, not "${TRACE_URL}"`);
  process.exit(1);
}
/** What the page needs to know of where it runs, and nothing secret: it is served to anyone. */
const PAGE_CONFIG = JSON.stringify({ traceUrl: TRACE_URL });

const TARGETS: Record<string, string> = {
  orders: process.env.CONSOLE_ORDERS_URL ?? 'http://127.0.0.1:3000',
  inventory: process.env.CONSOLE_INVENTORY_URL ?? 'http://127.0.0.1:3001',
  fulfillment: process.env.CONSOLE_FULFILLMENT_URL ?? 'http://127.0.0.1:3002',
  returns: process.env.CONSOLE_RETURNS_URL ?? 'http://127.0.0.1:3003',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const STRICT_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};
/** Request headers the proxy forwards: the token and the body's type, nothing of the browser's cookies. */
const FORWARDED = ['authorization', 'content-type', 'content-length', 'accept', 'traceparent'];

const server = createServer((req, res) => {
  try {
    handle(req, res);
  } catch (error) {
    // One odd request must not stop the console for everyone.
    if (!res.headersSent) send(res, 400, 'text/plain', `bad request: ${(error as Error).message}`);
    else res.destroy();
  }
});

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://console');
  // For the container's and Kubernetes' probes: up, and with a page to serve.
  if (url.pathname === '/health') {
    const built = existsSync(join(DIST, 'index.html'));
    return send(res, built ? 200 : 503, 'application/json', JSON.stringify({ status: built ? 'ok' : 'not built' }));
  }
  const api = /^\/api\/(orders|inventory|fulfillment|returns)(\/.*)$/.exec(url.pathname);
  if (api) return proxy(req, res, TARGETS[api[1]], `${api[2]}${url.search}`);
  if (url.pathname.startsWith('/api/')) return send(res, 404, 'application/json', JSON.stringify({ statusCode: 404, message: 'no such service' }));
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
  if (url.pathname === '/config.json') return send(res, 200, 'application/json', PAGE_CONFIG);
  serveFile(res, url.pathname);
}

function proxy(req: IncomingMessage, res: ServerResponse, target: string, path: string): void {
  const headers = Object.fromEntries(FORWARDED.flatMap((name) => (req.headers[name] === undefined ? [] : [[name, req.headers[name]!]])));
  // Appended to the service's address, never resolved against it: `//host/…` would name another host, and the token would go there.
  const address = new URL(target.replace(/\/$/, '') + path);
  if (address.origin !== new URL(target).origin) return send(res, 404, 'application/json', JSON.stringify({ statusCode: 404, message: 'no such path' }));
  const upstream = request(address, { method: req.method, headers }, (answer) => {
    const passed = Object.fromEntries(['content-type', 'retry-after', 'x-next-cursor'].flatMap((name) => (answer.headers[name] === undefined ? [] : [[name, answer.headers[name]!]])));
    res.writeHead(answer.statusCode ?? 502, { ...STRICT_HEADERS, 'cache-control': 'no-store', ...passed });
    answer.pipe(res);
  });
  upstream.setTimeout(30_000, () => upstream.destroy(new Error('the service did not answer in 30 s')));
  upstream.on('error', (error) => {
    if (!res.headersSent) send(res, 502, 'application/json', JSON.stringify({ statusCode: 502, message: `the service is unreachable: ${error.message}` }));
    else res.destroy();
  });
  req.pipe(upstream);
}

function serveFile(res: ServerResponse, pathname: string): void {
  const relative = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
  let file = join(DIST, relative);
  if (!file.startsWith(DIST) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html');
  if (!existsSync(file)) return send(res, 503, 'text/plain', 'the console is not built: npm run console:build');
  const isIndex = file.endsWith('index.html');
  res.writeHead(200, {
    ...STRICT_HEADERS,
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    // Built assets carry their content hash in their name; the page itself must always be fresh.
    'cache-control': isIndex ? 'no-store' : 'public, max-age=31536000, immutable',
  });
  createReadStream(file).pipe(res);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...STRICT_HEADERS, 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

server.listen(PORT, HOST, () => console.log(`console http://${HOST}:${PORT}/`));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.close(() => process.exit(0)));
