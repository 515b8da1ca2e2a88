import { Module, type DynamicModule } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AuthModule } from '@fil/auth';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { MessagingModule, type MessageConsumerOptions } from '@fil/messaging';
import { ormOptions, type ServiceDatabase } from '@fil/persistence';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { Sweepers } from './sweeper';

/** A service's database, and the contract's rule of which sources may write each topic it consumes. */
export interface PlatformOptions extends ServiceDatabase, Pick<MessageConsumerOptions, 'acceptsSource'> {}

/** What every Fil service has: its own database, messaging with outbox and DLQ, every route behind a role, deadline sweeps, /health and /metrics. */
@Module({})
export class PlatformModule {
  static forService({ acceptsSource, ...db }: PlatformOptions): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [
        // Options are built at start, not at import, so FIL_DB_PREFIX set by a test still applies.
        MikroOrmModule.forRootAsync({ useFactory: () => ormOptions(db), driver: PostgreSqlDriver }),
        MessagingModule.forService(db.service, { acceptsSource }),
        AuthModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [Sweepers],
      exports: [Sweepers],
    };
  }
}
