// Each service's OpenAPI document passes the lint of @redocly/cli with its recommended rules:
// any error fails the test, warnings are printed.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openApiDocumentWithoutStarting } from '@fil/testing';

const SERVICES = {
  'order-orchestrator': () => import('../apps/order-orchestrator/src/app.module'),
  inventory: () => import('../apps/inventory/src/app.module'),
  fulfillment: () => import('../apps/fulfillment/src/app.module'),
  returns: () => import('../apps/returns/src/app.module'),
};

interface Problem {
  severity: 'error' | 'warn';
  rule: string;
  message: string;
  at: string;
}

// In a process of its own: @redocly/openapi-core is an ES module, which Jest's CommonJS runtime cannot load.
const LINT = `
  const { readFileSync } = require('node:fs');
  const { createConfig, lintFromString } = require('@redocly/openapi-core');
  (async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: readFileSync(process.argv[1], 'utf8'), absoluteRef: process.argv[1], config });
    const at = (problem) => problem.location.map((location) => location.pointer).join(', ');
    process.stdout.write(JSON.stringify(problems.map((problem) => ({ severity: problem.severity, rule: problem.ruleId, message: problem.message, at: at(problem) }))));
  })();
`;

async function redoclyRecommended(document: object): Promise<Problem[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'fil-openapi-')), 'openapi.json');
  writeFileSync(file, JSON.stringify(document));
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', LINT, file], { cwd: join(__dirname, '..') });
  return JSON.parse(stdout);
}

const listed = (problems: Problem[]) => problems.map(({ rule, message, at }) => `${rule} at ${at}: ${message}`);

describe.each(Object.entries(SERVICES))('the OpenAPI document of %s', (service, load) => {
  it("passes Redocly's recommended rules without an error", async () => {
    const { AppModule, definition } = await load();
    const document = await openApiDocumentWithoutStarting(AppModule, definition);
    expect(Object.keys(document.paths).length).toBeGreaterThan(0);
    const problems = await redoclyRecommended(document);
    const warnings = problems.filter((problem) => problem.severity !== 'error');
    if (warnings.length) console.warn(`${service}: ${warnings.length} warnings of Redocly's recommended rules\n${listed(warnings).join('\n')}`);
    expect(listed(problems.filter((problem) => problem.severity === 'error'))).toEqual([]);
  });

  it('types every nullable field as what it holds, never as a bare object (how `string | null` reflects when no type is named)', async () => {
    const { AppModule, definition } = await load();
    const { components } = await openApiDocumentWithoutStarting(AppModule, definition);
    type Property = { type?: string; nullable?: boolean; properties?: unknown; additionalProperties?: unknown; $ref?: string; allOf?: unknown };
    const bare = Object.entries((components?.schemas ?? {}) as Record<string, { properties?: Record<string, Property> }>).flatMap(([schema, { properties = {} }]) =>
      Object.entries(properties)
        .filter(([, property]) => property.nullable && property.type === 'object' && !property.properties && !property.additionalProperties && !property.allOf && !property.$ref)
        .map(([name]) => `${schema}.${name}`),
    );
    expect(bare).toEqual([]);
  });

  it('lists 400 for every operation that reads a path id, a query or a body, and 413 for every one with a body', async () => {
    const { AppModule, definition } = await load();
    const { paths } = await openApiDocumentWithoutStarting(AppModule, definition);
    const missing = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations as Record<string, { parameters?: unknown[]; responses?: Record<string, unknown> }>)
        .filter(([, operation]) => operation?.responses)
        .flatMap(([method, operation]) => {
          const hasBody = ['post', 'put', 'patch'].includes(method);
          const expected = [...(hasBody || operation.parameters?.length ? ['400'] : []), ...(hasBody ? ['413'] : [])];
          return expected.filter((code) => !operation.responses![code]).map((code) => `${method.toUpperCase()} ${path}: ${code}`);
        }),
    );
    expect(missing).toEqual([]);
  });
});
