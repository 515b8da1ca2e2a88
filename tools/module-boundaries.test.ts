// The workspace's dependency rules, checked on the project graph Nx computes from the
// imports: services never reach into each other, contracts depend on nothing, libraries
// never depend on services, and test helpers stay out of production code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Graph {
  nodes: Record<string, { data: { root: string; tags?: string[] } }>;
  dependencies: Record<string, { target: string }[]>;
}

const root = join(__dirname, '..');

function projectGraph(): Graph {
  const file = join(mkdtempSync(join(tmpdir(), 'fil-graph-')), 'graph.json');
  execFileSync(join(root, 'node_modules/.bin/nx'), ['graph', `--file=${file}`], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    stdio: 'ignore',
  });
  return JSON.parse(readFileSync(file, 'utf8')).graph;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

const graph = projectGraph();
const tagsOf = (project: string) => graph.nodes[project]?.data.tags ?? [];
const has = (project: string, tag: string) => tagsOf(project).includes(tag);
const edges = Object.entries(graph.dependencies).flatMap(([source, targets]) =>
  targets.filter(({ target }) => graph.nodes[target]).map(({ target }) => ({ source, target })),
);

describe('module boundaries', () => {
  it('sees every app and lib with its tags, and the imports between them', () => {
    for (const project of ['order-orchestrator', 'inventory', 'fulfillment', 'returns', 'contracts', 'messaging']) {
      expect(tagsOf(project).length).toBeGreaterThan(0);
    }
    expect(edges).toContainEqual({ source: 'inventory', target: 'messaging' });
  });

  it('keeps each service out of every other service: they talk only through Kafka', () => {
    const crossing = edges.filter(({ source, target }) => has(target, 'type:app') && !has(source, 'type:e2e'));
    expect(crossing).toEqual([]);
  });

  it('keeps the contracts free of any other project', () => {
    expect(edges.filter(({ source }) => has(source, 'type:contracts'))).toEqual([]);
  });

  it('keeps libraries independent of services', () => {
    const wrong = edges.filter(({ source, target }) => !has(source, 'type:app') && !has(source, 'type:e2e') && has(target, 'type:app'));
    expect(wrong).toEqual([]);
  });

  it('keeps test helpers out of production code', () => {
    const offenders = ['apps', 'libs']
      .flatMap((dir) => readdirSync(join(root, dir)).map((project) => join(root, dir, project, 'src')))
      .filter((src) => !src.includes(`${join('libs', 'testing')}`))
      .flatMap((src) => sourceFiles(src))
      .filter((file) => readFileSync(file, 'utf8').includes("from '@fil/testing'"));
    expect(offenders).toEqual([]);
  });
});
