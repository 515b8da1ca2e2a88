// `npm run bench:inventory`: reservations per second through Kafka and their latency, with
// one inventory instance: ReserveStock commands go in on fil.inventory.commands.v1, answers
// come out on fil.inventory.events.v1. Hot: every command on one SKU at one location.
// Spread: 50 SKUs over 5 locations. Commands are sent as one burst.
import { loadavg } from 'node:os';
import { InventoryCommandTypes, Topics } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { ceHeaders, http, KafkaProbe, startService, useTestEnvironment, waitFor } from '@fil/testing';
import { describeMachine, percentile } from './measure';

const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 10_000);
const LOCATIONS = ['bench-1', 'bench-2', 'bench-3', 'bench-4', 'bench-5'];
const SKUS = Array.from({ length: 50 }, (_, i) => `SKU-S${String(i).padStart(2, '0')}`);

async function scenario(name: string, probe: KafkaProbe, target: (n: number) => { locationId: string; sku: string }) {
  const sentAt = new Map<string, number>();
  const started = Date.now();
  for (let sent = 0; sent < COMMANDS; sent += 1_000) {
    const now = Date.now();
    const batch = Array.from({ length: Math.min(1_000, COMMANDS - sent) }, (_, i) => {
      const reservationId = `${name}-${sent + i}`;
      sentAt.set(reservationId, now);
      const { locationId, sku } = target(sent + i);
      return {
        key: `order-${reservationId}`,
        value: JSON.stringify({ reservationId, orderId: `order-${reservationId}`, locationId, lines: [{ sku, quantity: 1 }] }),
        headers: ceHeaders('orders', InventoryCommandTypes.reserve),
      };
    });
    await probe.sendMany(Topics.inventoryCommands, batch);
  }
  const answered = () => probe.messages(Topics.inventoryEvents, (m) => sentAt.has(m.value.reservationId));
  await waitFor(() => answered().length >= COMMANDS, { timeoutMs: 600_000, intervalMs: 200, what: `${name} answers` });
  const answers = answered();
  const last = Math.max(...answers.map((m) => m.timestamp));
  const latencies = answers.map((m) => m.timestamp - sentAt.get(m.value.reservationId)!).sort((a, b) => a - b);
  const refused = answers.filter((m) => m.headers.ce_type !== 'StockReserved').length;
  return `| ${name} | ${COMMANDS} | ${refused} | ${Math.round(COMMANDS / ((last - started) / 1000))} | ${percentile(latencies, 50)} | ${percentile(latencies, 95)} | ${percentile(latencies, 99)} |`;
}

async function main() {
  const loadAtStart = loadavg();
  useTestEnvironment('bench-inventory');
  const { AppModule, definition } = await import('../apps/inventory/src/app.module');
  const { app, url } = await startService(AppModule, definition);
  const probe = new KafkaProbe();
  try {
    await probe.start([Topics.inventoryEvents]);
    for (const id of LOCATIONS) {
      await http('PUT', `${url}/locations/${id}`, { name: id, type: 'WAREHOUSE', lat: 45.7, lng: 4.9, ship: true, pickup: false, reserve: false });
      for (const sku of [...SKUS, 'SKU-HOT']) await http('PUT', `${url}/locations/${id}/stock/${sku}`, { onHand: 1_000_000, safetyStock: 0 });
    }
    const rows = [
      await scenario('hot', probe, () => ({ locationId: 'bench-1', sku: 'SKU-HOT' })),
      await scenario('spread', probe, (n) => ({ locationId: LOCATIONS[n % 5], sku: SKUS[Math.floor(n / 5) % 50] })),
    ];
    const machine = describeMachine(loadAtStart);
    console.log(
      [
        `Machine: ${machine}`,
        '',
        '| scenario | commands | refused | reservations/s | p50 ms | p95 ms | p99 ms |',
        '|---|---|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
    );
  } finally {
    await probe.stop();
    await app.close();
    await dropDatabase(databaseName('inventory'));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
