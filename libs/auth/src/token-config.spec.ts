import { generateKeyPairSync } from 'node:crypto';
import { DEVELOPMENT_SECRET, tokenConfig } from './token-config';

const SECRET = 'a-secret-of-exactly-thirty-two-b';

describe('token configuration', () => {
  it('defaults to production: HS256 with the configured secret, 30 s of clock skew, no issuer or audience', () => {
    expect(tokenConfig({ FIL_JWT_SECRET: SECRET })).toEqual({ algorithm: 'HS256', key: SECRET, issuer: undefined, audience: undefined, clockSkewSeconds: 30, development: false });
  });

  it('uses the public development secret only when development is asked for', () => {
    expect(tokenConfig({ FIL_ENV: 'development' })).toMatchObject({ key: DEVELOPMENT_SECRET, development: true });
    expect(() => tokenConfig({})).toThrow(/FIL_JWT_SECRET must be set/);
    expect(() => tokenConfig({ FIL_ENV: 'production', FIL_JWT_SECRET: DEVELOPMENT_SECRET })).toThrow(/public development secret/);
  });

  it('counts the secret in bytes and bounds the clock skew', () => {
    expect(() => tokenConfig({ FIL_JWT_SECRET: SECRET.slice(1) })).toThrow(/at least 32 bytes/);
    expect(tokenConfig({ FIL_JWT_SECRET: 'é'.repeat(16) }).key).toHaveLength(16);
    expect(tokenConfig({ FIL_JWT_SECRET: SECRET, FIL_JWT_CLOCK_SKEW_SECONDS: '300' }).clockSkewSeconds).toBe(300);
    for (const skew of ['301', '-1', '1.5', 'soon']) {
      expect(() => tokenConfig({ FIL_JWT_SECRET: SECRET, FIL_JWT_CLOCK_SKEW_SECONDS: skew })).toThrow(/FIL_JWT_CLOCK_SKEW_SECONDS/);
    }
  });

  it('takes an RSA public key for RS256 and an EC one for ES256, and nothing else', () => {
    const pem = (type: 'rsa' | 'ec') =>
      (type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' })).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(tokenConfig({ FIL_JWT_ALGORITHM: 'RS256', FIL_JWT_PUBLIC_KEY: pem('rsa') }).algorithm).toBe('RS256');
    expect(tokenConfig({ FIL_JWT_ALGORITHM: 'ES256', FIL_JWT_PUBLIC_KEY: pem('ec') }).algorithm).toBe('ES256');
    expect(() => tokenConfig({ FIL_JWT_ALGORITHM: 'RS256', FIL_JWT_PUBLIC_KEY: pem('ec') })).toThrow(/RS256 needs an RSA key, this one is ec/);
    expect(() => tokenConfig({ FIL_JWT_ALGORITHM: 'RS256', FIL_JWT_PUBLIC_KEY_FILE: '/nonexistent.pem' })).toThrow(/FIL_JWT_PUBLIC_KEY_FILE: cannot read/);
    expect(() => tokenConfig({ FIL_JWT_ALGORITHM: 'HS512', FIL_JWT_SECRET: SECRET })).toThrow("FIL_JWT_ALGORITHM: 'HS512' is not one of HS256, RS256, ES256");
  });
});
