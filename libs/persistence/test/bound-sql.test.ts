import type { MikroORM } from '@mikro-orm/postgresql';
import { closeMessagingDatabase, openMessagingDatabase, useTestEnvironment } from '@fil/testing';
import { executeBound } from '../src';

useTestEnvironment('bound-sql');

const service = 'bound-sql';
let orm: MikroORM;

beforeAll(async () => {
  orm = await openMessagingDatabase(service);
  await orm.em.fork().execute('create table bound_probe (id text primary key, v text)');
});

afterAll(() => closeMessagingDatabase(orm, service));

describe('executeBound', () => {
  it("runs in the EntityManager's transaction: its write is seen there and rolled back with it", async () => {
    const seen = await orm.em
      .fork()
      .transactional(async (tx) => {
        await executeBound(tx, 'insert into bound_probe (id, v) values (?, ?)', ['in-tx', 'x']);
        const rows = await tx.execute<{ id: string }[]>(`select id from bound_probe where id = 'in-tx'`);
        throw Object.assign(new Error('roll back'), { rows });
      })
      .catch((error: { rows?: unknown }) => error.rows);
    expect(seen).toEqual([{ id: 'in-tx' }]);
    expect(await executeBound(orm.em.fork(), 'select id from bound_probe where id = ?', ['in-tx'])).toEqual([]);
  });

  it('sends values as they are, quotes, backslashes and placeholders included, and undefined as null', async () => {
    const awkward = `it's a \\ "test" ? ?? $1 '); drop table bound_probe; -- é`;
    const em = orm.em.fork();
    await executeBound(em, 'insert into bound_probe (id, v) values (?, ?), (?, ?)', ['awkward', awkward, 'absent', undefined]);
    expect(await executeBound(em, 'select id, v from bound_probe where id in (?, ?) order by id', ['absent', 'awkward'])).toEqual([
      { id: 'absent', v: null },
      { id: 'awkward', v: awkward },
    ]);
  });
});
