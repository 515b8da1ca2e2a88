import { randomBytes } from 'node:crypto';

// Tests run as production would (no FIL_ENV=development): services need a real secret, which
// every test process and the services it starts share.
process.env.FIL_JWT_SECRET ??= randomBytes(32).toString('hex');
