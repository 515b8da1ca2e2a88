import { availableToPromise, Stock, StockRuleViolation } from './stock.entity';

function stock(onHand: number, reserved = 0, safetyStock = 0): Stock {
  const row = new Stock('store-lyon', 'SKU-0001');
  Object.assign(row, { onHand, reserved, safetyStock });
  return row;
}

describe('ATP', () => {
  it('is onHand minus reserved minus safety stock', () => {
    expect(availableToPromise(10, 3, 2)).toBe(5);
    expect(stock(10, 3, 2).atp).toBe(5);
  });

  it('is never negative, even when safety stock or an adjustment leaves onHand under reserved', () => {
    expect(availableToPromise(2, 0, 5)).toBe(0);
    expect(stock(1, 4, 0).atp).toBe(0);
  });

  it('shrinks by what is reserved and refuses to reserve beyond it', () => {
    const row = stock(5, 0, 1);
    row.reserve(4);
    expect(row.atp).toBe(0);
    expect(() => row.reserve(1)).toThrow(StockRuleViolation);
    expect(row.reserved).toBe(4);
  });

  it('comes back on release; commit consumes onHand and reserved together', () => {
    const row = stock(5);
    row.reserve(3);
    row.release(1);
    expect(row.toLevel()).toMatchObject({ onHand: 5, reserved: 2, atp: 3 });
    row.consume(2);
    expect(row.toLevel()).toMatchObject({ onHand: 3, reserved: 0, atp: 3 });
  });
});

describe('stock counts', () => {
  it('refuses an HTTP count below what is reserved', () => {
    const row = stock(5, 3);
    expect(() => row.setCount(2)).toThrow(/below the 3 units reserved/);
    row.setCount(3, 0);
    expect(row.atp).toBe(0);
  });

  it('clamps SET and DELTA adjustments at zero and says so', () => {
    const row = stock(3);
    expect(row.adjust('DELTA', -5)).toEqual({ clamped: true });
    expect(row.onHand).toBe(0);
    expect(row.adjust('SET', -1)).toEqual({ clamped: true });
    expect(row.adjust('SET', 7)).toEqual({ clamped: false });
    expect(row.adjust('DELTA', 2)).toEqual({ clamped: false });
    expect(row.onHand).toBe(9);
  });
});
