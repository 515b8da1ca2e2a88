import { computeRefund, type InspectedLine, type PaidLine } from './refund';

const paid: PaidLine[] = [
  { sku: 'SHIRT', quantity: 5, unitPrice: 19.99 },
  { sku: 'MUG', quantity: 5, unitPrice: 7.5 },
  { sku: 'CENT', quantity: 5, unitPrice: 0.1 },
];
const refundOf = (inspection: InspectedLine[], order = paid, refundedBefore = new Map<string, number>()) =>
  computeRefund({ returnId: 'r1', orderId: 'o1', currency: 'EUR', inspection, paid: order, refundedBefore });

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

  describe('a SKU on several lines at several prices', () => {
    const twoPrices: PaidLine[] = [
      { sku: 'SHIRT', quantity: 1, unitPrice: 10 },
      { sku: 'MUG', quantity: 1, unitPrice: 7.5 },
      { sku: 'SHIRT', quantity: 2, unitPrice: 30 },
    ];

    it('refunds each unit at the price of its line, not all at the first line\'s', () => {
      const refund = refundOf([{ sku: 'SHIRT', quantity: 3, condition: 'DAMAGED' }], twoPrices);
      expect(refund.amount).toBe(70);
      expect(refund.lines).toEqual([
        { sku: 'SHIRT', quantity: 1, condition: 'DAMAGED', unitPrice: 10, amount: 10 },
        { sku: 'SHIRT', quantity: 2, condition: 'DAMAGED', unitPrice: 30, amount: 60 },
      ]);
    });

    it('goes on from the units earlier returns refunded, across the lines of its own inspection', () => {
      const refund = refundOf(
        [
          { sku: 'SHIRT', quantity: 1, condition: 'RESELLABLE' },
          { sku: 'SHIRT', quantity: 1, condition: 'DAMAGED' },
        ],
        twoPrices,
        new Map([['SHIRT', 1]]),
      );
      expect(refund.lines.map(({ condition, unitPrice, quantity }) => [condition, unitPrice, quantity])).toEqual([
        ['RESELLABLE', 30, 1],
        ['DAMAGED', 30, 1],
      ]);
      expect(refund.amount).toBe(60);
    });
  });
});
