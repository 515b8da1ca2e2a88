// Personal data stays out of the logs: an order's journey, its rejections and a database error
// quoting a customer's email are logged at debug level, and no line carries the data.
import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import { Topics } from '@fil/contracts';
import { databaseName, dropDatabase } from '@fil/persistence';
import { http, KafkaProbe, startService, useTestEnvironment, waitFor } from '@fil/testing';

useTestEnvironment('personal-data');
jest.setTimeout(60_000);
process.env.FIL_LOG_LEVEL = 'debug';

const customer = { id: 'CUST-PII', name: 'Zoé Personnelle', email: 'zoe.personnelle@example.org' };
const address = { street: '17 rue Secrète', city: 'Villeprivée', postalCode: '69999', country: 'FR', lat: 45.76, lng: 4.85 };
const PERSONAL = [customer.name, customer.email, address.street, address.city];

const probe = new KafkaProbe();
const logged: string[] = [];
let app: INestApplication;
let url: string;

beforeAll(async () => {
  const write = process.stdout.write.bind(process.stdout);
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: any[]) => {
    logged.push(chunk.toString());
    return write(chunk, ...rest);
  });
  const { AppModule, definition } = await import('../apps/order-orchestrator/src/app.module');
  ({ app, url } = await startService(AppModule, definition));
  await probe.start([Topics.ordersEvents, Topics.dlq]);
});

afterAll(async () => {
  jest.restoreAllMocks();
  await probe.stop();
  await app?.close();
  await dropDatabase(databaseName('orders'));
});

const order = (orderId: string, extra: object = {}) => ({
  orderId,
  channel: 'web',
  deliveryMode: 'HOME_DELIVERY',
  customer,
  shippingAddress: address,
  lines: [{ lineId: 'l1', sku: 'SKU-1', quantity: 1, unitPrice: 10 }],
  currency: 'EUR',
  placedAt: new Date().toISOString(),
  ...extra,
});

it('logs an order received, rejected and conflicting, and a database error, without the customer data', async () => {
  await probe.send(Topics.ordersSubmitted, 'PII-1', order('PII-1'));
  await probe.send(Topics.ordersSubmitted, 'PII-2', order('PII-2', { currency: 'euros' }));
  await probe.send(Topics.ordersSubmitted, 'PII-1', order('PII-1', { currency: 'USD' }));
  await probe.waitForMessage(Topics.ordersEvents, (m) => m.key === 'PII-2' && m.value.status === 'REJECTED');
  await probe.waitForMessage(Topics.dlq, (m) => m.key === 'PII-1');
  await waitFor(async () => (await http('GET', `${url}/orders/PII-1`)).body?.customer?.email === customer.email, { what: 'the order' });

  // A database error quotes its parameters: the logger must keep them out.
  const failed = await (app.get(MikroORM) as MikroORM).em.fork().execute('select ?::int', [customer.email]).catch((error: Error) => error);
  expect(String(failed)).toContain(customer.email);
  new Logger('personal-data-test').error(failed);

  const lines = logged.join('');
  expect(lines).toMatch(/PII-1/);
  expect(lines).toMatch(/SQLSTATE 22P02/);
  for (const value of PERSONAL) expect(lines).not.toContain(value);
});
