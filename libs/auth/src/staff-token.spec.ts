import { JwtService } from '@nestjs/jwt';
import { DEVELOPMENT_SECRET, jwtSecret, signStaffToken } from './staff-token';

describe('staff tokens', () => {
  it('signs HS256 tokens carrying the claims and an expiry', () => {
    const token = signStaffToken({ sub: 'alice', role: 'staff', locations: ['ST-1'] }, { secret: 's3cret', expiresInSeconds: 60, now: 1_700_000_000_000 });
    const [header] = token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = new JwtService({ secret: 's3cret' }).verify(token, { algorithms: ['HS256'], ignoreExpiration: true });
    expect(claims).toEqual({ sub: 'alice', role: 'staff', locations: ['ST-1'], iat: 1_700_000_000, exp: 1_700_000_060 });
  });

  it('uses FIL_JWT_SECRET, the development default outside production, and refuses to run without one in production', () => {
    expect(jwtSecret({ FIL_JWT_SECRET: 'configured' })).toBe('configured');
    expect(jwtSecret({})).toBe(DEVELOPMENT_SECRET);
    expect(() => jwtSecret({ NODE_ENV: 'production' })).toThrow(/FIL_JWT_SECRET must be set in production/);
  });
});
