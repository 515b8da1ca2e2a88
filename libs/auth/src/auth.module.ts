import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessGuard } from './access.guard';
import { TokenVerifier } from './token-verifier';
import { WriteThrottlerGuard } from './write-throttler.guard';

/** Writes per token per minute unless FIL_WRITE_RATE_LIMIT says otherwise. */
const DEFAULT_WRITES_PER_MINUTE = 1200;

/** Every route behind AccessGuard, then writes limited per token; the order of the guards matters. */
@Global()
@Module({
  imports: [ThrottlerModule.forRootAsync({ useFactory: () => ({ throttlers: [{ ttl: 60_000, limit: writesPerMinute() }] }) })],
  providers: [
    { provide: TokenVerifier, useFactory: () => new TokenVerifier() },
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_GUARD, useClass: WriteThrottlerGuard },
  ],
})
export class AuthModule {}

export function writesPerMinute(env: Record<string, string | undefined> = process.env): number {
  const value = env.FIL_WRITE_RATE_LIMIT || String(DEFAULT_WRITES_PER_MINUTE);
  if (!/^[1-9]\d{0,6}$/.test(value)) throw new Error(`FIL_WRITE_RATE_LIMIT must be a positive whole number of writes per token per minute, not "${value}"`);
  return Number(value);
}
