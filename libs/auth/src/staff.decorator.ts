import { applyDecorators, createParamDecorator, UseGuards, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { StaffGuard, type StaffRequest } from './staff.guard';

/** Marks a controller or route as staff-only, in code and in the OpenAPI document. */
export function StaffOnly() {
  return applyDecorators(
    UseGuards(StaffGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No bearer token, a bad signature, or an expired token' }),
    ApiForbiddenResponse({ description: "The token's role or locations do not allow this" }),
  );
}

/** The staff member the request acts for (set by StaffGuard). */
export const Staff = createParamDecorator((_: unknown, context: ExecutionContext) => context.switchToHttp().getRequest<StaffRequest>().staff!);
