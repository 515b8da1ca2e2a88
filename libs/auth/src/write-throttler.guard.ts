import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { AuthenticatedRequest } from './access.decorator';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Limits writes per token (per caller's role and subject), after AccessGuard has named the caller; reads are not limited. */
@Injectable()
export class WriteThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, any>): Promise<string> {
    const { principal } = request as AuthenticatedRequest;
    return principal ? `${principal.role}:${principal.sub}` : `ip:${request.ip}`;
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return READS.has(context.switchToHttp().getRequest<AuthenticatedRequest>().method);
  }
}
