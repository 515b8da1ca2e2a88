// `npm run bench:validation`: microseconds to read one consumed message of each type, validateAs (the fast
// path, then class-validator only for a refusal) against class-validator alone (what every
// message paid before), in alternating rounds on the same values so the machine's noise hits both;
// then the copy onto the DTO classes alone, validateAs's own walk against class-transformer's.
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { unsafeInput, validateAs } from '@fil/contracts';
import { toInstance } from '../libs/contracts/src/instances';
import { MESSAGE_SAMPLES } from '../libs/contracts/src/message-samples';
import { describeMachine, round } from './measure';

const messages = MESSAGE_SAMPLES.map(([dto, plain]) => [`${dto.name}${'deliveryMode' in plain ? ` (${plain.deliveryMode})` : ''}`, dto, plain] as const);

/** What validateAs did for every message before the fast path. */
const classValidatorOnly = (dto: new () => object, plain: object) => {
  unsafeInput(plain);
  return validateSync(plainToInstance(dto, plain), { forbidUnknownValues: true }).length === 0;
};

const ROUNDS = 5;
const PER_ROUND = 2_000;
const microseconds = (read: () => unknown) => {
  const start = performance.now();
  for (let i = 0; i < PER_ROUND; i += 1) read();
  return ((performance.now() - start) * 1000) / PER_ROUND;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const load = loadavg();
console.log(`Command: \`npm run bench:validation\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`);
/** A table row per message: `fast` against `slow` in alternating rounds, medians and their ratio. */
function compare(header: string, fast: (dto: new () => object, plain: object) => unknown, slow: (dto: new () => object, plain: object) => unknown): void {
  console.log(`\n${header}\n|---|---|---|---|`);
  for (const [name, dto, plain] of messages) {
    const fastTimes: number[] = [];
    const slowTimes: number[] = [];
    microseconds(() => fast(dto, plain)); // warm-up
    for (let round = 0; round < ROUNDS; round += 1) {
      fastTimes.push(microseconds(() => fast(dto, plain)));
      slowTimes.push(microseconds(() => slow(dto, plain)));
    }
    console.log(`| ${name} | ${round(median(fastTimes))} | ${round(median(slowTimes))} | ${(median(slowTimes) / median(fastTimes)).toFixed(1)} × |`);
  }
}

for (const [name, dto, plain] of messages) {
  if (!validateAs(dto, plain).ok || !classValidatorOnly(dto, plain)) throw new Error(`${name}: the sample must be valid`);
}
compare('| message | validateAs, µs | class-validator alone, µs | ratio |', validateAs, classValidatorOnly);
compare('| message | own walk (toInstance), µs | class-transformer (plainToInstance), µs | ratio |', toInstance, plainToInstance);
console.log(`\nMedians of ${ROUNDS} alternating rounds of ${PER_ROUND} reads. Machine: ${describeMachine(load)}`);
