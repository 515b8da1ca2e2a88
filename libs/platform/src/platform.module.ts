import { Module, type DynamicModule } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { AuthModule } from '@fil/auth';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { MessagingModule } from '@fil/messaging';
import { ormOptions, type ServiceDatabase } from '@fil/persistence';
import { HealthController } from './health.controller';

/** What every Fil service has: its own database, messaging with outbox and DLQ, every route behind a role, and /health. */
@Module({})
export class PlatformModule {
  static forService(db: ServiceDatabase): DynamicModule {
    return {
      module: PlatformModule,
      imports: [
        // Options are built at start, not at import, so FIL_DB_PREFIX set by a test still applies.
        MikroOrmModule.forRootAsync({ useFactory: () => ormOptions(db), driver: PostgreSqlDriver }),
        MessagingModule.forService(db.service),
        AuthModule,
      ],
      controllers: [HealthController],
    };
  }
}
