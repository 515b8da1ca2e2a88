import { signToken } from '@fil/auth';
import { DEMO_LOCATIONS, demoStock, type DemoStock } from './demo-network';

/**
 * Loads the demo network through the running inventory's HTTP API, so it is
 * validated and every stock level is published like any other change. Safe to
 * run again: PUTs replace; a count below what is now reserved is left as is.
 */
const baseUrl = (process.env.INVENTORY_URL ?? 'http://127.0.0.1:3001').replace(/\/$/, '');
const PARALLEL = 8;

// Loads as ops would, with a token signed by the configured (or development) secret.
const token = signToken({ sub: 'demo-seed', role: 'ops' }, { expiresInSeconds: 600 });

async function put(path: string, body: unknown): Promise<number> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  // Writes are rate limited per token: wait as told, then try again.
  if (response.status === 429) {
    await new Promise((resolve) => setTimeout(resolve, 1_000 * Number(response.headers.get('retry-after') ?? 1)));
    return put(path, body);
  }
  if (!response.ok && response.status !== 409) {
    throw new Error(`PUT ${path} answered ${response.status}: ${await response.text()}`);
  }
  return response.status;
}

async function main() {
  for (const { id, ...profile } of DEMO_LOCATIONS) await put(`/locations/${encodeURIComponent(id)}`, profile);

  const queue: DemoStock[] = demoStock();
  const total = queue.length;
  let kept = 0;
  const worker = async () => {
    for (let row = queue.shift(); row; row = queue.shift()) {
      const path = `/locations/${encodeURIComponent(row.locationId)}/stock/${encodeURIComponent(row.sku)}`;
      if ((await put(path, { onHand: row.onHand, safetyStock: row.safetyStock })) === 409) kept += 1;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));

  const skus = new Set(demoStock().map((row) => row.sku)).size;
  console.log(
    `seeded ${DEMO_LOCATIONS.length} locations, ${skus} SKUs, ${total - kept} stock rows at ${baseUrl}` +
      (kept ? ` (${kept} kept: already more reserved than the demo count)` : ''),
  );
}

main().catch((error: Error) => {
  console.error(`seed failed: ${error.message}`);
  process.exit(1);
});
