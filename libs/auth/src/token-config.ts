import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const TOKEN_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export type TokenAlgorithm = (typeof TOKEN_ALGORITHMS)[number];

/** How bearer tokens are verified, read once at start from the environment (docs/security.md). */
export interface TokenConfig {
  algorithm: TokenAlgorithm;
  /** HS256: the shared secret; RS256 and ES256: the identity provider's public key (PEM). */
  key: string;
  issuer?: string;
  audience?: string;
  clockSkewSeconds: number;
  development: boolean;
}

/** Public on purpose: it signs tokens on a developer's machine only, never outside FIL_ENV=development. */
export const DEVELOPMENT_SECRET = 'fil-development-secret-not-for-production';

export const MIN_SECRET_BYTES = 32;
const MAX_CLOCK_SKEW_SECONDS = 300;

/** Refuses at start what would make tokens forgeable or unverifiable, naming the variable. */
export function tokenConfig(env: Record<string, string | undefined> = process.env): TokenConfig {
  if (env.FIL_ENV !== undefined && !['development', 'production'].includes(env.FIL_ENV)) {
    throw new Error(`FIL_ENV must be development or production (unset means production), not "${env.FIL_ENV}"`);
  }
  const development = env.FIL_ENV === 'development';
  const algorithm = (env.FIL_JWT_ALGORITHM ?? 'HS256') as TokenAlgorithm;
  if (!TOKEN_ALGORITHMS.includes(algorithm)) {
    throw new Error(`FIL_JWT_ALGORITHM must be one of ${TOKEN_ALGORITHMS.join(', ')}, not "${algorithm}"`);
  }
  const skew = env.FIL_JWT_CLOCK_SKEW_SECONDS ?? '30';
  if (!/^\d+$/.test(skew) || Number(skew) > MAX_CLOCK_SKEW_SECONDS) {
    throw new Error(`FIL_JWT_CLOCK_SKEW_SECONDS must be a whole number of seconds from 0 to ${MAX_CLOCK_SKEW_SECONDS}, not "${skew}"`);
  }
  return {
    algorithm,
    key: algorithm === 'HS256' ? sharedSecret(env, development) : publicKey(env, algorithm),
    issuer: env.FIL_JWT_ISSUER || undefined,
    audience: env.FIL_JWT_AUDIENCE || undefined,
    clockSkewSeconds: Number(skew),
    development,
  };
}

function sharedSecret(env: Record<string, string | undefined>, development: boolean): string {
  const secret = env.FIL_JWT_SECRET;
  if (!secret) {
    if (development) return DEVELOPMENT_SECRET;
    throw new Error('FIL_JWT_SECRET must be set (at least 32 bytes) with FIL_JWT_ALGORITHM=HS256; FIL_ENV=development allows the public development secret');
  }
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) throw new Error(`FIL_JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes long`);
  if (secret === DEVELOPMENT_SECRET && !development) throw new Error('FIL_JWT_SECRET is the public development secret: set your own outside FIL_ENV=development');
  return secret;
}

function publicKey(env: Record<string, string | undefined>, algorithm: TokenAlgorithm): string {
  const file = env.FIL_JWT_PUBLIC_KEY_FILE;
  let pem = env.FIL_JWT_PUBLIC_KEY;
  if (!pem && file) {
    try {
      pem = readFileSync(file, 'utf8');
    } catch {
      throw new Error(`FIL_JWT_PUBLIC_KEY_FILE: cannot read ${file}`);
    }
  }
  if (!pem?.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new Error(`FIL_JWT_PUBLIC_KEY (or FIL_JWT_PUBLIC_KEY_FILE) must hold a PEM public key with FIL_JWT_ALGORITHM=${algorithm}`);
  }
  const expected = algorithm === 'RS256' ? 'rsa' : 'ec';
  let actual: string | undefined;
  try {
    actual = createPublicKey(pem).asymmetricKeyType;
  } catch {
    throw new Error('FIL_JWT_PUBLIC_KEY: not a readable PEM public key');
  }
  if (actual !== expected) throw new Error(`FIL_JWT_PUBLIC_KEY: ${algorithm} needs an ${expected.toUpperCase()} key, this one is ${actual}`);
  return pem;
}
