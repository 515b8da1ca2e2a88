import { JwtService } from '@nestjs/jwt';

export const STAFF_ROLES = ['staff', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The claims of a staff token (PRODUCT.md): who, which role, and for staff, where. */
export interface StaffClaims {
  sub: string;
  role: StaffRole;
  /** The location ids a `staff` member may act on; admins act on all. */
  locations?: string[];
}

/**
 * The development default: anyone can read it here, so it only ever signs tokens on a
 * developer's machine. A service started with NODE_ENV=production refuses to run on it.
 */
export const DEVELOPMENT_SECRET = 'fil-development-secret-not-for-production';

/** FIL_JWT_SECRET, or the development default outside production. */
export function jwtSecret(env = process.env): string {
  const secret = env.FIL_JWT_SECRET;
  if (secret) return secret;
  if (env.NODE_ENV === 'production') throw new Error('FIL_JWT_SECRET must be set in production: staff tokens would be forgeable');
  return DEVELOPMENT_SECRET;
}

/**
 * Signs an HS256 token for `claims`, valid `expiresInSeconds` from `now`. For `npm start`
 * (printed tokens), tests and tools; the services only verify.
 */
export function signStaffToken(claims: StaffClaims, { secret = jwtSecret(), expiresInSeconds = 8 * 3600, now = Date.now() } = {}): string {
  const iat = Math.floor(now / 1000);
  return new JwtService({ secret }).sign({ ...claims, iat, exp: iat + expiresInSeconds }, { algorithm: 'HS256' });
}
