import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { setting } from '@fil/config';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessGuard } from './access.guard';
import { WRITE_RATE_LIMIT } from './auth-variables';
import { TokenVerifier } from './token-verifier';
import { WriteThrottlerGuard } from './write-throttler.guard';

/** Every route behind AccessGuard, then writes limited per token; the order of the guards matters. */
@Global()
@Module({
  imports: [ThrottlerModule.forRootAsync({ useFactory: () => ({ throttlers: [{ ttl: 60_000, limit: setting(WRITE_RATE_LIMIT) }] }) })],
  providers: [
    { provide: TokenVerifier, useFactory: () => new TokenVerifier() },
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_GUARD, useClass: WriteThrottlerGuard },
  ],
})
export class AuthModule {}
