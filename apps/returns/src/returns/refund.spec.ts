import { computeRefund, type InspectedLine } from './refund';

const prices: Record<string, number> = { SHIRT: 19.99, MUG: 7.5, CENT: 0.1 };
const refundOf = (inspection: InspectedLine[]) =>
  computeRefund({ returnId: 'r1', orderId: 'o1', currency: 'EUR', inspection, unitPrice: (sku) => prices[sku] });

describe('computeRefund', () => {
  it('refunds resellable and damaged units at their order unit price', () => {
    const refund = refundOf([
      { sku: 'SHIRT', quantity: 2, condition: 'RESELLABLE' },
      { sku: 'MUG', quantity: 1, condition: 'DAMAGED' },
    ]);
    expect(refund).toEqual({
      refundId: 'refund-r1',
      returnId: 'r1',
      orderId: 'o1',
      currency: 'EUR',
      amount: 47.48,
      lines: [
        { sku: 'SHIRT', quantity: 2, condition: 'RESELLABLE', unitPrice: 19.99, amount: 39.98 },
        { sku: 'MUG', quantity: 1, condition: 'DAMAGED', unitPrice: 7.5, amount: 7.5 },
      ],
    });
  });

  it('does not refund lines that were not returned', () => {
    const refund = refundOf([
      { sku: 'SHIRT', quantity: 1, condition: 'NOT_RETURNED' },
      { sku: 'MUG', quantity: 2, condition: 'RESELLABLE' },
    ]);
    expect(refund.amount).toBe(15);
    expect(refund.lines.map((line) => line.sku)).toEqual(['MUG']);
  });

  it('refunds nothing when nothing came back', () => {
    expect(refundOf([{ sku: 'SHIRT', quantity: 1, condition: 'NOT_RETURNED' }])).toMatchObject({ amount: 0, lines: [] });
  });

  it('sums decimal prices without floating-point drift', () => {
    expect(refundOf([{ sku: 'CENT', quantity: 3, condition: 'DAMAGED' }]).amount).toBe(0.3);
  });

  it('refuses to price a sku the order does not list', () => {
    expect(() => refundOf([{ sku: 'GHOST', quantity: 1, condition: 'DAMAGED' }])).toThrow('no unit price for sku GHOST');
  });
});
