import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Env } from '@fil/config';
import { FIL_ENV, JWT_ALGORITHM, JWT_AUDIENCE, JWT_CLOCK_SKEW_SECONDS, JWT_ISSUER, JWT_PUBLIC_KEY, JWT_PUBLIC_KEY_FILE, JWT_SECRET, type TokenAlgorithm } from './auth-variables';

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

/** Refuses at start what would make tokens forgeable or unverifiable, naming the variable. */
export function tokenConfig(env: Env = process.env): TokenConfig {
  const development = FIL_ENV.read(env) === 'development';
  const algorithm = JWT_ALGORITHM.read(env);
  return {
    algorithm,
    key: algorithm === 'HS256' ? sharedSecret(env, development) : publicKey(env, algorithm),
    issuer: JWT_ISSUER.read(env),
    audience: JWT_AUDIENCE.read(env),
    clockSkewSeconds: JWT_CLOCK_SKEW_SECONDS.read(env),
    development,
  };
}

function sharedSecret(env: Env, development: boolean): string {
  const secret = JWT_SECRET.read(env);
  if (!secret) {
    if (development) return DEVELOPMENT_SECRET;
    throw new Error('FIL_JWT_SECRET must be set (at least 32 bytes) with FIL_JWT_ALGORITHM=HS256; FIL_ENV=development allows the public development secret');
  }
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) throw new Error(`FIL_JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes long`);
  if (secret === DEVELOPMENT_SECRET && !development) throw new Error('FIL_JWT_SECRET is the public development secret: set your own outside FIL_ENV=development');
  return secret;
}

function publicKey(env: Env, algorithm: TokenAlgorithm): string {
  const file = JWT_PUBLIC_KEY_FILE.read(env);
  let pem = JWT_PUBLIC_KEY.read(env);
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
