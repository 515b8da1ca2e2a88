// Bad input on every consumed topic, kind by kind: each is answered (OrderRejected, a REJECTED
// return, or the DLQ) with a reason that names the field and the rule, changes nothing, and the
// consumer goes on: a valid message sent after the bad ones, on the same partition, is handled.
import { Topics, type FilService, type TopicName } from '@fil/contracts';
import { useTestEnvironment, waitFor, type ProbedMessage } from '@fil/testing';
import { anOrder } from '../apps/order-orchestrator/test/support';
import { BadInputSystem, WAREHOUSE, call, external, internal, type Service } from './bad-input-support';

useTestEnvironment('bad-input-kafka');
jest.setTimeout(60_000);

const system = new BadInputSystem();
const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const line = (over: Record<string, unknown> = {}) => ({ lineId: '1', sku: 'SKU-1', quantity: 1, unitPrice: 10, ...over });
const order = (orderId: string, over: Record<string, unknown> = {}) => anOrder(orderId, { lines: [line()], ...over });
/** An order as raw JSON, for keys that a JavaScript object literal would not keep (`__proto__`). */
const rawOrder = (orderId: string, extra: string) => JSON.stringify(order(orderId)).replace(/^\{/, `{${extra},`);

/** How each consumed topic is written to: its key for these tests (one partition, so order is kept), writer and ce_type. */
const TOPICS: Record<string, { key: string; writer?: FilService; type: string }> = {
  [Topics.ordersSubmitted]: { key: 'bad-orders', type: 'OrderSubmitted' },
  [Topics.ordersCommands]: { key: 'O-CANCEL', type: 'CancelOrder' },
  [Topics.inventoryAdjustments]: { key: `${WAREHOUSE}:SKU-ADJ`, type: 'StockAdjusted' },
  [Topics.returnsRequested]: { key: 'bad-returns', type: 'ReturnRequested' },
  [Topics.inventoryCommands]: { key: 'bad-reserve', writer: 'orders', type: 'ReserveStock' },
  [Topics.fulfillmentCommands]: { key: 'bad-fulfillment', writer: 'orders', type: 'CreateFulfillment' },
  [Topics.inventoryEvents]: { key: 'O-HELD', writer: 'inventory', type: 'ReservationReleased' },
  [Topics.fulfillmentEvents]: { key: 'O-HELD', writer: 'fulfillment', type: 'FulfillmentPicked' },
  [Topics.refunds]: { key: 'O-DONE', writer: 'returns', type: 'RefundIssued' },
  [Topics.stockLevels]: { key: `${WAREHOUSE}:SKU-LVL`, writer: 'inventory', type: 'StockLevelChanged' },
  [Topics.locations]: { key: 'L-BAD', writer: 'inventory', type: 'LocationChanged' },
  [Topics.ordersEvents]: { key: 'O-VIEW', writer: 'orders', type: 'OrderDelivered' },
};

type Answer =
  | { dlq: RegExp; consumer: Service }
  | { rejected: RegExp; orderId: string }
  | { returnRejected: RegExp; returnId: string };

interface KafkaCase {
  kind: string;
  topic: TopicName;
  /** Sent as JSON, or as it is when a string. */
  value: unknown;
  type?: string | null;
  answer: Answer;
}

const dlq = (consumer: Service, reason: RegExp): Answer => ({ dlq: reason, consumer });
const rejected = (orderId: string, reason: RegExp): Answer => ({ rejected: reason, orderId });
const NOT_JSON = /^value is not valid JSON/;

const cases: KafkaCase[] = [
  // fil.orders.submitted.v1: an order whose orderId can be read is answered OrderRejected, any other goes to the DLQ.
  { kind: 'a value that is not JSON', topic: Topics.ordersSubmitted, value: '{"orderId": "O-NOT-JSON", ', answer: rejected('O-NOT-JSON', /^VALIDATION_FAILED; value is not valid JSON/) },
  { kind: 'a value that is an array', topic: Topics.ordersSubmitted, value: '[1,2]', answer: dlq('orders', /^orderId: must be a non-empty string, the order cannot be identified$/) },
  { kind: 'a value that is null', topic: Topics.ordersSubmitted, value: 'null', answer: dlq('orders', /^orderId: must be a non-empty string, the order cannot be identified$/) },
  { kind: 'a missing orderId', topic: Topics.ordersSubmitted, value: { ...order('x'), orderId: undefined }, answer: dlq('orders', /^orderId: must be a non-empty string/) },
  { kind: 'a NUL byte in the orderId', topic: Topics.ordersSubmitted, value: order('O-\u0000'), answer: dlq('orders', /^orderId: must be at most 100 characters without control characters/) },
  { kind: 'an orderId no URL path can name', topic: Topics.ordersSubmitted, value: order('..'), answer: dlq('orders', /^orderId: must not be \. or \.\., which no URL path can name: the order could not be looked up$/) },
  { kind: 'an orderId of 300 kB', topic: Topics.ordersSubmitted, value: order('O'.repeat(300_000)), answer: dlq('orders', /^orderId: must be at most 100 characters without control characters/) },
  { kind: 'an order nested 5,000 levels deep', topic: Topics.ordersSubmitted, value: `{"orderId":"O-DEEP","customer":${deep(5_000)}}`, answer: rejected('O-DEEP', /^VALIDATION_FAILED; value: must not be nested deeper than 32 levels$/) },
  { kind: 'a number sent as a string', topic: Topics.ordersSubmitted, value: order('O-STRING-QTY', { lines: [line({ quantity: '1' })] }), answer: rejected('O-STRING-QTY', /lines.0.quantity: quantity must be an integer number/) },
  { kind: 'missing required fields', topic: Topics.ordersSubmitted, value: { orderId: 'O-MISSING', channel: 'web' }, answer: rejected('O-MISSING', /deliveryMode: .*customer: .*currency: .*placedAt: /) },
  { kind: 'a negative quantity', topic: Topics.ordersSubmitted, value: order('O-NEGATIVE', { lines: [line({ quantity: -1 })] }), answer: rejected('O-NEGATIVE', /lines.0.quantity: quantity must not be less than 1/) },
  { kind: 'a fractional quantity', topic: Topics.ordersSubmitted, value: order('O-FRACTION', { lines: [line({ quantity: 1.5 })] }), answer: rejected('O-FRACTION', /lines.0.quantity: quantity must be an integer number/) },
  { kind: 'a quantity above 10,000 on a line', topic: Topics.ordersSubmitted, value: order('O-HUGE-QTY', { lines: [line({ quantity: 3_000_000_000 })] }), answer: rejected('O-HUGE-QTY', /lines.0.quantity: quantity must not be greater than 10000/) },
  { kind: 'a unit price above 1,000,000', topic: Topics.ordersSubmitted, value: order('O-HUGE-PRICE', { lines: [line({ unitPrice: 1e300 })] }), answer: rejected('O-HUGE-PRICE', /lines.0.unitPrice: unitPrice must not be greater than 1000000/) },
  { kind: 'a currency that ISO 4217 does not define', topic: Topics.ordersSubmitted, value: order('O-ZZZ', { currency: 'ZZZ' }), answer: rejected('O-ZZZ', /; currency: currency must be an ISO 4217 code such as EUR$/) },
  { kind: 'an order without lines', topic: Topics.ordersSubmitted, value: order('O-NO-LINES', { lines: undefined }), answer: rejected('O-NO-LINES', /; lines: lines must be a list of 1 to 100 lines$/) },
  { kind: 'a lineId used twice', topic: Topics.ordersSubmitted, value: order('O-DUP-LINE', { lines: [line(), line({ sku: 'SKU-2' })] }), answer: rejected('O-DUP-LINE', /lines: each lineId must be unique within the order/) },
  { kind: 'a SKU outside the id pattern', topic: Topics.ordersSubmitted, value: order('O-BAD-SKU', { lines: [line({ sku: 'SKU 1/2' })] }), answer: rejected('O-BAD-SKU', /lines.0.sku: sku must be 1-64 letters, digits, dots, dashes or underscores/) },
  { kind: 'a pickup location outside the id pattern', topic: Topics.ordersSubmitted, value: order('O-BAD-PICKUP', { deliveryMode: 'CLICK_AND_COLLECT', pickupLocationId: 'ST 1' }), answer: rejected('O-BAD-PICKUP', /pickupLocationId: pickupLocationId must be 1-64 letters/) },
  { kind: 'an unknown pickup location', topic: Topics.ordersSubmitted, value: order('O-NO-PICKUP', { deliveryMode: 'CLICK_AND_COLLECT', pickupLocationId: 'NOWHERE' }), answer: rejected('O-NO-PICKUP', /^UNKNOWN_PICKUP_LOCATION: pickup location NOWHERE is not a known location/) },
  { kind: 'an unknown delivery mode', topic: Topics.ordersSubmitted, value: order('O-TELEPORT', { deliveryMode: 'TELEPORT' }), answer: rejected('O-TELEPORT', /deliveryMode: deliveryMode must be one of the following values: HOME_DELIVERY/) },
  { kind: 'NaN written as a string', topic: Topics.ordersSubmitted, value: order('O-NAN', { shippingAddress: { lat: 'NaN', lng: 4 } }), answer: rejected('O-NAN', /shippingAddress.lat: lat must be a number/) },
  { kind: 'placedAt in 1900', topic: Topics.ordersSubmitted, value: order('O-1900', { placedAt: '1900-01-01T00:00:00Z' }), answer: rejected('O-1900', /placedAt: placedAt must be an ISO 8601 date-time with a time and an offset \(RFC 3339, e\.g\. 2026-03-01T10:00:00Z\) from 2000-01-01 to one day from now/) },
  { kind: 'placedAt in 3000', topic: Topics.ordersSubmitted, value: order('O-3000', { placedAt: '3000-01-01T00:00:00Z' }), answer: rejected('O-3000', /placedAt: placedAt must be an ISO 8601 date-time with a time and an offset \(RFC 3339, e\.g\. 2026-03-01T10:00:00Z\) from 2000-01-01 to one day from now/) },
  { kind: 'placedAt on 30 February', topic: Topics.ordersSubmitted, value: order('O-FEB-30', { placedAt: '2025-02-30T10:00:00Z' }), answer: rejected('O-FEB-30', /placedAt: placedAt must be an ISO 8601 date-time/) },
  { kind: 'placedAt in year 0', topic: Topics.ordersSubmitted, value: order('O-YEAR-0', { placedAt: '0000-01-01T00:00:00Z' }), answer: rejected('O-YEAR-0', /placedAt: placedAt must be an ISO 8601 date-time/) },
  { kind: 'placedAt without a time or an offset', topic: Topics.ordersSubmitted, value: order('O-NO-OFFSET', { placedAt: '2025-03-01T10:00:00' }), answer: rejected('O-NO-OFFSET', /placedAt: placedAt must be an ISO 8601 date-time with a time and an offset/) },
  { kind: 'placedAt as a bare number of digits', topic: Topics.ordersSubmitted, value: order('O-DIGITS', { placedAt: '20250301' }), answer: rejected('O-DIGITS', /placedAt: placedAt must be an ISO 8601 date-time/) },
  { kind: 'placedAt that is not a date', topic: Topics.ordersSubmitted, value: order('O-NOT-DATE', { placedAt: 'yesterday' }), answer: rejected('O-NOT-DATE', /placedAt: placedAt must be an ISO 8601 date-time/) },
  // A lone surrogate is valid JSON text but not Unicode: PostgreSQL refuses it in jsonb, so it never reaches the database.
  { kind: 'a lone surrogate in a name', topic: Topics.ordersSubmitted, value: order('O-SURROGATE-NAME', { customer: { id: 'CUST-1', name: 'Cam\udc00ille' } }), answer: rejected('O-SURROGATE-NAME', /customer.name: must not contain a lone surrogate \(U\+DC00\)/) },
  { kind: 'a lone surrogate in the orderId', topic: Topics.ordersSubmitted, value: order('O-\ud800'), answer: dlq('orders', /^orderId: must be at most 100 characters without control characters or lone surrogates/) },
  { kind: 'a NUL byte in a name', topic: Topics.ordersSubmitted, value: order('O-NUL-NAME', { customer: { id: 'CUST-1', name: 'Cam\u0000ille' } }), answer: rejected('O-NUL-NAME', /customer.name: must not contain control characters \(U\+0000\)/) },
  { kind: 'an escape character in the channel', topic: Topics.ordersSubmitted, value: order('O-ESC', { channel: 'web\u001b[31m' }), answer: rejected('O-ESC', /channel: must not contain control characters \(U\+001B\)/) },
  { kind: 'a customer id of 300 kB', topic: Topics.ordersSubmitted, value: order('O-LONG-CUSTOMER', { customer: { id: 'C'.repeat(300_000) } }), answer: rejected('O-LONG-CUSTOMER', /customer.id: id must be shorter than or equal to 200 characters/) },
  { kind: 'a __proto__ key', topic: Topics.ordersSubmitted, value: rawOrder('O-PROTO', '"__proto__":{"channel":"admin"}'), answer: rejected('O-PROTO', /__proto__: is not an allowed key/) },
  { kind: 'a constructor key', topic: Topics.ordersSubmitted, value: rawOrder('O-CTOR', '"constructor":{"name":"x"}'), answer: rejected('O-CTOR', /constructor: is not an allowed key/) },
  // class-transformer threw a TypeError on this one (a free-form object with a constructor key), which held the partition.
  { kind: 'a constructor key in a free-form field', topic: Topics.ordersSubmitted, value: rawOrder('O-CTOR-NESTED', '"metadata":{"constructor":"x"}'), answer: rejected('O-CTOR-NESTED', /metadata\.constructor: is not an allowed key/) },

  // fil.orders.commands.v1
  { kind: 'a NUL byte in a cancellation reason', topic: Topics.ordersCommands, value: { orderId: 'O-CANCEL', reason: 'no\u0000' }, answer: dlq('orders', /reason: must not contain control characters/) },
  { kind: 'a NUL byte in the orderId of a command', topic: Topics.ordersCommands, value: { orderId: 'O-CANCEL\u0000', reason: 'no' }, answer: dlq('orders', /orderId: must not contain control characters/) },
  { kind: 'a cancellation reason that is not text', topic: Topics.ordersCommands, value: { orderId: 'O-CANCEL', reason: 42 }, answer: dlq('orders', /^invalid CancelOrder: .*reason: reason must be a string/) },
  { kind: 'a negative quantity in an edit', topic: Topics.ordersCommands, type: 'EditOrder', value: { editId: 'E-NEG', orderId: 'O-CANCEL', lines: [{ lineId: '1', sku: 'SKU-1', quantity: -1, unitPrice: 1 }] }, answer: dlq('orders', /^invalid EditOrder: lines.0.quantity: quantity must not be less than 1/) },
  { kind: 'an edit that changes nothing', topic: Topics.ordersCommands, type: 'EditOrder', value: { editId: 'E-EMPTY', orderId: 'O-CANCEL', reason: 'tidy up' }, answer: dlq('orders', /^an edit gives lines, shippingAddress or pickupLocationId: this one gives none$/) },
  { kind: 'a pickup store in an edit of a home delivery', topic: Topics.ordersCommands, type: 'EditOrder', value: { editId: 'E-PICKUP', orderId: 'O-CANCEL', pickupLocationId: WAREHOUSE }, answer: dlq('orders', /^order O-CANCEL is delivered to an address: it has no pickup store to change$/) },
  { kind: 'an edit of an unknown order', topic: Topics.ordersCommands, type: 'EditOrder', value: { editId: 'E-NONE', orderId: 'O-NONE', lines: [{ lineId: '1', sku: 'SKU-1', quantity: 1, unitPrice: 1 }] }, answer: dlq('orders', /^unknown order O-NONE$/) },
  { kind: 'an unknown command type', topic: Topics.ordersCommands, type: 'DeleteOrder', value: { orderId: 'O-CANCEL', reason: 'no' }, answer: dlq('orders', /^unknown command type DeleteOrder: expected CancelOrder or EditOrder$/) },

  // fil.inventory.adjustments.v1
  { kind: 'a quantity above the integer column', topic: Topics.inventoryAdjustments, value: { adjustmentId: 'A-BIG', locationId: WAREHOUSE, sku: 'SKU-ADJ', mode: 'SET', quantity: 3_000_000_000, reason: 'count' }, answer: dlq('inventory', /quantity: quantity must not be greater than 1000000000/) },
  { kind: 'a movement that would take stock above the limit', topic: Topics.inventoryAdjustments, value: { adjustmentId: 'A-OVER', locationId: WAREHOUSE, sku: 'SKU-ADJ', mode: 'DELTA', quantity: 999_999_995, reason: 'count' }, answer: dlq('inventory', /^quantity: DELTA 999999995 would take onHand of WH-BAD:SKU-ADJ to 1000000005, above 1000000000$/) },
  { kind: 'a negative count', topic: Topics.inventoryAdjustments, value: { adjustmentId: 'A-NEGATIVE-COUNT', locationId: WAREHOUSE, sku: 'SKU-ADJ', mode: 'SET', quantity: -1, reason: 'count' }, answer: dlq('inventory', /quantity: a count \(mode SET\) must not be less than 0/) },
  { kind: 'an unknown mode', topic: Topics.inventoryAdjustments, value: { adjustmentId: 'A-MODE', locationId: WAREHOUSE, sku: 'SKU-ADJ', mode: 'ADD', quantity: 1, reason: 'count' }, answer: dlq('inventory', /mode: mode must be one of the following values: SET, DELTA/) },
  { kind: 'a fractional adjustment', topic: Topics.inventoryAdjustments, value: { adjustmentId: 'A-FRACTION', locationId: WAREHOUSE, sku: 'SKU-ADJ', mode: 'DELTA', quantity: 0.5, reason: 'count' }, answer: dlq('inventory', /quantity: quantity must be an integer number/) },
  { kind: 'a quantity sent as a string', topic: Topics.inventoryAdjustments, value: { adjustmentId: 'A-STRING', locationId: WAREHOUSE, sku: 'SKU-ADJ', mode: 'SET', quantity: '5', reason: 'count' }, answer: dlq('inventory', /quantity: quantity must be an integer number/) },
  { kind: 'an unknown location', topic: Topics.inventoryAdjustments, value: { adjustmentId: 'A-NOWHERE', locationId: 'NOWHERE', sku: 'SKU-ADJ', mode: 'SET', quantity: 5, reason: 'count' }, answer: dlq('inventory', /^unknown location NOWHERE$/) },
  { kind: 'a SKU outside the id pattern', topic: Topics.inventoryAdjustments, value: { adjustmentId: 'A-SKU', locationId: WAREHOUSE, sku: 'SKU ADJ', mode: 'SET', quantity: 5, reason: 'count' }, answer: dlq('inventory', /sku: sku must be 1-64 letters/) },
  { kind: 'a NUL byte in the adjustmentId', topic: Topics.inventoryAdjustments, value: { adjustmentId: 'A-\u0000', locationId: WAREHOUSE, sku: 'SKU-ADJ', mode: 'SET', quantity: 5, reason: 'count' }, answer: dlq('inventory', /adjustmentId: must not contain control characters/) },
  { kind: 'a lone surrogate in the reason', topic: Topics.inventoryAdjustments, value: { adjustmentId: 'A-SURROGATE', locationId: WAREHOUSE, sku: 'SKU-ADJ', mode: 'SET', quantity: 5, reason: 'count\ud83d' }, answer: dlq('inventory', /reason: must not contain a lone surrogate \(U\+D83D\)/) },
  { kind: 'a NUL byte in the reason', topic: Topics.inventoryAdjustments, value: { adjustmentId: 'A-REASON', locationId: WAREHOUSE, sku: 'SKU-ADJ', mode: 'SET', quantity: 5, reason: 'count\u0000' }, answer: dlq('inventory', /reason: must not contain control characters/) },
  { kind: 'a value that is not JSON', topic: Topics.inventoryAdjustments, value: 'adjust everything', answer: dlq('inventory', NOT_JSON) },

  // fil.returns.requested.v1: a request that breaks a rule is kept as a REJECTED return, a malformed one goes to the DLQ.
  { kind: 'a missing returnId', topic: Topics.returnsRequested, value: { orderId: 'O-DONE', lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: dlq('returns', /^returnId: is required on fil.returns.requested.v1$/) },
  { kind: 'a NUL byte in the returnId', topic: Topics.returnsRequested, value: { returnId: 'R-\u0000', orderId: 'O-DONE', lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: dlq('returns', /returnId: must not contain control characters/) },
  { kind: 'a NUL byte in a line reason', topic: Topics.returnsRequested, value: { returnId: 'R-NUL-REASON', orderId: 'O-NONE', lines: [{ sku: 'SKU-1', quantity: 1, reason: 'too\u0000small' }] }, answer: dlq('returns', /lines.0.reason: must not contain control characters/) },
  { kind: 'a returnId no URL path can name', topic: Topics.returnsRequested, value: { returnId: '.', orderId: 'O-DONE', lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: dlq('returns', /returnId: returnId must not be \. or \.\., which no URL path can name/) },
  { kind: 'a negative quantity', topic: Topics.returnsRequested, value: { returnId: 'R-NEGATIVE', orderId: 'O-DONE', lines: [{ sku: 'SKU-1', quantity: -1 }] }, answer: dlq('returns', /lines.0.quantity: quantity must not be less than 1/) },
  { kind: 'a SKU outside the id pattern', topic: Topics.returnsRequested, value: { returnId: 'R-BAD-SKU', orderId: 'O-DONE', lines: [{ sku: 'SKU 1', quantity: 1 }] }, answer: dlq('returns', /lines.0.sku: sku must be 1-64 letters/) },
  { kind: 'an unknown order', topic: Topics.returnsRequested, value: { returnId: 'R-NO-ORDER', orderId: 'O-NONE', lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: { returnRejected: /^UNKNOWN_ORDER: order O-NONE is not known to returns$/, returnId: 'R-NO-ORDER' } },
  { kind: 'a value that is not JSON', topic: Topics.returnsRequested, value: '<return/>', answer: dlq('returns', NOT_JSON) },

  // Internal topics, written by Fil's own services (each stamped with its owner's source).
  { kind: 'a value that is not JSON', topic: Topics.inventoryCommands, value: '{', answer: dlq('inventory', NOT_JSON) },
  { kind: 'a hold of 30,000 years', topic: Topics.inventoryCommands, value: { reservationId: 'R-TTL', orderId: 'O-TTL', locationId: WAREHOUSE, ttlSeconds: 1e12, lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: dlq('inventory', /ttlSeconds: ttlSeconds must not be greater than 31536000/) },
  { kind: 'a short pick above the integer column', topic: Topics.inventoryCommands, type: 'ReportShortPick', value: { reservationId: 'R-SHORT', orderId: 'O-SHORT', fulfillmentId: 'F-SHORT', locationId: WAREHOUSE, lines: [{ sku: 'SKU-1', missing: 3_000_000_000, reason: 'NOT_FOUND' }] }, answer: dlq('inventory', /lines.0.missing: missing must not be greater than 1000000000/) },
  { kind: 'a short pick naming one SKU twice', topic: Topics.inventoryCommands, type: 'ReportShortPick', value: { reservationId: 'R-TWICE', orderId: 'O-TWICE', fulfillmentId: 'F-TWICE', locationId: WAREHOUSE, lines: [{ sku: 'SKU-1', missing: 1, reason: 'NOT_FOUND' }, { sku: 'SKU-1', missing: 1, reason: 'DAMAGED' }] }, answer: dlq('inventory', /^lines: SKU-1 is listed twice: one line per SKU$/) },
  { kind: 'a NUL byte in a SKU to reserve', topic: Topics.inventoryCommands, value: { reservationId: 'R-NUL-SKU', orderId: 'O-NUL-SKU', locationId: WAREHOUSE, lines: [{ sku: 'SKU-\u0000', quantity: 1 }] }, answer: dlq('inventory', /lines.0.sku: must not contain control characters/) },
  { kind: 'a reservationId of 300 kB', topic: Topics.inventoryCommands, value: { reservationId: 'R'.repeat(300_000), orderId: 'O-LONG-R', locationId: WAREHOUSE, lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: dlq('inventory', /reservationId: reservationId must be shorter than or equal to 200 characters/) },
  { kind: 'an orderId of 300 kB to reserve for', topic: Topics.inventoryCommands, value: { reservationId: 'R-LONG-O', orderId: 'O'.repeat(300_000), locationId: WAREHOUSE, lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: dlq('inventory', /orderId: orderId must be shorter than or equal to 100 characters/) },
  { kind: 'a fulfillmentId of 300 kB in a short pick', topic: Topics.inventoryCommands, type: 'ReportShortPick', value: { reservationId: 'R-LONG-F', orderId: 'O-LONG-F', fulfillmentId: 'F'.repeat(300_000), locationId: WAREHOUSE, lines: [{ sku: 'SKU-1', missing: 1, reason: 'NOT_FOUND' }] }, answer: dlq('inventory', /fulfillmentId: fulfillmentId must be shorter than or equal to 200 characters/) },
  { kind: 'an unknown command type', topic: Topics.inventoryCommands, type: 'ReserveStok', value: { reservationId: 'R-TYPO', orderId: 'O-TYPO', locationId: WAREHOUSE, lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: dlq('inventory', /^unknown command type ReserveStok: expected one of ReserveStock, /) },
  { kind: 'an unknown command type', topic: Topics.fulfillmentCommands, type: 'CreateFulfilment', value: { fulfillmentId: 'F-TYPO', orderId: 'O-F', locationId: WAREHOUSE, kind: 'SHIP', lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: dlq('fulfillment', /^unknown command type CreateFulfilment: expected CreateFulfillment or CancelFulfillment$/) },
  { kind: 'a missing ce_type', topic: Topics.fulfillmentCommands, type: null, value: { fulfillmentId: 'F-NO-TYPE', orderId: 'O-F', locationId: WAREHOUSE, kind: 'SHIP', lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: dlq('fulfillment', /^ce_type header missing: expected CreateFulfillment or CancelFulfillment$/) },
  { kind: 'a missing ce_type', topic: Topics.inventoryCommands, type: null, value: { reservationId: 'R-NO-TYPE', orderId: 'O-NO-TYPE' }, answer: dlq('inventory', /^ce_type header missing: expected one of ReserveStock/) },
  { kind: 'a value that is not JSON', topic: Topics.fulfillmentCommands, value: 'create it', answer: dlq('fulfillment', NOT_JSON) },
  { kind: 'an expiry in year 0', topic: Topics.fulfillmentCommands, value: { fulfillmentId: 'F-YEAR-0', orderId: 'O-F', locationId: WAREHOUSE, kind: 'PICKUP', expiresAt: '0000-01-01T00:00:00Z', lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: dlq('fulfillment', /expiresAt: expiresAt must be an ISO 8601 date-time with a time and an offset \(RFC 3339, e\.g\. 2026-03-01T10:00:00Z\) from 2000-01-01 to 2100-01-01/) },
  { kind: 'a NUL byte in the fulfillmentId', topic: Topics.fulfillmentCommands, value: { fulfillmentId: 'F-\u0000', orderId: 'O-F', locationId: WAREHOUSE, kind: 'SHIP', lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: dlq('fulfillment', /fulfillmentId: must not contain control characters/) },
  { kind: 'a transfer going nowhere', topic: Topics.fulfillmentCommands, value: { fulfillmentId: 'F-NOWHERE', orderId: 'O-F', locationId: WAREHOUSE, kind: 'TRANSFER', lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: dlq('fulfillment', /destinationLocationId: destinationLocationId must be 1-64 letters/) },
  { kind: 'an unknown fulfillment kind', topic: Topics.fulfillmentCommands, value: { fulfillmentId: 'F-DRONE', orderId: 'O-F', locationId: WAREHOUSE, kind: 'DRONE', lines: [{ sku: 'SKU-1', quantity: 1 }] }, answer: dlq('fulfillment', /kind: kind must be one of the following values: SHIP, PICKUP, TRANSFER/) },
  { kind: 'a value that is not JSON', topic: Topics.inventoryEvents, value: 'released', answer: dlq('orders', NOT_JSON) },
  { kind: 'missing ids', topic: Topics.inventoryEvents, value: { locationId: WAREHOUSE }, answer: dlq('orders', /^invalid reservation outcome: .*reservationId: reservationId should not be empty; .*orderId: orderId should not be empty/) },
  { kind: 'a NUL byte in an id', topic: Topics.inventoryEvents, value: { orderId: 'O-HELD\u0000', reservationId: 'O-HELD:R1' }, answer: dlq('orders', /orderId: must not contain control characters/) },
  { kind: 'a value that is not JSON', topic: Topics.fulfillmentEvents, value: 'picked', answer: dlq('orders', NOT_JSON) },
  { kind: 'an unknown fulfillment status', topic: Topics.fulfillmentEvents, value: { fulfillmentId: 'O-HELD-F1', orderId: 'O-HELD', locationId: WAREHOUSE, status: 'LOST', lines: [] }, answer: dlq('orders', /^invalid fulfillment event: .*status: LOST is not a fulfillment status/) },
  { kind: 'a value that is not JSON', topic: Topics.refunds, value: 'refund', answer: dlq('orders', NOT_JSON) },
  { kind: 'refund lines that are not a list', topic: Topics.refunds, value: { refundId: 'RF-BAD', returnId: 'R-BAD', orderId: 'O-DONE', lines: 'all' }, answer: dlq('orders', /^invalid refund: .*lines: lines must be an array/) },
  { kind: 'a stock figure above the integer column', topic: Topics.stockLevels, value: { locationId: WAREHOUSE, sku: 'SKU-LVL', onHand: 3_000_000_000, reserved: 0, safetyStock: 0, atp: 3_000_000_000 }, answer: dlq('orders', /onHand: onHand must not be greater than 1000000000/) },
  { kind: 'a value that is not JSON', topic: Topics.stockLevels, value: 'seven', answer: dlq('orders', NOT_JSON) },
  { kind: 'a daily capacity above the integer column', topic: Topics.locations, value: { id: 'L-BAD', name: 'x', type: 'STORE', lat: 45, lng: 4, ship: true, pickup: true, reserve: true, dailyCapacity: 3_000_000_000, priority: null }, answer: dlq('orders', /dailyCapacity: dailyCapacity must not be greater than 1000000/) },
  { kind: 'a NUL byte in a location id', topic: Topics.locations, value: { id: 'L-\u0000', name: 'x', type: 'STORE', lat: 45, lng: 4, ship: true, pickup: true, reserve: true }, answer: dlq('orders', /id: must not contain control characters/) },
  { kind: 'a control character in a location id', topic: Topics.locations, value: { id: 'L-\u0001', name: 'x', type: 'STORE', lat: 45, lng: 4, ship: true, pickup: true, reserve: true }, answer: dlq('returns', /id: must not contain control characters/) },
  { kind: 'a value that is not JSON', topic: Topics.locations, value: '{id}', answer: dlq('returns', NOT_JSON) },
  { kind: 'an event time in year 0', topic: Topics.ordersEvents, value: { orderId: 'O-VIEW', status: 'DELIVERED', lines: [], allocations: [], occurredAt: '0000-01-01T00:00:00Z' }, answer: dlq('returns', /^occurredAt: occurredAt must be an ISO 8601 date-time with a time and an offset \(RFC 3339, e\.g\. 2026-03-01T10:00:00Z\) from 2000-01-01 to 2100-01-01$/) },
  { kind: 'a NUL byte in the orderId of an event', topic: Topics.ordersEvents, value: { orderId: 'O-VIEW\u0000', status: 'DELIVERED', lines: [], allocations: [] }, answer: dlq('returns', /orderId: must not contain control characters/) },
  { kind: 'an unknown order status', topic: Topics.ordersEvents, value: { orderId: 'O-VIEW', status: 'LOST', lines: [], allocations: [] }, answer: dlq('returns', /^status: LOST is not an order status$/) },
  { kind: 'a value that is not JSON', topic: Topics.ordersEvents, value: '{"orderId":', answer: dlq('returns', NOT_JSON) },
];

const ceIdOf = (index: number) => `bad-input-${index}`;

function send(topic: TopicName, value: unknown, type: string | null, ceId?: string) {
  const { key, writer } = TOPICS[topic];
  const headers = type === null ? { ...external(undefined, ceId), ...(writer ? { ce_source: `/fil/${writer}` } : {}) } : writer ? internal(writer, type, ceId) : external(type, ceId);
  return system.probe.send(topic, key, value, headers);
}

/** After the bad messages of each topic, one valid message on the same partition, and the proof that it was handled. */
const markers: { topic: TopicName; value: unknown; type?: string; handled: () => Promise<unknown> }[] = [
  { topic: Topics.ordersSubmitted, value: order('O-AFTER'), handled: () => system.orderEvent('O-AFTER', 'OrderAllocated') },
  { topic: Topics.ordersCommands, value: { orderId: 'O-CANCEL', reason: 'customer asked' }, handled: () => system.orderEvent('O-CANCEL', 'OrderCancelled') },
  {
    topic: Topics.inventoryAdjustments,
    value: { adjustmentId: 'A-AFTER', locationId: WAREHOUSE, sku: 'SKU-ADJ', mode: 'DELTA', quantity: 1, reason: 'count' },
    handled: () => waitFor(() => system.sql('inventory', "select 1 from adjustment where adjustment_id = 'A-AFTER'").then((rows) => rows.length), { what: 'A-AFTER applied' }),
  },
  {
    topic: Topics.returnsRequested,
    value: { returnId: 'R-AFTER', orderId: 'O-DONE', lines: [{ sku: 'SKU-1', quantity: 1 }] },
    handled: () => waitFor(async () => (await call(system.url('returns'), 'GET', '/returns/R-AFTER')).body?.status === 'REQUESTED', { what: 'return R-AFTER' }),
  },
  {
    topic: Topics.inventoryCommands,
    value: { reservationId: 'R-AFTER', orderId: 'O-AFTER-RESERVE', locationId: 'NOWHERE', lines: [{ sku: 'SKU-1', quantity: 1 }] },
    handled: () => system.probe.waitForMessage(Topics.inventoryEvents, (m) => m.value.reservationId === 'R-AFTER' && m.value.reason === 'UNKNOWN_LOCATION'),
  },
  {
    topic: Topics.fulfillmentCommands,
    value: { fulfillmentId: 'F-AFTER', orderId: 'O-F', locationId: WAREHOUSE, kind: 'SHIP', lines: [{ sku: 'SKU-1', quantity: 1 }] },
    handled: () => system.probe.waitForMessage(Topics.fulfillmentEvents, (m) => m.value.fulfillmentId === 'F-AFTER'),
  },
  {
    topic: Topics.inventoryEvents,
    value: { reservationId: 'O-HELD:R1', orderId: 'O-HELD', locationId: WAREHOUSE, lines: [{ sku: 'SKU-2', quantity: 1 }] },
    handled: () => waitFor(async () => (await call(system.url('orders'), 'GET', '/orders/O-HELD')).body.allocationHistory[0].state === 'RELEASED', { what: 'O-HELD:R1 released' }),
  },
  {
    topic: Topics.fulfillmentEvents,
    value: { fulfillmentId: 'O-HELD-F1', orderId: 'O-HELD', locationId: WAREHOUSE, kind: 'SHIP', status: 'PICKED', lines: [{ sku: 'SKU-2', quantity: 1, picked: 1 }], occurredAt: new Date().toISOString() },
    handled: () => system.orderEvent('O-HELD', 'OrderInFulfillment'),
  },
  {
    topic: Topics.refunds,
    value: { refundId: 'RF-AFTER', returnId: 'R-REFUNDED', orderId: 'O-DONE', amount: 10, currency: 'EUR', lines: [{ sku: 'SKU-1', quantity: 1, unitPrice: 10, condition: 'RESELLABLE', amount: 10 }] },
    handled: () => system.orderEvent('O-DONE', 'OrderPartiallyReturned'),
  },
  {
    topic: Topics.stockLevels,
    value: { locationId: WAREHOUSE, sku: 'SKU-LVL', onHand: 5, reserved: 0, safetyStock: 0, atp: 5 },
    handled: () => waitFor(async () => (await call(system.url('orders'), 'GET', '/availability?skus=SKU-LVL')).body[0]?.atp === 5, { what: 'SKU-LVL in the view' }),
  },
  {
    topic: Topics.locations,
    value: { id: 'L-BAD', name: 'After', type: 'STORE', lat: 45, lng: 4, ship: true, pickup: true, reserve: true, dailyCapacity: 10, priority: null },
    handled: () =>
      waitFor(async () => {
        const [orders] = await system.sql<{ name: string }>('orders', "select name from location_view where id = 'L-BAD'");
        const [returns] = await system.sql('returns', "select id from location_view where id = 'L-BAD'");
        return orders?.name === 'After' && returns;
      }, { what: 'L-BAD in both views' }),
  },
  {
    topic: Topics.ordersEvents,
    value: { orderId: 'O-VIEW', status: 'DELIVERED', channel: 'web', currency: 'EUR', lines: [line()], allocations: [], occurredAt: new Date().toISOString() },
    handled: () => waitFor(async () => (await system.sql('returns', "select order_id from order_view where order_id = 'O-VIEW'")).length, { what: 'O-VIEW in the view' }),
  },
];

beforeAll(async () => {
  await system.start();
  await system.seed({ 'SKU-1': 50, 'SKU-2': 10, 'SKU-ADJ': 10 });
  // Two units delivered: one comes back with the refund, one may still be returned.
  const done = await system.allocatedOrder('O-DONE', 'SKU-1', 2);
  await system.work(done, 'SKU-1', 2, ['pick', 'pack', 'ship', 'deliver']);
  await system.orderEvent('O-DONE', 'OrderDelivered');
  await system.allocatedOrder('O-HELD', 'SKU-2');
  await system.allocatedOrder('O-CANCEL', 'SKU-1');
  await waitFor(async () => (await system.sql('returns', "select 1 from order_view where order_id = 'O-DONE' and status = 'DELIVERED'")).length, {
    what: 'returns to see O-DONE delivered',
  });

  for (const [index, { topic, value, type }] of cases.entries()) await send(topic, value, type === undefined ? TOPICS[topic].type : type, ceIdOf(index));
  for (const { topic, value, type } of markers) await send(topic, value, type ?? TOPICS[topic].type);
  await Promise.all(markers.map(({ handled }) => handled()));
}, 60_000);

afterAll(() => system.stop());

async function answerTo(index: number, answer: Answer): Promise<string> {
  if ('dlq' in answer) {
    const dead: ProbedMessage = await system.probe.waitForMessage(Topics.dlq, (m) => m.value.headers?.ce_id === ceIdOf(index) && m.value.consumer === answer.consumer);
    return dead.value.reason;
  }
  if ('rejected' in answer) {
    const event = await system.orderEvent(answer.orderId, 'OrderRejected');
    return [event.value.detail ?? event.value.reason, ...(event.value.errors ?? [])].join('; ');
  }
  const { body } = await call(system.url('returns'), 'GET', `/returns/${answer.returnId}`);
  return body.status === 'REJECTED' ? `${body.rejection.reason}: ${body.rejection.message}` : `status ${body.status}`;
}

describe.each(cases.map((one, index) => ({ ...one, index })))('$topic, $kind', ({ index, answer }) => {
  it('is answered with a reason that names the field and the rule', async () => {
    const reason = await answerTo(index, answer);
    const expected = 'dlq' in answer ? answer.dlq : 'rejected' in answer ? answer.rejected : answer.returnRejected;
    expect(reason).toMatch(expected);
    expect(reason).not.toMatch(/failed after \d+ attempts|Internal server error|\n\s+at /);
  });
});

describe('nothing lost, nothing changed', () => {
  it('keeps each rejected order as it came, REJECTED, without asking for stock', async () => {
    for (const { answer } of cases) {
      if (!('rejected' in answer)) continue;
      const { body } = await call(system.url('orders'), 'GET', `/orders/${answer.orderId}`);
      expect([answer.orderId, body.status, body.timeline.length]).toEqual([answer.orderId, 'REJECTED', body.errors.length ? 1 : 2]);
      expect(system.probe.messages(Topics.inventoryCommands, (m) => m.key === answer.orderId)).toEqual([]);
    }
  });

  it('stores no order for the submissions it dead-lettered', async () => {
    const rows = await system.sql<{ order_id: string }>('orders', 'select order_id from customer_order');
    const expected = ['O-DONE', 'O-HELD', 'O-CANCEL', 'O-AFTER', ...cases.flatMap(({ answer }) => ('rejected' in answer ? [answer.orderId] : []))];
    expect(rows.map((row) => row.order_id).sort()).toEqual(expected.sort());
  });

  it('cancels O-CANCEL once, for the valid command, not for the bad ones before it', async () => {
    const { body } = await call(system.url('orders'), 'GET', '/orders/O-CANCEL');
    expect(body.timeline.filter((step: { to: string }) => step.to === 'CANCELLED')).toEqual([expect.objectContaining({ cause: 'customer asked' })]);
  });

  it('applies only the valid adjustment: on hand 10 + 1', async () => {
    const levels = system.probe.messages(Topics.stockLevels, (m) => m.key === `${WAREHOUSE}:SKU-ADJ`).map((m) => m.value.onHand);
    expect(levels).toEqual([10, 11]);
    expect(await system.sql('inventory', "select adjustment_id from adjustment where sku = 'SKU-ADJ'")).toEqual([{ adjustment_id: 'A-AFTER' }]);
  });

  it('creates no return for the requests it dead-lettered', async () => {
    const rows = await system.sql<{ id: string; status: string }>('returns', 'select id, status from customer_return order by id');
    expect(rows).toEqual([
      { id: 'R-AFTER', status: 'REQUESTED' },
      { id: 'R-NO-ORDER', status: 'REJECTED' },
    ]);
  });

  it('holds no stock and creates no fulfillment for the bad internal commands', async () => {
    const bad = ['R-TTL', 'R-SHORT', 'R-NUL-SKU'];
    expect(system.probe.messages(Topics.inventoryEvents, (m) => bad.includes(m.value.reservationId))).toEqual([]);
    expect(await system.sql('inventory', 'select id from reservation where id in (?, ?, ?)', bad)).toEqual([]);
    expect(await system.sql('fulfillment', "select id from fulfillment where id not in ('O-DONE-F1', 'O-HELD-F1', 'O-CANCEL-F1', 'O-AFTER-F1', 'F-AFTER')")).toEqual([]);
  });

  it('keeps the views at the valid figures only', async () => {
    expect((await call(system.url('orders'), 'GET', '/availability?skus=SKU-LVL')).body).toEqual([expect.objectContaining({ onHand: 5, atp: 5 })]);
    expect(await system.sql('orders', "select id, daily_capacity from location_view where id like 'L-%'")).toEqual([{ id: 'L-BAD', daily_capacity: 10 }]);
    expect(await system.sql('returns', "select id from location_view where id like 'L-%'")).toEqual([{ id: 'L-BAD' }]);
    expect(await system.sql('returns', "select order_id, status from order_view where order_id like 'O-VIEW%'")).toEqual([{ order_id: 'O-VIEW', status: 'DELIVERED' }]);
  });
});
