import type { MikroORM } from '@mikro-orm/postgresql';
import { closeMessagingDatabase, openMessagingDatabase, useTestEnvironment } from '@fil/testing';

useTestEnvironment('log-lines');

const service = 'log-lines';
let orm: MikroORM;

beforeAll(async () => {
  orm = await openMessagingDatabase(service);
});

afterAll(() => closeMessagingDatabase(orm, service));

describe("the database client's own warnings", () => {
  it('are JSON lines like the services\' logs, so that a lost connection does not break a log pipeline', () => {
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      // What knex says when PostgreSQL drops a connection.
      orm.em.getConnection().getKnex().client.logger.warn('Connection Error: Error: Connection ended unexpectedly');
    } finally {
      write.mockRestore();
    }
    expect(written.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: 'warn', service, context: 'knex', msg: 'Connection Error: Error: Connection ended unexpectedly' }),
    ]);
  });
});
