import { Migration } from '@mikro-orm/migrations';

/** A counter called off with its order given up: transfers that arrive after it are counted into the store's stock. */
export class TransfersBackInStockMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table fulfillment add column transfers_back_in_stock boolean not null default false');
  }
}

export const transfersBackInStockMigration = { name: '0005-transfers-back-in-stock', class: TransfersBackInStockMigration };
