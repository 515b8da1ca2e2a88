// `npm run bench:orders`: orders per second end to end — submitted on Kafka until
// `OrderAllocated` is published — with the four services running as processes, as in
// production. A burst of BENCH_ORDERS orders measures throughput; then a steady offered load
// of BENCH_RATE orders/s for BENCH_SECONDS measures latency when the system keeps up.
// BENCH_ORDERS=0 skips the burst, so that the steady phase starts on an idle system.
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { Topics } from '@fil/contracts';
import { FilSystem, http, KafkaProbe, useTestEnvironment, waitFor } from '@fil/testing';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 5_000);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SKUS = Array.from({ length: 20 }, (_, i) => `SKU-B${String(i).padStart(3, '0')}`);

function order(orderId: string, n: number) {
  return {
    orderId,
    channel: 'bench',
    deliveryMode: 'HOME_DELIVERY',
    customer: { id: `C${n % 1000}` },
    shippingAddress: { lat: 48.85, lng: 2.35 },
    lines: [
      { lineId: '1', sku: SKUS[n % SKUS.length], quantity: 1, unitPrice: 10 },
      { lineId: '2', sku: SKUS[(n * 7 + 3) % SKUS.length], quantity: 1, unitPrice: 20 },
    ],
    currency: 'EUR',
    placedAt: new Date().toISOString(),
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  useTestEnvironment('bench-orders');
  const system = new FilSystem();
  const probe = new KafkaProbe();
  await probe.start([Topics.ordersEvents, Topics.inventoryCommands, Topics.inventoryEvents]);
  await system.start({ FIL_TRACING: 'off', FIL_LOG_LEVEL: 'warn', ...(process.env.BENCH_PROFILE ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${process.env.BENCH_PROFILE}` } : {}) });
  try {
    for (const id of ['WH-A', 'WH-B']) {
      await http('PUT', `${system.url('inventory')}/locations/${id}`, { name: id, type: 'WAREHOUSE', lat: 45.7, lng: 4.9, ship: true, pickup: false, reserve: false });
      for (const sku of SKUS) await http('PUT', `${system.url('inventory')}/locations/${id}/stock/${sku}`, { onHand: 1_000_000, safetyStock: 0 });
    }
    await waitFor(async () => (await http('GET', `${system.url('order-orchestrator')}/availability?skus=${SKUS.join(',')}`)).body?.length === SKUS.length * 2, {
      timeoutMs: 60_000,
      what: 'the stock view',
    });

    const allocatedAt = (ids: Set<string>) =>
      probe.messages(Topics.ordersEvents, (m) => ids.has(m.key!) && m.value.status !== 'RECEIVED');

    const rows: string[] = [];
    if (ORDERS > 0) rows.push(await runBurst());

    async function runBurst(): Promise<string> {
    const burst = new Set<string>();
    const sendStarted = Date.now();
    for (let sent = 0; sent < ORDERS; sent += 500) {
      const batch = Array.from({ length: Math.min(500, ORDERS - sent) }, (_, i) => {
        const orderId = `B-${randomBytes(6).toString('hex')}`;
        burst.add(orderId);
        return { key: orderId, value: JSON.stringify(order(orderId, sent + i)) };
      });
      await probe.sendMany(Topics.ordersSubmitted, batch);
    }
    await waitFor(() => allocatedAt(burst).length >= ORDERS, { timeoutMs: 600_000, intervalMs: 500, what: 'the burst to be allocated' });
    const burstDone = Math.max(...allocatedAt(burst).map((m) => m.timestamp));
    if (process.env.BENCH_DUMP_LOGS) {
      const received = probe.messages(Topics.ordersEvents, (m) => burst.has(m.key!) && m.value.status === 'RECEIVED').map((m) => m.timestamp);
      console.error(`received: first +${Math.min(...received) - sendStarted} ms, last +${Math.max(...received) - sendStarted} ms; allocated last +${burstDone - sendStarted} ms`);
    }
    const rejected = allocatedAt(burst).filter((m) => m.value.status !== 'ALLOCATED').length;
    const throughput = ORDERS / ((burstDone - sendStarted) / 1000);
    return `| burst of ${ORDERS} orders, submitted → allocated | ${Math.round(throughput)} orders/s (${rejected} not allocated) |`;
    }

    // Steady offered load: latency.
    const steady = new Map<string, number>();
    const interval = 1000 / RATE;
    const steadyStart = Date.now();
    for (let n = 0; n < RATE * SECONDS; n += 1) {
      const due = steadyStart + n * interval;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      const orderId = `S-${randomBytes(6).toString('hex')}`;
      steady.set(orderId, Date.now());
      await probe.send(Topics.ordersSubmitted, orderId, order(orderId, n));
    }
    const ids = new Set(steady.keys());
    await waitFor(() => allocatedAt(ids).length >= ids.size, { timeoutMs: 120_000, intervalMs: 200, what: 'the steady load to be allocated' });
    const latencies = allocatedAt(ids)
      .map((m) => m.timestamp - steady.get(m.key!)!)
      .sort((a, b) => a - b);
    // Where the time goes, per hop (message timestamps are set by each producer on this machine).
    const firstAt = (topic: string, type: string) => {
      const at = new Map<string, number>();
      for (const m of probe.messages(topic, (m) => ids.has(m.key!) && m.headers.ce_type === type)) if (!at.has(m.key!)) at.set(m.key!, m.timestamp);
      return at;
    };
    const reserveAt = firstAt(Topics.inventoryCommands, 'ReserveStock');
    const reservedAt = firstAt(Topics.inventoryEvents, 'StockReserved');
    const doneAt = new Map(allocatedAt(ids).map((m) => [m.key!, m.timestamp]));
    const hop = (from: (id: string) => number | undefined, to: Map<string, number>) =>
      percentile([...ids].filter((id) => from(id) !== undefined && to.has(id)).map((id) => to.get(id)! - from(id)!).sort((a, b) => a - b), 50);
    const hops = [
      `| steady: submitted → ReserveStock sent, p50 | ${hop((id) => steady.get(id), reserveAt)} ms |`,
      `| steady: ReserveStock → StockReserved sent, p50 | ${hop((id) => reserveAt.get(id), reservedAt)} ms |`,
      `| steady: StockReserved → OrderAllocated sent, p50 | ${hop((id) => reservedAt.get(id), doneAt)} ms |`,
    ];

    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
    console.log(
      [
        `Machine: ${machine}`,
        '',
        '| measure | value |',
        '|---|---|',
        ...rows,
        `| steady ${RATE} orders/s for ${SECONDS} s, latency p50 | ${percentile(latencies, 50)} ms |`,
        `| steady ${RATE} orders/s for ${SECONDS} s, latency p95 | ${percentile(latencies, 95)} ms |`,
        `| steady ${RATE} orders/s for ${SECONDS} s, latency p99 | ${percentile(latencies, 99)} ms |`,
        ...hops,
      ].join('\n'),
    );
  } finally {
    if (process.env.BENCH_DUMP_LOGS) {
      for (const [service, lines] of system.output) console.error(lines.map((line) => `${service} ${line}`).join('\n'));
    }
    await system.stop();
    await probe.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
