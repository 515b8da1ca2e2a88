import type { InspectionCondition, Refund } from '@fil/contracts';

export interface InspectedLine {
  sku: string;
  quantity: number;
  condition: InspectionCondition;
}

/** A line of the order as paid: one SKU may be on several lines, at several prices. */
export interface PaidLine {
  sku: string;
  quantity: number;
  unitPrice: number;
}

export interface RefundInput {
  returnId: string;
  orderId: string;
  currency: string;
  inspection: InspectedLine[];
  /** The order's lines in their order. */
  paid: PaidLine[];
  /** Units per SKU that earlier returns of the order refunded. */
  refundedBefore: Map<string, number>;
}

/** What the customer gets back for a return: units that came back, whole or damaged. */
const REFUNDABLE: readonly InspectionCondition[] = ['RESELLABLE', 'DAMAGED'];

// Prices have at most 4 decimals; summing in ten-thousandths keeps 0.1 + 0.2 exact.
const SCALE = 10_000;
const toUnits = (amount: number) => Math.round(amount * SCALE);

/**
 * The refund of one return: Σ unitPrice × quantity over its refundable inspected lines. A SKU
 * on several lines is refunded line after line, from the first unit no earlier return
 * refunded, so that every unit paid is refunded once at what was paid for it.
 */
export function computeRefund({ returnId, orderId, currency, inspection, paid, refundedBefore }: RefundInput): Refund {
  const refunded = new Map(refundedBefore);
  const lines = inspection
    .filter((line) => REFUNDABLE.includes(line.condition) && line.quantity > 0)
    .flatMap((line) => {
      const paidForSku = paid.filter(({ sku }) => sku === line.sku);
      if (!paidForSku.length) throw new Error(`no unit price for sku ${line.sku}`);
      const skipped = refunded.get(line.sku) ?? 0;
      refunded.set(line.sku, skipped + line.quantity);
      return pricesOf(paidForSku, skipped, line.quantity).map(({ unitPrice, quantity }) => ({
        ...line,
        quantity,
        unitPrice,
        amount: (toUnits(unitPrice) * quantity) / SCALE,
      }));
    });
  const amount = lines.reduce((sum, line) => sum + toUnits(line.amount), 0) / SCALE;
  return { refundId: `refund-${returnId}`, returnId, orderId, amount, currency, lines };
}

/** `quantity` units of one SKU's paid lines after the first `skipped`, by price; beyond them, at the last line's. */
function pricesOf(lines: PaidLine[], skipped: number, quantity: number): { unitPrice: number; quantity: number }[] {
  const priced: { unitPrice: number; quantity: number }[] = [];
  let skip = skipped;
  let left = quantity;
  for (const [index, line] of lines.entries()) {
    const units = index === lines.length - 1 ? left : Math.min(left, Math.max(0, line.quantity - skip));
    skip = Math.max(0, skip - line.quantity);
    if (units > 0) priced.push({ unitPrice: line.unitPrice, quantity: units });
    left -= units;
  }
  return priced;
}
