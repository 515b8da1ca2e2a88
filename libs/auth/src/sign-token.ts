import { JwtService } from '@nestjs/jwt';
import type { Principal } from './roles';
import { tokenConfig } from './token-config';

/**
 * Signs an HS256 token for `claims`, valid `expiresInSeconds` from `now`, with the configured
 * secret, issuer and audience. For `npm start`'s printed tokens, tests and tools: the services only verify.
 */
export function signToken(claims: Principal, { expiresInSeconds = 8 * 3600, now = Date.now(), config = tokenConfig() } = {}): string {
  if (config.algorithm !== 'HS256') throw new Error(`tokens for ${config.algorithm} are signed by the identity provider, not by Fil`);
  const iat = Math.floor(now / 1000);
  const registered = { ...(config.issuer ? { iss: config.issuer } : {}), ...(config.audience ? { aud: config.audience } : {}) };
  return new JwtService({ secret: config.key }).sign({ ...claims, ...registered, iat, exp: iat + expiresInSeconds }, { algorithm: 'HS256' });
}
