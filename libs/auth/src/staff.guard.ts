import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { STAFF_ROLES, type StaffClaims } from './staff-token';

/** The staff member a request acts for, set by StaffGuard. */
export interface StaffRequest {
  headers: Record<string, string | string[] | undefined>;
  staff?: StaffClaims;
}

/**
 * Every staff endpoint: a bearer JWT signed with HS256 (and only HS256: a token cannot
 * pick its own algorithm), not expired, with a known role and, for staff, the locations
 * they work at. 401 when the token is missing or not valid, 403 when its claims do not
 * allow staff work. Where a request acts is checked by `mayActAt`, once the location is known.
 */
@Injectable()
export class StaffGuard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<StaffRequest>();
    const header = request.headers.authorization;
    const token = typeof header === 'string' && /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token) throw new UnauthorizedException('a bearer token is required: Authorization: Bearer <jwt>');
    let claims: Record<string, unknown>;
    try {
      claims = await this.jwt.verifyAsync(token, { algorithms: ['HS256'] });
    } catch (error) {
      const { name, message, expiredAt } = error as { name?: string; message: string; expiredAt?: Date };
      if (name === 'TokenExpiredError') throw new UnauthorizedException(`the token expired at ${expiredAt?.toISOString()}`);
      throw new UnauthorizedException(`the token is not valid: ${message}`);
    }
    const { sub, role, locations } = claims;
    if (typeof sub !== 'string' || !STAFF_ROLES.includes(role as never)) {
      throw new ForbiddenException(`the token's role must be one of ${STAFF_ROLES.join(', ')}`);
    }
    if (role === 'staff' && !(Array.isArray(locations) && locations.every((id) => typeof id === 'string'))) {
      throw new ForbiddenException("a staff token must list the staff member's locations");
    }
    request.staff = { sub, role: role as StaffClaims['role'], locations: locations as string[] | undefined };
    return true;
  }
}

/** Whether the staff member may act at one of `locationIds`: admins anywhere, staff at their own locations. */
export function mayActAt(staff: StaffClaims, ...locationIds: (string | null | undefined)[]): boolean {
  return staff.role === 'admin' || locationIds.some((id) => !!id && staff.locations!.includes(id));
}

/** 403 unless the staff member may act at one of `locationIds`. */
export function assertMayActAt(staff: StaffClaims, what: string, ...locationIds: (string | null | undefined)[]): void {
  if (!mayActAt(staff, ...locationIds)) {
    throw new ForbiddenException(`${staff.sub} may not act on ${what}: it belongs to ${locationIds.filter(Boolean).join(' / ')}, not to ${staff.locations!.join(', ') || 'any of their locations'}`);
  }
}
