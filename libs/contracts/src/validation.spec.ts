import { Transform } from 'class-transformer';
import { IsString } from 'class-validator';
import fc from 'fast-check';
import { MESSAGE_SAMPLES } from './message-samples';
import { isTimeWithin, MAX_NESTING, unsafeInput, validateAs } from './validation';

/** Plain ids and words, nested within the limit: what nearly every input is. */
// JSON writes the control characters it refuses as \u00XX, \b or \f, and DEL as it is.
const safe = fc.jsonValue({ maxDepth: 4 }).filter((value) => !/\\u00|\\[bf]|\u007F|__proto__|"constructor"|"prototype"/.test(JSON.stringify(value)));

/** `value` with `bad` put at a path chosen by `turns`, wrapped in objects and arrays when it is not a container. */
function plant(value: unknown, bad: (inner: unknown) => unknown, turns: number[]): unknown {
  if (value === null || typeof value !== 'object' || !turns.length) return bad(value);
  const keys = Object.keys(value);
  if (!keys.length) return bad(value);
  const key = keys[turns[0] % keys.length];
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string, unknown>;
  copy[key] = plant((value as Record<string, unknown>)[key], bad, turns.slice(1));
  return copy;
}

const nested = (levels: number): unknown => (levels ? { inner: nested(levels - 1) } : 'x');
const faults: [string, (inner: unknown) => unknown][] = [
  ['a control character in a string', () => 'a\u0000b'],
  ['a control character in a key', (inner) => ({ 'k\u0007': inner })],
  ['a lone high surrogate in a string', () => 'a\ud800b'],
  ['a lone low surrogate in a string', () => '\udc00'],
  ['a lone surrogate in a key', (inner) => ({ 'k\udfff': inner })],
  ['a prototype key', (inner) => JSON.parse(`{"__proto__": ${JSON.stringify(inner ?? null)}}`)],
  ['a constructor key', (inner) => ({ constructor: inner ?? null })],
  ['nesting beyond the limit', () => nested(MAX_NESTING + 1)],
];

describe('unsafeInput', () => {
  it('finds nothing in plain input', () => {
    fc.assert(fc.property(safe, (value) => unsafeInput(value).length === 0));
  });

  it('finds nothing in a surrogate pair, an emoji written as two halves', () => {
    expect(unsafeInput({ 'k\ud83d\ude00': 'x\ud83d\ude00y' })).toEqual([]);
  });

  it.each(faults)('finds %s wherever it is', (_, bad) => {
    fc.assert(fc.property(safe, fc.array(fc.nat(), { maxLength: 4 }), (value, turns) => unsafeInput(plant(value, bad, turns)).length > 0));
  });
});

describe('isTimeWithin', () => {
  const from = new Date('2000-01-01T00:00:00Z');
  const to = new Date('2100-01-01T00:00:00Z');

  it.each(['2025-03-01T10:00:00Z', '2025-03-01T10:00:00.123Z', '2025-03-01T10:00:00+01:00'])('takes an RFC 3339 date-time: %s', (value) => {
    expect(isTimeWithin(value, from, to)).toBe(true);
  });

  // A date alone or a time without an offset would be read in the server's zone: not the instant the sender meant.
  it.each(['2025-03-01', '2025-03-01T10:00:00', '2025-03-01T10:00Z', '2025-02-30T10:00:00Z', '2025-W09-6T10:00:00Z', '1999-12-31T23:59:59Z'])('refuses %s', (value) => {
    expect(isTimeWithin(value, from, to)).toBe(false);
  });
});

describe('validateAs', () => {
  it('refuses with why a value its conversion throws on, rather than throwing', () => {
    class Strict {
      @Transform(() => {
        throw new Error('no such name');
      })
      @IsString()
      name: string;
    }
    expect(validateAs(Strict, { name: 'x' })).toEqual({ ok: false, errors: ['value: cannot be read as Strict (no such name)'] });
  });

  it('refuses, without throwing, a free-form object holding a constructor key (class-transformer threw a TypeError there, which held the partition)', () => {
    for (const [dto, sample] of MESSAGE_SAMPLES) {
      const value = JSON.parse(JSON.stringify({ ...(sample as object), metadata: { constructor: 'x', note: [{ constructor: 1 }] } }));
      const checked = validateAs(dto, value);
      expect(checked.ok).toBe(false);
      expect(checked.ok ? [] : checked.errors).toEqual(expect.arrayContaining(["metadata.constructor: is not an allowed key"]));
    }
  });
});
