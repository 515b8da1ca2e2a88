import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ACCESS, type AccessDecision, type AuthenticatedRequest } from './access.decorator';
import { TokenVerifier } from './token-verifier';

/**
 * Every HTTP route of every service: public, or a bearer token of one of its roles
 * (401 without a valid token, 403 for another role). Secure by default: a route nobody
 * decided on is refused, and the route-matrix test names it.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<AccessDecision | undefined>(ACCESS, [context.getHandler(), context.getClass()]);
    if (access === 'public') return true;
    if (!access) throw new ForbiddenException('this endpoint has no access decision yet');
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const token = typeof header === 'string' && /^Bearer +([\w-]+\.[\w-]*\.[\w-]*)$/i.exec(header)?.[1];
    if (!token) throw new UnauthorizedException('a bearer token is required: Authorization: Bearer <jwt>');
    request.principal = await this.verifier.verify(token);
    if (!access.includes(request.principal.role)) throw new ForbiddenException(`the ${request.principal.role} role may not use this endpoint`);
    return true;
  }
}
