// `npm run bench:routing`, part one: routing decisions per second and their latency, in
// process, for home-delivery orders of 1, 5 and 10 lines over networks of 20, 200 and 2,000
// ship locations (random but seeded, so every run decides the same orders), each cell timed
// after BENCH_WARMUP untimed decisions on other orders of its network. Part two, the
// same decisions end to end at a steady offered load, is bench/orders.bench.ts with
// BENCH_ORDERS=0 (see package.json).
import { cpus, totalmem } from 'node:os';
import { routeOrder, type NetworkLocation } from '../apps/order-orchestrator/src/routing/route-order';
import { DEFAULT_POLICY } from '../apps/order-orchestrator/src/routing/routing-policy';

const CATALOG = 200;
const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 20_000);
/** Decisions routed first on other orders of the same network, untimed: the figures are for code the runtime has optimised, as in a running orchestrator. 0 times the first decisions too. */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2_000);
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 5_000);
/** Cells to run, e.g. `5x200,5x2000` (lines × locations); all by default. */
const CELLS = process.env.BENCH_CELLS?.split(',');
/** A new array of new location objects for every decision, as the orchestrator's stock view builds them: routing then keeps nothing across decisions. */
const FRESH_NETWORK = process.env.BENCH_FRESH_NETWORK === '1';

/** A small deterministic generator: every run benches the same networks and orders. */
function generator(seed: number) {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function network(size: number, random: () => number) {
  const locations: NetworkLocation[] = Array.from({ length: size }, (_, i) => ({
    id: `L${String(i).padStart(4, '0')}`,
    type: random() < 0.2 ? 'WAREHOUSE' : 'STORE',
    lat: 43 + random() * 7,
    lng: -1 + random() * 8,
    ship: true,
    pickup: true,
    reserve: true,
    priority: null,
    underCapacity: random() > 0.05,
  }));
  // Each location stocks about a third of the catalogue, a few units of each.
  const stock = new Map<string, number>();
  const bySku = new Map<string, [string, number][]>();
  for (const location of locations) {
    for (let sku = 0; sku < CATALOG; sku += 1) {
      if (random() >= 0.3) continue;
      const units = 1 + Math.floor(random() * 4);
      stock.set(`${location.id}|S${sku}`, units);
      if (!bySku.has(`S${sku}`)) bySku.set(`S${sku}`, []);
      bySku.get(`S${sku}`)!.push([location.id, units]);
    }
  }
  // As the orchestrator's stock view gives them, by position in `locations` too: BENCH_NO_INDEX=1 measures routing that asks every location instead.
  const positions = new Map(locations.map((location, at) => [location.id, at]));
  const holdingsBySku = new Map([...bySku].map(([sku, held]) => [sku, { at: Int32Array.from(held, ([id]) => positions.get(id)!), atp: Float64Array.from(held, ([, units]) => units) }]));
  const indexed = !process.env.BENCH_NO_INDEX;
  return {
    locations,
    atp: (locationId: string, sku: string) => stock.get(`${locationId}|${sku}`) ?? 0,
    holders: indexed ? (sku: string) => bySku.get(sku) ?? [] : undefined,
    holdingsAt: indexed ? (sku: string) => holdingsBySku.get(sku) : undefined,
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function bench(lineCount: number, size: number) {
  const random = generator(lineCount * 7919 + size);
  const { locations, atp, holders, holdingsAt } = network(size, random);
  const ordersOf = (count: number) =>
    Array.from({ length: count }, () => {
      const skus = new Set<string>();
      while (skus.size < lineCount) skus.add(`S${Math.floor(random() * CATALOG)}`);
      return [...skus].map((sku) => ({ sku, quantity: 1 + Math.floor(random() * 2) }));
    });
  const orders = ordersOf(DECISIONS);
  const networkFor = () => (FRESH_NETWORK ? locations.map((location) => ({ ...location })) : locations);
  const route = (lines: { sku: string; quantity: number }[], network: NetworkLocation[]) =>
    routeOrder({ deliveryMode: 'HOME_DELIVERY', lines, shippingAddress: { lat: 48.85, lng: 2.35 }, locations: network, atp, holders, holdingsAt, policy: DEFAULT_POLICY, policyVersion: 0 });
  for (const lines of ordersOf(WARMUP)) route(lines, networkFor());
  const latencies: number[] = [];
  let exact = 0;
  const started = performance.now();
  for (const lines of orders) {
    const network = networkFor();
    const before = performance.now();
    const decision = route(lines, network);
    latencies.push(performance.now() - before);
    if (decision.explanation.exact) exact += 1;
    if (performance.now() - started > BUDGET_MS) break;
  }
  // Over the time spent deciding: a fresh network's copy, made between decisions, is the caller's work, not routing's.
  const deciding = latencies.reduce((sum, ms) => sum + ms, 0) / 1000;
  latencies.sort((a, b) => a - b);
  return { decisions: latencies.length, perSecond: latencies.length / deciding, p50: percentile(latencies, 50), p99: percentile(latencies, 99), exact };
}

const ms = (value: number) => (value < 1 ? value.toFixed(3) : value.toFixed(1));
console.log(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
console.log('');
console.log('| lines | locations | decisions | decisions/s | p50 ms | p99 ms | exact |');
console.log('|---|---|---|---|---|---|---|');
for (const size of [20, 200, 2_000]) {
  for (const lines of [1, 5, 10]) {
    if (CELLS && !CELLS.includes(`${lines}x${size}`)) continue;
    const result = bench(lines, size);
    console.log(`| ${lines} | ${size} | ${result.decisions} | ${Math.round(result.perSecond)} | ${ms(result.p50)} | ${ms(result.p99)} | ${result.exact}/${result.decisions} |`);
  }
}
