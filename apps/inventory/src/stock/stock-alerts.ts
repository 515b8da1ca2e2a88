import { integer, setting } from '@fil/config';
import { MAX_STOCK_UNITS, StockAlertTypes, Topics, type StockAlert } from '@fil/contracts';
import type { OutgoingMessage } from '@fil/messaging';
import { availableToPromise } from './stock.entity';

export const REORDER_POINT_DEFAULT = integer(
  'FIL_REORDER_POINT_DEFAULT',
  { min: 0, max: MAX_STOCK_UNITS, unit: 'units', fallback: 0 },
  'The reorder point of a SKU at a location that has none of its own: StockLow when its ATP falls to it or below (0: when it runs out).',
);

/** A stock row's figures, its own reorder point (null: the default) and whether it was last announced low. */
export interface AlertableStock {
  locationId: string;
  sku: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  reorderPoint: number | null;
  low: boolean;
}

/**
 * The StockLow or StockRecovered that new figures call for, or nothing when ATP stays on the
 * side of the reorder point last announced. The caller holds the row's lock and stores `low`
 * with the figures, in the transaction that writes the alert to the outbox: once per crossing.
 */
export function stockAlert(stock: AlertableStock, traceparent?: string): { low: boolean; message?: OutgoingMessage } {
  const reorderPoint = stock.reorderPoint ?? setting(REORDER_POINT_DEFAULT);
  const atp = availableToPromise(stock.onHand, stock.reserved, stock.safetyStock);
  const low = atp <= reorderPoint;
  if (low === stock.low) return { low };
  const { locationId, sku, onHand, reserved, safetyStock } = stock;
  const data: StockAlert = { locationId, sku, atp, reorderPoint, onHand, reserved, safetyStock, occurredAt: new Date().toISOString() };
  return { low, message: { topic: Topics.stockAlerts, key: `${locationId}:${sku}`, type: low ? StockAlertTypes.low : StockAlertTypes.recovered, data, traceparent } };
}
