import type { EachBatchPayload } from 'kafkajs';

/**
 * Partitions kafkajs may hand over at once, one batch each: more than any topic of ours has, so
 * that every partition's batch of one fetch arrives in the same turn of the event loop.
 */
export const PARTITIONS_AT_ONCE = 1_000;

/**
 * Gathers the partition batches of one fetch, which kafkajs hands to `eachBatch` one call per
 * partition in the same turn of the event loop, and handles them together once that turn ends:
 * a few messages on each of many partitions then cost one transaction, not one per partition.
 * kafkajs fetches again only when every call of the fetch has returned.
 */
export class FetchGathering {
  private gathered: { payload: EachBatchPayload; settle: (error?: unknown) => void }[] = [];

  constructor(private readonly handle: (payloads: EachBatchPayload[]) => Promise<void>) {}

  add(payload: EachBatchPayload): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.gathered.length) setImmediate(() => void this.handleGathered());
      this.gathered.push({ payload, settle: (error) => (error === undefined ? resolve() : reject(error)) });
    });
  }

  private async handleGathered(): Promise<void> {
    const gathered = this.gathered;
    this.gathered = [];
    const error = await this.handle(gathered.map(({ payload }) => payload)).then(
      () => undefined,
      (failure: unknown) => failure ?? new Error('batch handling failed'),
    );
    for (const { settle } of gathered) settle(error);
  }
}
