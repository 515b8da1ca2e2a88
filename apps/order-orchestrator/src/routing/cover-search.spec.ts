import fc from 'fast-check';
import { bestCover } from './cover-search';
import type { CoverOption, Requirements } from './cover-reduction';

/** Options whose units never exceed the targets, and targets no larger than what all options give together. */
const instance = fc
  .record({
    units: fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 5, maxLength: 5 }), { minLength: 4, maxLength: 14 }),
    costs: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 14, maxLength: 14 }),
    quantities: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 5, maxLength: 5 }),
    budget: fc.integer({ min: 0, max: 40 }),
  })
  .map(({ units, costs, quantities, budget }) => {
    const total = quantities.map((_, r) => units.reduce((sum, row) => sum + row[r], 0));
    const kept = quantities.map((_, r) => r).filter((r) => total[r] > 0);
    const whole = kept.map((r) => units.some((row) => row[r] >= quantities[r]));
    const targets = kept.map((r, k) => (whole[k] ? quantities[r] : total[r]));
    const requirements: Requirements = { targets, whole };
    const options: CoverOption[] = units.map((row, i) => ({
      location: { id: `L${String(i).padStart(2, '0')}`, type: 'STORE', lat: 0, lng: 0, ship: true, underCapacity: true },
      cost: costs[i] * 1_000_000,
      units: kept.map((r, k) => (whole[k] ? (row[r] >= quantities[r] ? quantities[r] : 0) : row[r])),
    }));
    return { requirements, options, budget };
  });

const meets = ({ targets, whole }: Requirements, chosen: CoverOption[]) =>
  targets.every((target, r) => (whole[r] ? chosen.some((option) => option.units[r] >= target) : chosen.reduce((sum, option) => sum + option.units[r], 0) >= target));
const costOf = (chosen: CoverOption[]) => chosen.reduce((sum, option) => sum + option.cost, 0);

describe('bestCover past its budget', () => {
  it('falls back to a valid cover flagged not exact, never with fewer shipments or a lower cost than the optimum', () => {
    let fellBack = 0;
    fc.assert(
      fc.property(instance, ({ requirements, options, budget }) => {
        const optimum = bestCover(requirements, options);
        const cover = bestCover(requirements, options, budget);
        expect(optimum.exact).toBe(true);
        expect(meets(requirements, cover.chosen)).toBe(true);
        expect(new Set(cover.chosen).size).toBe(cover.chosen.length);
        if (cover.exact) {
          expect(cover.chosen).toEqual(optimum.chosen);
          return;
        }
        fellBack += 1;
        expect(cover.nodes).toBeGreaterThan(budget);
        expect(cover.chosen.length).toBeGreaterThanOrEqual(optimum.chosen.length);
        if (cover.chosen.length === optimum.chosen.length) expect(costOf(cover.chosen)).toBeGreaterThanOrEqual(costOf(optimum.chosen));
      }),
      { numRuns: 2000 },
    );
    // Budgets up to 40 nodes must stop most of these searches, or the fallback went untested.
    expect(fellBack).toBeGreaterThan(500);
  });

  it('with no budget at all, answers with the greedy cover', () => {
    const location = (id: string) => ({ id, type: 'STORE' as const, lat: 0, lng: 0, ship: true, underCapacity: true });
    // Greedy takes the option giving the most (four lines), then needs two more: three, where two would do.
    const options: CoverOption[] = [
      { location: location('P'), cost: 1, units: [1, 1, 1, 0, 0, 0] },
      { location: location('Q'), cost: 1, units: [0, 0, 0, 1, 1, 1] },
      { location: location('G'), cost: 1, units: [1, 1, 0, 1, 1, 0] },
    ];
    const requirements: Requirements = { targets: [1, 1, 1, 1, 1, 1], whole: [false, false, false, false, false, false] };
    expect(bestCover(requirements, options).chosen.map((o) => o.location.id).sort()).toEqual(['P', 'Q']);
    const fallback = bestCover(requirements, options, 0);
    expect(fallback.exact).toBe(false);
    expect(fallback.chosen.map((o) => o.location.id).sort()).toEqual(['G', 'P', 'Q']);
  });
});
