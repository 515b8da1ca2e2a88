// Bearer tokens and HTTP hardening against a real service (inventory, in process): what is
// refused, in our own words, and what stops a service from starting.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { signToken, tokenConfig } from '@fil/auth';
import { databaseName, dropDatabase } from '@fil/persistence';
import { http, startService, useTestEnvironment } from '@fil/testing';

useTestEnvironment('tokens');
jest.setTimeout(120_000);
process.env.FIL_JWT_ISSUER = 'https://idp.example.test';
process.env.FIL_JWT_AUDIENCE = 'fil';
process.env.FIL_WRITE_RATE_LIMIT = '20';

const SECRET = process.env.FIL_JWT_SECRET!;
const claims = { sub: 'ops-1', role: 'ops', iss: 'https://idp.example.test', aud: 'fil' };
const now = () => Math.floor(Date.now() / 1000);
const jwt = new JwtService();
const unsigned = (payload: object) => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: typeof rsa.publicKey) => key.export({ type: 'spki', format: 'pem' }).toString();

let app: INestApplication;
let url: string;
const get = (token: string | null, path = '/locations') => http('GET', url + path, undefined, token);

beforeAll(async () => {
  const { AppModule, definition } = await import('../apps/inventory/src/app.module');
  ({ app, url } = await startService(AppModule, definition));
});

afterAll(async () => {
  await app?.close();
  await dropDatabase(databaseName('inventory'));
});

describe('HS256 tokens with an issuer and an audience configured', () => {
  it('admits a token signed with the secret, for the issuer and audience, not expired', async () => {
    expect((await get(signToken({ sub: 'ops-1', role: 'ops' }))).status).toBe(200);
    expect((await get(jwt.sign({ ...claims, exp: now() - 10 }, { secret: SECRET }))).status).toBe(200);
  });

  it.each([
    ['no token', null, 'a bearer token is required: Authorization: Bearer <jwt>'],
    ['a header that is not a JWT', 'not-a-jwt', 'a bearer token is required: Authorization: Bearer <jwt>'],
    ['a forged signature', jwt.sign({ ...claims, exp: now() + 60 }, { secret: 'another-secret-of-at-least-32-bytes!' }), 'the token is not valid: bad signature, algorithm or format'],
    ['alg: none', unsigned({ ...claims, exp: now() + 60 }), 'the token is not valid: bad signature, algorithm or format'],
    ['another HMAC algorithm with the right secret', jwt.sign({ ...claims, exp: now() + 60 }, { secret: SECRET, algorithm: 'HS512' }), 'the token is not valid: bad signature, algorithm or format'],
    ['RS256 from a key the service does not know', jwt.sign({ ...claims, exp: now() + 60 }, { privateKey: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }), algorithm: 'RS256' }), 'the token is not valid: bad signature, algorithm or format'],
    ['an expired token, beyond the clock skew', jwt.sign({ ...claims, exp: now() - 120 }, { secret: SECRET }), 'the token has expired'],
    ['a token not valid yet', jwt.sign({ ...claims, nbf: now() + 600, exp: now() + 900 }, { secret: SECRET }), 'the token is not valid yet'],
    ['no exp', jwt.sign(claims, { secret: SECRET }), 'the token must carry an expiry (exp)'],
    ['another audience', jwt.sign({ ...claims, aud: 'billing', exp: now() + 60 }, { secret: SECRET }), 'the token is not meant for this audience'],
    ['another issuer', jwt.sign({ ...claims, iss: 'https://evil.example', exp: now() + 60 }, { secret: SECRET }), 'the token was not issued by the configured issuer'],
    ['no subject', jwt.sign({ ...claims, sub: undefined, exp: now() + 60 }, { secret: SECRET }), 'the token must name its subject (sub)'],
  ])('refuses %s with 401 in its own words', async (_, token, message) => {
    expect(await get(token)).toEqual({ status: 401, body: { statusCode: 401, error: 'Unauthorized', message } });
  });

  it.each([
    ['an unknown role', { ...claims, role: 'customer' }, "the token's role must be one of admin, ops, staff, channel"],
    ['staff without locations', { ...claims, role: 'staff' }, 'a staff token must list its locations'],
    ['a channel account without channels', { ...claims, role: 'channel' }, 'a channel token must list its channels'],
  ])('refuses a genuine token with %s (403)', async (_, payload, message) => {
    expect(await get(jwt.sign({ ...payload, exp: now() + 60 }, { secret: SECRET }))).toEqual({ status: 403, body: { statusCode: 403, error: 'Forbidden', message } });
  });
});

describe('RS256 tokens from an identity provider', () => {
  let rs: { app: INestApplication; url: string };

  beforeAll(async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { FIL_JWT_ALGORITHM: 'RS256', FIL_JWT_PUBLIC_KEY: pem(rsa.publicKey) });
    const { AppModule, definition } = await import('../apps/inventory/src/app.module');
    rs = await startService(AppModule, definition).finally(() => (process.env = saved));
  });

  afterAll(() => rs?.app.close());

  it("admits the provider's RS256 tokens and refuses HS256 signed with its public key and ES256", async () => {
    const privateKey = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' });
    const valid = jwt.sign({ ...claims, exp: now() + 60 }, { privateKey, algorithm: 'RS256' });
    expect((await http('GET', `${rs.url}/locations`, undefined, valid)).status).toBe(200);
    // The classic confusion: the public key is public, so an HS256 token keyed with it must not pass.
    const confused = jwt.sign({ ...claims, exp: now() + 60 }, { secret: pem(rsa.publicKey), algorithm: 'HS256' });
    const ecSigned = jwt.sign({ ...claims, exp: now() + 60 }, { privateKey: ec.privateKey.export({ type: 'pkcs8', format: 'pem' }), algorithm: 'ES256' });
    for (const token of [confused, ecSigned, signToken({ sub: 'ops-1', role: 'ops' }, { config: { ...tokenConfig(), key: SECRET } })]) {
      expect((await http('GET', `${rs.url}/locations`, undefined, token)).status).toBe(401);
    }
  });
});

describe('HTTP hardening', () => {
  const ops = () => signToken({ sub: `ops-${Math.random()}`, role: 'ops' });

  it('refuses a body above the limit with 413 before reading it, as JSON without a stack, and logs no error for it', async () => {
    const huge = { name: 'x'.repeat(70_000), type: 'STORE', lat: 0, lng: 0, ship: true, pickup: false, reserve: false };
    const written = jest.spyOn(process.stdout, 'write');
    const { status, body } = await http('PUT', `${url}/locations/big`, huge, ops());
    const errors = written.mock.calls.map(([line]) => String(line)).filter((line) => line.includes('"level":"error"'));
    written.mockRestore();
    expect(status).toBe(413);
    expect(body).toEqual({ message: 'request entity too large: the body may be at most 65536 bytes', error: 'Payload Too Large', statusCode: 413 });
    expect(JSON.stringify(body)).not.toMatch(/at .*\.js|node_modules|stack/i);
    expect(errors).toEqual([]);
    expect((await get(signToken({ sub: 'ops-1', role: 'ops' }), '/locations/big')).status).toBe(404);
  });

  it('sets security headers on every answer', async () => {
    const response = await fetch(`${url}/health`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('limits writes per token (429 with Retry-After) while other tokens and reads go on', async () => {
    const busy = ops();
    const location = { name: 'Busy', type: 'STORE', lat: 0, lng: 0, ship: true, pickup: false, reserve: false };
    const statuses: number[] = [];
    for (let i = 0; i < 22; i += 1) statuses.push((await http('PUT', `${url}/locations/busy-${i}`, location, busy)).status);
    expect(statuses.slice(0, 20).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    const limited = await fetch(`${url}/locations/busy-x`, { method: 'PUT', headers: { authorization: `Bearer ${busy}`, 'content-type': 'application/json' }, body: JSON.stringify(location) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await get(busy)).status).toBe(200);
    expect((await http('PUT', `${url}/locations/busy-other`, location, ops())).status).toBe(200);
  });
});

describe('start-up', () => {
  const start = (env: Record<string, string | undefined>) => {
    const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/inventory/src/main.ts'], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, INVENTORY_PORT: '0', FIL_JWT_ISSUER: '', FIL_JWT_AUDIENCE: '', FIL_WRITE_RATE_LIMIT: '', ...env } as NodeJS.ProcessEnv,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: result.status, output: `${result.stdout}${result.stderr}` };
  };

  it.each([
    ['no secret outside development', { FIL_JWT_SECRET: '' }, 'FIL_JWT_SECRET must be set (at least 32 bytes)'],
    ['a short secret', { FIL_JWT_SECRET: 'too-short' }, 'FIL_JWT_SECRET must be at least 32 bytes long'],
    ['the public development secret outside development', { FIL_JWT_SECRET: 'fil-development-secret-not-for-production' }, 'FIL_JWT_SECRET is the public development secret'],
    ['an unknown algorithm', { FIL_JWT_ALGORITHM: 'none' }, "FIL_JWT_ALGORITHM: 'none' is not one of HS256, RS256, ES256"],
    ['RS256 without a public key', { FIL_JWT_ALGORITHM: 'RS256' }, 'FIL_JWT_PUBLIC_KEY (or FIL_JWT_PUBLIC_KEY_FILE) must hold a PEM public key'],
    ['ES256 with an RSA key', { FIL_JWT_ALGORITHM: 'ES256', FIL_JWT_PUBLIC_KEY: pem(rsa.publicKey) }, 'FIL_JWT_PUBLIC_KEY: ES256 needs an EC key, this one is rsa'],
    ['a rate limit that is not a number', { FIL_WRITE_RATE_LIMIT: 'lots' }, "FIL_WRITE_RATE_LIMIT: 'lots' is not an integer from 1 to 9999999 (writes per token per minute)"],
    ['an unknown FIL_ENV', { FIL_ENV: 'staging' }, "FIL_ENV: 'staging' is not one of development, production"],
  ])('refuses to start with %s, naming the variable', (_, env, message) => {
    const { code, output } = start(env);
    expect(code).toBe(1);
    expect(output).toContain(message);
  });
});
