// Prints development staff tokens for the demo network (npm start) and writes them to
// .local/staff-tokens.sh, to `source` before trying the staff endpoints with curl. They are
// signed with FIL_JWT_SECRET, or the documented development default, and last 12 hours.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signStaffToken, type StaffClaims } from '@fil/auth';

const tokens: [variable: string, claims: StaffClaims][] = [
  ['ADMIN_TOKEN', { sub: 'ops-admin', role: 'admin' }],
  ['WAREHOUSE_TOKEN', { sub: 'picker-saint-priest', role: 'staff', locations: ['wh-saint-priest'] }],
  ['STORE_TOKEN', { sub: 'seller-lyon-part-dieu', role: 'staff', locations: ['store-lyon-part-dieu'] }],
];
const signed = tokens.map(([variable, claims]) => [variable, claims, signStaffToken(claims, { expiresInSeconds: 12 * 3600 })] as const);
const lines = signed.map(([variable, , token]) => `export ${variable}=${token}`);
const file = join(__dirname, '..', '.local', 'staff-tokens.sh');
mkdirSync(join(__dirname, '..', '.local'), { recursive: true });
writeFileSync(file, `${lines.join('\n')}\n`);
console.log('Staff tokens (12 h), also in .local/staff-tokens.sh (`source` it):');
for (const [variable, claims, token] of signed) {
  console.log(`  ${variable} (${claims.role}${claims.locations ? ` at ${claims.locations.join(', ')}` : ', every location'}):\n    ${token}`);
}
