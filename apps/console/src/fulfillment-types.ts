/** A fulfillment as the fulfillment service answers it (docs/contract.md, "HTTP"). */
export interface Fulfillment {
  id: string;
  orderId: string;
  locationId: string;
  destinationLocationId?: string | null;
  kind: 'SHIP' | 'PICKUP' | 'TRANSFER';
  status: string;
  lines: { sku: string; quantity: number; picked?: number | null }[];
  history?: { status: string; at: string; detail?: string }[];
  shortLines?: { sku: string; missing: number; reason: string }[];
  carrier?: string | null;
  trackingNumber?: string | null;
  expiresAt?: string | null;
}
