import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiTooManyRequestsResponse, ApiUnauthorizedResponse, ApiSecurity } from '@nestjs/swagger';
import type { Principal, Role } from './roles';

export const ACCESS = 'fil:access';
/** A route's decision: the roles it admits, or open to anyone. A route without one is refused. */
export type AccessDecision = readonly Role[] | 'public';

/** Admits bearer tokens of these roles, in code and in the OpenAPI document. */
export function Access(...roles: Role[]) {
  return applyDecorators(
    SetMetadata(ACCESS, roles),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No bearer token, or one that is forged, expired, without exp, or for another issuer or audience' }),
    ApiForbiddenResponse({ description: `For ${roles.join(', ')} only` }),
    ApiTooManyRequestsResponse({ description: 'Too many writes with this token: retry after the Retry-After header' }),
  );
}

/** Open to anyone: health and docs. */
export function Public() {
  return applyDecorators(SetMetadata(ACCESS, 'public' satisfies AccessDecision), ApiSecurity({}));
}

/** The verified caller of the request (set by AccessGuard). */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<AuthenticatedRequest>().principal!);

export interface AuthenticatedRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}
