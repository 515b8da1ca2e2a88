// How far routing's fallback lands from the optimum. On random home-delivery networks small
// enough for the exact search (often with split lines), each order is routed twice: with the
// real budget (exact) and with a tiny one, so that the search stops and the fallback chooses
// (the best cover of the size being explored, or else the greedy cover). Reported per
// budget: how many orders fell back, their extra shipments and their extra cost.
// `nice -n 19 node -r @swc-node/register bench/routing-gap.bench.ts`; BENCH_GAP_ORDERS sets the count.
import { routeHomeDelivery, DEFAULT_WEIGHTS, type RoutingLocation } from '../apps/order-orchestrator/src/routing/home-delivery-router';

const ORDERS = Number(process.env.BENCH_GAP_ORDERS ?? 2_000);
const BUDGETS = [0, 10, 100, 1_000];
const DESTINATION = { lat: 48.85, lng: 2.35 };

function generator(seed: number) {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** 10 to 40 locations, 3 to 10 lines of 1 to 6 units; each location holds 0 to 3 units of about half the SKUs, so many lines are split. */
function order(random: () => number) {
  const size = 10 + Math.floor(random() * 31);
  const locations: RoutingLocation[] = Array.from({ length: size }, (_, i) => ({
    id: `L${String(i).padStart(2, '0')}`,
    type: random() < 0.2 ? 'WAREHOUSE' : 'STORE',
    lat: 43 + random() * 7,
    lng: -1 + random() * 8,
    ship: true,
    priority: null,
    underCapacity: true,
  }));
  const lines = Array.from({ length: 3 + Math.floor(random() * 8) }, (_, i) => ({ sku: `S${i}`, quantity: 1 + Math.floor(random() * 6) }));
  const stock = new Map<string, number>();
  for (const location of locations) for (const { sku } of lines) if (random() < 0.5) stock.set(`${location.id}|${sku}`, Math.floor(random() * 4));
  return { locations, lines, atp: (locationId: string, sku: string) => stock.get(`${locationId}|${sku}`) ?? 0 };
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : Number.NaN;
};
const pct = (value: number) => `${(100 * value).toFixed(1)} %`;

const random = generator(20261130);
const orders = Array.from({ length: ORDERS }, () => order(random));
const optima = orders.map(({ lines, locations, atp }) => routeHomeDelivery(lines, DESTINATION, locations, atp));
const costOf = (decision: ReturnType<typeof routeHomeDelivery>) => decision.shipments.reduce((sum, s) => sum + s.cost, 0);
const inexact = optima.filter((decision) => !decision.exact).length;
const nodes = optima.map((decision) => decision.explanation.summary!.searchNodes);
console.log(`${ORDERS} orders; exact search: ${ORDERS - inexact} exact, search nodes median ${quantile(nodes, 0.5)}, p99 ${quantile(nodes, 0.99)}, most ${Math.max(...nodes)}`);
console.log('');
console.log('| budget (nodes) | fell back | same shipments | extra shipments: median / worst | extra cost: median / worst | extra cost at the same shipments: median / worst |');
console.log('|---|---|---|---|---|---|');
for (const budget of BUDGETS) {
  const extraShipments: number[] = [];
  const extraCost: number[] = [];
  const extraCostSameSize: number[] = [];
  orders.forEach(({ lines, locations, atp }, i) => {
    const fallback = routeHomeDelivery(lines, DESTINATION, locations, atp, DEFAULT_WEIGHTS, new Set(), undefined, undefined, budget);
    if (fallback.exact) return;
    const optimum = optima[i];
    const [extra, gap] = [fallback.shipments.length - optimum.shipments.length, costOf(fallback) / costOf(optimum) - 1];
    extraShipments.push(extra);
    extraCost.push(gap);
    if (!extra) extraCostSameSize.push(gap);
  });
  const worst = (values: number[]) => (values.length ? Math.max(...values) : Number.NaN);
  console.log(
    `| ${budget} | ${extraShipments.length} | ${extraCostSameSize.length} | ${quantile(extraShipments, 0.5)} / ${worst(extraShipments)} | ${pct(quantile(extraCost, 0.5))} / ${pct(worst(extraCost))} | ${pct(quantile(extraCostSameSize, 0.5))} / ${pct(worst(extraCostSameSize))} |`,
  );
}
