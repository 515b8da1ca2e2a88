import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { jwtSecret } from './staff-token';
import { StaffGuard } from './staff.guard';

/** Verifies staff tokens with the configured secret; import it where @StaffOnly() is used. */
@Module({
  imports: [JwtModule.registerAsync({ useFactory: () => ({ secret: jwtSecret(), verifyOptions: { algorithms: ['HS256'] } }) })],
  providers: [StaffGuard],
  exports: [StaffGuard, JwtModule],
})
export class AuthModule {}
