// Prints development tokens for the demo network, one per role (npm start), and writes them to
// .local/staff-tokens.sh, to `source` before trying the endpoints with curl. They are signed with
// the configured secret (the public development one under FIL_ENV=development) and last 12 hours.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signToken, type Principal } from '@fil/auth';

const tokens: [variable: string, claims: Principal][] = [
  ['ADMIN_TOKEN', { sub: 'dev-admin', role: 'admin' }],
  ['OPS_TOKEN', { sub: 'dev-ops', role: 'ops' }],
  ['WAREHOUSE_TOKEN', { sub: 'picker-saint-priest', role: 'staff', locations: ['wh-saint-priest'] }],
  ['STORE_TOKEN', { sub: 'seller-lyon-part-dieu', role: 'staff', locations: ['store-lyon-part-dieu'] }],
  ['CHANNEL_TOKEN', { sub: 'web-shop', role: 'channel', channels: ['web', 'app'] }],
];
const signed = tokens.map(([variable, claims]) => [variable, claims, signToken(claims, { expiresInSeconds: 12 * 3600 })] as const);
const file = join(__dirname, '..', '.local', 'staff-tokens.sh');
mkdirSync(join(__dirname, '..', '.local'), { recursive: true });
writeFileSync(file, `${signed.map(([variable, , token]) => `export ${variable}=${token}`).join('\n')}\n`, { mode: 0o600 });
console.log('Development tokens (12 h), also in .local/staff-tokens.sh (`source` it):');
for (const [variable, { role, locations, channels }, token] of signed) {
  const scope = locations ? ` at ${locations.join(', ')}` : channels ? ` for ${channels.join(', ')}` : '';
  console.log(`  ${variable} (${role}${scope}):\n    ${token}`);
}
