import { Module } from '@nestjs/common';
import { acceptsSource } from '@fil/contracts';
import { messagingMigrations } from '@fil/messaging';
import { PlatformModule, type ServiceDefinition } from '@fil/platform';
import { Adjustment } from './adjustments/adjustment.entity';
import { AdjustmentsModule } from './adjustments/adjustments.module';
import { Location } from './locations/location.entity';
import { LocationsModule } from './locations/locations.module';
import { inventoryMigration } from './migrations/0001-inventory.migration';
import { reservationExpiryMigration } from './migrations/0002-reservation-expiry.migration';
import { reorderPointsMigration } from './migrations/0003-reorder-points.migration';
import { locationPromiseMigration } from './migrations/0004-location-promise.migration';
import { reservationTraceMigration } from './migrations/0005-reservation-trace.migration';
import { EXPIRY_GRACE_SECONDS, EXPIRY_POLL_MS } from './reservations/expiry.service';
import { ReplenishmentModule } from './replenishment/replenishment.module';
import { Reservation } from './reservations/reservation.entity';
import { ReservationsModule } from './reservations/reservations.module';
import { REORDER_POINT_DEFAULT } from './stock/stock-alerts';
import { Stock } from './stock/stock.entity';
import { StockModule } from './stock/stock.module';

export const definition: ServiceDefinition = {
  service: 'inventory',
  title: 'inventory',
  description: 'Locations, stock per SKU per location with ATP, reservations (all or nothing, never oversold), stock adjustments and stock-level events.',
  defaultPort: 3001,
  variables: [EXPIRY_GRACE_SECONDS, EXPIRY_POLL_MS, REORDER_POINT_DEFAULT],
};

@Module({
  imports: [
    PlatformModule.forService({
      service: definition.service,
      entities: [Location, Stock, Reservation, Adjustment],
      migrations: [...messagingMigrations, inventoryMigration, reservationExpiryMigration, reorderPointsMigration, locationPromiseMigration, reservationTraceMigration],
      acceptsSource,
    }),
    LocationsModule,
    StockModule,
    ReservationsModule,
    AdjustmentsModule,
    ReplenishmentModule,
  ],
})
export class AppModule {}
