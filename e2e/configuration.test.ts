// docs/configuration.md must list exactly what the services read, and a service must refuse a bad value at start.
// Here rather than in tools/: only e2e may import every service, and the declared variables are the services' own.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Variable } from '@fil/config';
import { serviceVariables, type ServiceDefinition } from '@fil/platform';
import { definition as fulfillment } from '../apps/fulfillment/src/app.module';
import { definition as inventory } from '../apps/inventory/src/app.module';
import { definition as orders } from '../apps/order-orchestrator/src/app.module';
import { definition as returns } from '../apps/returns/src/app.module';

const root = join(__dirname, '..');
const definitions: ServiceDefinition[] = [orders, inventory, fulfillment, returns];

interface Row {
  services: string;
  accepts: string;
  fallback: string | undefined;
}

/** The table rows of the page, by variable: `| \`NAME\` | read by | accepts | default | meaning |`. */
function documented(): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const line of readFileSync(join(root, 'docs', 'configuration.md'), 'utf8').split('\n')) {
    const cells = line.match(/^\| `([A-Z0-9_]+)` \|(.*)\|$/);
    if (!cells) continue;
    const [services, accepts, fallback] = cells[2].split(' | ').map((cell) => cell.trim());
    expect(rows.has(cells[1])).toBe(false);
    rows.set(cells[1], { services, accepts, fallback: fallback === 'none' ? undefined : fallback === '(empty)' ? '' : fallback.replace(/^`(.*)`$/, '$1') });
  }
  return rows;
}

/** What the code declares, by variable, with the services that read it. */
function declared(): Map<string, Row> {
  const readers = new Map<string, { variable: Variable<unknown>; services: string[] }>();
  for (const definition of definitions) {
    const names = serviceVariables(definition).map(({ name }) => name);
    expect(new Set(names).size).toBe(names.length);
    for (const variable of serviceVariables(definition)) {
      const entry = readers.get(variable.name) ?? { variable, services: [] };
      entry.services.push(definition.service);
      readers.set(variable.name, entry);
    }
  }
  return new Map(
    [...readers].map(([name, { variable, services }]) => [
      name,
      { services: services.length === definitions.length ? 'all' : services.join(', '), accepts: variable.accepts, fallback: variable.fallback },
    ]),
  );
}

describe('docs/configuration.md', () => {
  it('lists exactly the variables the services declare, each with its services, what it accepts and its default', () => {
    const page = documented();
    const code = declared();
    expect([...page.keys()].sort()).toEqual([...code.keys()].sort());
    for (const [name, row] of code) expect({ name, ...page.get(name) }).toEqual({ name, ...row });
  });

  it('sees the variables of the shared libraries and of each service', () => {
    expect(declared().get('FIL_SAGA_STEP_TIMEOUT_MS')).toEqual({ services: 'orders', accepts: 'an integer from 1 to 86400000 (milliseconds)', fallback: '30000' });
    expect(declared().get('KAFKA_BROKERS')?.services).toBe('all');
  });
});

describe('start-up', () => {
  // Nothing answers on these: a service that got past its configuration would fail on them instead.
  const unreachable = { DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/postgres', KAFKA_BROKERS: '127.0.0.1:1' };

  it('refuses to start the orchestrator with FIL_SAGA_STEP_TIMEOUT_MS=abc, naming it with every other bad value', () => {
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/order-orchestrator/src/main.ts'], {
      cwd: root,
      env: { ...process.env, ...unreachable, ORDERS_PORT: '0', FIL_SAGA_STEP_TIMEOUT_MS: 'abc', FIL_LOG_LEVEL: 'loud', FIL_JWT_SECRET: '' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    const refusal = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.includes('cannot start'));
    expect(refusal).toHaveLength(1);
    const { msg } = JSON.parse(refusal[0]);
    expect(msg).toContain("FIL_SAGA_STEP_TIMEOUT_MS: 'abc' is not an integer from 1 to 86400000 (milliseconds)");
    expect(msg).toContain("FIL_LOG_LEVEL: 'loud' is not one of error, warn, info, debug, verbose");
    expect(msg).toContain('FIL_JWT_SECRET must be set');
  });
});
