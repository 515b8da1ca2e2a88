// Bad input over HTTP, kind by kind: each is refused with a status and a reason that names the
// field and the rule, and leaves every service's state and outbox exactly as they were.
import { useTestEnvironment, waitFor } from '@fil/testing';
import { BadInputSystem, WAREHOUSE, call, reasonOf, type Service } from './bad-input-support';

useTestEnvironment('bad-input-http');
jest.setTimeout(60_000);

const system = new BadInputSystem();
// O-DONE is delivered and has a return requested; O-OPEN is packed and may still be cancelled.
const OPEN = 'O-OPEN-F1';
const STOCK = `/locations/${WAREHOUSE}/stock/SKU-1`;
const location = { name: 'Bad-input warehouse', type: 'WAREHOUSE', lat: 45.7, lng: 4.9, ship: true, pickup: false, reserve: false };
const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

/** Everything a bad request could have changed: what the APIs show, and what each service has queued to publish. */
async function snapshot() {
  const get = async (service: Service, path: string) => (await call(system.url(service), 'GET', path)).body;
  const outbox = async (service: Service) => (await system.sql(service, 'select count(*)::int as n from outbox_message'))[0];
  return {
    locations: await get('inventory', '/locations'),
    stock: [await get('inventory', '/stock/SKU-1'), await get('inventory', '/stock/SKU-2')],
    orders: [await get('orders', '/orders/O-DONE'), await get('orders', '/orders/O-OPEN')],
    fulfillments: await get('fulfillment', `/fulfillments?locationId=${WAREHOUSE}`),
    returns: await get('returns', '/returns/R-1'),
    outbox: [await outbox('inventory'), await outbox('orders'), await outbox('fulfillment'), await outbox('returns')],
  };
}
beforeAll(async () => {
  await system.start();
  await system.seed({ 'SKU-1': 10, 'SKU-2': 10 });
  const done = await system.allocatedOrder('O-DONE', 'SKU-1');
  await system.work(done, 'SKU-1', 1, ['pick', 'pack', 'ship', 'deliver']);
  await system.orderEvent('O-DONE', 'OrderDelivered');
  const request = { returnId: 'R-1', orderId: 'O-DONE', lines: [{ sku: 'SKU-1', quantity: 1 }] };
  await waitFor(async () => (await call(system.url('returns'), 'POST', '/returns', { json: request })).status === 201, { what: 'return R-1' });
  expect(await system.allocatedOrder('O-OPEN', 'SKU-2')).toBe(OPEN);
  await system.work(OPEN, 'SKU-2', 1, ['pick', 'pack']);
  // Settled once the orchestrator has heard the last step of each order.
  const allocationOf = async (orderId: string) => (await call(system.url('orders'), 'GET', `/orders/${orderId}`)).body.allocations[0];
  await waitFor(async () => (await allocationOf('O-DONE')).state === 'COMMITTED' && (await allocationOf('O-OPEN')).fulfillmentStatus === 'PACKED', {
    what: 'the orchestrator to hear of the last steps',
  });
});

afterAll(() => system.stop());

interface HttpCase {
  kind: string;
  service: Service;
  method: string;
  path: string;
  body?: { json?: unknown; raw?: string };
  status: number;
  reason: RegExp;
}

const cases: HttpCase[] = [
  // Wrong types, missing fields, unknown fields
  { kind: 'a number sent as a string', service: 'inventory', method: 'PUT', path: STOCK, body: { json: { onHand: '5' } }, status: 400, reason: /onHand must be an integer number/ },
  { kind: 'a boolean sent as a string', service: 'inventory', method: 'PUT', path: `/locations/${WAREHOUSE}`, body: { json: { ...location, ship: 'yes' } }, status: 400, reason: /ship must be a boolean value/ },
  { kind: 'a missing required field', service: 'inventory', method: 'PUT', path: '/locations/WH-NEW', body: { json: { ...location, name: undefined } }, status: 400, reason: /name must be a string/ },
  { kind: 'an empty list', service: 'fulfillment', method: 'POST', path: `/fulfillments/${OPEN}/pack`, body: { json: { parcels: [] } }, status: 400, reason: /parcels must contain at least 1 elements/ },
  { kind: 'an unknown field', service: 'inventory', method: 'PUT', path: STOCK, body: { json: { onHand: 5, reserved: 3 } }, status: 400, reason: /property reserved should not exist/ },
  { kind: 'a field in the body of a step that takes none', service: 'fulfillment', method: 'POST', path: `/fulfillments/${OPEN}/deliver`, body: { json: { deliveredAt: '2026-12-01T10:00:00Z' } }, status: 400, reason: /property deliveredAt should not exist/ },
  { kind: 'a field in the body of a collection', service: 'fulfillment', method: 'POST', path: `/fulfillments/${OPEN}/collect`, body: { json: { customer: 'Ana' } }, status: 400, reason: /property customer should not exist/ },
  { kind: 'a list as the body of a step that takes none', service: 'fulfillment', method: 'POST', path: `/fulfillments/${OPEN}/ready`, body: { json: [] }, status: 400, reason: /body: must be a JSON object/ },
  { kind: 'a field in the body of a retry', service: 'orders', method: 'POST', path: '/orders/O-OPEN/attention/retry', body: { json: { force: true } }, status: 400, reason: /property force should not exist/ },
  // Figures beyond what a column holds or a retailer needs
  { kind: 'onHand above the integer column', service: 'inventory', method: 'PUT', path: STOCK, body: { json: { onHand: 3_000_000_000 } }, status: 400, reason: /onHand must not be greater than 1000000000/ },
  { kind: 'safetyStock above the integer column', service: 'inventory', method: 'PUT', path: STOCK, body: { json: { onHand: 5, safetyStock: 3_000_000_000 } }, status: 400, reason: /safetyStock must not be greater than 1000000000/ },
  { kind: 'a daily capacity above the integer column', service: 'inventory', method: 'PUT', path: `/locations/${WAREHOUSE}`, body: { json: { ...location, dailyCapacity: 3_000_000_000 } }, status: 400, reason: /dailyCapacity must not be greater than 1000000/ },
  { kind: 'a priority below the integer column', service: 'inventory', method: 'PUT', path: `/locations/${WAREHOUSE}`, body: { json: { ...location, priority: -3_000_000_000 } }, status: 400, reason: /priority must not be less than -1000000/ },
  { kind: 'a parcel of a million tonnes', service: 'fulfillment', method: 'POST', path: `/fulfillments/${OPEN}/pack`, body: { json: { parcels: [{ weightKg: 1e9 }] } }, status: 400, reason: /weightKg must not be greater than 1000/ },
  { kind: 'a body of two megabytes', service: 'inventory', method: 'PUT', path: `/locations/${WAREHOUSE}`, body: { json: { ...location, name: 'x'.repeat(2_000_000) } }, status: 413, reason: /request entity too large/ },
  // Control characters, which PostgreSQL cannot store (U+0000) or no name should hold
  { kind: 'a NUL byte in a body field', service: 'inventory', method: 'PUT', path: `/locations/${WAREHOUSE}`, body: { json: { ...location, name: 'Bad\u0000' } }, status: 400, reason: /name: must not contain control characters \(U\+0000\)/ },
  { kind: 'a bell character in a body field', service: 'inventory', method: 'PUT', path: `/locations/${WAREHOUSE}`, body: { json: { ...location, name: 'Bad\u0007' } }, status: 400, reason: /name: must not contain control characters \(U\+0007\)/ },
  { kind: 'a lone surrogate in a body field', service: 'orders', method: 'POST', path: '/orders/O-OPEN/cancel', body: { json: { reason: 'no\udc00' } }, status: 400, reason: /reason: must not contain a lone surrogate \(U\+DC00\)/ },
  { kind: 'a NUL byte in a carrier name', service: 'fulfillment', method: 'POST', path: `/fulfillments/${OPEN}/ship`, body: { json: { carrier: 'DHL\u0000', trackingNumber: 'T-1' } }, status: 400, reason: /carrier: must not contain control characters/ },
  { kind: 'a NUL byte in a cancellation reason', service: 'orders', method: 'POST', path: '/orders/O-OPEN/cancel', body: { json: { reason: 'no\u0000' } }, status: 400, reason: /reason: must not contain control characters/ },
  { kind: 'a return id no URL path can name', service: 'returns', method: 'POST', path: '/returns', body: { json: { returnId: '..', orderId: 'O-DONE', lines: [{ sku: 'SKU-1', quantity: 1 }] } }, status: 400, reason: /returnId must not be \. or \.\., which no URL path can name/ },
  { kind: "a NUL byte in a return's order id", service: 'returns', method: 'POST', path: '/returns', body: { json: { orderId: 'O-DONE\u0000', lines: [{ sku: 'SKU-1', quantity: 1 }] } }, status: 400, reason: /orderId: must not contain control characters/ },
  { kind: 'a NUL byte in an order id in the path', service: 'orders', method: 'GET', path: '/orders/O-DONE%00', status: 400, reason: /id: must not contain control characters/ },
  { kind: 'a NUL byte in a location id in the path', service: 'inventory', method: 'GET', path: `/locations/${WAREHOUSE}%00`, status: 400, reason: /id: must not contain control characters/ },
  { kind: 'a NUL byte in a SKU in the path', service: 'inventory', method: 'GET', path: '/stock/SKU-1%00', status: 400, reason: /sku: must not contain control characters/ },
  { kind: 'a NUL byte in a fulfillment id in the path', service: 'fulfillment', method: 'GET', path: `/fulfillments/${OPEN}%00`, status: 400, reason: /id: must not contain control characters/ },
  { kind: 'a NUL byte in a return id in the path', service: 'returns', method: 'GET', path: '/returns/R-1%00', status: 400, reason: /id: must not contain control characters/ },
  { kind: 'a NUL byte in a query parameter', service: 'orders', method: 'GET', path: '/orders?customerId=CUST-1%00', status: 400, reason: /customerId: must not contain control characters/ },
  { kind: 'a NUL byte in a work-list filter', service: 'fulfillment', method: 'GET', path: '/fulfillments?orderId=O-OPEN%00', status: 400, reason: /orderId: must not contain control characters/ },
  // Unknown enum values
  { kind: 'an unknown location type', service: 'inventory', method: 'PUT', path: `/locations/${WAREHOUSE}`, body: { json: { ...location, type: 'DEPOT' } }, status: 400, reason: /type must be one of WAREHOUSE, STORE/ },
  { kind: 'an unknown inspection condition', service: 'returns', method: 'POST', path: '/returns/R-1/receive', body: { json: { locationId: WAREHOUSE, lines: [{ sku: 'SKU-1', quantity: 1, condition: 'MINT' }] } }, status: 400, reason: /condition must be one of the following values: RESELLABLE, DAMAGED, NOT_RETURNED/ },
  { kind: 'an overlong short-pick reason', service: 'fulfillment', method: 'POST', path: `/fulfillments/${OPEN}/pick`, body: { json: { lines: [{ sku: 'SKU-2', quantity: 0, reason: 'L'.repeat(65) }] } }, status: 400, reason: /lines\.0\.reason must be shorter than or equal to 64 characters/ },
  { kind: 'an unknown order status', service: 'orders', method: 'GET', path: '/orders?status=LOST', status: 400, reason: /status must be one of the following values: RECEIVED/ },
  // Negative and fractional quantities
  { kind: 'a negative count', service: 'inventory', method: 'PUT', path: STOCK, body: { json: { onHand: -1 } }, status: 400, reason: /onHand must not be less than 0/ },
  { kind: 'a fractional count', service: 'inventory', method: 'PUT', path: STOCK, body: { json: { onHand: 1.5 } }, status: 400, reason: /onHand must be an integer number/ },
  { kind: 'a negative return quantity', service: 'returns', method: 'POST', path: '/returns', body: { json: { orderId: 'O-DONE', lines: [{ sku: 'SKU-1', quantity: -1 }] } }, status: 400, reason: /lines.0.quantity must not be less than 1/ },
  { kind: 'a receipt of more lines than a return can have', service: 'returns', method: 'POST', path: '/returns/R-1/receive', body: { json: { locationId: WAREHOUSE, lines: Array.from({ length: 301 }, () => ({ sku: 'SKU-1', quantity: 0, condition: 'NOT_RETURNED' })) } }, status: 400, reason: /lines must contain no more than 300 elements/ },
  { kind: 'a fractional received quantity', service: 'returns', method: 'POST', path: '/returns/R-1/receive', body: { json: { locationId: WAREHOUSE, lines: [{ sku: 'SKU-1', quantity: 0.5, condition: 'DAMAGED' }] } }, status: 400, reason: /lines.0.quantity must be an integer number/ },
  // Duplicates, and references to what does not exist
  { kind: 'the same SKU twice in a pick', service: 'fulfillment', method: 'POST', path: `/fulfillments/${OPEN}/pick`, body: { json: { lines: [{ sku: 'SKU-2', quantity: 1 }, { sku: 'SKU-2', quantity: 1 }] } }, status: 400, reason: /sku SKU-2 is named twice/ },
  { kind: 'a SKU the fulfillment does not hold', service: 'fulfillment', method: 'POST', path: `/fulfillments/${OPEN}/pick`, body: { json: { lines: [{ sku: 'SKU-9', quantity: 1 }] } }, status: 400, reason: /it holds no sku SKU-9/ },
  { kind: 'an unknown location', service: 'inventory', method: 'PUT', path: '/locations/NOWHERE/stock/SKU-1', body: { json: { onHand: 5 } }, status: 404, reason: /location NOWHERE not found/ },
  { kind: 'an unknown receiving location', service: 'returns', method: 'POST', path: '/returns/R-1/receive', body: { json: { locationId: 'NOWHERE', lines: [{ sku: 'SKU-1', quantity: 1, condition: 'RESELLABLE' }] } }, status: 422, reason: /UNKNOWN_LOCATION; location NOWHERE is not known to returns/ },
  { kind: 'an unknown order', service: 'returns', method: 'POST', path: '/returns', body: { json: { orderId: 'O-NONE', lines: [{ sku: 'SKU-1', quantity: 1 }] } }, status: 404, reason: /UNKNOWN_ORDER; order O-NONE is not known to returns/ },
  { kind: 'a SKU that is not on the order', service: 'returns', method: 'POST', path: '/returns', body: { json: { orderId: 'O-DONE', lines: [{ sku: 'SKU-9', quantity: 1 }] } }, status: 422, reason: /SKU_NOT_ON_ORDER; sku SKU-9 is not on order O-DONE/ },
  { kind: 'more units than were delivered', service: 'returns', method: 'POST', path: '/returns', body: { json: { orderId: 'O-DONE', lines: [{ sku: 'SKU-1', quantity: 5 }] } }, status: 422, reason: /QUANTITY_EXCEEDED; sku SKU-1: 5 requested but only 0 of 1 delivered/ },
  // Ids outside the id pattern
  { kind: 'a SKU outside the id pattern', service: 'inventory', method: 'PUT', path: `/locations/${WAREHOUSE}/stock/SKU%201`, body: { json: { onHand: 5 } }, status: 400, reason: /sku must be 1-64 letters, digits, dots, dashes or underscores/ },
  { kind: 'a null safety stock', service: 'inventory', method: 'PUT', path: `/locations/${WAREHOUSE}/stock/SKU-1`, body: { json: { onHand: 5, safetyStock: null } }, status: 400, reason: /safetyStock must be an integer number/ },
  { kind: "a SKU outside the id pattern in a stock read", service: 'inventory', method: 'GET', path: '/stock/SKU%201', status: 400, reason: /sku must be 1-64 letters, digits, dots, dashes or underscores/ },
  { kind: 'a location outside the id pattern in a stock count', service: 'inventory', method: 'PUT', path: '/locations/WH%20BAD/stock/SKU-1', body: { json: { onHand: 5 } }, status: 400, reason: /locationId must be 1-64 letters, digits, dots, dashes or underscores/ },
  { kind: 'a location id outside the id pattern', service: 'inventory', method: 'PUT', path: '/locations/WH%20NEW', body: { json: location }, status: 400, reason: /id must be 1-64 letters, digits, dots, dashes or underscores/ },
  { kind: 'a work-list location outside the id pattern', service: 'fulfillment', method: 'GET', path: '/fulfillments?locationId=WH%201', status: 400, reason: /locationId must be 1-64 letters, digits, dots, dashes or underscores/ },
  { kind: 'a receiving location outside the id pattern', service: 'returns', method: 'POST', path: '/returns/R-1/receive', body: { json: { locationId: 'WH BAD', lines: [{ sku: 'SKU-1', quantity: 1, condition: 'RESELLABLE' }] } }, status: 400, reason: /locationId must be 1-64 letters/ },
  { kind: 'a returned SKU outside the id pattern', service: 'returns', method: 'POST', path: '/returns', body: { json: { orderId: 'O-DONE', lines: [{ sku: 'SKU 1', quantity: 1 }] } }, status: 400, reason: /lines.0.sku must be 1-64 letters/ },
  // Bodies that are not an object
  { kind: 'a body that is an array', service: 'inventory', method: 'PUT', path: STOCK, body: { raw: '[{"onHand":5}]' }, status: 400, reason: /^body: must be a JSON object$/ },
  { kind: 'a body that is null', service: 'inventory', method: 'PUT', path: STOCK, body: { raw: 'null' }, status: 400, reason: /^body: must be a JSON object$/ },
  { kind: 'a body that is a JSON string', service: 'inventory', method: 'PUT', path: STOCK, body: { raw: '"5"' }, status: 400, reason: /^body: must be a JSON object$/ },
  { kind: 'a body that is not JSON', service: 'inventory', method: 'PUT', path: STOCK, body: { raw: '{onHand: 5' }, status: 400, reason: /is not valid JSON/ },
  { kind: 'a body nested 5,000 levels deep', service: 'inventory', method: 'PUT', path: `/locations/${WAREHOUSE}`, body: { raw: `{"name":"x","priority":${deep(5_000)}}` }, status: 400, reason: /^body: must not be nested deeper than 32 levels$/ },
  // Keys that reach a prototype
  { kind: 'a __proto__ key', service: 'inventory', method: 'PUT', path: STOCK, body: { raw: '{"onHand":5,"__proto__":{"safetyStock":9}}' }, status: 400, reason: /__proto__: is not an allowed key/ },
  { kind: 'a constructor key', service: 'inventory', method: 'PUT', path: STOCK, body: { raw: '{"onHand":5,"constructor":{"name":"x"}}' }, status: 400, reason: /constructor: is not an allowed key/ },
  // Query strings: repeated, or numbers that are not
  { kind: 'a query parameter given twice', service: 'orders', method: 'GET', path: '/orders?status=RECEIVED&status=REJECTED', status: 400, reason: /status must be one of the following values/ },
  { kind: 'a list filter given twice', service: 'fulfillment', method: 'GET', path: '/fulfillments?status=CREATED&status=PICKED', status: 400, reason: /status must be one or more of CREATED/ },
  { kind: 'NaN as a coordinate', service: 'inventory', method: 'GET', path: '/availability?skus=SKU-1&lat=NaN&lng=4', status: 400, reason: /lat must be a number conforming to the specified constraints/ },
  { kind: 'Infinity as a radius', service: 'inventory', method: 'GET', path: '/availability?skus=SKU-1&lat=45&lng=4&radiusKm=Infinity', status: 400, reason: /radiusKm must be a number conforming to the specified constraints/ },
  { kind: 'a word for a number', service: 'inventory', method: 'GET', path: '/availability?skus=SKU-1&limit=ten', status: 400, reason: /limit must be an integer number/ },
  { kind: 'a radius without a point', service: 'orders', method: 'GET', path: '/availability?skus=SKU-1&radiusKm=10', status: 400, reason: /^radiusKm needs lat and lng$/ },
  // Ops routes of the orchestrator: policies, simulations, KPIs
  { kind: 'a policy with a negative per-km cost', service: 'orders', method: 'PUT', path: '/routing/policies', body: { json: { defaults: { weights: { perKm: -1 } } } }, status: 400, reason: /perKm must not be less than 0/ },
  { kind: 'a simulation without a policy', service: 'orders', method: 'POST', path: '/routing/simulations', body: { json: { orders: 10 } }, status: 400, reason: /policy should not be null or undefined/ },
  { kind: 'a KPI window that is not a date', service: 'orders', method: 'GET', path: '/kpis?from=yesterday', status: 400, reason: /from must be a valid ISO 8601 date string/ },
  // Edits, promises, alerts, replenishment and attention actions
  { kind: 'a negative quantity in an edit', service: 'orders', method: 'POST', path: '/orders/O-OPEN/edit', body: { json: { lines: [{ lineId: '1', sku: 'SKU-2', quantity: -1, unitPrice: 1 }] } }, status: 400, reason: /lines.0.quantity must not be less than 1/ },
  { kind: 'an edit that changes nothing', service: 'orders', method: 'POST', path: '/orders/O-OPEN/edit', body: { json: { reason: 'tidy up' } }, status: 400, reason: /an edit gives lines, shippingAddress or pickupLocationId: this one gives none/ },
  { kind: 'an edit of a packed order', service: 'orders', method: 'POST', path: '/orders/O-OPEN/edit', body: { json: { lines: [{ lineId: '1', sku: 'SKU-2', quantity: 2, unitPrice: 1 }] } }, status: 409, reason: /^order O-OPEN cannot be edited: it is IN_FULFILLMENT$/ },
  { kind: 'a promise without an address or a store', service: 'orders', method: 'GET', path: '/promise?skus=SKU-1', status: 400, reason: /give an address \(lat and lng\) or a storeId/ },
  { kind: "the orchestrator's availability of a SKU outside the id pattern", service: 'orders', method: 'GET', path: '/availability?skus=SKU-1,SKU%20E', status: 400, reason: /skus: 'SKU E' must be 1-64 letters/ },
  { kind: 'a promise for a SKU outside the id pattern', service: 'orders', method: 'GET', path: `/promise?skus=SKU%201&storeId=${WAREHOUSE}`, status: 400, reason: /skus: 'SKU 1' must be 1-64 letters/ },
  { kind: 'a fractional reorder point', service: 'inventory', method: 'PUT', path: `${STOCK}/reorder-point`, body: { json: { reorderPoint: 1.5 } }, status: 400, reason: /reorderPoint must be an integer number/ },
  { kind: 'a stock-alert filter outside the id pattern', service: 'inventory', method: 'GET', path: '/stock-alerts?locationId=WH%20BAD', status: 400, reason: /locationId must be 1-64 letters/ },
  { kind: 'a replenishment window of 0 days', service: 'inventory', method: 'GET', path: `/replenishment?locationId=${WAREHOUSE}&windowDays=0`, status: 400, reason: /windowDays must not be less than 1/ },
  { kind: 'a resolve without a reason', service: 'orders', method: 'POST', path: '/orders/O-OPEN/attention/resolve', body: { json: {} }, status: 400, reason: /reason should not be empty|reason must be a string/ },
  { kind: 'quantities not aligned with SKUs', service: 'inventory', method: 'GET', path: '/availability?skus=SKU-1,SKU-2&quantities=1', status: 400, reason: /quantities must have one entry per sku/ },
  { kind: "inventory's availability of a SKU outside the id pattern", service: 'inventory', method: 'GET', path: '/availability?skus=SKU-1,SKU%20E', status: 400, reason: /skus: 'SKU E' must be 1-64 letters/ },
  { kind: 'more SKUs than an order has lines', service: 'orders', method: 'GET', path: `/availability?skus=${Array.from({ length: 101 }, (_, i) => `SKU-${i}`).join(',')}`, status: 400, reason: /skus must contain no more than 100 elements/ },
  { kind: 'a quantity beyond any stock', service: 'inventory', method: 'GET', path: '/availability?skus=SKU-1&quantities=1000000001', status: 400, reason: /each value in quantities must not be greater than 1000000000/ },
  { kind: 'a word for a quantity', service: 'orders', method: 'GET', path: `/promise?skus=SKU-1&quantities=two&storeId=${WAREHOUSE}`, status: 400, reason: /quantities must be comma-separated whole numbers/ },
  { kind: 'promise quantities not aligned with SKUs', service: 'orders', method: 'GET', path: `/promise?skus=SKU-1,SKU-2&quantities=1&storeId=${WAREHOUSE}`, status: 400, reason: /quantities must have one entry per sku/ },
];

describe.each(cases)('$kind: $method $path', ({ service, method, path, body, status, reason }) => {
  it(`is answered ${status} with a reason naming the field and the rule, and changes nothing`, async () => {
    const before = await snapshot();
    const answer = await call(system.url(service), method, path, body);
    expect({ status: answer.status, reason: reasonOf(answer.body) }).toEqual({ status, reason: expect.stringMatching(reason) });
    expect(await snapshot()).toEqual(before);
  });
});
