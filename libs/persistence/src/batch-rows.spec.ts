import type { EntityManager } from '@mikro-orm/postgresql';
import { BatchRows } from './batch-rows';

interface Row {
  id: string;
}

// BatchRows keys its memory by the transaction's EntityManager only: any object stands for one here.
const transaction = () => ({}) as EntityManager;

const countedRead = (row: Row | null) => jest.fn(async () => row);

describe('BatchRows', () => {
  it('reads again on every find outside a batch by default', async () => {
    const rows = new BatchRows<Row>((row) => row.id);
    const em = transaction();
    const read = countedRead({ id: 'A' });
    await rows.find(em, 'A', read);
    await rows.find(em, 'A', read);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('keeps a row read outside a batch for the rest of its transaction when told to, and only for it', async () => {
    const rows = new BatchRows<Row>((row) => row.id, true);
    const em = transaction();
    const read = countedRead({ id: 'A' });
    const first = await rows.find(em, 'A', read);
    expect(await rows.find(em, 'A', read)).toBe(first);
    expect(read).toHaveBeenCalledTimes(1);
    await rows.find(transaction(), 'A', read);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('keeps what a transaction read before its batch was preloaded, and what it created', async () => {
    const rows = new BatchRows<Row>((row) => row.id, true);
    const em = transaction();
    const readA = countedRead({ id: 'A' });
    await rows.find(em, 'A', readA);
    await rows.preload(em, ['B', 'C'], async () => [{ id: 'B' }]);
    const created = { id: 'D' };
    rows.created(em, created);
    const unread = jest.fn(async () => ({ id: 'never' }));
    expect(await rows.find(em, 'A', unread)).toEqual({ id: 'A' });
    expect(await rows.find(em, 'B', unread)).toEqual({ id: 'B' });
    expect(await rows.find(em, 'C', unread)).toBeNull();
    expect(await rows.find(em, 'D', unread)).toBe(created);
    expect(unread).not.toHaveBeenCalled();
  });
});
