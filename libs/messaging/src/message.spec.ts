import fc from 'fast-check';
import { canonicalJson } from './message';

/** canonicalJson as every digest in handled_message and every order content hash so far was made: the faster one must agree. */
function canonicalJsonAsStored(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJsonAsStored).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJsonAsStored(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Keys that sort apart from their insertion order, integer-like ones (which objects list first) among them. */
const keys = fc.oneof(fc.string(), fc.constantFrom('10', '2', '0', 'a', 'B', 'é', '\u0000', '__proto__'));
const values = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined), fc.array(tie('value')), fc.dictionary(keys, tie('value'))),
})).value;

describe('canonicalJson', () => {
  it('writes every value as digests were always written', () => {
    fc.assert(fc.property(values, (value) => canonicalJson(value) === canonicalJsonAsStored(value)), { numRuns: 2_000 });
  });

  it('writes the same JSON whatever the order of the keys', () => {
    fc.assert(
      fc.property(fc.dictionary(keys, fc.jsonValue({ maxDepth: 2 })), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        return canonicalJson(reversed) === canonicalJson(value);
      }),
    );
  });
});
