import type { EntityManager } from '@mikro-orm/postgresql';
import { unsafeInput } from '@fil/contracts';

/**
 * The rows a batch of messages will need, read in one query when the batch starts and kept by
 * the batch's EntityManager: each message then finds its own row, or learns it does not exist,
 * without a round trip. Outside a batch (a message handled alone, an HTTP request) `find` reads,
 * and keeps what it read for the rest of the transaction only when `keepReads` says so.
 */
export class BatchRows<T> {
  private readonly byTransaction = new WeakMap<EntityManager, Map<string, T | null>>();

  /** `keepReads`: rows read under a lock, which nothing else can change before the transaction ends. */
  constructor(
    private readonly idOf: (row: T) => string,
    private readonly keepReads = false,
  ) {}

  /** Reads the rows of `ids` with `load` (one query) and keeps them, and the absent ones, for the batch. */
  async preload(em: EntityManager, ids: Iterable<string>, load: (ids: string[]) => Promise<T[]>): Promise<T[]> {
    const wanted = [...new Set(ids)];
    const found = wanted.length ? await load(wanted) : [];
    const rows = this.rowsOf(em) ?? new Map<string, T | null>();
    for (const id of wanted) rows.set(id, null);
    for (const row of found) rows.set(this.idOf(row), row);
    this.byTransaction.set(em, rows);
    return found;
  }

  /** The row as the batch knows it, else read (and kept, when in a batch). */
  async find(em: EntityManager, id: string, read: () => Promise<T | null>): Promise<T | null> {
    const rows = this.rowsOf(em);
    if (rows?.has(id)) return rows.get(id)!;
    const row = await read();
    rows?.set(id, row);
    return row;
  }

  /** A row created in the batch: later messages of the batch find it before it is flushed. */
  created(em: EntityManager, row: T): void {
    this.rowsOf(em)?.set(this.idOf(row), row);
  }

  private rowsOf(em: EntityManager): Map<string, T | null> | undefined {
    const rows = this.byTransaction.get(em);
    if (rows || !this.keepReads) return rows;
    return this.byTransaction.set(em, new Map()).get(em);
  }
}

/** The ids named by a batch's messages under `field`; one with a NUL byte would fail the batch's query, so it is left to its message's own handler. */
export function idsNamed(values: unknown[], field: string): string[] {
  return values
    .map((value) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined))
    .filter((id): id is string => typeof id === 'string' && id.length > 0 && !unsafeInput(id).length);
}
