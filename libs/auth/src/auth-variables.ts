import { filePath, integer, oneOf, text } from '@fil/config';

export const TOKEN_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export type TokenAlgorithm = (typeof TOKEN_ALGORITHMS)[number];

export const FIL_ENV = oneOf('FIL_ENV', ['development', 'production'], 'production', 'development allows the public development secret; unset means production.');
export const JWT_ALGORITHM = oneOf('FIL_JWT_ALGORITHM', TOKEN_ALGORITHMS, 'HS256', 'How bearer tokens are signed: HS256 with FIL_JWT_SECRET, RS256 or ES256 with the identity provider\'s public key.');
export const JWT_SECRET = text('FIL_JWT_SECRET', undefined, 'The HS256 shared secret; required unless FIL_ENV=development.', {
  secret: true,
  accepts: 'text of at least 32 bytes',
});
export const JWT_PUBLIC_KEY = text('FIL_JWT_PUBLIC_KEY', undefined, 'The identity provider\'s public key (PEM) for RS256 or ES256.', { accepts: 'a PEM public key' });
export const JWT_PUBLIC_KEY_FILE = filePath('FIL_JWT_PUBLIC_KEY_FILE', 'A file holding that public key, instead of FIL_JWT_PUBLIC_KEY.');
export const JWT_ISSUER = text('FIL_JWT_ISSUER', undefined, 'When set, tokens must carry this iss.');
export const JWT_AUDIENCE = text('FIL_JWT_AUDIENCE', undefined, 'When set, tokens must carry this aud.');
export const JWT_CLOCK_SKEW_SECONDS = integer('FIL_JWT_CLOCK_SKEW_SECONDS', { min: 0, max: 300, unit: 'seconds', fallback: 30 }, 'Leeway on a token\'s exp and nbf.');
export const WRITE_RATE_LIMIT = integer('FIL_WRITE_RATE_LIMIT', { min: 1, max: 9_999_999, unit: 'writes per token per minute', fallback: 1200 }, 'Writes one token may make per minute; more get 429.');

export const authVariables = [FIL_ENV, JWT_ALGORITHM, JWT_SECRET, JWT_PUBLIC_KEY, JWT_PUBLIC_KEY_FILE, JWT_ISSUER, JWT_AUDIENCE, JWT_CLOCK_SKEW_SECONDS, WRITE_RATE_LIMIT];
