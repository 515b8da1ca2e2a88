import * as classTransformer from 'class-transformer';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { SubmitOrderDto } from './index';
import { MESSAGE_SAMPLES as samples } from './message-samples';
import { passesValidation } from './fast-validation';
import { toInstance } from './instances';

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

/** A deep copy made in this realm (structuredClone's objects have another realm's Object, as no parsed message does). */
const copied = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(copied) : value !== null && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copied(item)])) : value;

function replaced(value: unknown, path: (string | number)[], by: unknown): unknown {
  const copy = copied(value) as Record<string | number, unknown>;
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

/** A value as a comparable tree: each object with its class, its keys in order. */
function shape(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return { array: value.map(shape) };
  return { class: value.constructor?.name ?? null, entries: Object.entries(value).map(([key, item]) => [key, shape(item)]) };
}

describe("validateAs's own copy onto the DTO classes (toInstance)", () => {
  const handedOver = jest.spyOn(classTransformer, 'plainToInstance');
  /** Made by its own walk, not handed to class-transformer. */
  const walked = (dto: new () => object, plain: object) => {
    const before = handedOver.mock.calls.length;
    const instance = toInstance(dto, plain);
    expect(handedOver.mock.calls.length).toBe(before);
    return instance;
  };
  /** The same instance, or where class-transformer throws (a free-form object with a `constructor` key), one without that key. */
  const same = (dto: new () => object, plain: object) => {
    let expected: unknown;
    try {
      expected = shape(plainToInstance(dto, plain));
    } catch {
      expect(walked(dto, plain)).toBeInstanceOf(dto);
      return;
    }
    expect(shape(walked(dto, plain))).toEqual(expected);
  };

  it.each(samples.map(([dto, sample]) => [dto.name, dto, sample] as const))("gives class-transformer's instance for a %s, and with any field replaced by a bad or odd value", (_name, dto, sample) => {
    same(dto, sample);
    for (const path of paths(sample)) for (const by of replacements) same(dto, replaced(sample, path, by) as object);
  });

  it('skips the keys class-transformer skips, at the top and nested, and copies unknown ones as it does', () => {
    const odd = JSON.parse('{"__proto__": {"x": 1}, "constructor": 1, "toString": "x", "valueOf": 2, "hasOwnProperty": 3, "extra": {"toString": 1, "__proto__": 2, "keep": [[{"a": 1}], null]}}');
    for (const [dto, sample] of samples) {
      same(dto, { ...(sample as object), ...odd });
      same(dto, Object.assign(copied(sample) as object, { lines: [odd, [odd], 1, null] }));
    }
  });

  it('leaves to class-transformer what is not plain JSON', () => {
    const at = new Date('2026-11-30T10:00:00Z');
    const converted = toInstance(SubmitOrderDto, { ...(samples[0][1] as object), placedAt: at }) as unknown as { placedAt: unknown };
    expect(converted.placedAt).toBeInstanceOf(Date);
    expect(converted.placedAt).not.toBe(at);
    expect(handedOver).toHaveBeenLastCalledWith(SubmitOrderDto, expect.objectContaining({ placedAt: at }));
  });
});
