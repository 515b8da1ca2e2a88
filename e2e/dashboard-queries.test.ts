// deploy/grafana's dashboard run for real: a Prometheus (Debian's) scrapes the four services of a
// running Fil with an ops token, and every panel's PromQL is evaluated against what it scraped.
// The static check (tools/grafana-dashboard.test.ts) knows metric names; this one knows whether
// a query parses, finds series, and groups by labels the series carry.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topics } from '@fil/contracts';
import { FilSystem, freePort, http, KafkaProbe, SERVICE_NAMES, stopProcess, testToken, useTestEnvironment, waitFor } from '@fil/testing';

useTestEnvironment('e2e-dashboard');
jest.setTimeout(180_000);

const system = new FilSystem();
const probe = new KafkaProbe();
const dir = mkdtempSync(join(tmpdir(), 'fil-prometheus-'));
let prometheus: ChildProcess | undefined;
let prometheusUrl: string;

interface Panel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}
const panelsOf = (panels: Panel[]): Panel[] => panels.flatMap((panel) => [panel, ...panelsOf(panel.panels ?? [])]);
const dashboard = JSON.parse(readFileSync(join(__dirname, '../deploy/grafana/fil-dashboard.json'), 'utf8')) as { panels: Panel[] };
// Grafana's own variable, as it would fill it for a 1 s scrape interval.
const queries = panelsOf(dashboard.panels).flatMap(({ title, targets }) => (targets ?? []).map(({ expr }) => ({ title: title!, expr: expr!.replaceAll('$__rate_interval', '30s') })));

/** Panels that stay empty until something goes wrong: a partition held, or nothing at all. */
const EMPTY_WHEN_ALL_IS_WELL = new Set(['Held partitions']);

interface QueryAnswer {
  status: string;
  error?: string;
  data?: { result: { metric: Record<string, string> }[] };
}

async function query(expr: string): Promise<QueryAnswer> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  return (await response.json()) as QueryAnswer;
}

/** The labels an expression's outer aggregation keeps (`by (...)`), but `le`, which histogram_quantile consumes. */
const groupedBy = (expr: string) => (expr.match(/by \(([^)]*)\)/)?.[1] ?? '').split(',').map((label) => label.trim()).filter((label) => label && label !== 'le');

const PROMETHEUS = '/usr/bin/prometheus';

beforeAll(async () => {
  if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: npm test installs Debian's prometheus (or: apt-get install prometheus)`);
  await probe.start([Topics.ordersEvents, Topics.dlq]);
  await system.start({ FIL_TRACING: 'off' });
  const warehouse = { name: 'Lyon', type: 'WAREHOUSE', lat: 45.7, lng: 4.9, ship: true, pickup: false, reserve: false };
  expect((await http('PUT', `${system.url('inventory')}/locations/WH-DASH`, warehouse)).status).toBe(200);
  expect((await http('PUT', `${system.url('inventory')}/locations/WH-DASH/stock/SKU-DASH`, { onHand: 5, safetyStock: 0 })).status).toBe(200);
  await waitFor(async () => (await http('GET', `${system.url('order-orchestrator')}/availability?skus=SKU-DASH`)).body?.[0]?.atp === 5, { what: "the orchestrator's view" });

  // Traffic for every panel, before the first scrape, which takes the first KPI snapshot: an order allocated, and one refused on its way in (a dead letter).
  await probe.send(Topics.ordersSubmitted, 'O-DASH-1', {
    orderId: 'O-DASH-1',
    channel: 'web',
    deliveryMode: 'HOME_DELIVERY',
    customer: { id: 'C-1' },
    shippingAddress: { lat: 45.76, lng: 4.84 },
    lines: [{ lineId: '1', sku: 'SKU-DASH', quantity: 1, unitPrice: 10 }],
    currency: 'EUR',
    placedAt: new Date().toISOString(),
  });
  await probe.send(Topics.ordersSubmitted, 'O-DASH-2', 'not json at all');
  await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === 'O-DASH-1' && m.value.status === 'ALLOCATED', 60_000);
  await probe.waitForMessage(Topics.dlq, (m) => m.key === 'O-DASH-2', 60_000);

  const token = join(dir, 'token');
  writeFileSync(token, testToken('ops'));
  const jobs = SERVICE_NAMES.map((service) => {
    const target = new URL(system.url(service)).host;
    return `  - job_name: ${service}\n    authorization: { credentials_file: ${token} }\n    static_configs: [{ targets: ['${target}'] }]`;
  });
  writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n${jobs.join('\n')}\n`);
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitFor(
    async () => {
      const targets = (await fetch(`${prometheusUrl}/api/v1/targets`).then((response) => response.json(), () => undefined)) as { data?: { activeTargets: { health: string }[] } } | undefined;
      const active = targets?.data?.activeTargets ?? [];
      return active.length === SERVICE_NAMES.length && active.every(({ health }) => health === 'up');
    },
    { timeoutMs: 60_000, what: 'Prometheus to scrape the four services' },
  );

  // A rate needs two scrapes.
  await new Promise((settled) => setTimeout(settled, 3_000));
});

afterAll(async () => {
  if (prometheus) await stopProcess(prometheus, 'SIGTERM');
  await system.stop();
  await probe.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('has queries to run', () => {
  expect(queries.length).toBeGreaterThan(10);
});

/** What is wrong with a panel's query on what Prometheus scraped, waiting for series that fill in over the next scrapes; undefined when nothing is. */
async function fault(title: string, expr: string): Promise<string | undefined> {
  const answer = await waitFor(
    async () => {
      const found = await query(expr);
      if (found.status !== 'success') return found;
      return EMPTY_WHEN_ALL_IS_WELL.has(title) || found.data!.result.length ? found : undefined;
    },
    // The KPI gauges come from a snapshot the first scrape starts computing (kpi-snapshot.ts).
    { timeoutMs: 30_000, intervalMs: 1_000, what: `series for "${title}"` },
  );
  if (answer.status !== 'success') return `${answer.status}: ${answer.error}`;
  const labels = groupedBy(expr);
  if (EMPTY_WHEN_ALL_IS_WELL.has(title) || answer.data!.result.some(({ metric }) => labels.every((label) => !!metric[label]))) return undefined;
  return `no series carries every label of by (${labels.join(', ')})`;
}

describe.each(queries)('the panel "$title"', ({ title, expr }) => {
  it('is valid PromQL that finds series grouped by labels they carry', async () => {
    expect(await fault(title, expr)).toBeUndefined();
  });
});

it('finds fault with a query that does not parse or groups by a label no series carries', async () => {
  expect(await fault('broken', 'max by (job) (fil_outbox_backlog')).toMatch(/^error: /);
  expect(await fault('broken', 'sum by (job, topik) (rate(fil_messages_consumed_total[30s]))')).toBe('no series carries every label of by (job, topik)');
});
