import type { Fulfillment } from './fulfillment.entity';

/**
 * Whether a counter's goods are all at the store: the transfers to it and what they brought,
 * its own short pick, and the store's own units the order named. Read by the counter's ready
 * step, by a transfer's arrival that makes a counter ready, and by the short pick at a counter.
 */
type Counter = Pick<Fulfillment, 'locationId' | 'lines' | 'shortLines' | 'ownLines' | 'reservationId' | 'history'>;
type Transfer = Pick<Fulfillment, 'id' | 'status' | 'lines' | 'history'>;
type Missing = { sku: string; missing: number };

/** Why the counter's goods are not all here yet, if they are not: a transfer on its way, units its pick lacked, units a transfer was to bring. */
export function notReadyBecause(counter: Counter, missingTransfers: string[], transfers: Transfer[]): string | undefined {
  const units = (lines: Missing[]) => lines.map(({ sku, missing }) => `${sku} ${missing}`).join(', ');
  const verb = (lines: unknown[]) => (lines.length > 1 ? 'have' : 'has');
  if (missingTransfers.length) return `transfers ${missingTransfers.join(', ')} have not been received at ${counter.locationId} yet`;
  const awaited = awaitedSincePick(counter, transfers);
  if (awaited.length) return `${units(awaited)} missing at the pick ${verb(awaited)} not arrived at ${counter.locationId} yet`;
  const toCome = unitsToCome(counter, transfers);
  if (toCome.length) return `${units(toCome)} to come by transfer ${verb(toCome)} not arrived at ${counter.locationId} yet`;
  return undefined;
}

/**
 * Whose units a counter's short pick lacked. Those the store should have held at the pick (its
 * own part, and what transfers received by then had brought) but for those found are missing
 * there: the store's own first, reported to inventory; then units received transfers had
 * brought, charged to them in id order, never counted back into the store's stock. The others
 * (a transfer on its way, a unit its origin could not find) were never there: they are awaited.
 */
export function shortAtCounter(counter: Counter, transfers: Transfer[]): { own: Fulfillment['shortLines']; lostFromTransfers: Fulfillment['lostFromTransfers'] } {
  const pickedAt = counter.history.findLast((entry) => entry.status === 'PICKED')?.at ?? '';
  const received = transfers.filter((transfer) => transfer.status === 'RECEIVED' && receivedAt(transfer) <= pickedAt);
  const brought = pickedBySku(received);
  const own: Fulfillment['shortLines'] = [];
  const lostFromTransfers: Fulfillment['lostFromTransfers'] = [];
  for (const line of counter.shortLines) {
    const quantity = counter.lines.find(({ sku }) => sku === line.sku)?.quantity ?? 0;
    const ours = ownUnits(counter, transfers, line.sku);
    const lostHere = Math.max(0, ours + (brought.get(line.sku) ?? 0) - (quantity - line.missing));
    const ownMissing = Math.min(ours, lostHere);
    if (ownMissing > 0) own.push({ ...line, missing: ownMissing });
    let lost = lostHere - ownMissing;
    for (const transfer of received) {
      const charged = Math.min(lost, transfer.lines.find(({ sku }) => sku === line.sku)?.picked ?? 0);
      if (charged > 0) lostFromTransfers.push({ transferId: transfer.id, sku: line.sku, missing: charged });
      lost -= charged;
    }
  }
  return { own, lostFromTransfers };
}

/** The store's own units of a SKU, as the order named them; for a counter created before orders named them, its lines but what transfers (not called off) bring. */
function ownUnits(counter: Counter, transfers: Transfer[], sku: string): number {
  const named = counter.ownLines ?? (counter.reservationId ? undefined : []);
  if (named) return named.find((line) => line.sku === sku)?.quantity ?? 0;
  const bringing = transfers
    .filter(({ status }) => status !== 'CANCELLED')
    .reduce((sum, transfer) => sum + (transfer.lines.find((line) => line.sku === sku)?.[transfer.status === 'CREATED' ? 'quantity' : 'picked'] ?? 0), 0);
  return Math.max(0, (counter.lines.find((line) => line.sku === sku)?.quantity ?? 0) - bringing);
}

const receivedAt = (transfer: Transfer) => transfer.history.findLast((entry) => entry.status === 'RECEIVED')?.at ?? '';

/**
 * Units of a counter that must come by transfer (all but the store's own, and those of its own
 * its pick lacked) and that the transfers received have not brought: a transfer found short or
 * called off at its origin is not on its way, yet its units are missing. Unknown, and so not
 * checked, for a counter of the store's own part created before orders named its units.
 */
function unitsToCome(counter: Counter, transfers: Transfer[]): Missing[] {
  const own = counter.ownLines ?? (counter.reservationId ? undefined : []);
  if (!own) return [];
  const arrived = pickedBySku(transfers.filter(({ status }) => status === 'RECEIVED'));
  const lackedOwn = counter.shortLines.length ? shortAtCounter(counter, transfers).own : [];
  return counter.lines
    .map(({ sku, quantity }) => {
      const ours = own.find((line) => line.sku === sku)?.quantity ?? 0;
      const lacked = lackedOwn.find((line) => line.sku === sku)?.missing ?? 0;
      return { sku, missing: quantity - ours + lacked - (arrived.get(sku) ?? 0) };
    })
    .filter(({ missing }) => missing > 0);
}

/** Units the short pick of the counter lacked that no transfer received since has brought. */
function awaitedSincePick(counter: Counter, transfers: Transfer[]): Missing[] {
  const pickedAt = counter.history.findLast((entry) => entry.status === 'PICKED')?.at;
  if (!pickedAt || !counter.shortLines.length) return [];
  const receivedSince = (transfer: Transfer) => transfer.status === 'RECEIVED' && receivedAt(transfer) > pickedAt;
  const arrived = pickedBySku(transfers.filter(receivedSince));
  return counter.shortLines.map(({ sku, missing }) => ({ sku, missing: missing - (arrived.get(sku) ?? 0) })).filter(({ missing }) => missing > 0);
}

/** Units the transfers' pickers found, by SKU: what they bring. */
function pickedBySku(transfers: Transfer[]): Map<string, number> {
  const picked = new Map<string, number>();
  for (const { lines } of transfers) for (const line of lines) picked.set(line.sku, (picked.get(line.sku) ?? 0) + line.picked);
  return picked;
}
