import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ROLES, type Principal, type Role } from './roles';
import { tokenConfig, type TokenConfig } from './token-config';

/**
 * Verifies bearer tokens with the one algorithm configured (a token cannot choose its
 * own, `none` included), requires `exp` (outside FIL_ENV=development, where a token with
 * only PRODUCT.md's claims is enough), checks `iss` and `aud` when configured. Every
 * refusal is a 401 in our own words: the library's messages are not part of the API.
 */
export class TokenVerifier {
  private readonly jwt = new JwtService();

  constructor(private readonly config: TokenConfig = tokenConfig()) {}

  async verify(token: string): Promise<Principal> {
    const { algorithm, key, issuer, audience, clockSkewSeconds } = this.config;
    let claims: Record<string, unknown>;
    try {
      claims = await this.jwt.verifyAsync(token, {
        algorithms: [algorithm],
        ...(algorithm === 'HS256' ? { secret: key } : { publicKey: key }),
        issuer,
        audience,
        clockTolerance: clockSkewSeconds,
      });
    } catch (error) {
      throw new UnauthorizedException(refusal(error as { name?: string; message?: string }));
    }
    if (claims.exp === undefined && !this.config.development) throw new UnauthorizedException('the token must carry an expiry (exp)');
    return principalOf(claims);
  }
}

function refusal({ name, message = '' }: { name?: string; message?: string }): string {
  if (name === 'TokenExpiredError') return 'the token has expired';
  if (name === 'NotBeforeError') return 'the token is not valid yet';
  if (/audience/.test(message)) return 'the token is not meant for this audience';
  if (/issuer/.test(message)) return 'the token was not issued by the configured issuer';
  return 'the token is not valid: bad signature, algorithm or format';
}

/** The claims a role needs: a genuine token without them is refused (403) rather than half-trusted. */
function principalOf({ sub, role, locations, channels }: Record<string, unknown>): Principal {
  if (typeof sub !== 'string' || !sub) throw new UnauthorizedException('the token must name its subject (sub)');
  if (!ROLES.includes(role as Role)) throw new ForbiddenException(`the token's role must be one of ${ROLES.join(', ')}`);
  if (role === 'staff' && !isIdList(locations)) throw new ForbiddenException('a staff token must list its locations');
  if (role === 'channel' && !isIdList(channels)) throw new ForbiddenException('a channel token must list its channels');
  return { sub, role: role as Role, ...(role === 'staff' ? { locations: locations as string[] } : {}), ...(role === 'channel' ? { channels: channels as string[] } : {}) };
}

const isIdList = (value: unknown) => Array.isArray(value) && value.every((item) => typeof item === 'string' && item.length > 0);
