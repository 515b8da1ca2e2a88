import { JwtService } from '@nestjs/jwt';
import { tokenConfig } from './token-config';
import { TokenVerifier } from './token-verifier';

const SECRET = 'a-secret-of-exactly-thirty-two-b';
const jwt = new JwtService();
const withoutExp = jwt.sign({ sub: 'admin-1', role: 'admin' }, { secret: SECRET });

describe('a token without exp', () => {
  it('is refused in production', async () => {
    await expect(new TokenVerifier(tokenConfig({ FIL_JWT_SECRET: SECRET })).verify(withoutExp)).rejects.toThrow('the token must carry an expiry (exp)');
  });

  it('is admitted under FIL_ENV=development, where a client may send only the claims PRODUCT.md names', async () => {
    const verifier = new TokenVerifier(tokenConfig({ FIL_ENV: 'development', FIL_JWT_SECRET: SECRET }));
    await expect(verifier.verify(withoutExp)).resolves.toEqual({ sub: 'admin-1', role: 'admin' });
    const expired = jwt.sign({ sub: 'admin-1', role: 'admin', exp: Math.floor(Date.now() / 1000) - 120 }, { secret: SECRET });
    await expect(verifier.verify(expired)).rejects.toThrow('the token has expired');
  });
});
