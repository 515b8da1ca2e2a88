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
console.log('\n| message | validateAs, µs | class-validator alone, µs | ratio |\n|---|---|---|---|');
for (const [name, dto, plain] of messages) {
  if (!validateAs(dto, plain).ok || !classValidatorOnly(dto, plain)) throw new Error(`${name}: the sample must be valid`);
  const fast: number[] = [];
  const slow: number[] = [];
  microseconds(() => validateAs(dto, plain)); // warm-up
  for (let round = 0; round < ROUNDS; round += 1) {
    fast.push(microseconds(() => validateAs(dto, plain)));
    slow.push(microseconds(() => classValidatorOnly(dto, plain)));
  }
  console.log(`| ${name} | ${round(median(fast))} | ${round(median(slow))} | ${(median(slow) / median(fast)).toFixed(1)} × |`);
}
console.log('\n| message | own walk (toInstance), µs | class-transformer (plainToInstance), µs | ratio |\n|---|---|---|---|');
for (const [name, dto, plain] of messages) {
  const own: number[] = [];
  const transformer: number[] = [];
  microseconds(() => toInstance(dto, plain)); // warm-up
  for (let round = 0; round < ROUNDS; round += 1) {
    own.push(microseconds(() => toInstance(dto, plain)));
    transformer.push(microseconds(() => plainToInstance(dto, plain)));
  }
  console.log(`| ${name} | ${round(median(own))} | ${round(median(transformer))} | ${(median(transformer) / median(own)).toFixed(1)} × |`);
}
console.log(`\nMedians of ${ROUNDS} alternating rounds of ${PER_ROUND} reads. Machine: ${describeMachine(load)}`);
