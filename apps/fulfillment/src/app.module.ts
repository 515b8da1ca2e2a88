import { Module } from '@nestjs/common';
import { acceptsSource } from '@fil/contracts';
import { messagingMigrations } from '@fil/messaging';
import { PlatformModule, type ServiceDefinition } from '@fil/platform';
import { Fulfillment } from './fulfillments/fulfillment.entity';
import { FulfillmentsModule } from './fulfillments/fulfillments.module';
import { fulfillmentMigration } from './migrations/0001-fulfillment.migration';
import { counterMigration } from './migrations/0002-counter.migration';
import { shortPicksMigration } from './migrations/0003-short-picks.migration';
import { ownLinesMigration } from './migrations/0004-own-lines.migration';
import { transfersBackInStockMigration } from './migrations/0005-transfers-back-in-stock.migration';
import { lostFromTransfersMigration } from './migrations/0006-lost-from-transfers.migration';

export const definition: ServiceDefinition = {
  service: 'fulfillment',
  title: 'Fulfillment',
  description: 'Fulfillment orders per location: pick, pack, ship, deliver.',
  defaultPort: 3002,
};

@Module({
  imports: [
    PlatformModule.forService({
      service: definition.service,
      entities: [Fulfillment],
      migrations: [...messagingMigrations, fulfillmentMigration, counterMigration, shortPicksMigration, ownLinesMigration, transfersBackInStockMigration, lostFromTransfersMigration],
      acceptsSource,
    }),
    FulfillmentsModule,
  ],
})
export class AppModule {}
