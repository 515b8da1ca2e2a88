// Prints a bearer token with the ops role for Prometheus to read /metrics (docs/deploy.md), signed
// with FIL_JWT_SECRET (HS256; with RS256 or ES256 the identity provider issues it instead).
import { signToken } from '@fil/auth';

const days = Number(process.env.FIL_SCRAPE_TOKEN_DAYS ?? 90);
if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error(`FIL_SCRAPE_TOKEN_DAYS must be a whole number of days from 1 to 366, not "${process.env.FIL_SCRAPE_TOKEN_DAYS}"`);
process.stdout.write(signToken({ sub: 'prometheus', role: 'ops' }, { expiresInSeconds: days * 86_400 }));
