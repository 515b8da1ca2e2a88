import type { Logger } from '@nestjs/common';
import { describeError } from '@fil/observability';

/**
 * Runs `sweep` every `pollMs` until stopped; a sweep that found work runs again at once.
 * For the jobs whose deadlines live in the database (reservation expiry, saga steps): a
 * restart loses nothing, and a failed sweep (the database away, a lock conflict) is only
 * logged, the next one takes the work again. `stop` resolves once the current sweep is over.
 */
export function startSweeper(what: string, pollMs: number, sweep: () => Promise<number>, logger: Logger): { stop: () => Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        if (await sweep()) continue;
      } catch (error) {
        logger.warn(`${what} failed: ${describeError(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
