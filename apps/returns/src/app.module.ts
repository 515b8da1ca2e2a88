import { Module } from '@nestjs/common';
import { acceptsSource } from '@fil/contracts';
import { messagingMigrations } from '@fil/messaging';
import { PlatformModule, type ServiceDefinition } from '@fil/platform';
import { RETURN_WINDOW_DAYS } from './returns/returns.service';
import { LocationView } from './locations/location-view.entity';
import { LocationsController } from './locations/locations.controller';
import { returnsMigration } from './migrations/0001-returns.migration';
import { deliveredAndLocationsMigration } from './migrations/0002-delivered-and-locations.migration';
import { orderChannelMigration } from './migrations/0003-order-channel.migration';
import { expectedLocationMigration } from './migrations/0004-expected-location.migration';
import { OrderView } from './orders/order-view.entity';
import { OrdersModule } from './orders/orders.module';
import { Return } from './returns/return.entity';
import { ReturnsModule } from './returns/returns.module';

export const definition: ServiceDefinition = {
  service: 'returns',
  title: 'Returns',
  description: 'Return requests, receipt and inspection at any location, restock and one refund per return.',
  defaultPort: 3003,
  variables: [RETURN_WINDOW_DAYS],
};

@Module({
  imports: [
    PlatformModule.forService({
      service: definition.service,
      entities: [OrderView, Return, LocationView],
      migrations: [...messagingMigrations, returnsMigration, deliveredAndLocationsMigration, orderChannelMigration, expectedLocationMigration],
      acceptsSource,
    }),
    OrdersModule,
    ReturnsModule,
  ],
  controllers: [LocationsController],
})
export class AppModule {}
