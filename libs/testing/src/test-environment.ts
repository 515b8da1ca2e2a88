import { randomBytes } from 'node:crypto';

/**
 * Gives a test file its own topics (by prefix), databases and consumer groups on
 * the real Kafka and PostgreSQL, so test files never see each other's messages.
 * Call it before any app or client is created.
 */
export function useTestEnvironment(name: string): { topicPrefix: string; dbPrefix: string } {
  const run = randomBytes(3).toString('hex');
  const safe = name.toLowerCase().replace(/[^a-z0-9]/g, '_');
  process.env.FIL_TOPIC_PREFIX = `test.${safe}.${run}.`;
  process.env.FIL_DB_PREFIX = `fil_test_${safe}_${run}`;
  process.env.FIL_TRACING = 'off';
  // Keep test output to what matters; a failing test still shows warnings and errors.
  process.env.FIL_LOG_LEVEL ??= 'warn';
  return { topicPrefix: process.env.FIL_TOPIC_PREFIX, dbPrefix: process.env.FIL_DB_PREFIX };
}

/** Polls `probe` until it returns a truthy value (0, false and undefined mean not yet). */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false | 0> | T | undefined | null | false | 0,
  { timeoutMs = 20_000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value as T;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}
