import { randomBytes } from 'node:crypto';

// Tests run as production would (no FIL_ENV=development): services need a real secret, which
// every test process and the services it starts share.
process.env.FIL_JWT_SECRET ??= randomBytes(32).toString('hex');
// Every test file makes its own topics on the shared broker: at 12 partitions their leaders came too late on a busy machine ("not the leader").
process.env.FIL_KAFKA_PARTITIONS ??= '4';
