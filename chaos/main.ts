// `npm run chaos`: the fault suite (docs/reliability.md). A steady load of mixed orders runs
// against the four services on the suite's own Kafka broker while faults are injected one at
// a time; after each, the checks run from outside. Prints the figures per fault and exits 1
// when any check fails.
//   CHAOS_RATE (orders/s, 4), CHAOS_FAULTS (comma-separated parts of fault names, all by default),
//   CHAOS_BEFORE_S (5) and CHAOS_AFTER_S (10): load before each fault and after it is healed.
import { randomBytes } from 'node:crypto';
import { allFaults } from './faults';
import { runChaos } from './run-chaos';

async function main() {
  // The services run as in production: a real secret, shared with the suite's own tokens.
  process.env.FIL_JWT_SECRET ??= randomBytes(32).toString('hex');
  const run = randomBytes(3).toString('hex');
  // Not fil_test_*: `npm test` drops those of earlier runs, and may run meanwhile.
  process.env.FIL_TOPIC_PREFIX = `chaos.${run}.`;
  process.env.FIL_DB_PREFIX = `fil_chaos_${run}`;
  process.env.FIL_TRACING = 'off';
  process.env.FIL_LOG_LEVEL ??= 'warn';
  const wanted = (process.env.CHAOS_FAULTS ?? '').split(',').map((part) => part.trim()).filter(Boolean);
  const faults = allFaults().filter((fault) => !wanted.length || wanted.some((part) => fault.name.includes(part)));
  if (!faults.length) throw new Error(`CHAOS_FAULTS=${process.env.CHAOS_FAULTS} names no fault`);
  const started = new Date();
  const report = await runChaos({
    faults,
    rate: Number(process.env.CHAOS_RATE ?? 4),
    beforeMs: Number(process.env.CHAOS_BEFORE_S ?? 5) * 1000,
    afterMs: Number(process.env.CHAOS_AFTER_S ?? 10) * 1000,
    journeyTimeoutMs: 180_000,
    settleMs: 30_000,
    log: (line) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
  });
  console.log(`Run: ${started.toISOString()} – ${new Date().toISOString()}\n${report.markdown}`);
  process.exit(report.passed ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
