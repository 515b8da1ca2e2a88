// deploy/grafana's dashboard against the metrics Fil declares: a panel that names a metric no
// code records would sit empty in Grafana and nothing else would notice (docs/deploy.md).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = join(__dirname, '..');
const grafana = join(root, 'deploy', 'grafana');

interface Panel {
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}
interface Dashboard {
  schemaVersion: number;
  templating: { list: { name: string; type: string; query: string }[] };
  panels: Panel[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /(?<!\.spec|\.test)\.ts$/.test(entry.name) ? [path] : [];
  });
}

// The exporter turns an instrument's dots into underscores, suffixes counters with _total and histograms with their series.
const SERIES: Record<string, string[]> = { Counter: ['_total'], Histogram: ['_bucket', '_sum', '_count'], ObservableGauge: [''] };

/** Every series name the instruments in apps/ and libs/ expose, read from their `meter.create*('fil....')` calls. */
function declaredSeries(): Set<string> {
  const files = ['apps', 'libs'].flatMap((dir) => sourceFiles(join(root, dir)));
  const declarations = files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\.create(Counter|Histogram|ObservableGauge)\(\s*'([\w.]+)'/g)]);
  return new Set(declarations.flatMap(([, kind, name]) => SERIES[kind].map((suffix) => name.replace(/\./g, '_') + suffix)));
}

/** The HTTP instrumentation's histogram (seconds), as e2e/order-journey.test.ts reads it. */
const INSTRUMENTATION_SERIES = ['_bucket', '_sum', '_count'].map((suffix) => `http_server_request_duration${suffix}`);

const panelsOf = (panels: Panel[]): Panel[] => panels.flatMap((panel) => [panel, ...panelsOf(panel.panels ?? [])]);

/** What is wrong with a dashboard: panels without a title or a PromQL target, off the ${datasource} variable, or naming an unknown metric. */
function faults(dashboard: Dashboard, known: Set<string>): string[] {
  return panelsOf(dashboard.panels)
    .filter((panel) => panel.type !== 'row')
    .flatMap((panel) => {
      const name = panel.title?.trim() || '(untitled panel)';
      const expressions = (panel.targets ?? []).map((target) => target.expr?.trim() ?? '');
      const found: string[] = [];
      if (!panel.title?.trim()) found.push(`${name}: no title`);
      if (expressions.length === 0 || expressions.some((expr) => !expr)) found.push(`${name}: a target without PromQL`);
      const sources = [panel.datasource?.uid, ...(panel.targets ?? []).map((target) => target.datasource?.uid)];
      if (sources.some((uid) => uid !== '${datasource}')) found.push(`${name}: not on the \${datasource} variable`);
      const metrics = expressions.flatMap((expr) => expr.match(/\b(fil_\w+|http_server_\w+)/g) ?? []);
      if (metrics.length === 0 && expressions.length > 0) found.push(`${name}: names no Fil metric`);
      for (const metric of metrics) if (!known.has(metric)) found.push(`${name}: unknown metric ${metric}`);
      return found;
    });
}

describe('deploy/grafana/fil-dashboard.json', () => {
  const dashboard: Dashboard = JSON.parse(readFileSync(join(grafana, 'fil-dashboard.json'), 'utf8'));
  const declared = declaredSeries();
  const known = new Set([...declared, ...INSTRUMENTATION_SERIES]);

  it('reads the instruments the code declares, of each kind', () => {
    expect([...declared]).toEqual(expect.arrayContaining(['fil_messages_consumed_total', 'fil_outbox_publish_seconds_bucket', 'fil_consumer_lag', 'fil_orders', 'fil_kpi_fill_rate']));
    expect([...declared].filter((series) => series.startsWith('fil_kpi_'))).toHaveLength(6);
  });

  it('gives every panel a title and PromQL over metrics the code declares, through a Prometheus ${datasource} variable', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    expect(faults(dashboard, known)).toEqual([]);
  });

  it('has the rows ops read, with NEEDS_ATTENTION and the KPI gauges among the panels', () => {
    const rows = dashboard.panels.filter((panel) => panel.type === 'row').map((panel) => panel.title);
    expect(rows).toEqual(['Orders & KPIs', 'Messaging', 'Routing', 'HTTP']);
    const expressions = panelsOf(dashboard.panels).flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? '')).join('\n');
    expect(expressions).toContain('status="NEEDS_ATTENTION"');
    for (const gauge of [...declared].filter((series) => series.startsWith('fil_kpi_'))) expect(expressions).toContain(gauge);
  });

  it('is faulted by a panel naming a metric no code declares, and by one without a title or a query', () => {
    const broken: Dashboard = {
      ...dashboard,
      panels: [
        ...dashboard.panels,
        { type: 'timeseries', title: 'Misspelt', datasource: { uid: '${datasource}' }, targets: [{ expr: 'rate(fil_messages_consumd_total[5m])', datasource: { uid: '${datasource}' } }] },
        { type: 'stat', datasource: { uid: '${datasource}' }, targets: [] },
      ],
    };
    expect(faults(broken, known)).toEqual(['Misspelt: unknown metric fil_messages_consumd_total', '(untitled panel): no title', '(untitled panel): a target without PromQL']);
  });
});

describe('deploy/grafana provisioning', () => {
  const compose = parse(readFileSync(join(root, 'deploy', 'compose.yaml'), 'utf8'), { merge: true });
  const service = compose.services.grafana;
  const mounts: [string, string][] = service.volumes.map((volume: string) => volume.split(':').slice(0, 2));

  it('runs Grafana on host port 3100, with its provisioning and the dashboard mounted from deploy/grafana', () => {
    expect(service.image).toMatch(/^grafana\/grafana-oss:\d+\.\d+\.\d+$/);
    expect(service.ports).toEqual(['3100:3000']);
    for (const [host] of mounts) expect(existsSync(resolve(root, 'deploy', host))).toBe(true);
    expect(mounts).toEqual(expect.arrayContaining([['./grafana/fil-dashboard.json', expect.any(String)]]));
  });

  it('points the data source at compose\'s Prometheus and the dashboard provider at where the dashboard is mounted', () => {
    const datasource = parse(readFileSync(join(grafana, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')).datasources[0];
    expect(datasource).toMatchObject({ type: 'prometheus', url: `http://prometheus:${compose.services.prometheus.ports[0].split(':')[1]}` });
    const [provider] = parse(readFileSync(join(grafana, 'provisioning', 'dashboards', 'fil.yml'), 'utf8')).providers;
    const dashboardMount = mounts.find(([host]) => host === './grafana/fil-dashboard.json')?.[1] ?? '';
    expect(dashboardMount.startsWith(`${provider.options.path}/`)).toBe(true);
  });
});
