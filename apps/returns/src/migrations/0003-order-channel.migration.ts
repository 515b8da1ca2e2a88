import { Migration } from '@mikro-orm/migrations';

/** The order's channel, so that a channel account requests and reads returns of its own orders only. */
export class OrderChannelMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table order_view add column channel text');
  }
}

export const orderChannelMigration = { name: '0003-order-channel', class: OrderChannelMigration };
