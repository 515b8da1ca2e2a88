import type { InspectionCondition, Refund } from '@fil/contracts';

export interface InspectedLine {
  sku: string;
  quantity: number;
  condition: InspectionCondition;
}

export interface RefundInput {
  returnId: string;
  orderId: string;
  currency: string;
  inspection: InspectedLine[];
  unitPrice: (sku: string) => number | undefined;
}

/** What the customer gets back for a return: units that came back, whole or damaged. */
const REFUNDABLE: readonly InspectionCondition[] = ['RESELLABLE', 'DAMAGED'];

// Prices have at most 4 decimals; summing in ten-thousandths keeps 0.1 + 0.2 exact.
const SCALE = 10_000;
const toUnits = (amount: number) => Math.round(amount * SCALE);

/** The refund of one return: Σ unitPrice × quantity over its refundable inspected lines. */
export function computeRefund({ returnId, orderId, currency, inspection, unitPrice }: RefundInput): Refund {
  const lines = inspection
    .filter((line) => REFUNDABLE.includes(line.condition) && line.quantity > 0)
    .map((line) => {
      const price = unitPrice(line.sku);
      if (price === undefined) throw new Error(`no unit price for sku ${line.sku}`);
      return { ...line, unitPrice: price, amount: (toUnits(price) * line.quantity) / SCALE };
    });
  const amount = lines.reduce((sum, line) => sum + toUnits(line.amount), 0) / SCALE;
  return { refundId: `refund-${returnId}`, returnId, orderId, amount, currency, lines };
}
