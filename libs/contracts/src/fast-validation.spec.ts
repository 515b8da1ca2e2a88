import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { SubmitOrderDto } from './index';
import { MESSAGE_SAMPLES as samples } from './message-samples';
import { passesValidation } from './fast-validation';

/** Values that break one rule or another: wrong types, bounds, empty, unknown words, bad dates and ids, nesting where none belongs. */
const replacements: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'SKU 1',
  'x'.repeat(600),
  'NOT_A_WORD',
  '2026-02-30T00:00:00Z',
  '1999-12-31T23:59:59Z',
  0,
  -1,
  1.5,
  1e9,
  Number.NaN,
  true,
  [],
  [undefined],
  [null],
  ['SKU 1'],
  {},
  { sku: 'SKU-1' },
];

/** Every path to a value in `value`, arrays' items included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, index) => index) : Object.keys(value);
  return [...(prefix.length ? [prefix] : []), ...keys.flatMap((key) => paths((value as Record<string | number, unknown>)[key], [...prefix, key]))];
}

function replaced(value: unknown, path: (string | number)[], by: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let holder = copy;
  for (const key of path.slice(0, -1)) holder = holder[key] as Record<string | number, unknown>;
  holder[path[path.length - 1]] = by;
  return copy;
}

const verdicts = (dto: new () => object, plain: unknown) => {
  const instance = plainToInstance(dto, plain);
  return { fast: passesValidation(instance), classValidator: validateSync(instance, { forbidUnknownValues: true }).length === 0 };
};

describe('the fast validation path', () => {
  it.each(samples.map(([dto, sample]) => [dto.name, dto, sample] as const))('passes a valid %s, as class-validator does', (_name, dto, sample) => {
    expect(verdicts(dto, sample)).toEqual({ fast: true, classValidator: true });
  });

  it.each(samples.map(([dto, sample]) => [dto.name, dto, sample] as const))('gives class-validator\'s verdict on every field of a %s replaced by a bad or odd value', (_name, dto, sample) => {
    const disagreements = paths(sample).flatMap((path) =>
      replacements.flatMap((by) => {
        const { fast, classValidator } = verdicts(dto, replaced(sample, path, by));
        return fast === classValidator ? [] : [`${path.join('.')} = ${JSON.stringify(by)}: fast ${fast}, class-validator ${classValidator}`];
      }),
    );
    expect(disagreements).toEqual([]);
  });

  it('leaves to class-validator a class with no rules, and an object nested where a class was expected', () => {
    class Bare {
      name?: string;
    }
    expect(passesValidation(Object.assign(new Bare(), { name: 'x' }))).toBe(false);
    const order = Object.assign(plainToInstance(SubmitOrderDto, samples[0][1]), { customer: { id: 'C-1' } });
    expect(passesValidation(order)).toBe(false);
    expect(validateSync(order, { forbidUnknownValues: true })).not.toEqual([]);
  });
});
